"""Reads of the notifications app: always one person's, in one organization.

Who may be told about a case or a response is decided here once (`within_reach`): an active
member whose unit subtree holds its unit; something without a unit only those without a unit
limit, as `Access.unit_filter` decides for every read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from glapp.accounts.models import ROLE_PERMISSIONS, Membership, Unit
from glapp.notifications.models import DEFAULT_DELIVERY, Kind, Notification, Preference

PAGE = 50


def within_reach(organization_id: int, user_ids: Iterable[int], unit_id: int | None) -> list[int]:
    """Of these people, the active members of the organization who may see a thing of `unit_id`."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return []
    path = Unit.objects.filter(pk=unit_id, organization_id=organization_id).values_list("path", flat=True).first() \
        if unit_id else None
    rows = (Membership.objects.for_org(organization_id).filter(user_id__in=ids, user__is_active=True)
            .values_list("user_id", "unit__path"))
    return sorted(user_id for user_id, limit in rows if limit is None or Unit.in_subtree(path, limit))


def queue_people(organization_id: int, unit_ids: Iterable[int | None]) -> set[int]:
    """The people of these units' queues: active members placed in the unit itself (None: those
    without a unit limit) whose role may work cases."""
    wanted = set(unit_ids)
    if not wanted:
        return set()
    rows = (Membership.objects.for_org(organization_id).filter(user__is_active=True)
            .values_list("user_id", "unit_id", "role"))
    return {user_id for user_id, unit_id, role in rows
            if unit_id in wanted and "cases" in ROLE_PERMISSIONS.get(role, set())}


def unit_by_code(organization_id: int, code: str | None) -> int | None:
    if not code:
        return None
    return Unit.objects.for_org(organization_id).filter(code=code).values_list("id", flat=True).first()


def deliveries(organization_id: int, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's choice for `kind` (their own, or the default)."""
    ids = list(user_ids)
    chosen = dict(Preference.objects.for_org(organization_id).filter(user_id__in=ids, kind=kind)
                  .values_list("user_id", "delivery"))
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY[kind]) for user_id in ids}


def preferences_of(organization_id: int, user_id: int) -> dict[str, str]:
    """{kind: delivery} for every kind, defaults filled in."""
    chosen = dict(Preference.objects.for_org(organization_id).filter(user_id=user_id)
                  .values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


def mine(organization_id: int, user_id: int) -> QuerySet:
    return Notification.objects.for_org(organization_id).filter(user_id=user_id)


def unread_count(organization_id: int, user_id: int) -> int:
    """The bell's number: one count on the partial index of unread rows."""
    return mine(organization_id, user_id).filter(read_at__isnull=True).count()


def page_of(organization_id: int, user_id: int, before_id: int | None = None, size: int = PAGE
            ) -> tuple[list[Notification], int | None]:
    """A page of a person's notifications, newest first, and the id to continue below (None: last page)."""
    qs = mine(organization_id, user_id)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    rows = list(qs.order_by("-id")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


def has_unread_about_case(organization_id: int, case_id: int) -> set[int]:
    """People with an unread notification about this case (an alert on it adds nothing for them)."""
    return set(Notification.objects.for_org(organization_id).filter(case_id=case_id, read_at__isnull=True)
               .values_list("user_id", flat=True))


def about(organization_id: int, case_ids: Iterable[int], response_ids: Iterable[int]) -> QuerySet:
    """Notifications about these cases or responses (a customer's erasure)."""
    from django.db.models import Q

    return Notification.objects.for_org(organization_id).filter(
        Q(case_id__in=list(case_ids)) | Q(response_id__in=list(response_ids)))


def read_before(organization_id: int, cutoff: dt.datetime) -> QuerySet:
    """Read notifications older than `cutoff` (retention's contact-history period)."""
    return Notification.objects.for_org(organization_id).filter(created_at__lt=cutoff, read_at__isnull=False)
