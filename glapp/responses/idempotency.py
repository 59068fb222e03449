"""Idempotency-Key for writes (IETF draft-ietf-httpapi-idempotency-key-header).

A client that sends `Idempotency-Key: <unique value>` may retry the same request safely:

1. `claim()` reserves the key (a row with status 0, committed at once) so a concurrent
   duplicate sees "in flight" and gets 409 instead of writing twice.
2. The caller's write runs in one transaction that also stores the outcome (status + JSON
   body) on the reserved row via `complete()`: the response and its record commit together.
3. A retry with the same key and the same request replays the stored outcome; the same key
   with a different request is refused (422). If the write fails, `release()` frees the key.

Keys are scoped per organization and expire after `GLAPP_IDEMPOTENCY_TTL_HOURS` (housekeeping
prunes them; an expired record found here is treated as absent). A
reservation left behind by a crashed worker is taken over after `STALE_RESERVATION`.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from glapp.core.errors import Conflict, FieldError, GlappError, ValidationFailed
from glapp.responses.models import IdempotencyRecord

IN_FLIGHT = 0
STALE_RESERVATION = dt.timedelta(minutes=5)
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(GlappError):
    def __init__(self):
        super().__init__(
            message="This Idempotency-Key was already used with a different request; use a new key.",
            code="idempotency_key_reused", status=422,
            # A 422 names what to change, as every other one does: here the header.
            errors=[FieldError("Idempotency-Key", "was already used with a different request",
                               "idempotency_key_reused")],
        )


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool = False


def fingerprint(method: str, path: str, payload) -> str:
    """A hash of what the request asks for; key order and whitespace do not matter."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    # surrogatepass: a request carrying a lone surrogate still gets a hash (and then its field error).
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode("utf-8", "surrogatepass")).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed([FieldError("Idempotency-Key", f"must be 1–{MAX_KEY_LENGTH} printable characters")])
    return key


def claim(organization_id: int, key: str, request_hash: str) -> Outcome | None:
    """Reserve `key`, or return the stored outcome of the earlier identical request."""
    now = timezone.now()
    expires = now - dt.timedelta(hours=settings.GLAPP_IDEMPOTENCY_TTL_HOURS)
    for _attempt in range(3):
        record = (IdempotencyRecord.objects.for_org(organization_id).filter(key=key)
                  .only("id", "request_hash", "status_code", "body", "created_at").first())
        if record is not None:
            abandoned = record.status_code == IN_FLIGHT and record.created_at < now - STALE_RESERVATION
            if record.created_at < expires or abandoned:
                # Delete only the row we looked at, so two takers cannot both win.
                IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            elif record.request_hash != request_hash:
                raise IdempotencyKeyReused()
            elif record.status_code == IN_FLIGHT:
                raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly.",
                               code="idempotency_in_flight")
            else:
                return Outcome(record.status_code, json.loads(record.body), replayed=True)
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(organization_id=organization_id, key=key,
                                                 request_hash=request_hash, status_code=IN_FLIGHT, body="")
            return None
        except IntegrityError:
            continue  # another request reserved it between our read and insert: look again
    raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly.",
                   code="idempotency_in_flight")


def complete(organization_id: int, key: str, outcome: Outcome) -> None:
    """Store the outcome; call inside the transaction that performs the write."""
    IdempotencyRecord.objects.for_org(organization_id).filter(key=key).update(
        status_code=outcome.status, body=json.dumps(outcome.body, ensure_ascii=False))


def release(organization_id: int, key: str) -> None:
    IdempotencyRecord.objects.for_org(organization_id).filter(key=key, status_code=IN_FLIGHT).delete()


def run_once(organization_id: int, key: str | None, request_hash: str, write: Callable[[], Outcome]) -> Outcome:
    """Run `write` (which must not commit on its own) in one transaction, at most once per key.

    A unique-constraint race (two senders of the same external_id at the same instant, on a
    database that does not serialize writers) is retried once, so the loser sees the winner's
    row as an existing response instead of failing.
    """
    if key is not None:
        replay = claim(organization_id, key, request_hash)
        if replay is not None:
            return replay
    try:
        for attempt in range(2):
            try:
                with transaction.atomic():
                    outcome = write()
                    if key is not None:
                        complete(organization_id, key, outcome)
                return outcome
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")
    except BaseException:
        if key is not None:
            release(organization_id, key)
        raise


# Small batches keep each write transaction short, so a large backlog never holds SQLite's
# single write lock long enough to stall API ingestion.
BATCH_SIZE = 1000


def prune_expired(now: dt.datetime | None = None, ttl_hours: int | None = None) -> int:
    """Delete stored Idempotency-Key outcomes older than the replay window; return how many."""
    ttl = settings.GLAPP_IDEMPOTENCY_TTL_HOURS if ttl_hours is None else ttl_hours
    cutoff = (now or timezone.now()) - dt.timedelta(hours=ttl)
    expired = IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("pk")
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(expired.values_list("pk", flat=True)[:BATCH_SIZE])
            if not ids:
                return deleted
            count, _ = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += count
