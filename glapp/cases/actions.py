"""Writes of the cases app: rules deciding on responses, and everything done to a case.

Every change to a case records a timeline entry and sends `case.changed` in its transaction
(webhooks and notifications write their rows in it), so the timeline, the webhook outbox and
the bell never disagree with the case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from glapp.cases import evaluation, routing, serialize
from glapp.cases.evaluation import ActiveRule, Subject
from glapp.cases.models import AlertMatch, Case, CaseActivity, CaseResponse, Priority, SlaPolicy
from glapp.cases.sla import Calendars, sla_policy
from glapp.core import events

# Where responses came from, and whether a rule may open a case for them whatever their age.
# Imports carry history: only their recent rows (the SLA policy's window, or the import's choice)
# open cases, so loading three years of answers does not flood the queue.
OPENS_CASES_AT_ANY_AGE = {"api", "survey", "demo"}


# --- Rules deciding on responses ---------------------------------------------------------------

def evaluate_completed(organization_id: int, response_ids: Sequence[int], source: str = "",
                       import_job_id: int = 0) -> None:
    """Decide every rule that needs nothing from the comment's analysis for these completed
    responses (the rest wait for the analysis of those with a comment). In the caller's
    transaction; each response is evaluated once, ever."""
    if source == "survey":
        # Answers to a case's follow-up question go to their case, not through the rules.
        from glapp.cases import follow_ups

        survey_id = follow_ups.follow_up_survey_id(organization_id)
        if survey_id is not None:
            follow_ups.record_answers(organization_id, response_ids, survey_id)
            response_ids = evaluation.not_of_survey(response_ids, survey_id)
    rules = evaluation.active_rules(organization_id)
    if not rules or not response_ids:
        return
    waiting_rules = [r for r in rules if r.condition.needs_analysis]
    subjects = evaluation.subjects(organization_id, response_ids)
    awaiting = {rid for rid, s in subjects.items() if s.has_comment} if waiting_rules else set()
    taken = evaluation.mark(organization_id, list(subjects), awaiting)
    if not taken:
        return
    now_rules = [r for r in rules if not r.condition.needs_analysis]
    opens_since = _opens_cases_since(organization_id, source, import_job_id)
    context = _Context(organization_id)
    for rid in taken:
        subject = subjects[rid]
        _decide(context, subject, now_rules if rid in awaiting else rules, opens_since)


def evaluate_analysed(organization_id: int, answer_ids: Sequence[int]) -> None:
    """Decide the rules on topics and sentiment for the responses whose comments were just
    analysed (in the analysis's transaction), for those still waiting on them."""
    from glapp.responses.queries import responses_of_answers
    from glapp.textanalytics.queries import analysis_facts

    if not evaluation.anything_awaiting(organization_id):
        return  # most analysis batches: no response waits on them
    response_ids = responses_of_answers(organization_id, answer_ids)
    if not response_ids:
        return
    taken = evaluation.take_awaiting(organization_id, response_ids)
    if not taken:
        return
    rules = [r for r in evaluation.active_rules(organization_id) if r.condition.needs_analysis]
    if not rules:
        return
    subjects = evaluation.subjects(organization_id, taken, analysis_facts(organization_id, taken))
    context = _Context(organization_id)
    for rid in taken:
        if rid in subjects:
            _decide(context, subjects[rid], rules, None)


def evaluate_overdue(organization_id: int, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Responses whose comment was never analysed within `older_than` (an analysis that keeps
    failing) get their waiting rules decided on what is known: no topics, no sentiment."""
    from glapp.cases.models import Evaluation

    since = timezone.now() - older_than
    ids = list(Evaluation.objects.filter(organization_id=organization_id, awaiting_analysis=True,
                                         evaluated_at__lt=since).values_list("response_id", flat=True)[:5000])
    if not ids:
        return 0
    with transaction.atomic():
        taken = evaluation.take_awaiting(organization_id, ids)
        rules = [r for r in evaluation.active_rules(organization_id) if r.condition.needs_analysis]
        if taken and rules:
            subjects = evaluation.subjects(organization_id, taken)
            context = _Context(organization_id)
            for rid in taken:
                if rid in subjects:
                    _decide(context, subjects[rid], rules, None)
    return len(taken)


def _opens_cases_since(organization_id: int, source: str, import_job_id: int) -> dt.datetime | None:
    """The earliest submission time for which a rule may open a case (None: any)."""
    if source in OPENS_CASES_AT_ANY_AGE:
        return None
    days = sla_policy(organization_id).import_case_days
    if import_job_id:
        from glapp.responses.queries import import_case_choice

        choice = import_case_choice(organization_id, import_job_id)
        if choice == "all":
            return None
        if choice == "none":
            return dt.datetime.max.replace(tzinfo=dt.UTC)
    return timezone.now() - dt.timedelta(days=days)


class _Context:
    """What deciding a batch needs once: the SLA policy, calendars, the queues' handlers."""

    def __init__(self, organization_id: int):
        self.organization_id = organization_id
        self.policy = sla_policy(organization_id)
        self.calendars = Calendars(organization_id, self.policy)
        self.handlers = routing.handlers_by_unit(organization_id)
        self.now = timezone.now()


def _decide(context: _Context, subject: Subject, rules: Sequence[ActiveRule], opens_since) -> None:
    matched = [r.rule for r in rules if r.condition.matches(subject.facts)]
    if not matched:
        return
    case = None
    wants_case = [rule for rule in matched if rule.open_case]
    may_open = opens_since is None or subject.submitted_at >= opens_since
    if wants_case and may_open:
        priority = max(rule.priority for rule in wants_case)
        if context.policy.high_value and _is_high_value(context.policy, subject):
            priority = Priority.URGENT
        case = attach_or_open(context, subject, wants_case[0], priority)
    if any(rule.ask_promoter for rule in matched):
        from glapp.cases import promoters

        promoters.ask(context.organization_id, subject, next(r for r in matched if r.ask_promoter), context.policy,
                      context.now)
    for rule in matched:
        if case is not None and rule.open_case:
            outcome = AlertMatch.Outcome.CASE
        elif rule.open_case and not may_open:
            outcome = AlertMatch.Outcome.HISTORIC
        else:
            outcome = AlertMatch.Outcome.NOTIFIED
        AlertMatch.objects.create(organization_id=context.organization_id, rule=rule,
                                  response_id=subject.response_id, case=case if rule.open_case else None,
                                  outcome=outcome)
        if outcome == AlertMatch.Outcome.HISTORIC:
            continue  # history tells nobody: the rule's figures count it, no bell rings for last year
        events.AlertTriggered(
            context.organization_id, rule_id=rule.id, response_id=subject.response_id,
            case_id=case.id if case is not None else 0, unit_id=subject.unit_id,
            notify_user_ids=tuple(rule.notify_users or ()), notify_unit_ids=tuple(rule.notify_units or ()),
            webhook=rule.webhook, data=serialize.alert_data(rule, subject, case)).send()


def _is_high_value(policy: SlaPolicy, subject: Subject) -> bool:
    from glapp.cases import conditions

    try:
        return conditions.compile_rule(policy.high_value).matches(subject.facts)
    except conditions.ConditionInvalid:
        return False


def attach_or_open(context: _Context, subject: Subject, rule, priority: int, actor_id: int | None = None) -> Case:
    """The response's case: the one it is in already, the customer's open case from within the
    merge window (the response joins it), or a new one routed to its unit's queue."""
    from glapp.contacts.actions import lock_customer

    org_id = context.organization_id
    existing = CaseResponse.objects.filter(response_id=subject.response_id).select_related("case").first()
    if existing is not None:
        return existing.case
    if subject.customer_id:
        lock_customer(org_id, subject.customer_id)  # two responses of one customer: one case
        window = context.now - dt.timedelta(days=context.policy.merge_window_days)
        case = (Case.objects.for_org(org_id).select_for_update()
                .filter(customer_id=subject.customer_id, status__in=Case.OPEN_STATUSES, created_at__gte=window,
                        merged_into__isnull=True).order_by("created_at").first())
        if case is not None:
            _add_response(context, case, subject, priority)
            return case
    return _open(context, subject, rule, priority, actor_id)


def open_case_manually(access, response_id: int, actor_id: int | None) -> Case:
    """A person opens a case for a response no rule caught (the response page's "Open a case"):
    the same path as a rule's (the response's case if it has one, else the customer's open case,
    else a new one routed to its unit's queue) with no rule, at normal priority (urgent for a
    high-value customer, as the SLA policy says)."""
    from glapp.core.errors import NotFound
    from glapp.responses.queries import scoped_responses

    if not scoped_responses(access).filter(pk=response_id).exists():
        raise NotFound("response")
    with transaction.atomic():
        subject = evaluation.subjects(access.organization_id, [response_id]).get(response_id)
        if subject is None:
            raise NotFound("response")
        context = _Context(access.organization_id)
        priority = Priority.NORMAL
        if context.policy.high_value and _is_high_value(context.policy, subject):
            priority = Priority.URGENT
        return attach_or_open(context, subject, None, priority, actor_id)


def _open(context: _Context, subject: Subject, rule, priority: int, actor_id: int | None = None) -> Case:
    from glapp.accounts.models import Unit

    org_id = context.organization_id
    unit_path = Unit.objects.filter(pk=subject.unit_id).values_list("path", flat=True).first() if subject.unit_id \
        else ""
    queue_id = routing.queue_for(unit_path, context.handlers)
    analysis_only = not subject.contactable
    first_due = resolve_due = None
    if not analysis_only:
        first_due, resolve_due = context.calendars.due_times(unit_path, priority, subject_time(context, subject))
    owner_id = None if analysis_only else routing.pick_owner(org_id, context.policy, queue_id, context.handlers)
    case = Case.objects.create(
        organization_id=org_id, customer_id=subject.customer_id, unit_id=subject.unit_id, queue_id=queue_id,
        rule=rule, priority=priority, owner_id=owner_id, title=subject.title, analysis_only=analysis_only,
        first_contact_due_at=first_due, resolve_due_at=resolve_due)
    CaseResponse.objects.create(case=case, response_id=subject.response_id, added_at=context.now)
    _activity(case, CaseActivity.Kind.CREATED, actor_id=actor_id,
              data={"rule": rule.id if rule is not None else None, "response": subject.response_id})
    if owner_id:
        _activity(case, CaseActivity.Kind.ASSIGNED, data={"owner": owner_id, "reason": "auto"})
    _changed(case, "created", "created", actor_id=actor_id, user_ids=[owner_id] if owner_id else [])
    return case


def subject_time(context: _Context, subject: Subject) -> dt.datetime:
    """SLA clocks start when glapp heard of the response, not when it was submitted: an import
    of last week's answers does not open cases already overdue. (Never later than now.)"""
    return min(context.now, max(subject.submitted_at, context.now - dt.timedelta(days=1)))


def _add_response(context: _Context, case: Case, subject: Subject, priority: int) -> None:
    """The customer's newer response joins their open case. The merged case keeps its own due
    times, moved earlier if the newcomer's priority asks for sooner; its priority is the higher."""
    CaseResponse.objects.create(case=case, response_id=subject.response_id, added_at=context.now)
    _activity(case, CaseActivity.Kind.RESPONSE_ADDED, data={"response": subject.response_id})
    if priority > case.priority:
        _raise_priority(context, case, priority)
    case.save()
    _changed(case, "updated", "response_added")


def _raise_priority(context: _Context, case: Case, priority: int) -> None:
    from glapp.accounts.models import Unit

    before = case.priority
    case.priority = priority
    if not case.analysis_only:
        path = Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).first() if case.unit_id else ""
        first_due, resolve_due = context.calendars.due_times(path, priority, case.created_at)
        case.first_contact_due_at = min(filter(None, [case.first_contact_due_at, first_due]), default=None)
        case.resolve_due_at = min(filter(None, [case.resolve_due_at, resolve_due]), default=None)
    _activity(case, CaseActivity.Kind.PRIORITY, data={"from": before, "to": priority})


def _activity(case: Case, kind: str, *, actor_id: int | None = None, text: str = "", data: dict | None = None
              ) -> CaseActivity:
    return CaseActivity.objects.create(organization_id=case.organization_id, case=case, kind=kind,
                                       actor_id=actor_id, text=text, data=data or {})


def _changed(case: Case, kind: str, change: str, *, actor_id: int | None = None, user_ids: Sequence[int] = ()
             ) -> None:
    events.CaseChanged(case.organization_id, case_id=case.id, kind=kind, change=change, unit_id=case.unit_id,
                       actor_user_id=actor_id, user_ids=tuple(u for u in user_ids if u),
                       data=serialize.case_data(case)).send()


# --- Working a case ----------------------------------------------------------------------------
# Callers find the case through `queries.case_for(access, id)` (organization and unit scoped) and
# check `access.can("cases")`; these functions lock the case row, change it and record why.

# Which status may follow which. "Reopen" is any move back from resolved or closed.
TRANSITIONS = {
    Case.Status.NEW: {Case.Status.CONTACTED, Case.Status.IN_PROGRESS, Case.Status.RESOLVED, Case.Status.CLOSED},
    Case.Status.CONTACTED: {Case.Status.IN_PROGRESS, Case.Status.RESOLVED, Case.Status.CLOSED},
    Case.Status.IN_PROGRESS: {Case.Status.CONTACTED, Case.Status.RESOLVED, Case.Status.CLOSED},
    Case.Status.RESOLVED: {Case.Status.CLOSED, Case.Status.IN_PROGRESS},
    Case.Status.CLOSED: {Case.Status.IN_PROGRESS},
}


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk, organization_id=case.organization_id)


