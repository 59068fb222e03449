"""Writes of the notifications app.

Notifications are written in the transaction of the change they tell of (receivers of
`case.changed` and `alert.triggered`), so the bell never speaks of a change that rolled back.
Each recipient gets one row, never the person who made the change, and only people who may see
the case's (or response's) unit. E-mail goes after the commit: at once on the time-critical
queue, or in the person's hourly or daily digest (`notifications/emails.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from glapp.core import events
from glapp.notifications import queries
from glapp.notifications.models import DIGESTS, Delivery, EmailState, Kind, Notification, Preference

# A case change other than these is "activity on my case" for its owner.
CREATED_CHANGES = {"created", "split"}


def notify(organization_id: int, kind: str, user_ids: Iterable[int], *, unit_id: int | None,
           actor_id: int | None = None, case_id: int | None = None, response_id: int | None = None,
           rule_id: int | None = None, title: str, data: Mapping | None = None) -> list[Notification]:
    """One notification of `kind` for each of `user_ids` within reach of `unit_id`, but the actor
    and those who turned the kind off."""
    recipients = [u for u in queries.within_reach(organization_id, user_ids, unit_id) if u != actor_id]
    if not recipients:
        return []
    rows = []
    for user_id, delivery in queries.deliveries(organization_id, recipients, kind).items():
        if delivery == Delivery.OFF:
            continue
        emailed = delivery == Delivery.IMMEDIATE or delivery in DIGESTS
        rows.append(Notification(organization_id=organization_id, user_id=user_id, kind=kind, case_id=case_id,
                                 response_id=response_id, rule_id=rule_id, title=title[:200], data=dict(data or {}),
                                 delivery=delivery,
                                 email_state=EmailState.PENDING if emailed else EmailState.NONE))
    created = Notification.objects.bulk_create(rows)
    if any(n.delivery == Delivery.IMMEDIATE for n in created):
        transaction.on_commit(_queue_immediate)
    return created


def _queue_immediate() -> None:
    from glapp.notifications.tasks import send_immediate

    send_immediate.enqueue()


def case_title(case_id: int, data: Mapping) -> str:
    """"#42 · P3 · north-store": the case's number, priority and unit code."""
    parts = [f"#{case_id}"]
    if data.get("priority"):
        parts.append(f"P{data['priority']}")
    if data.get("unit"):
        parts.append(str(data["unit"]))
    return " · ".join(parts)


def on_case_changed(event: events.CaseChanged) -> None:
    """Who hears of a case change: the new owner ("assigned"), the queue of a new case nobody owns
    yet ("queue"), the escalation contact and owner of a breach, the owner of anything else done
    to their case by someone else ("activity")."""
    data = event.data if isinstance(event.data, Mapping) else {}
    owner_id = data.get("owner_id")
    org = event.organization_id
    codes = {"change": event.change, "priority": data.get("priority"), "status": data.get("status"),
             "unit": data.get("unit")}
    if (event.kind == "created" and event.change in CREATED_CHANGES) or event.change == "assigned":
        if owner_id:
            kind, user_ids = Kind.ASSIGNED, {owner_id, *event.user_ids}
        else:
            kind, user_ids = Kind.QUEUE, queries.queue_people(org, [queries.unit_by_code(org, data.get("queue"))])
    elif event.change == "breached":
        kind, user_ids = Kind.BREACHED, set(event.user_ids)
    else:
        kind, user_ids = Kind.ACTIVITY, {owner_id, *event.user_ids}
    notify(org, kind, user_ids, unit_id=event.unit_id, actor_id=event.actor_user_id, case_id=event.case_id,
           title=case_title(event.case_id, data), data=codes)


