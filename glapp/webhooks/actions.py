"""Every write of the webhooks app: endpoints, the outbox, deliveries and their results."""

from __future__ import annotations

import base64
import datetime as dt
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from glapp.accounts.actions import AuditActor, record_audit
from glapp.accounts.models import AuditEntry
from glapp.core import bulk
from glapp.core.errors import FieldError, ValidationFailed
from glapp.core.needles import Needles
from glapp.webhooks import addresses, payloads
from glapp.webhooks.models import EVENT_TYPES, TEST_EVENT, Attempt, Delivery, Endpoint, Message

EVENT_NAMES = tuple(name for name, _label in EVENT_TYPES)
# After the n-th failed attempt the next waits RETRY_SCHEDULE[n - 1] (± 20 %), as the Standard
# Webhooks specification suggests; after the last the delivery has failed for good.
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)
SECRET_OVERLAP = dt.timedelta(hours=24)  # the old secret still signs this long after a rotation
DISABLE_AFTER = dt.timedelta(days=5)  # an endpoint failing every attempt this long is disabled
EXCERPT = 500
# A delivery task waiting this long past its time is presumed lost (failed for good by its lease
# after too many dead workers), so the next event or sweep queues another.
WAKE_STALE = dt.timedelta(minutes=15)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


# --- Endpoints ----------------------------------------------------------------------------------

def _clean(url: str, event_types: Sequence[str], description: str) -> tuple[str, str, str]:
    errors = []
    url = (url or "").strip()
    try:
        addresses.check_url(url, allow_private=settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE)
    except addresses.RefusedAddress as exc:
        errors.append(FieldError("url", str(exc), "refused_url"))
    if len(url) > 500:
        errors.append(FieldError("url", "at most 500 characters", "too_long"))
    unknown = [t for t in event_types if t not in EVENT_NAMES]
    if unknown:
        errors.append(FieldError("event_types", f"unknown event types: {', '.join(unknown)}", "invalid"))
    if not event_types:
        errors.append(FieldError("event_types", "choose at least one event type", "required"))
    if errors:
        raise ValidationFailed(errors)
    return url, ",".join(t for t in EVENT_NAMES if t in event_types), (description or "").strip()[:200]


def create_endpoint(organization_id: int, url: str, event_types: Sequence[str], *, description: str = "",
                    personal_data: bool = False, actor: AuditActor, created_by=None) -> Endpoint:
    url, types, description = _clean(url, event_types, description)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(organization_id=organization_id, url=url, event_types=types,
                                           description=description, personal_data=personal_data,
                                           secret=new_secret(), created_by=created_by)
        record_audit(organization_id, AuditEntry.Action.WEBHOOK_CREATED, actor, target_type="webhook",
                     target=endpoint.pk, details={"url": url, "event_types": endpoint.types,
                                                  "personal_data": personal_data})
    return endpoint


def update_endpoint(endpoint: Endpoint, url: str, event_types: Sequence[str], *, description: str = "",
                    personal_data: bool, actor: AuditActor) -> Endpoint:
    url, types, description = _clean(url, event_types, description)
    with transaction.atomic():
        before = {"url": endpoint.url, "event_types": endpoint.types, "personal_data": endpoint.personal_data}
        endpoint.url, endpoint.event_types = url, types
        endpoint.description, endpoint.personal_data = description, personal_data
        endpoint.save(update_fields=["url", "event_types", "description", "personal_data"])
        after = {"url": url, "event_types": endpoint.types, "personal_data": personal_data}
        record_audit(endpoint.organization_id, AuditEntry.Action.WEBHOOK_CHANGED, actor, target_type="webhook",
                     target=endpoint.pk, details={"before": before, "after": after})
    return endpoint


def rotate_secret(endpoint: Endpoint, *, actor: AuditActor) -> str:
    """A new signing secret; the old one signs too for SECRET_OVERLAP, so the receiver can switch."""
    with transaction.atomic():
        endpoint.previous_secret, endpoint.secret = endpoint.secret, new_secret()
        endpoint.previous_secret_until = timezone.now() + SECRET_OVERLAP
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        record_audit(endpoint.organization_id, AuditEntry.Action.WEBHOOK_SECRET_ROTATED, actor,
                     target_type="webhook", target=endpoint.pk)
    return endpoint.secret