def _refuse(field: str, message: str, code: str = "invalid"):
    from glapp.core.errors import FieldError, ValidationFailed

    return ValidationFailed([FieldError(field, message, code)])


def assign(case: Case, owner_id: int | None, *, actor_id: int | None, reason: str = "") -> Case:
    """Give the case to a handler who may work it (None: back to its queue). A reassignment
    from one person to another needs a reason, kept on the timeline."""
    from glapp.cases.queries import may_work

    with transaction.atomic():
        case = _locked(case)
        if owner_id == case.owner_id:
            return case
        if owner_id is not None and not may_work(case, owner_id):
            raise _refuse("owner", "is not a case handler of this case's unit", "not_allowed")
        if case.owner_id and owner_id and owner_id != actor_id and not reason.strip():
            raise _refuse("reason", "say why the case changes hands", "required")
        before = case.owner_id
        case.owner_id = owner_id
        case.save()
        _activity(case, CaseActivity.Kind.ASSIGNED, actor_id=actor_id, text=reason.strip()[:1000],
                  data={"owner": owner_id, "from": before})
        _changed(case, "updated", "assigned", actor_id=actor_id, user_ids=[owner_id] if owner_id != actor_id else [])
    return case


def set_status(case: Case, status: str, *, actor_id: int | None, note: str = "") -> Case:
    if status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        return close(case, actor_id=actor_id, status=status, resolution=note)
    with transaction.atomic():
        case = _locked(case)
        if status == case.status:
            return case
        if status not in TRANSITIONS.get(case.status, set()):
            raise _refuse("status", f"cannot go from {case.status} to {status}", "invalid_transition")
        before = case.status
        reopened = before in (Case.Status.RESOLVED, Case.Status.CLOSED)
        case.status = status
        if status == Case.Status.CONTACTED and case.first_contacted_at is None:
            case.first_contacted_at = timezone.now()
        if reopened:
            case.resolved_at = case.closed_at = None
        case.save()
        _activity(case, CaseActivity.Kind.STATUS, actor_id=actor_id, text=note.strip()[:5000],
                  data={"from": before, "to": status, "reopened": reopened})
        _changed(case, "updated", "reopened" if reopened else "status", actor_id=actor_id,
                 user_ids=[case.owner_id] if case.owner_id != actor_id else [])
    return case