def on_alert_triggered(event: events.AlertTriggered) -> None:
    """The people and units' queues a rule names, within reach of the response's unit. Someone
    already told of the case (unread) is not told again by the alert that opened it."""
    org = event.organization_id
    user_ids = set(event.notify_user_ids) | queries.queue_people(org, event.notify_unit_ids)
    if event.case_id:
        user_ids -= queries.has_unread_about_case(org, event.case_id)
    data = event.data if isinstance(event.data, Mapping) else {}
    title = f"#{event.case_id}" if event.case_id else f"R{event.response_id}"
    notify(org, Kind.ALERT, user_ids, unit_id=event.unit_id, case_id=event.case_id or None,
           response_id=event.response_id or None, rule_id=event.rule_id or None, title=title,
           data={"rule": event.rule_id, "touchpoint": data.get("touchpoint")})


# --- The reader --------------------------------------------------------------------------------

def mark_read(organization_id: int, user_id: int, notification_ids: Iterable[int] | None = None) -> int:
    """Mark a person's notifications read (all unread ones when `notification_ids` is None). A
    notification read before its digest went out is left out of it."""
    qs = queries.mine(organization_id, user_id).filter(read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    with transaction.atomic():
        ids = list(qs.values_list("id", flat=True))
        Notification.objects.filter(pk__in=ids, email_state=EmailState.PENDING).update(email_state=EmailState.NONE)
        return Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())


def set_preferences(organization_id: int, user_id: int, choices: Mapping[str, str]) -> None:
    """Store a person's choice per kind (unknown kinds or deliveries are refused)."""
    from glapp.core.errors import FieldError, ValidationFailed

    errors = [FieldError(kind, "is not a kind of notification", "unknown") for kind in choices
              if kind not in Kind.values]
    errors += [FieldError(kind, "is not a way of delivery", "invalid") for kind, delivery in choices.items()
               if kind in Kind.values and delivery not in Delivery.values]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        for kind, delivery in choices.items():
            Preference.objects.update_or_create(organization_id=organization_id, user_id=user_id, kind=kind,
                                                defaults={"delivery": delivery})


# --- Membership and personal data ---------------------------------------------------------------

def follow_membership(organization_id: int, user_id: int) -> int:
    """A removed member's notifications and choices go with their membership; someone moved to
    another unit keeps only the notifications about what they may still see."""
    from django.db.models import Q

    from glapp.accounts.models import Membership, Unit

    membership = Membership.objects.for_org(organization_id).filter(user_id=user_id).select_related("unit").first()
    theirs = queries.mine(organization_id, user_id)
    if membership is None:
        Preference.objects.for_org(organization_id).filter(user_id=user_id).delete()
        return theirs.delete()[1].get("notifications.Notification", 0)
    if membership.unit is None:
        return 0
    reach = Unit.subtree_filter("unit__path", membership.unit.path)
    from glapp.cases.queries import case_ids_in_units
    from glapp.responses.models import Response

    case_ids = set(theirs.exclude(case=None).values_list("case_id", flat=True))
    kept_cases = case_ids_in_units(organization_id, case_ids, membership.unit.path)
    response_ids = set(theirs.filter(case=None).exclude(response=None).values_list("response_id", flat=True))
    kept_responses = set(Response.objects.filter(pk__in=response_ids).filter(reach).values_list("id", flat=True))
    gone = (Q(case_id__in=case_ids - kept_cases)
            | Q(case=None, response_id__in=response_ids - kept_responses))
    return theirs.filter(gone).delete()[1].get("notifications.Notification", 0)


def forget_notifications(organization_id: int, case_ids: Iterable[int], response_ids: Iterable[int]) -> int:
    """A customer's erasure: notifications about their cases and responses go."""
    return queries.about(organization_id, case_ids, response_ids).delete()[1].get("notifications.Notification", 0)


def delete_notifications(organization_id: int, ids: Iterable[int]) -> int:
    """Retention: these notifications go."""
    return (Notification.objects.for_org(organization_id).filter(pk__in=list(ids)).delete()[1]
            .get("notifications.Notification", 0))