def set_active(endpoint: Endpoint, active: bool, *, actor: AuditActor | None, reason: str = "") -> None:
    """Enable or disable an endpoint (a person, or the deliveries themselves with `actor` None).
    Enabling starts on what waits: its pending deliveries are due at once."""
    now = timezone.now()
    with transaction.atomic():
        if active:
            changed = Endpoint.objects.filter(pk=endpoint.pk, active=False).update(
                active=True, disabled_at=None, disabled_reason="", consecutive_failures=0, failing_since=None)
            Delivery.objects.filter(endpoint_id=endpoint.pk, state=Delivery.State.PENDING).update(next_attempt_at=now)
            _wake_after_commit(endpoint.pk)
        else:
            changed = Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
                active=False, disabled_at=now, disabled_reason=reason[:300])
        if changed:
            record_audit(endpoint.organization_id,
                         AuditEntry.Action.WEBHOOK_ENABLED if active else AuditEntry.Action.WEBHOOK_DISABLED,
                         actor or AuditActor.scheduled(), target_type="webhook", target=endpoint.pk,
                         details={"reason": reason} if reason else {})
    endpoint.refresh_from_db()


def delete_endpoint(endpoint: Endpoint, *, actor: AuditActor) -> None:
    with transaction.atomic():
        record_audit(endpoint.organization_id, AuditEntry.Action.WEBHOOK_DELETED, actor, target_type="webhook",
                     target=endpoint.pk, details={"url": endpoint.url})
        endpoint.delete()


# --- The outbox: in the transaction of the event ------------------------------------------------

def publish(organization_id: int, event_type: str, targets: Sequence[tuple[int, bool]],
            items: Sequence[payloads.Outgoing]) -> list[int]:
    """Write one message per item and a delivery of it to each target endpoint (id, may receive
    personal data), in the caller's transaction: they commit with the event or not at all.
    Plain SQL: under load this runs once per API request. Returns the messages' ids."""
    if not items or not targets:
        return []
    now = timezone.now()
    adapt = bulk.datetime_adapter()
    stamp = adapt(now)
    personal = any(p for _e, p in targets)
    ids = bulk.allocate_ids(Message, len(items))
    messages, deliveries = [], []
    for mid, item in zip(ids, items, strict=True):
        full = payloads.body(event_type, now, item.personal) if personal and item.personal is not None else ""
        messages.append((mid, organization_id, new_msg_id(), event_type, payloads.body(event_type, now, item.data),
                         full, item.customer_id, stamp))
        for endpoint_id, _p in targets:
            deliveries.append((organization_id, endpoint_id, mid, Delivery.State.PENDING, 0, stamp, "", "", stamp))
    bulk.insert_rows(Message, ("id", "organization", "msg_id", "event_type", "payload", "personal_payload",
                               "customer_id", "created_at"), messages)
    bulk.insert_rows(Delivery, ("organization", "endpoint", "message", "state", "attempts", "next_attempt_at",
                                "claim", "last_error", "created_at"), deliveries)
    return ids


def send_test_event(endpoint: Endpoint, *, actor: AuditActor) -> Message:
    """A `webhook.test` message to this endpoint only."""
    with transaction.atomic():
        item = payloads.Outgoing(payloads.test_data(endpoint.pk, actor.username or actor.kind), None, None)
        [mid] = publish(endpoint.organization_id, TEST_EVENT, [(endpoint.pk, False)], [item])
        record_audit(endpoint.organization_id, AuditEntry.Action.WEBHOOK_TESTED, actor, target_type="webhook",
                     target=endpoint.pk)
        _wake_after_commit(endpoint.pk)
    return Message.objects.get(pk=mid)