def close(case: Case, *, actor_id: int | None, root_cause_id: int | None = None, resolution: str = "",
          status: str = Case.Status.CLOSED) -> Case:
    """Resolve or close the case. Closing needs a root cause from the organization's list and a
    resolution note (what was done), so the Pareto of causes is complete."""
    from glapp.cases.models import RootCause

    with transaction.atomic():
        case = _locked(case)
        if status not in TRANSITIONS.get(case.status, set()) and status != case.status:
            raise _refuse("status", f"cannot go from {case.status} to {status}", "invalid_transition")
        if root_cause_id is not None:
            if not RootCause.objects.for_org(case.organization_id).filter(pk=root_cause_id, active=True).exists():
                raise _refuse("root_cause", "is not one of the organization's root causes", "unknown")
            case.root_cause_id = root_cause_id
        if status == Case.Status.CLOSED and case.root_cause_id is None:
            raise _refuse("root_cause", "is required to close a case", "required")
        if status == Case.Status.CLOSED and not (resolution.strip() or case.resolution):
            raise _refuse("resolution", "say what was done", "required")
        before = case.status
        now = timezone.now()
        case.status = status
        if resolution.strip():
            case.resolution = resolution.strip()[:5000]
        case.resolved_at = case.resolved_at or now
        if status == Case.Status.CLOSED:
            case.closed_at = now
        case.save()
        _activity(case, CaseActivity.Kind.STATUS, actor_id=actor_id, text=resolution.strip()[:5000],
                  data={"from": before, "to": status, "root_cause": case.root_cause_id})
        _changed(case, "closed" if status == Case.Status.CLOSED else "updated", status, actor_id=actor_id,
                 user_ids=[case.owner_id] if case.owner_id != actor_id else [])
        if before not in (Case.Status.RESOLVED, Case.Status.CLOSED):
            from glapp.cases import follow_ups

            follow_ups.schedule(case)
    return case


