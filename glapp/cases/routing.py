"""Where a new case goes: the queue of the response's unit, or up the tree to the nearest unit
with a case handler (none up to the top: the organization's queue), and optionally straight to
one of that queue's handlers."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from glapp.accounts.models import Membership, Role, Unit
from glapp.cases.models import Case, CaseActivity, SlaPolicy


def handlers_by_unit(organization_id: int) -> dict[int | None, list[int]]:
    """{unit id (None: the whole organization): active case handlers placed exactly there}."""
    found: dict[int | None, list[int]] = {}
    for unit_id, user_id in (Membership.objects.for_org(organization_id)
                             .filter(role=Role.CASE_HANDLER, user__is_active=True)
                             .order_by("user_id").values_list("unit_id", "user_id")):
        found.setdefault(unit_id, []).append(user_id)
    return found


def queue_for(unit_path: str, handlers: dict[int | None, list[int]]) -> int | None:
    """The nearest unit on the path, from the unit itself upwards, with a handler of its own."""
    for unit_id in reversed(Unit.ids_on_path(unit_path)):
        if handlers.get(unit_id):
            return unit_id
    return None


def pick_owner(organization_id: int, policy: SlaPolicy, queue_id: int | None,
               handlers: dict[int | None, list[int]]) -> int | None:
    """The handler a new case is given to, or None to leave it in the queue."""
    candidates = handlers.get(queue_id, [])
    if policy.assignment == SlaPolicy.Assignment.QUEUE or not candidates:
        return None
    if policy.assignment == SlaPolicy.Assignment.LEAST_LOADED:
        load = dict(Case.objects.for_org(organization_id)
                    .filter(owner_id__in=candidates, status__in=Case.OPEN_STATUSES)
                    .values_list("owner_id").annotate(n=Count("id")).values_list("owner_id", "n"))
        return min(candidates, key=lambda user_id: (load.get(user_id, 0), user_id))
    # Round robin: the handler whose last assignment in this queue is the oldest (never first).
    last = dict(CaseActivity.objects.for_org(organization_id)
                .filter(kind=CaseActivity.Kind.ASSIGNED, data__owner__in=candidates)
                .filter(Q(case__queue_id=queue_id) if queue_id else Q(case__queue__isnull=True))
                .values_list("data__owner").annotate(at=Max("id")).values_list("data__owner", "at"))
    return min(candidates, key=lambda user_id: (last.get(user_id, 0), user_id))
