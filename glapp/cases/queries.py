"""Reads of the cases app, always within the reader's organization and units.

A case is seen by whoever may read its unit (`Access.unit_filter` on the case's unit; a case
without a unit only by those without a unit limit), so a handler of one region never lists,
opens or hears of another region's cases. Another organization's or unit's case is "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from glapp.accounts.models import ROLE_PERMISSIONS, Membership, Unit
from glapp.accounts.queries import Access
from glapp.cases.models import AlertRule, Case, CaseActivity, CaseResponse, RootCause
from glapp.core.errors import NotFound


def cases_in_scope(access: Access) -> QuerySet:
    return Case.objects.for_org(access.organization_id).filter(access.unit_filter("unit__path"))


def case_for(access: Access, case_id: int) -> Case:
    case = cases_in_scope(access).filter(pk=case_id).first()
    if case is None:
        raise NotFound("case")
    return case


def may_work(case: Case, user_id: int) -> bool:
    """Whether this person may work this case: a role with the "cases" permission, active, and
    the case's unit within their units."""
    membership = (Membership.objects.filter(organization_id=case.organization_id, user_id=user_id,
                                            user__is_active=True).select_related("unit").first())
    if membership is None or "cases" not in ROLE_PERMISSIONS.get(membership.role, set()):
        return False
    if membership.unit is None:
        return True
    path = Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).first() if case.unit_id else None
    return Unit.in_subtree(path, membership.unit.path)


def handlers_for(access: Access, case: Case) -> list:
    """People the case may be given to (for the owner picker), within the reader's view."""
    from django.contrib.auth import get_user_model

    memberships = (Membership.objects.for_org(access.organization_id).filter(user__is_active=True)
                   .select_related("user", "unit"))
    path = Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).first() if case.unit_id else None
    ids = [m.user_id for m in memberships
           if "cases" in ROLE_PERMISSIONS.get(m.role, set()) and (m.unit is None or Unit.in_subtree(path, m.unit.path))]
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


@dataclass(frozen=True)
class CaseFilter:
    view: str = "mine"  # mine, queue (open cases in my units), all (any status), breached
    status: str = ""
    priority: int | None = None
    unit_id: int | None = None
    owner_id: int | None = None
    q: str = ""
    sort: str = "due"  # due, priority, created, updated


def inbox(access: Access, user_id: int | None, f: CaseFilter, limit: int = 50, offset: int = 0
          ) -> tuple[list[Case], int]:
    """A page of cases for the inbox and `GET /api/v1/cases`, and how many match."""
    qs = cases_in_scope(access)
    if f.view == "mine":
        qs = qs.filter(owner_id=user_id, status__in=Case.OPEN_STATUSES)
    elif f.view == "queue":
        qs = qs.filter(status__in=Case.OPEN_STATUSES)
    elif f.view == "breached":
        qs = qs.filter(status__in=Case.OPEN_STATUSES, breached_at__isnull=False)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.unit_id:
        path = Unit.objects.for_org(access.organization_id).filter(pk=f.unit_id).values_list("path", flat=True).first()
        qs = qs.filter(Unit.subtree_filter("unit__path", path or ""))
    if f.q.strip():
        term = f.q.strip()
        match = Q(title__icontains=term) | Q(customer__external_id=term)
        if term.lstrip("#").isdigit():
            match |= Q(pk=int(term.lstrip("#")))
        qs = qs.filter(match)
    order = {
        "due": ("due_at", "-priority", "id"),
        "priority": ("-priority", "due_at", "id"),
        "created": ("-created_at", "-id"),
        "updated": ("-updated_at", "-id"),
    }.get(f.sort, ("due_at", "-priority", "id"))
    total = qs.count()
    page = list(qs.select_related("owner", "unit", "queue", "customer", "root_cause")
                .order_by(*[_nulls_last(o) for o in order])[offset:offset + limit])
    return page, total


def _nulls_last(field: str):
    from django.db.models import F

    if field.startswith("-"):
        return F(field[1:]).desc(nulls_last=True)
    return F(field).asc(nulls_last=True)


def timeline(case: Case) -> list[CaseActivity]:
    return list(CaseActivity.objects.filter(case_id=case.pk).select_related("actor").order_by("created_at", "id"))


def response_ids_of(case: Case) -> list[int]:
    return list(CaseResponse.objects.filter(case_id=case.pk).order_by("response_id")
                .values_list("response_id", flat=True))