def add_note(case: Case, text: str, *, actor_id: int | None) -> CaseActivity:
    text = (text or "").strip()
    if not text:
        raise _refuse("text", "is required", "required")
    with transaction.atomic():
        case = _locked(case)
        activity = _activity(case, CaseActivity.Kind.NOTE, actor_id=actor_id, text=text[:10000])
        case.save()  # its updated time: the inbox sorts and refreshes by it
        _changed(case, "updated", "note", actor_id=actor_id,
                 user_ids=[case.owner_id] if case.owner_id != actor_id else [])
    return activity


def log_call(case: Case, *, actor_id: int | None, summary: str, reached: bool) -> CaseActivity:
    """A phone call to the customer. Reaching them is the first contact."""
    with transaction.atomic():
        case = _locked(case)
        if case.analysis_only:
            raise _refuse("case", "the customer has not agreed to be contacted", "analysis_only")
        activity = _activity(case, CaseActivity.Kind.CALL, actor_id=actor_id, text=(summary or "").strip()[:10000],
                             data={"reached": bool(reached)})
        if reached:
            _contacted(case)
        case.save()
        _changed(case, "updated", "call", actor_id=actor_id)
    return activity


def _contacted(case: Case) -> None:
    if case.first_contacted_at is None:
        case.first_contacted_at = timezone.now()
    if case.status == Case.Status.NEW:
        case.status = Case.Status.CONTACTED


def mark_viewed(case: Case, *, actor_id: int) -> None:
    """Who looked at the case, at most once an hour per person (a timeline, not a log of clicks)."""
    since = timezone.now() - dt.timedelta(hours=1)
    if CaseActivity.objects.filter(case_id=case.id, kind=CaseActivity.Kind.VIEWED, actor_id=actor_id,
                                   created_at__gte=since).exists():
        return
    _activity(case, CaseActivity.Kind.VIEWED, actor_id=actor_id)


def merge(target: Case, others: Sequence[Case], *, actor_id: int | None) -> Case:
    """Move the responses of `others` (one customer's) into `target`. The merged case keeps the
    earliest due times and the highest priority of all; the others are closed as merged."""
    with transaction.atomic():
        target = _locked(target)
        ids = sorted({c.pk for c in others} - {target.pk})
        locked = list(Case.objects.select_for_update().filter(pk__in=ids, organization_id=target.organization_id))
        if len(locked) != len(ids):
            raise _refuse("cases", "not found", "not_found")
        for other in locked:
            if other.customer_id != target.customer_id:
                raise _refuse("cases", "only one customer's cases can be merged", "other_customer")
        now = timezone.now()
        for other in locked:
            CaseResponse.objects.filter(case_id=other.pk).update(case_id=target.pk)
            for field in ("first_contact_due_at", "resolve_due_at"):
                times = [t for t in (getattr(target, field), getattr(other, field)) if t]
                setattr(target, field, min(times) if times else None)
            target.priority = max(target.priority, other.priority)
            other.status, other.merged_into_id, other.closed_at = Case.Status.CLOSED, target.pk, now
            other.save()
            _activity(other, CaseActivity.Kind.MERGED, actor_id=actor_id, data={"into": target.pk})
            _changed(other, "closed", "merged", actor_id=actor_id)
        target.save()
        _activity(target, CaseActivity.Kind.MERGED, actor_id=actor_id, data={"from": ids})
        _changed(target, "updated", "merged", actor_id=actor_id)
    return target


def split(case: Case, response_id: int, *, actor_id: int | None) -> Case:
    """Take one response out of a case into a case of its own (same unit, queue, priority and
    due times counted from now)."""
    with transaction.atomic():
        case = _locked(case)
        link = CaseResponse.objects.filter(case_id=case.pk, response_id=response_id).first()
        if link is None:
            raise _refuse("response", "is not in this case", "not_found")
        if CaseResponse.objects.filter(case_id=case.pk).count() < 2:
            raise _refuse("response", "is the case's only response", "only_response")
        context = _Context(case.organization_id)
        new = Case.objects.create(
            organization_id=case.organization_id, customer_id=case.customer_id, unit_id=case.unit_id,
            queue_id=case.queue_id, rule_id=case.rule_id, priority=case.priority, title=case.title,
            analysis_only=case.analysis_only)
        if not case.analysis_only:
            from glapp.accounts.models import Unit

            path = Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).first() if case.unit_id else ""
            new.first_contact_due_at, new.resolve_due_at = context.calendars.due_times(path, case.priority, context.now)
            new.save()
        link.case = new
        link.save()
        _activity(case, CaseActivity.Kind.SPLIT, actor_id=actor_id, data={"response": response_id, "to": new.pk})
        _activity(new, CaseActivity.Kind.CREATED, actor_id=actor_id, data={"split_from": case.pk,
                                                                           "response": response_id})
        case.save()
        _changed(case, "updated", "split", actor_id=actor_id)
        _changed(new, "created", "split", actor_id=actor_id)
    return new


