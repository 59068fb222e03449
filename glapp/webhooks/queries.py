"""Reads of the webhooks app, each scoped to an organization (or to an endpoint found through one)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from glapp.core import bulk
from glapp.webhooks.actions import WAKE_STALE, claim_timeout
from glapp.webhooks.models import Attempt, Delivery, Endpoint, Message


def subscribed(organization_id: int, event_type: str) -> list[tuple[int, bool]]:
    """The organization's active endpoints subscribed to `event_type`, as (id, may receive
    personal data): plain SQL on the (organization, active) index, since it runs in every
    response's write, and read once per transaction (a POST sends response.created and
    response.completed in one atomic block; they share the read)."""
    return [(pk, personal) for pk, types, personal in _active_endpoints(organization_id) if event_type in types]


def _active_endpoints(organization_id: int) -> list[tuple[int, tuple[str, ...], bool]]:
    block = connection.atomic_blocks[-1] if connection.atomic_blocks else None
    memo = getattr(connection, "_glapp_webhook_endpoints", None)
    if block is not None and memo is not None and memo[0] is block and memo[1] == organization_id:
        return memo[2]
    rows = [(pk, tuple(types.split(",")), bool(personal)) for pk, types, personal in bulk.select_rows(
        Endpoint, ("id", "event_types", "personal_data"), {"organization": organization_id, "active": True})]
    # Keyed by the writer's own `atomic` block (the object, held here, so never a later one's).
    connection._glapp_webhook_endpoints = (block, organization_id, rows) if block is not None else None
    return rows


def endpoints_of(organization_id: int):
    return Endpoint.objects.for_org(organization_id).order_by("id").annotate(
        waiting=Count("deliveries", filter=Q(deliveries__state__in=[Delivery.State.PENDING,
                                                                    Delivery.State.SENDING])),
        failed=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)))


def endpoint_of(organization_id: int, endpoint_id: int) -> Endpoint | None:
    return Endpoint.objects.for_org(organization_id).filter(pk=endpoint_id).first()


def deliveries_of(endpoint: Endpoint, state: str = "", limit: int = 50):
    qs = Delivery.objects.filter(endpoint_id=endpoint.pk).select_related("message")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-message_id")[:limit]


def attempt_log(endpoint: Endpoint, limit: int = 100):
    return (Attempt.objects.filter(endpoint_id=endpoint.pk).select_related("delivery__message")
            .order_by("-at", "-id")[:limit])


def next_due_at(endpoint_id: int) -> dt.datetime | None:
    """When something of the endpoint is next due: a waiting delivery's time, or a claim's end."""
    found = Delivery.objects.filter(endpoint_id=endpoint_id).aggregate(
        pending=Min("next_attempt_at", filter=Q(state=Delivery.State.PENDING)),
        claimed=Min("claimed_at", filter=Q(state=Delivery.State.SENDING)))
    times = [t for t in (found["pending"], found["claimed"] and found["claimed"] + claim_timeout()) if t]
    return min(times) if times else None


def endpoints_with_due(now: dt.datetime | None = None) -> list[int]:
    """Active endpoints with a delivery due now and no delivery task waiting to run now: none,
    one waiting so long it is presumed lost, or only one for later (a retry's), which a message
    whose own wake-up was lost must not wait for. What the periodic sweep wakes."""
    now = now or timezone.now()
    found = []
    none_now = Q(wake_at__isnull=True) | Q(wake_at__lt=now - WAKE_STALE) | Q(wake_at__gt=now)
    for endpoint_id in Endpoint.objects.filter(active=True).filter(none_now).values_list("id", flat=True):
        due = Delivery.objects.filter(endpoint_id=endpoint_id).filter(
            Q(state=Delivery.State.PENDING, next_attempt_at__lte=now)
            | Q(state=Delivery.State.SENDING, claimed_at__lt=now - claim_timeout()))
        if due.exists():
            found.append(endpoint_id)
    return found


# --- Privacy ------------------------------------------------------------------------------------

def messages_of_customers(organization_id: int, customer_ids) -> list[dict]:
    """The data-subject export: every message about these customers, as sent, with its deliveries."""
    out = []
    qs = Message.objects.for_org(organization_id).filter(customer_id__in=list(customer_ids)).order_by("id")
    for m in qs.prefetch_related("deliveries"):
        out.append({"webhook_id": m.msg_id, "type": m.event_type, "created_at": m.created_at,
                    "body": m.personal_payload or m.payload,
                    "deliveries": [{"endpoint_id": d.endpoint_id, "state": d.state, "attempts": d.attempts,
                                    "delivered_at": d.delivered_at} for d in m.deliveries.all()]})
    return out


def messages_before(organization_id: int, cutoff: dt.datetime):
    return Message.objects.for_org(organization_id).filter(created_at__lt=cutoff)


def attempts_before(organization_id: int, cutoff: dt.datetime):
    return Attempt.objects.filter(organization_id=organization_id, at__lt=cutoff)