def replay(endpoint: Endpoint, *, message_ids: Sequence[int] = (), failed_since: dt.datetime | None = None,
           actor: AuditActor) -> int:
    """Send messages to the endpoint again, with their own webhook-id and a fresh set of
    attempts: those named, or every one that failed or waits since a time. Returns how many."""
    qs = Delivery.objects.filter(endpoint_id=endpoint.pk)
    if failed_since is not None:
        qs = qs.filter(message__created_at__gte=failed_since).exclude(state=Delivery.State.DELIVERED)
        qs = qs.exclude(state=Delivery.State.SENDING)
    else:
        qs = qs.filter(message_id__in=list(message_ids)).exclude(state=Delivery.State.SENDING)
    with transaction.atomic():
        count = qs.update(state=Delivery.State.PENDING, attempts=0, next_attempt_at=timezone.now(), claim="",
                          claimed_at=None)
        record_audit(endpoint.organization_id, AuditEntry.Action.WEBHOOK_REPLAYED, actor, target_type="webhook",
                     target=endpoint.pk, details={"deliveries": count, "failed_since":
                                                  failed_since.isoformat() if failed_since else None,
                                                  "message_ids": list(message_ids)[:100]})
        if count:
            _wake_after_commit(endpoint.pk)
    return count


def _wake_after_commit(endpoint_id: int) -> None:
    from glapp.webhooks.tasks import wake_after_commit  # tasks run these actions: imported when used

    wake_after_commit([endpoint_id])


# --- Delivery -----------------------------------------------------------------------------------

def task_started(endpoint_id: int) -> None:
    """A delivery task of this endpoint starts: from now an event queues the next one."""
    Endpoint.objects.filter(pk=endpoint_id, wake_at__lte=timezone.now()).update(wake_at=None)


def claim_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.GLAPP_WEBHOOK_CLAIM_SECONDS)


def _due(now: dt.datetime) -> Q:
    """Due: waiting and its time has come, or claimed by a run that is presumed dead."""
    return (Q(state=Delivery.State.PENDING, next_attempt_at__lte=now)
            | Q(state=Delivery.State.SENDING, claimed_at__lt=now - claim_timeout()))


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    attempts: int
    msg_id: str
    event_type: str
    payload: str
    personal_payload: str


def claim(endpoint_id: int, limit: int, token: str) -> list[Claimed]:
    """Claim up to `limit` due deliveries of the endpoint for this run, with one conditional
    UPDATE (it re-checks each row, so of two runs claiming at once each row goes to one)."""
    now = timezone.now()
    due = _due(now)
    batch = Delivery.objects.filter(endpoint_id=endpoint_id).filter(due).order_by("next_attempt_at", "id")
    claimed = Delivery.objects.filter(id__in=batch.values("id")[:limit]).filter(due).update(
        state=Delivery.State.SENDING, claimed_at=now, claim=token)
    if not claimed:
        return []
    rows = Delivery.objects.filter(endpoint_id=endpoint_id, claim=token, state=Delivery.State.SENDING).order_by(
        "next_attempt_at", "id").values_list("id", "attempts", "message__msg_id", "message__event_type",
                                             "message__payload", "message__personal_payload")
    return [Claimed(*row) for row in rows]