# --- The clock and the people ------------------------------------------------------------------

def mark_breaches(organization_id: int, now: dt.datetime | None = None) -> int:
    """Open cases whose due time has passed are marked breached (once): their priority rises one
    step and the unit's escalation contact is told. Run by the worker's time-critical loop."""
    from django.db.models import Q

    from glapp.accounts.models import Unit
    from glapp.cases.models import UnitCaseSettings

    now = now or timezone.now()
    due = (Q(first_contacted_at__isnull=True, first_contact_due_at__lt=now)
           | Q(first_contacted_at__isnull=False, resolve_due_at__lt=now))
    ids = list(Case.objects.for_org(organization_id)
               .filter(due, status__in=Case.OPEN_STATUSES, breached_at__isnull=True, analysis_only=False)
               .order_by("id").values_list("id", flat=True)[:1000])
    if not ids:
        return 0
    contacts = dict(UnitCaseSettings.objects.for_org(organization_id).exclude(escalation_contact=None)
                    .values_list("unit_id", "escalation_contact_id"))
    marked = 0
    with transaction.atomic():
        for case in Case.objects.select_for_update().filter(pk__in=ids, breached_at__isnull=True).order_by("id"):
            case.breached_at = now
            before = case.priority
            case.priority = min(Priority.URGENT, case.priority + 1)
            case.save()
            path = Unit.objects.filter(pk=case.unit_id).values_list("path", flat=True).first() if case.unit_id else ""
            contact = next((contacts[u] for u in reversed(Unit.ids_on_path(path)) if u in contacts), None)
            which = "first_contact" if case.first_contacted_at is None else "resolve"
            _activity(case, CaseActivity.Kind.BREACHED, data={"due": which, "priority_from": before,
                                                             "escalated_to": contact})
            _changed(case, "updated", "breached", user_ids=[u for u in (contact, case.owner_id) if u])
            marked += 1
    return marked


def return_cases_of(organization_id: int, user_id: int) -> int:
    """Someone who can no longer work cases here (removed, another role, moved out of a case's
    unit): their open cases go back to their queues."""
    from glapp.cases.queries import may_work

    returned = 0
    with transaction.atomic():
        for case in (Case.objects.for_org(organization_id).select_for_update()
                     .filter(owner_id=user_id, status__in=Case.OPEN_STATUSES).order_by("id")):
            if may_work(case, user_id):
                continue
            case.owner_id = None
            case.save()
            _activity(case, CaseActivity.Kind.ASSIGNED, data={"owner": None, "from": user_id,
                                                             "reason": "no_longer_allowed"})
            _changed(case, "updated", "assigned")
            returned += 1
    return returned


def set_priority(case: Case, priority: int, *, actor_id: int | None) -> Case:
    """A handler's change of priority; due times stay (they were promised to the customer)."""
    if priority not in Priority.values:
        raise _refuse("priority", "must be 1 (low) to 4 (urgent)")
    with transaction.atomic():
        case = _locked(case)
        if priority == case.priority:
            return case
        _activity(case, CaseActivity.Kind.PRIORITY, actor_id=actor_id, data={"from": case.priority, "to": priority})
        case.priority = priority
        case.save()
        _changed(case, "updated", "priority", actor_id=actor_id)
    return case


# --- Alert rules -------------------------------------------------------------------------------

def check_conditions(tree, field: str = "conditions") -> None:
    """Refuse a condition tree that does not validate, naming each bad node."""
    from glapp.cases import conditions
    from glapp.core.errors import FieldError, ValidationFailed

    errors = conditions.validate(tree, root=field)
    if errors:
        raise ValidationFailed([FieldError(path, message, "invalid") for path, message in errors])