def case_of_response(access: Access, response_id: int) -> Case | None:
    """The case a response is in, if the reader may see it."""
    link = CaseResponse.objects.filter(response_id=response_id).values_list("case_id", flat=True).first()
    if link is None:
        return None
    return cases_in_scope(access).filter(pk=link).first()


def root_causes(organization_id: int, active_only: bool = True) -> list[RootCause]:
    qs = RootCause.objects.for_org(organization_id)
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.order_by("position", "name"))


def alert_rules(organization_id: int) -> list[AlertRule]:
    return list(AlertRule.objects.for_org(organization_id).order_by("name", "id"))


def alert_rule(organization_id: int, rule_id: int) -> AlertRule:
    rule = AlertRule.objects.for_org(organization_id).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("alert rule")
    return rule


@dataclass(frozen=True)
class RulePreview:
    matched: int
    scanned: int
    days: int
    examples: list[int]  # response ids, newest first
    complete: bool  # every response of the period was read (False: `scanned` is the newest ones)


PREVIEW_SCAN = 20_000


def preview_rule(access: Access, tree: dict, days: int = 30, shown: int = 5, scan: int = PREVIEW_SCAN
                 ) -> RulePreview:
    """How many of the last `days` days' responses (within the reader's units) a rule would
    have matched, with a few examples. Reads the newest `scan` responses at most, so the page
    costs the same on any organization, and says when it stopped there."""
    from glapp.cases import conditions
    from glapp.cases.evaluation import subjects
    from glapp.responses.models import Response
    from glapp.textanalytics.queries import analysis_facts

    condition = conditions.compile_rule(tree)
    since = timezone.now() - dt.timedelta(days=days)
    ids = list(Response.objects.for_org(access.organization_id).filter(access.unit_filter("unit__path"))
               .filter(submitted_at__gte=since).order_by("-submitted_at", "-id")
               .values_list("id", flat=True)[:scan + 1])
    complete = len(ids) <= scan
    ids = ids[:scan]
    matched, examples = 0, []
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        facts = subjects(access.organization_id, chunk,
                         analysis_facts(access.organization_id, chunk) if condition.needs_analysis else None)
        for rid in chunk:
            subject = facts.get(rid)
            if subject is not None and condition.matches(subject.facts):
                matched += 1
                if len(examples) < shown:
                    examples.append(rid)
    return RulePreview(matched, len(ids), days, examples, complete)


def cases_of_customers(organization_id: int, customer_ids) -> list[dict]:
    """A person's cases for their data export: each case as the API shows it, with its timeline
    and the e-mails written to them."""
    from glapp.cases.models import CaseEmail
    from glapp.cases.serialize import case_data

    out = []
    for case in Case.objects.for_org(organization_id).filter(customer_id__in=list(customer_ids)).order_by("id"):
        out.append({**case_data(case),
                    "resolution": case.resolution,
                    "timeline": [{"kind": a.kind, "text": a.text, "at": a.created_at.isoformat()}
                                 for a in CaseActivity.objects.filter(case=case).order_by("created_at", "id")],
                    "emails": [{"to": e.to, "subject": e.subject, "body": e.body, "status": e.status,
                                "sent_at": e.sent_at.isoformat() if e.sent_at else None}
                               for e in CaseEmail.objects.filter(case=case).order_by("id")]})
    return out


def promoter_asks_of_customers(organization_id: int, customer_ids) -> list[dict]:
    from glapp.cases.models import PromoterAsk

    return [{"to": to, "review_url": url, "sent_at": sent.isoformat() if sent else None,
             "clicked_at": clicked.isoformat() if clicked else None}
            for to, url, sent, clicked in PromoterAsk.objects.for_org(organization_id)
            .filter(customer_id__in=list(customer_ids)).order_by("id")
            .values_list("to", "review_url", "sent_at", "clicked_at")]


def closed_cases_before(organization_id: int, cutoff) -> QuerySet:
    """Cases closed before `cutoff` that still hold what people wrote (retention's contact history)."""
    written = Q(resolution__gt="") | Q(activities__text__gt="") | Q(emails__isnull=False)
    return (Case.objects.for_org(organization_id).filter(closed_at__lt=cutoff).filter(written).distinct())


def promoter_asks_before(organization_id: int, cutoff) -> QuerySet:
    """Asks made before `cutoff` that still hold an address (retention's contact history)."""
    from glapp.cases.models import PromoterAsk

    return PromoterAsk.objects.for_org(organization_id).filter(created_at__lt=cutoff).exclude(to="")