@dataclass(frozen=True)
class Result:
    """What one attempt got: a status code, or an error (no answer); None for both: not sent
    (the batch stopped after the endpoint stopped answering), so it waits as it was."""

    delivery_id: int
    attempts: int  # before this one
    at: dt.datetime
    status: int | None = None
    error: str = ""
    duration_ms: int = 0
    excerpt: str = ""

    @property
    def sent(self) -> bool:
        return self.status is not None or bool(self.error)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def next_attempt(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` failed attempts; None when that was the last."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    delay = RETRY_SCHEDULE[attempts - 1]
    return now + dt.timedelta(seconds=delay * random.uniform(0.8, 1.2))


def record_results(endpoint_id: int, token: str, results: Sequence[Result]) -> dict[str, int]:
    """Write a batch's results in one transaction: each delivery's state and next attempt, the
    attempt log, and the endpoint's failure count; disable it on a 410 Gone or after failing every
    attempt for DISABLE_AFTER. Only deliveries this run still holds are written (one presumed
    dead and claimed again by another run is theirs now)."""
    now = timezone.now()
    adapt = bulk.datetime_adapter()
    counts = {"delivered": 0, "failed": 0, "retrying": 0, "unsent": 0}
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
        held = set(Delivery.objects.filter(id__in=[r.delivery_id for r in results], claim=token,
                                           state=Delivery.State.SENDING).values_list("id", flat=True))
        results = [r for r in results if r.delivery_id in held]
        retry_unsent_at = now
        updates, log = [], []
        gone = False
        for r in results:
            if not r.sent:
                continue
            log.append((endpoint.organization_id, r.delivery_id, endpoint_id, adapt(r.at), r.status, r.error[:300],
                        r.duration_ms, r.excerpt[:EXCERPT]))
            if r.ok:
                counts["delivered"] += 1
                updates.append((Delivery.State.DELIVERED, r.attempts + 1, adapt(r.at), None, "", r.status, "",
                                adapt(r.at), r.delivery_id))
                endpoint.consecutive_failures, endpoint.failing_since = 0, None
                endpoint.last_success_at = r.at
                continue
            gone = gone or r.status == 410
            attempts = r.attempts + 1
            again = next_attempt(attempts, r.at)
            error = r.error or f"HTTP {r.status}"
            if again is None:
                counts["failed"] += 1
                updates.append((Delivery.State.FAILED, attempts, adapt(r.at), None, "", r.status, error[:300], None,
                                r.delivery_id))
            else:
                counts["retrying"] += 1
                retry_unsent_at = max(retry_unsent_at, again)
                updates.append((Delivery.State.PENDING, attempts, adapt(again), None, "", r.status, error[:300], None,
                                r.delivery_id))
            endpoint.consecutive_failures += 1
            endpoint.failing_since = endpoint.failing_since or r.at
        for r in results:
            if not r.sent:  # the endpoint stopped answering before these: they wait with the failed one
                counts["unsent"] += 1
                updates.append((Delivery.State.PENDING, r.attempts, adapt(retry_unsent_at), None, "", None, "", None,
                                r.delivery_id))
        bulk.update_by_id(Delivery, ("state", "attempts", "next_attempt_at", "claimed_at", "claim", "last_status",
                                     "last_error", "delivered_at"), updates)
        bulk.insert_rows(Attempt, ("organization", "delivery", "endpoint", "at", "status_code", "error",
                                   "duration_ms", "response_excerpt"), log)
        Endpoint.objects.filter(pk=endpoint_id).update(
            consecutive_failures=endpoint.consecutive_failures, failing_since=endpoint.failing_since,
            last_success_at=endpoint.last_success_at)
        reason = ""
        if gone:
            reason = "The endpoint answered 410 Gone."
        elif endpoint.failing_since is not None and endpoint.failing_since <= now - DISABLE_AFTER:
            reason = (f"Every attempt failed for {DISABLE_AFTER.days} days "
                      f"({endpoint.consecutive_failures} attempts in a row).")
        if reason and endpoint.active:
            set_active(endpoint, False, actor=None, reason=reason)
    return counts


def refuse_batch(endpoint_id: int, token: str, claimed: Sequence[Claimed], error: str) -> dict[str, int]:
    """Record the same failure for every claimed delivery (the URL was refused before sending)."""
    at = timezone.now()
    return record_results(endpoint_id, token, [Result(c.delivery_id, c.attempts, at, None, error) for c in claimed])


# --- Privacy ------------------------------------------------------------------------------------

def forget_customers(organization_id: int, customer_ids: Sequence[int], needles: Needles) -> int:
    """Erasure: delete the messages (with their deliveries and attempt log) about these customers
    or quoting them (their identifiers, their comments). Returns how many."""
    doomed = set(Message.objects.filter(organization_id=organization_id, customer_id__in=list(customer_ids))
                 .values_list("id", flat=True))
    if needles:
        others = Message.objects.filter(organization_id=organization_id).exclude(id__in=doomed)
        for pk, body, personal in others.values_list("id", "payload", "personal_payload").iterator(chunk_size=2000):
            if needles.found_in(body) or needles.found_in(personal):
                doomed.add(pk)
    return delete_messages(list(doomed))


def delete_messages(ids: Sequence[int]) -> int:
    deleted = 0
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        Attempt.objects.filter(delivery__message_id__in=chunk).delete()
        Delivery.objects.filter(message_id__in=chunk).delete()
        deleted += Message.objects.filter(id__in=chunk).delete()[0]
    return deleted


def delete_attempts(ids: Sequence[int]) -> int:
    return Attempt.objects.filter(id__in=list(ids)).delete()[0]


