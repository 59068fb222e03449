"""/api/v1/alert-rules and /api/v1/cases: who needs attention, and working their cases.

Reads need `cases:read` (or a signed-in person who may read); changes to cases need
`cases:write`, changes to rules `cases:write` on a key not limited to a unit (rules belong to the
whole organization). A unit-limited key lists and changes only its units' cases; any other case
is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from glapp.accounts.api_auth import WebSession, keys_with
from glapp.accounts.queries import Access
from glapp.cases import actions, conditions, queries
from glapp.cases.models import Case, Priority
from glapp.cases.serialize import case_data
from glapp.core.errors import FieldError, PermissionDenied, ValidationFailed
from glapp.core.schemas import Problem, RowId

router = Router(tags=["cases"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}

READ = "cases:read"
WRITE = "cases:write"


def case_readers() -> list:
    return [*keys_with(READ), WebSession()]


def _may_work(access: Access) -> None:
    # A key says what it may do by its scopes; a person by their role.
    allowed = bool({WRITE, "admin"} & access.scopes) if access.scopes else access.can("cases")
    if not allowed:
        raise PermissionDenied("This needs a role or API key that may work cases (scope cases:write).")


def _may_edit_rules(access: Access) -> None:
    _may_work(access)
    if not access.whole_organization:
        raise PermissionDenied("Alert rules belong to the whole organization; use a key not limited to a unit.")
    if not access.scopes and not access.can("write"):
        raise PermissionDenied("This needs a role that may change the organization's settings.")


def _actor(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    if getattr(request, "api_key", None) is None and user is not None and user.is_authenticated:
        return user.pk
    return None


# --- Alert rules -------------------------------------------------------------------------------

class AlertRuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120, examples=["Detractors at customer service"])
    active: bool = True
    conditions: dict = Field(..., description="A condition tree (docs/cases.md, \"Alert rule conditions\").",
                             examples=[{"all": [{"score": "nps", "op": "<=", "value": 6},
                                                {"touchpoint": ["kundtjanst-telefon"]}]}])
    open_case: bool = True
    priority: int = Field(Priority.NORMAL, ge=1, le=4, description="1 low, 2 normal, 3 high, 4 urgent.")
    notify_users: list[RowId] = Field(default_factory=list, max_length=50)
    notify_units: list[RowId] = Field(default_factory=list, max_length=50)
    webhook: bool = False
    ask_promoter: bool = Field(False, description="Thank the customer and ask for a review or referral (needs "
                                                  "their marketing consent and a review page for their unit).")


class AlertRuleOut(AlertRuleIn):
    id: int
    description: str = Field(..., description="The conditions in words.")
    created_at: dt.datetime
    updated_at: dt.datetime


class PreviewIn(Schema):
    conditions: dict
    days: int = Field(30, ge=1, le=365)


class PreviewOut(Schema):
    matched: int = Field(..., description="Responses of the period the rule would have matched.")
    scanned: int
    days: int
    complete: bool = Field(..., description="false: only the newest `scanned` responses were read.")
    examples: list[int] = Field(..., description="Response ids, newest first.")


def _rule_out(rule) -> dict:
    return {"id": rule.id, "name": rule.name, "active": rule.active, "conditions": rule.conditions,
            "open_case": rule.open_case, "priority": rule.priority, "notify_users": rule.notify_users,
            "notify_units": rule.notify_units, "webhook": rule.webhook, "ask_promoter": rule.ask_promoter,
            "description": conditions.describe(rule.conditions), "created_at": rule.created_at,
            "updated_at": rule.updated_at}


@router.get("/alert-rules", auth=case_readers(), response={200: list[AlertRuleOut], **ERRORS},
            operation_id="list_alert_rules", summary="The organization's alert rules")
def list_alert_rules(request: HttpRequest):
    return [_rule_out(r) for r in queries.alert_rules(request.access.organization_id)]


@router.post("/alert-rules", auth=keys_with(WRITE), response={201: AlertRuleOut, **ERRORS},
             operation_id="create_alert_rule", summary="Create an alert rule")
def create_alert_rule(request: HttpRequest, payload: AlertRuleIn):
    """A condition tree that does not validate is a 422 naming the node (`conditions.all[1].op`)."""
    _may_edit_rules(request.access)
    rule = actions.save_rule(request.access.organization_id, None, **payload.model_dump())
    return 201, _rule_out(rule)


@router.post("/alert-rules/preview", auth=case_readers(), response={200: PreviewOut, **ERRORS},
             operation_id="preview_alert_rule", summary="What a rule would have matched")
def preview_alert_rule(request: HttpRequest, payload: PreviewIn):
    """Evaluates the conditions on the responses of the last `days` days (within the caller's
    units); nothing is stored."""
    actions.check_conditions(payload.conditions)
    p = queries.preview_rule(request.access, payload.conditions, payload.days)
    return {"matched": p.matched, "scanned": p.scanned, "days": p.days, "complete": p.complete,
            "examples": p.examples}


@router.put("/alert-rules/{rule_id}", auth=keys_with(WRITE), response={200: AlertRuleOut, **ERRORS},
            operation_id="save_alert_rule", summary="Change an alert rule")
def save_alert_rule(request: HttpRequest, rule_id: RowId, payload: AlertRuleIn):
    """A change counts from the next response; responses already evaluated are not evaluated again."""
    _may_edit_rules(request.access)
    rule = queries.alert_rule(request.access.organization_id, rule_id)
    return _rule_out(actions.save_rule(request.access.organization_id, rule, **payload.model_dump()))


@router.delete("/alert-rules/{rule_id}", auth=keys_with(WRITE), response={204: None, **ERRORS},
               operation_id="delete_alert_rule", summary="Delete an alert rule")
def delete_alert_rule(request: HttpRequest, rule_id: RowId):
    """Its cases stay (without their rule); switch a rule off with `active: false` to keep its history."""
    _may_edit_rules(request.access)
    actions.delete_rule(queries.alert_rule(request.access.organization_id, rule_id))
    return 204, None


# --- Cases -------------------------------------------------------------------------------------

class CaseOut(Schema):
    id: int
    status: str = Field(..., description="new, contacted, in_progress, resolved or closed.")
    priority: int = Field(..., description="1 low, 2 normal, 3 high, 4 urgent.")
    title: str
    owner_id: int | None
    unit: str | None = Field(..., description="The response's unit code.")
    queue: str | None = Field(..., description="The unit whose queue holds the case; null: the organization's.")
    customer: str | None = Field(..., description="The customer's external id.")
    response_ids: list[int]
    rule_id: int | None
    analysis_only: bool = Field(..., description="The customer has not agreed to be contacted: no contact, "
                                                 "no due times.")
    first_contact_due_at: str | None
    resolve_due_at: str | None
    first_contacted_at: str | None
    resolved_at: str | None
    closed_at: str | None
    breached_at: str | None
    root_cause: str | None
    merged_into: int | None
    created_at: str | None
    updated_at: str | None


class CasePage(Schema):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class CaseFilters(Schema):
    view: str = Field("queue", pattern="^(mine|queue|all|breached)$",
                      description="queue: open cases in the caller's units; mine: open cases the caller owns "
                                  "(web sessions only); breached: open and past a due time; all: any status.")
    status: str | None = Field(None, pattern="^(new|contacted|in_progress|resolved|closed)$")
    priority: int | None = Field(None, ge=1, le=4)
    owner_id: RowId | None = None
    sort: str = Field("due", pattern="^(due|priority|created|updated)$")
    limit: int = Field(settings.GLAPP_API_PAGE_SIZE, ge=1, le=settings.GLAPP_API_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=1_000_000)


class CaseUpdate(Schema):
    status: str | None = Field(None, pattern="^(new|contacted|in_progress|resolved|closed)$")
    owner_id: RowId | None = Field(None, description="Give the case to this person (a case handler of its unit).")
    unassign: bool = Field(False, description="true: back to the queue.")
    reason: str = Field("", max_length=1000, description="Why the case changes hands (needed when it had an owner).")
    note: str = Field("", max_length=10_000, description="Added to the timeline.")
    priority: int | None = Field(None, ge=1, le=4)


class CloseIn(Schema):
    root_cause: str = Field(..., max_length=40, description="A code of the organization's root causes.")
    resolution: str = Field(..., min_length=1, max_length=5000, description="What was done.")


class ActivityOut(Schema):
    id: int
    kind: str
    actor_id: int | None
    text: str
    data: dict
    created_at: dt.datetime


class CaseDetail(CaseOut):
    timeline: list[ActivityOut]


@router.get("/cases", auth=case_readers(), response={200: CasePage, **ERRORS}, operation_id="list_cases",
            summary="Cases, filtered and sorted")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    """Sorted by the due time that counts now (first contact, then resolution) by default. A key
    limited to a unit sees that unit and below only."""
    f = queries.CaseFilter(view=filters.view, status=filters.status or "", priority=filters.priority,
                           owner_id=filters.owner_id, sort=filters.sort)
    page, total = queries.inbox(request.access, _actor(request), f, filters.limit, filters.offset)
    return {"items": [case_data(c) for c in page], "total": total, "limit": filters.limit, "offset": filters.offset}


# --- Is the loop working? ----------------------------------------------------------------------

class LoopEstimate(Schema):
    value: float | None
    low: float | None = Field(..., description="Lower bound of the 95 % interval.")
    high: float | None
    n: int = Field(..., description="Cases (or follow-ups) behind the figure.")
    method: str


class RootCauseCount(Schema):
    code: str
    name: str
    cases: int = Field(..., description="Closed cases with this root cause.")


class LoopRow(Schema):
    key: str = Field(..., description="The group's code (unit or touchpoint); empty for the whole.")
    name: str
    detractors: int | None = Field(..., description="NPS answers 0–6 in the period.")
    cases: int = Field(..., description="Cases opened in the period.")
    analysis_only: int = Field(..., description="Of them, customers who had not agreed to be contacted.")
    contacted_within_sla: LoopEstimate = Field(..., description="Percent of contactable cases due (or contacted) "
                                                                "that were contacted by their due time.")
    breach_rate: LoopEstimate = Field(..., description="Percent of the same cases that passed a due time.")
    hours_to_first_contact: LoopEstimate = Field(..., description="Median hours from opening to first contact.")
    hours_to_close: LoopEstimate = Field(..., description="Median hours from opening to closing.")
    resolved: int
    follow_ups_answered: int
    recovered: LoopEstimate = Field(..., description="Percent of follow-ups by former detractors now 7 or more.")
    root_causes: list[RootCauseCount] = Field(..., description="Most frequent first (the Pareto).")


class LoopFilters(Schema):
    date_from: dt.date | None = Field(None, description="Default: 30 days before date_to.")
    date_to: dt.date | None = Field(None, description="Default: today.")
    group_by: str | None = Field(None, pattern="^(unit|touchpoint)$")


def _loop_estimate(e) -> dict:
    return {"value": e.value, "low": e.low, "high": e.high, "n": e.n, "method": e.method}


@router.get("/cases/loop", auth=case_readers(), response={200: list[LoopRow], **ERRORS},
            operation_id="closed_loop_figures", summary="Is the loop working? Closed-loop figures")
def closed_loop_figures(request: HttpRequest, filters: Query[LoopFilters]):
    """The whole first, then one row per unit or touchpoint: cases opened, contacted within SLA,
    breach rate, median times to first contact and to close, recovered share from follow-ups,
    and the root-cause Pareto, each share and median with its 95 % interval. Within the caller's
    units."""
    from django.utils import timezone

    from glapp.cases.loop import loop_figures

    date_to = filters.date_to or timezone.localdate()
    date_from = filters.date_from or date_to - dt.timedelta(days=29)
    if date_from > date_to:
        raise ValidationFailed([FieldError("date_from", "must not be after date_to", "invalid")])
    rows = loop_figures(request.access, date_from, date_to, filters.group_by)
    return [{**{k: getattr(r, k) for k in ("key", "name", "detractors", "cases", "analysis_only", "resolved",
                                           "follow_ups_answered")},
             **{k: _loop_estimate(getattr(r, k)) for k in ("contacted_within_sla", "breach_rate",
                                                          "hours_to_first_contact", "hours_to_close", "recovered")},
             "root_causes": [{"code": c, "name": n, "cases": k} for c, n, k in r.root_causes]} for r in rows]


@router.get("/cases/{case_id}", auth=case_readers(), response={200: CaseDetail, **ERRORS},
            operation_id="get_case", summary="One case with its timeline")
def get_case(request: HttpRequest, case_id: RowId):
    case = queries.case_for(request.access, case_id)
    return {**case_data(case), "timeline": [
        {"id": a.id, "kind": a.kind, "actor_id": a.actor_id, "text": a.text if a.kind != "email" else "",
         "data": a.data, "created_at": a.created_at} for a in queries.timeline(case)]}


@router.patch("/cases/{case_id}", auth=keys_with(WRITE), response={200: CaseOut, **ERRORS},
              operation_id="update_case", summary="Change a case's status, owner, priority or add a note")
def update_case(request: HttpRequest, case_id: RowId, payload: CaseUpdate):
    """Changes apply in this order: owner, priority, note, status. Closing needs a root cause:
    use `POST /cases/{id}/close`."""
    _may_work(request.access)
    case = queries.case_for(request.access, case_id)
    actor = _actor(request)
    if payload.owner_id is not None or payload.unassign:
        case = actions.assign(case, None if payload.unassign else payload.owner_id, actor_id=actor,
                              reason=payload.reason)
    if payload.priority is not None:
        case = actions.set_priority(case, payload.priority, actor_id=actor)
    if payload.note.strip():
        actions.add_note(case, payload.note, actor_id=actor)
    if payload.status is not None:
        if payload.status == Case.Status.CLOSED:
            raise ValidationFailed([FieldError("status", "close a case with POST /cases/{id}/close", "use_close")])
        case = actions.set_status(case, payload.status, actor_id=actor)
    case.refresh_from_db()
    return case_data(case)


@router.post("/cases/{case_id}/close", auth=keys_with(WRITE), response={200: CaseOut, **ERRORS},
             operation_id="close_case", summary="Close a case with its root cause")
def close_case(request: HttpRequest, case_id: RowId, payload: CloseIn):
    _may_work(request.access)
    case = queries.case_for(request.access, case_id)
    cause = next((c for c in queries.root_causes(request.access.organization_id) if c.code == payload.root_cause), None)
    if cause is None:
        raise ValidationFailed([FieldError("root_cause", "is not one of the organization's root causes", "unknown")])
    case = actions.close(case, actor_id=_actor(request), root_cause_id=cause.pk, resolution=payload.resolution)
    return case_data(case)