def case_ids_in_units(organization_id: int, case_ids, unit_path: str) -> set[int]:
    """Of these cases, those whose unit lies in the subtree `unit_path` (notifications: what a
    member moved to another unit may still hear of)."""
    return set(Case.objects.for_org(organization_id).filter(pk__in=list(case_ids))
               .filter(Unit.subtree_filter("unit__path", unit_path)).values_list("id", flat=True))


def case_ids_of_customers(organization_id: int, customer_ids, response_ids) -> set[int]:
    """The cases of these customers or holding these responses (notifications: a customer's erasure)."""
    return set(Case.objects.for_org(organization_id).filter(
        Q(customer_id__in=list(customer_ids)) | Q(links__response_id__in=list(response_ids)))
        .values_list("id", flat=True))


# --- The web pages -----------------------------------------------------------------------------

def latest_change(access: Access) -> dt.datetime | None:
    """When any case the reader may see last changed (a new case, a note, a status …): the
    inbox's version, so its polling re-renders only after a change. One index walk
    (`case_org_updated`), newest first."""
    return (cases_in_scope(access).order_by("-updated_at").values_list("updated_at", flat=True).first())


def open_case_count(access: Access, user_id: int) -> int:
    """The reader's own open cases (the navigation's badge): one count on `case_org_owner`."""
    return Case.objects.for_org(access.organization_id).filter(
        owner_id=user_id, status__in=Case.OPEN_STATUSES).filter(access.unit_filter("unit__path")).count()


def other_cases(access: Access, case: Case, limit: int = 20) -> list[Case]:
    """The same customer's other cases the reader may see, newest first."""
    if not case.customer_id:
        return []
    return list(cases_in_scope(access).filter(customer_id=case.customer_id).exclude(pk=case.pk)
                .select_related("owner").order_by("-created_at", "-id")[:limit])


def handlers_in_scope(access: Access) -> list:
    """Everyone who may work some case the reader sees (the inbox's bulk owner picker): active
    members with the "cases" permission whose units overlap the reader's. Whether each may work
    each chosen case is checked when assigning."""
    from django.contrib.auth import get_user_model

    ids = []
    for m in (Membership.objects.for_org(access.organization_id).filter(user__is_active=True)
              .select_related("unit")):
        if "cases" not in ROLE_PERMISSIONS.get(m.role, set()):
            continue
        if (access.whole_organization or m.unit is None or Unit.in_subtree(m.unit.path, access.unit_path)
                or Unit.in_subtree(access.unit_path, m.unit.path)):
            ids.append(m.user_id)
    return list(get_user_model().objects.filter(pk__in=ids).order_by("first_name", "last_name", "username"))


def people_named(organization_id: int, user_ids) -> dict[int, str]:
    """{user id: name} for ids a timeline mentions (owners given, escalation contacts)."""
    from django.contrib.auth import get_user_model

    ids = {int(u) for u in user_ids if isinstance(u, int) or (isinstance(u, str) and u.isdigit())}
    if not ids:
        return {}
    members = set(Membership.objects.for_org(organization_id).filter(user_id__in=ids).values_list("user_id",
                                                                                                 flat=True))
    return {u.pk: (u.get_full_name() or u.get_username())
            for u in get_user_model().objects.filter(pk__in=ids & members)}


def rule_match_counts(organization_id: int, days: int = 30) -> dict[int, int]:
    """{rule id: responses matched in the last `days` days}, for the rules list."""
    from django.db.models import Count

    from glapp.cases.models import AlertMatch

    since = timezone.now() - dt.timedelta(days=days)
    return dict(AlertMatch.objects.for_org(organization_id).filter(created_at__gte=since)
                .values_list("rule_id").annotate(n=Count("id")).values_list("rule_id", "n"))


def reply_templates(organization_id: int) -> list:
    from glapp.cases.models import ReplyTemplate

    return list(ReplyTemplate.objects.for_org(organization_id).order_by("position", "name"))


def reply_template(organization_id: int, template_id) -> object:
    from glapp.cases.models import ReplyTemplate

    try:
        found = ReplyTemplate.objects.for_org(organization_id).filter(pk=int(template_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound("reply template")
    return found


def root_cause(organization_id: int, cause_id: int) -> RootCause:
    found = RootCause.objects.for_org(organization_id).filter(pk=cause_id).first()
    if found is None:
        raise NotFound("root cause")
    return found


def unit_case_settings(organization_id: int) -> dict:
    """{unit id: UnitCaseSettings} of the organization's units that have any."""
    from glapp.cases.models import UnitCaseSettings

    return {s.unit_id: s for s in UnitCaseSettings.objects.for_org(organization_id)}