def save_rule(organization_id: int, rule, *, name: str, active: bool, conditions: dict, open_case: bool,
              priority: int, notify_users: Sequence[int], notify_units: Sequence[int], webhook: bool,
              ask_promoter: bool = False, created_by=None):
    """Create (rule None) or change an alert rule. It counts from the next response."""
    from glapp.accounts.models import Membership, Unit
    from glapp.cases.models import AlertRule
    from glapp.core.errors import FieldError, ValidationFailed

    check_conditions(conditions)
    errors = []
    if not (name or "").strip():
        errors.append(FieldError("name", "is required", "required"))
    if priority not in Priority.values:
        errors.append(FieldError("priority", "must be 1 (low) to 4 (urgent)", "invalid"))
    users = sorted(set(notify_users or ()))
    known_users = set(Membership.objects.for_org(organization_id).filter(user_id__in=users)
                      .values_list("user_id", flat=True))
    if set(users) - known_users:
        errors.append(FieldError("notify_users", "names people who are not members of the organization", "unknown"))
    units = sorted(set(notify_units or ()))
    if set(units) - set(Unit.objects.for_org(organization_id).filter(pk__in=units).values_list("id", flat=True)):
        errors.append(FieldError("notify_units", "names units of no such id", "unknown"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        if rule is None:
            rule = AlertRule(organization_id=organization_id, created_by=created_by)
        rule.name, rule.active, rule.conditions = name.strip()[:120], active, conditions
        rule.open_case, rule.priority, rule.webhook, rule.ask_promoter = open_case, priority, webhook, ask_promoter
        rule.notify_users, rule.notify_units = users, units
        rule.save()
    return rule


def delete_rule(rule) -> None:
    rule.delete()


def mark_all_breaches(now: dt.datetime | None = None) -> dict:
    """`mark_breaches` for every organization with a case past its due time: {org id: marked}."""
    from django.db.models import Q

    now = now or timezone.now()
    due = (Q(first_contacted_at__isnull=True, first_contact_due_at__lt=now)
           | Q(first_contacted_at__isnull=False, resolve_due_at__lt=now))
    orgs = (Case.objects.filter(due, status__in=Case.OPEN_STATUSES, breached_at__isnull=True, analysis_only=False)
            .values_list("organization_id", flat=True).distinct())
    return {org_id: mark_breaches(org_id, now) for org_id in sorted(set(orgs))}


def evaluate_all_overdue() -> dict:
    from glapp.cases.models import Evaluation

    orgs = Evaluation.objects.filter(awaiting_analysis=True).values_list("organization_id", flat=True).distinct()
    return {org_id: evaluate_overdue(org_id) for org_id in sorted(set(orgs))}


def send_email(case: Case, *, subject: str, body: str, actor, template_id: int | None = None) -> CaseActivity:
    """Write to the customer from the case: recorded on the timeline at once, sent by the
    time-critical queue after the commit. Needs the customer's consent and an address that has
    not bounced; opting out of surveys does not stop a reply about their own complaint."""
    from glapp.cases import emails
    from glapp.cases.models import CaseEmail, ReplyTemplate
    from glapp.contacts.models import Customer

    subject, body = (subject or "").strip(), (body or "").strip()
    with transaction.atomic():
        case = _locked(case)
        if case.analysis_only:
            raise _refuse("case", "the customer has not agreed to be contacted", "analysis_only")
        customer = Customer.objects.filter(pk=case.customer_id).first() if case.customer_id else None
        if customer is None or not customer.email or not customer.consent_email or customer.email_bounced_at:
            raise _refuse("to", "the customer has no e-mail address they agreed to be written to", "no_address")
        if template_id is not None:
            template = ReplyTemplate.objects.for_org(case.organization_id).filter(pk=template_id).first()
            if template is None:
                raise _refuse("template", "not found", "not_found")
            context = emails.context_for(case, actor)
            subject = subject or emails.render(template.subject, context, template.language)
            body = body or emails.render(template.body, context, template.language)
        if not subject:
            raise _refuse("subject", "is required", "required")
        if not body:
            raise _refuse("body", "is required", "required")
        subject = f"{subject[:180]} [#{case.pk}]"
        reply_to = [actor.email] if actor is not None and getattr(actor, "email", "") else []
        activity = _activity(case, CaseActivity.Kind.EMAIL, actor_id=getattr(actor, "pk", None), text=body[:20000],
                             data={"subject": subject, "reply_to": reply_to})
        CaseEmail.objects.create(organization_id=case.organization_id, case=case, activity=activity,
                                 to=customer.email, subject=subject, body=body[:20000])
        _contacted(case)
        case.save()
        _changed(case, "updated", "message", actor_id=getattr(actor, "pk", None))
        transaction.on_commit(_queue_email_sending)
    return activity


def _queue_email_sending() -> None:
    from glapp.cases.tasks import send_case_emails

    send_case_emails.enqueue()


def reopen_after_follow_up(case: Case) -> Case:
    """The customer answered the follow-up that they got no help and would not recommend us:
    the case goes back to work, with its owner told."""
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Case.Status.RESOLVED, Case.Status.CLOSED):
            return case
        before = case.status
        case.status, case.resolved_at, case.closed_at = Case.Status.IN_PROGRESS, None, None
        case.save()
        _activity(case, CaseActivity.Kind.STATUS, data={"from": before, "to": case.status, "reopened": True,
                                                       "reason": "follow_up"})
        _changed(case, "updated", "reopened", user_ids=[case.owner_id] if case.owner_id else [])
    return case


# --- Personal data -----------------------------------------------------------------------------

def forget_case_texts(organization_id: int, case_ids: Sequence[int]) -> dict[str, int]:
    """What people wrote in and about these cases goes (notes, call summaries, e-mails, the
    resolution note, reply addresses and subjects); the case's shape stays (times, status,
    priority, root cause, follow-up scores), so the loop's figures do not move."""
    from django.db.models import Q

    from glapp.cases.models import CaseEmail

    ids = list(case_ids)
    if not ids:
        return {"case_texts": 0, "case_emails": 0}
    emails_deleted, _ = CaseEmail.objects.filter(organization_id=organization_id, case_id__in=ids).delete()
    written = (CaseActivity.objects.filter(organization_id=organization_id, case_id__in=ids)
               .filter(~Q(text="") | Q(kind=CaseActivity.Kind.EMAIL)))
    scrubbed = 0
    for activity_id, data in written.values_list("id", "data"):
        kept = {k: v for k, v in (data or {}).items() if k not in ("reply_to", "subject")}
        scrubbed += CaseActivity.objects.filter(pk=activity_id).update(text="", data=kept)
    Case.objects.filter(organization_id=organization_id, pk__in=ids).exclude(resolution="").update(resolution="")
    return {"case_texts": scrubbed, "case_emails": emails_deleted}


def erase_customer_cases(organization_id: int, customer_ids: Sequence[int], response_ids: Sequence[int],
                         delete: bool) -> dict[str, int]:
    """A customer's erasure reaches their cases: deleted with their responses (delete mode), or
    kept for the figures with every text about them gone (anonymise mode)."""
    from django.db.models import Q

    from glapp.cases.models import PromoterAsk

    asks = PromoterAsk.objects.filter(organization_id=organization_id).filter(
        Q(customer_id__in=list(customer_ids)) | Q(response_id__in=list(response_ids)))
    # An ask's address goes; in anonymise mode the ask stays as a count for click-through.
    promoter_asks = asks.delete()[0] if delete else asks.update(to="", customer=None)
    cases = Case.objects.filter(organization_id=organization_id).filter(
        Q(customer_id__in=list(customer_ids)) | Q(links__response_id__in=list(response_ids)))
    ids = sorted(set(cases.values_list("id", flat=True)))
    if not ids:
        return {"cases": 0, "promoter_asks": promoter_asks}
    if delete:
        Case.objects.filter(merged_into_id__in=ids).update(merged_into=None)
        return {"cases": Case.objects.filter(pk__in=ids).delete()[1].get("cases.Case", 0),
                "promoter_asks": promoter_asks}
    counts = forget_case_texts(organization_id, ids)
    Case.objects.filter(pk__in=ids).update(customer=None)
    return {"cases": len(ids), "promoter_asks": promoter_asks, **counts}


def forget_promoter_asks(organization_id: int, ask_ids: Sequence[int]) -> dict[str, int]:
    """Old asks lose their address and customer; they stay as counts for click-through."""
    from glapp.cases.models import PromoterAsk

    return {"promoter_asks": PromoterAsk.objects.filter(organization_id=organization_id, pk__in=list(ask_ids))
            .update(to="", customer=None)}


# --- Case settings (owners and admins) ---------------------------------------------------------

MAX_SLA_HOURS = 24 * 365


def save_sla_policy(organization_id: int, *, clock: str, country: str, first_contact_hours: dict,
                    resolve_hours: dict, high_value: dict, assignment: str, merge_window_days: int,
                    import_case_days: int) -> SlaPolicy:
    """The organization's SLA. Due times of open cases stay as they were promised; the new hours
    count for cases opened from now on."""
    from glapp.cases import office_hours
    from glapp.core.errors import FieldError, ValidationFailed

    errors = []
    if clock not in SlaPolicy.Clock.values:
        errors.append(FieldError("clock", "must be office or calendar", "invalid"))
    if assignment not in SlaPolicy.Assignment.values:
        errors.append(FieldError("assignment", "must be queue, round_robin or least_loaded", "invalid"))
    country = (country or "").strip().upper()
    if country not in office_hours.supported_countries():
        errors.append(FieldError("country", "is not a country whose public holidays glapp knows", "country"))
    hours = {}
    for field, given in (("first_contact_hours", first_contact_hours), ("resolve_hours", resolve_hours)):
        hours[field] = {}
        for priority in Priority.values:
            value = (given or {}).get(str(priority), (given or {}).get(priority))
            if value is None:
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = -1.0
            if not 0 < number <= MAX_SLA_HOURS:
                errors.append(FieldError(f"{field}.{priority}",
                                         f"must be more than 0 and at most {MAX_SLA_HOURS} hours", "hours"))
            else:
                hours[field][str(priority)] = int(number) if number.is_integer() else number
    for priority in Priority.values:
        first, resolve = hours["first_contact_hours"].get(str(priority)), hours["resolve_hours"].get(str(priority))
        if first is not None and resolve is not None and first > resolve:
            errors.append(FieldError(f"resolve_hours.{priority}", "must not be shorter than the time to first contact",
                                     "resolve_before_contact"))
    for field, days in (("merge_window_days", merge_window_days), ("import_case_days", import_case_days)):
        if not isinstance(days, int) or not 0 <= days <= 365:
            errors.append(FieldError(field, "must be 0 to 365 days", "days"))
    high_value = high_value or {}
    if high_value:
        from glapp.cases import conditions

        errors.extend(FieldError(path, message, "invalid")
                      for path, message in conditions.validate(high_value, root="high_value"))
    if errors:
        from glapp.core.errors import ValidationFailed

        raise ValidationFailed(errors)
    with transaction.atomic():
        policy = SlaPolicy.objects.for_org(organization_id).select_for_update().first() \
            or SlaPolicy(organization_id=organization_id)
        policy.clock, policy.country, policy.assignment = clock, country, assignment
        policy.first_contact_hours, policy.resolve_hours = hours["first_contact_hours"], hours["resolve_hours"]
        policy.high_value = high_value
        policy.merge_window_days, policy.import_case_days = merge_window_days, import_case_days
        policy.save()
    return policy


def _root_cause_code(organization_id: int, name: str) -> str:
    from django.utils.text import slugify

    from glapp.cases.models import RootCause

    base = (slugify(name).replace("-", "_") or "cause")[:34]
    taken = set(RootCause.objects.for_org(organization_id).filter(code__startswith=base)
                .values_list("code", flat=True))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def _cause_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise _refuse("name", "is required", "required")
    if len(name) > 120:
        raise _refuse("name", "is at most 120 characters", "too_long")
    return name


def add_root_cause(organization_id: int, name: str):
    """A new cause at the end of the list; its code (for the API and exports) comes from its name
    and never changes, so a rename keeps every figure."""
    from glapp.cases.models import RootCause

    name = _cause_name(name)
    with transaction.atomic():
        if RootCause.objects.for_org(organization_id).filter(name__iexact=name).exists():
            raise _refuse("name", "the list has a cause of that name", "duplicate")
        last = RootCause.objects.for_org(organization_id).order_by("-position").values_list("position", flat=True)
        return RootCause.objects.create(organization_id=organization_id, code=_root_cause_code(organization_id, name),
                                        name=name, position=(last.first() or 0) + 1)


def rename_root_cause(cause, name: str):
    from glapp.cases.models import RootCause

    name = _cause_name(name)
    if RootCause.objects.for_org(cause.organization_id).filter(name__iexact=name).exclude(pk=cause.pk).exists():
        raise _refuse("name", "the list has a cause of that name", "duplicate")
    cause.name = name
    cause.save(update_fields=["name"])
    return cause


def set_root_cause_active(cause, active: bool):
    """A cause switched off is no longer offered; closed cases keep it."""
    cause.active = bool(active)
    cause.save(update_fields=["active"])
    return cause


def move_root_cause(cause, offset: int) -> None:
    """Move a cause up (offset -1) or down (+1) the list; positions are renumbered 1, 2, 3 …"""
    from glapp.cases.models import RootCause

    with transaction.atomic():
        causes = list(RootCause.objects.for_org(cause.organization_id).select_for_update().order_by("position", "name"))
        index = next(i for i, c in enumerate(causes) if c.pk == cause.pk)
        target = min(max(index + offset, 0), len(causes) - 1)
        causes.insert(target, causes.pop(index))
        for position, item in enumerate(causes, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def save_unit_case_settings(organization_id: int, unit, *, country: str, escalation_contact_id: int | None,
                            review_url: str):
    """A unit's calendar country, whom its breaches are escalated to (someone who may work its
    cases) and the review page its promoters are asked to visit."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from glapp.accounts.models import ROLE_PERMISSIONS, Membership, Unit
    from glapp.cases import office_hours
    from glapp.cases.models import UnitCaseSettings
    from glapp.core.errors import FieldError, ValidationFailed

    errors = []
    country = (country or "").strip().upper()
    if country and country not in office_hours.supported_countries():
        errors.append(FieldError("country", "is not a country whose public holidays glapp knows", "country"))
    if escalation_contact_id is not None:
        membership = (Membership.objects.for_org(organization_id)
                      .filter(user_id=escalation_contact_id, user__is_active=True).select_related("unit").first())
        if (membership is None or "cases" not in ROLE_PERMISSIONS.get(membership.role, set())
                or (membership.unit is not None and not Unit.in_subtree(unit.path, membership.unit.path))):
            errors.append(FieldError("escalation_contact", "may not work this unit's cases", "not_allowed"))
    review_url = (review_url or "").strip()
    if review_url:
        try:
            URLValidator(schemes=["https", "http"])(review_url)
        except ValidationError:
            errors.append(FieldError("review_url", "is not a web address", "url"))
    if errors:
        raise ValidationFailed(errors)
    settings_row, _ = UnitCaseSettings.objects.get_or_create(organization_id=organization_id, unit=unit)
    settings_row.country, settings_row.escalation_contact_id, settings_row.review_url = (
        country, escalation_contact_id, review_url[:500])
    settings_row.save()
    return settings_row


def save_reply_template(organization_id: int, template, *, name: str, language: str, subject: str, body: str):
    """Create (template None) or change a reply template. Placeholders are checked by rendering
    it once, so a typo shows here, not in a customer's inbox."""
    from django.conf import settings as django_settings

    from glapp.cases import emails
    from glapp.cases.models import ReplyTemplate
    from glapp.core.errors import FieldError, ValidationFailed

    name, subject, body = (name or "").strip(), (subject or "").strip(), (body or "").strip()
    errors = []
    for field, value, limit in (("name", name, 120), ("subject", subject, 180), ("body", body, 20000)):
        if not value:
            errors.append(FieldError(field, "is required", "required"))
        elif len(value) > limit:
            errors.append(FieldError(field, f"is at most {limit} characters", "too_long"))
    if language not in dict(django_settings.LANGUAGES):
        errors.append(FieldError("language", "is not a language of glapp", "invalid"))
    for field, value in (("subject", subject), ("body", body)):
        unknown = emails.unknown_placeholders(value)
        if unknown:
            errors.append(FieldError(field, "unknown placeholders: " + ", ".join(unknown), "placeholder"))
    if errors:
        raise ValidationFailed(errors)
    if template is None:
        last = (ReplyTemplate.objects.for_org(organization_id).order_by("-position")
                .values_list("position", flat=True).first())
        template = ReplyTemplate(organization_id=organization_id, position=(last or 0) + 1)
    template.name, template.language, template.subject, template.body = name, language, subject, body
    template.save()
    return template


def delete_reply_template(template) -> None:
    template.delete()


EXPIRY_LOOKBACK = dt.timedelta(days=2)  # a sweep missed for a day still finds them; the marker keeps it once


def evaluate_expired_sessions(now: dt.datetime | None = None) -> dict:
    """Partial responses whose respondent session has expired are complete as they are: their
    rules are decided now (once: the evaluation marker), as a finished response's are at its end."""
    from glapp.respond.queries import expired_unfinished_responses

    now = now or timezone.now()
    done = {}
    for org_id, response_ids in sorted(expired_unfinished_responses(now - EXPIRY_LOOKBACK, now).items()):
        with transaction.atomic():
            evaluate_completed(org_id, response_ids, source="survey")
        done[org_id] = len(response_ids)
    return done
