"""Writes for distribution: touchpoint events, the invitations they trigger, relationship waves,
the contact log, opt-outs and what respondents did with their link.

Every decision to invite goes through `_judge`, which runs inside a transaction holding the
customer's row lock (`select_for_update` on PostgreSQL; SQLite serialises writers), so two
events of one customer at the same moment are judged one after the other against the rules.
Decisions are made in memory against the customer's invitations loaded once per batch (and
those decided earlier in the batch); the rows are then inserted together (`_Writes.flush`).
"""

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from glapp.analytics import rate_counting
from glapp.contacts import actions as contacts
from glapp.contacts.models import ContactPolicy, Customer
from glapp.contacts.queries import erased_among
from glapp.core import bulk, events
from glapp.core.errors import FieldError, ValidationFailed
from glapp.distribution import rules
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.distribution.queries import handed_over_changes, rate_dimensions, rate_row
from glapp.distribution.validation import CleanEvent
from glapp.surveys.models import TOKEN_MAX_LENGTH, Survey, new_token

Kind = ContactLog.Kind
CONTEXT_KEYS_FROM_METADATA = 30
LOOKUP_CHUNK = 900  # stays below SQLite's bound-parameter limit on any build


@dataclass
class Invited:
    invitation_id: int
    survey: str
    channel: str
    scheduled_for: dt.datetime
    deferred: bool = False
    token: str = ""  # the respondent link is /r/<token>/


@dataclass
class EventResult:
    event_id: int
    external_id: str | None
    created: bool
    outcome: str
    reason: str = ""
    invitations: list[Invited] = field(default_factory=list)


def policy_of(policy: ContactPolicy) -> rules.Policy:
    return rules.Policy(policy.min_days_between_invitations, policy.relationship_min_months,
                        policy.quiet_hours_start, policy.quiet_hours_end, policy.time_zone)


def contact_of(customer: Customer) -> rules.Contact:
    return rules.Contact(
        email=customer.email, phone=customer.phone, consent_email=customer.consent_email,
        consent_sms=customer.consent_sms, email_bounced=customer.email_bounced_at is not None,
        phone_bounced=customer.phone_bounced_at is not None, unsubscribed=customer.unsubscribed_at is not None,
        preferred_channel=customer.preferred_channel,
    )


def log(customer_id: int, organization_id: int, kind: str, *, reason: str = "", detail: str = "",
        survey_id: int | None = None, event_id: int | None = None, invitation: Invitation | None = None,
        channel: str = "") -> ContactLog:
    return ContactLog.objects.create(
        organization_id=organization_id, customer_id=customer_id, kind=kind, reason=reason, detail=detail[:500],
        survey_id=survey_id if survey_id is not None else (invitation.survey_id if invitation else None),
        event_id=event_id if event_id is not None else (invitation.event_id if invitation else None),
        invitation=invitation, channel=channel or (invitation.channel if invitation else ""),
    )


# ---------------------------------------------------------------- response-rate counts



def note_rate_change(invitation_id: int, time_name: str, at: dt.datetime) -> None:
    """Call right after a conditional UPDATE set `time_name` (sent_at, bounced_at or
    responded_at) on this invitation, in the same transaction: the invitation's response-rate
    state moved, and the rollups count the move with the write. The other two times are read
    back after the UPDATE, which holds the row lock, so two moves of one invitation in
    concurrent transactions each see the other's time and their changes add up."""
    row = rate_row(invitation_id)
    if row is None:
        return
    change = rate_counting.change_when_set(time_name, at, {name: row[name] for name in rate_counting.TIMES},
                                           **rate_dimensions(row))
    if change is not None:
        events.RateChanged(row["organization_id"], changes=[change]).send()


# ---------------------------------------------------------------- decisions, written per batch

EVENT_FIELDS = ("id", "organization", "created_at", "external_id", "customer", "touchpoint", "unit", "interaction",
                "occurred_at", "metadata", "outcome", "reason")
INVITATION_FIELDS = ("id", "organization", "created_at", "survey", "customer", "event", "touchpoint", "unit",
                     "channel", "channel_requested", "language", "segment", "token", "context", "status",
                     "scheduled_for", "sent_at", "expires_at", "message_id", "error", "attempts")
LOG_FIELDS = ("organization", "created_at", "customer", "kind", "reason", "detail", "survey", "event", "invitation",
              "channel")


@dataclass
class _NewInvitation:
    survey: Survey
    customer_id: int
    event_id: int | None
    touchpoint_id: int | None
    unit_id: int | None
    channel: str
    language: str
    context: dict
    scheduled_for: dt.datetime
    expires_at: dt.datetime
    invited: Invited
    id: int = 0
    sent_at: dt.datetime | None = None  # set for a link: handed over at once, nothing to send
    channel_requested: bool = False  # the event named the channel: the dispatcher must not switch
    segment: str = ""  # the customer's, when invited


class _Writes:
    """The rows one transaction writes, decided in memory and inserted together by `flush`:
    events get their ids up front (`allocate_ids`), invitations theirs before the log rows that
    name them, so nothing needs a round trip per row."""

    def __init__(self, organization_id: int):
        self.organization_id = organization_id
        self.events: list[tuple] = []
        self.invitations: list[_NewInvitation] = []
        self.logs: list[tuple] = []  # (customer id, kind, reason, detail, survey id, event id, invitation, channel)

    def skip(self, customer_id: int, event_id: int | None, survey: Survey | None, reason: str) -> str:
        self.logs.append((customer_id, Kind.SKIPPED, reason, "", survey.pk if survey else None, event_id, None, ""))
        return reason

    def invite(self, new: _NewInvitation, wanted: dt.datetime) -> Invited:
        self.invitations.append(new)
        self.logs.append((new.customer_id, Kind.SCHEDULED, "", new.scheduled_for.isoformat(), new.survey.pk,
                          new.event_id, new, new.channel))
        if new.sent_at is not None:
            self.logs.append((new.customer_id, Kind.SENT, "", "link handed to the organization's own system",
                              new.survey.pk, new.event_id, new, new.channel))
        if new.invited.deferred:
            detail = f"{wanted.isoformat()} → {new.scheduled_for.isoformat()}"[:500]
            self.logs.append((new.customer_id, Kind.DEFERRED, rules.QUIET_HOURS, detail, new.survey.pk,
                              new.event_id, new, new.channel))
        return new.invited

    def flush(self) -> None:
        """Insert everything decided (the caller holds the transaction)."""
        created = timezone.now()
        adapt_time, adapt_json = bulk.datetime_adapter(), bulk.json_adapter()
        created_value = adapt_time(created)
        org = self.organization_id
        if self.events:
            bulk.insert_rows(TouchpointEvent, EVENT_FIELDS, [
                (event_id, org, created_value, external_id, customer_id, touchpoint_id, unit_id, interaction,
                 adapt_time(occurred_at), adapt_json(metadata), outcome, reason)
                for (event_id, external_id, customer_id, touchpoint_id, unit_id, interaction, occurred_at, metadata,
                     outcome, reason) in self.events])
        if self.invitations:
            scheduled, sent = Invitation.Status.SCHEDULED.value, Invitation.Status.SENT.value
            for new, invitation_id in zip(self.invitations, bulk.allocate_ids(Invitation, len(self.invitations)),
                                          strict=True):
                new.id = new.invited.invitation_id = invitation_id
                new.invited.token = new_token()
            bulk.insert_rows(Invitation, INVITATION_FIELDS, [
                (new.id, org, created_value, new.survey.pk, new.customer_id, new.event_id, new.touchpoint_id,
                 new.unit_id, new.channel, new.channel_requested, new.language, new.segment, new.invited.token,
                 adapt_json(new.context),
                 scheduled if new.sent_at is None else sent, adapt_time(new.scheduled_for),
                 None if new.sent_at is None else adapt_time(new.sent_at), adapt_time(new.expires_at), "", "", 0)
                for new in self.invitations])
            handed_over = [new.id for new in self.invitations if new.sent_at is not None]
            if handed_over:  # a link counts as sent when it is handed over
                events.RateChanged(org, changes=handed_over_changes(handed_over)).send()
        if self.logs:
            bulk.insert_rows(ContactLog, LOG_FIELDS, [
                (org, created_value, customer_id, kind.value, reason, detail, survey_id, event_id,
                 invitation.id if invitation else None, channel)
                for customer_id, kind, reason, detail, survey_id, event_id, invitation, channel in self.logs])
        self.events, self.invitations, self.logs = [], [], []


def _history_span(policy: rules.Policy, relationship: bool) -> dt.timedelta:
    """How far before and after an invitation time the rules look: the frequency cap in days,
    the relationship interval in calendar months (at most 31 days each)."""
    days = max(policy.min_days_between_invitations, 0)
    if relationship:
        days = max(days, 31 * max(policy.relationship_min_months, 0) + 1)
    return dt.timedelta(days=days)


def _recent_invitations(organization_id: int, customer_ids: list[int], times: list[dt.datetime],
                        span: dt.timedelta) -> dict[int, list[tuple[dt.datetime, str]]]:
    """customer id → (scheduled time, survey kind) of the invitations (not cancelled, unless answered
    through the link before it was sent) that the rules
    can see from any of `times`: one query for a whole batch."""
    history: dict[int, list[tuple[dt.datetime, str]]] = {cid: [] for cid in customer_ids}
    if not customer_ids or not times or span <= dt.timedelta(0):
        return history
    low, high = min(times) - span, max(times) + span
    for start in range(0, len(customer_ids), LOOKUP_CHUNK):
        rows = Invitation.objects.for_org(organization_id).filter(
            customer_id__in=customer_ids[start:start + LOOKUP_CHUNK], scheduled_for__gte=low, scheduled_for__lte=high,
        ).exclude(status=Invitation.Status.CANCELLED, responded_at__isnull=True)  # answered ones count
        for customer_id, at, kind in rows.values_list("customer_id", "scheduled_for", "survey__kind"):
            history[customer_id].append((at, kind))
    return history


@dataclass
class _Timing:
    wanted: dt.datetime
    scheduled_for: dt.datetime
    expires_at: dt.datetime


def _timing(survey: Survey, rule_policy: rules.Policy, base: dt.datetime) -> _Timing:
    wanted = base + dt.timedelta(minutes=survey.invitation_delay_minutes)
    scheduled_for = rules.out_of_quiet_hours(wanted, rule_policy)
    return _Timing(wanted, scheduled_for, rules.days_later(scheduled_for, survey.expires_after_days, rule_policy))


def _judge(writes: _Writes, customer: Customer, contact: rules.Contact, survey: Survey, rule_policy: rules.Policy,
           timing: _Timing, now: dt.datetime, history: list[tuple[dt.datetime, str]],
           event: "_EventRow | None" = None) -> Invited | str:
    """Judge one customer for one survey against the customer's invitations in `history` (which
    grows by the invitation decided here, so later decisions of the same batch see it); record
    the invitation or why not in `writes`. The caller holds the customer's row lock."""
    event_id = event.id if event else None
    requested = event.channel if event else ""
    if requested == rules.LINK:
        # The organization shows the link itself, now: no delay, no quiet hours, open from now on.
        timing = _Timing(event.occurred_at, event.occurred_at,
                         rules.days_later(now, survey.expires_after_days, rule_policy))
    if survey.current_version_id is None:
        return writes.skip(customer.pk, event_id, survey, rules.SURVEY_NOT_PUBLISHED)
    if timing.expires_at <= now:
        return writes.skip(customer.pk, event_id, survey, rules.TOO_LATE)
    relationship = survey.kind == Survey.Kind.RELATIONSHIP
    decision = rules.judge(
        contact, rule_policy, timing.scheduled_for, [at for at, _ in history], relationship=relationship,
        relationship_invitations=[at for at, kind in history if kind == Survey.Kind.RELATIONSHIP],
        requested=requested,
    )
    if decision.channel is None:
        return writes.skip(customer.pk, event_id, survey, decision.reason)
    history.append((timing.scheduled_for, survey.kind))
    invited = Invited(0, survey.code, decision.channel, timing.scheduled_for, timing.scheduled_for != timing.wanted)
    return writes.invite(_NewInvitation(
        survey=survey, customer_id=customer.pk, event_id=event_id,
        touchpoint_id=event.touchpoint_id if event else survey.touchpoint_id, unit_id=event.unit_id if event else None,
        channel=decision.channel, language=_language(customer, survey),
        context=_context(customer, event, rule_policy.time_zone),
        scheduled_for=timing.scheduled_for, expires_at=timing.expires_at, invited=invited,
        sent_at=now if decision.channel == rules.LINK else None, channel_requested=bool(requested),
        segment=customer.segment or "",
    ), timing.wanted)


# ---------------------------------------------------------------- events


@dataclass
class _EventRow:
    """A new event of the batch, as the rules and the context see it."""

    id: int
    touchpoint_id: int
    unit_id: int | None
    interaction: str
    occurred_at: dt.datetime
    metadata: dict
    channel: str = ""


def record_events(organization_id: int, cleans: list[CleanEvent], now: dt.datetime | None = None, *,
                  update_existing_customers: bool = True) -> list[EventResult]:
    """Store touchpoint events and run their triggers, all in one transaction.

    With `update_existing_customers=False` (a unit-limited caller) an event's contact data and
    consent are used only for customers the call creates: a customer already in the register
    belongs to its owning unit or the whole organization, and a store must not redirect another
    unit's invitations by changing their e-mail address. A created customer is owned by its first
    event's unit.

    An event whose external id is already stored (or came earlier in the same batch) is not
    stored again and triggers nothing: the stored event's outcome is returned with
    `created=False`. An event naming an erased customer (external id, e-mail or phone) is not
    stored and creates no customer: it is `skipped` with the reason `erased` and id 0.

    The whole batch is decided in memory with a fixed number of queries: the stored external
    ids, the customers (created where missing and locked, in id order), the touchpoints' active
    surveys and the customers' invitations within the frequency cap of the batch's times; then
    events, invitations and contact log rows are inserted together. Events of one customer are
    judged in order and see the invitations decided for the earlier ones.
    """
    now = now or timezone.now()
    with transaction.atomic():
        policy = contacts.ensure_contact_policy(organization_id)
        rule_policy = policy_of(policy)
        stored = _stored_results(organization_id, [c.external_id for c in cleans if c.external_id])
        fresh: list[CleanEvent] = []
        seen: set[str] = set()
        for clean in cleans:
            if clean.external_id and (clean.external_id in stored or clean.external_id in seen):
                continue
            if clean.external_id:
                seen.add(clean.external_id)
            fresh.append(clean)
        gone = erased_among(organization_id, [(c.customer.external_id, c.customer.email, c.customer.phone)
                                              for c in fresh])
        erased = {id(fresh[i]) for i in gone}
        fresh = [c for i, c in enumerate(fresh) if i not in gone]
        if not fresh:
            return [stored[c.external_id] if c.external_id in stored else _erased_result(c) for c in cleans]
        created: set[str] = set()
        # A customer the batch creates is owned by its first event's unit (within a unit-limited
        # caller's subtree, as the API confines it); one already in the register keeps its owner.
        customers = contacts.lock_customers(
            organization_id, [dataclasses.replace(c.customer, unit_id=c.unit_id) for c in fresh], created)
        surveys = _active_surveys(organization_id, {c.touchpoint_id for c in fresh})
        timings = {(c.occurred_at, survey.pk): _timing(survey, rule_policy, c.occurred_at)
                   for c in fresh for survey in surveys.get(c.touchpoint_id, ())}
        history = _recent_invitations(organization_id, sorted({customer.pk for customer in customers.values()}),
                                      [t.scheduled_for for t in timings.values()], _history_span(rule_policy, False))
        writes = _Writes(organization_id)
        event_ids = iter(bulk.allocate_ids(TouchpointEvent, len(fresh)))
        changed: dict[int, set[str]] = {}
        results: dict[str, EventResult] = {}
        ordered: list[EventResult | str] = []  # a result, or the external id of an earlier event of the batch
        for clean in cleans:
            if clean.external_id and clean.external_id in stored:
                ordered.append(stored[clean.external_id])
                continue
            if id(clean) in erased:
                ordered.append(_erased_result(clean))
                if clean.external_id:
                    results[clean.external_id] = ordered[-1]
                continue
            if clean.external_id and clean.external_id in results:
                ordered.append(clean.external_id)
                continue
            customer = customers[clean.customer.external_id]
            if update_existing_customers or customer.external_id in created:
                changed.setdefault(customer.pk, set()).update(contacts.apply_customer_data(customer, clean.customer))
            event = _EventRow(next(event_ids), clean.touchpoint_id, clean.unit_id, clean.interaction,
                              clean.occurred_at, clean.metadata, clean.channel)
            result = _trigger(writes, customer, event, surveys.get(clean.touchpoint_id, []), rule_policy, timings,
                              now, history[customer.pk])
            writes.events.append((event.id, clean.external_id, customer.pk, event.touchpoint_id, event.unit_id,
                                  event.interaction, event.occurred_at, event.metadata, result.outcome,
                                  result.reason))
            result.external_id = clean.external_id
            if clean.external_id:
                results[clean.external_id] = result
            ordered.append(result)
        for customer in customers.values():
            if changed.get(customer.pk):
                customer.save(update_fields=sorted(changed[customer.pk]))
        writes.flush()  # gives the invitations their ids, so repeats below copy them
        return [_repeated(results[item]) if isinstance(item, str) else item for item in ordered]


def _trigger(writes: _Writes, customer: Customer, event: _EventRow, surveys: list[Survey], rule_policy: rules.Policy,
             timings: dict, now: dt.datetime, history: list[tuple[dt.datetime, str]]) -> EventResult:
    """Run one event's trigger: each active transactional survey of its touchpoint, in id order."""
    if not surveys:
        writes.skip(customer.pk, event.id, None, rules.NO_ACTIVE_SURVEY)
        return EventResult(event.id, None, True, TouchpointEvent.Outcome.SKIPPED, rules.NO_ACTIVE_SURVEY)
    contact = contact_of(customer)
    invited, reasons = [], []
    for survey in surveys:
        result = _judge(writes, customer, contact, survey, rule_policy, timings[(event.occurred_at, survey.pk)], now,
                        history, event)
        if isinstance(result, Invited):
            invited.append(result)
        else:
            reasons.append(result)
    outcome = TouchpointEvent.Outcome.INVITED if invited else TouchpointEvent.Outcome.SKIPPED
    return EventResult(event.id, None, True, outcome, reasons[0] if reasons and not invited else "", invited)


def _erased_result(clean: CleanEvent) -> EventResult:
    return EventResult(0, clean.external_id, False, TouchpointEvent.Outcome.SKIPPED, rules.ERASED)


def _repeated(first: EventResult) -> EventResult:
    """An external id sent twice in one batch: the first one's outcome, as a re-send would read it."""
    return EventResult(first.event_id, first.external_id, False, first.outcome, first.reason, [
        Invited(i.invitation_id, i.survey, i.channel, i.scheduled_for.astimezone(dt.UTC), i.deferred, i.token)
        for i in first.invitations])


def _active_surveys(organization_id: int, touchpoint_ids: set[int]) -> dict[int, list[Survey]]:
    """touchpoint id → its active transactional surveys, in id order."""
    by_touchpoint: dict[int, list[Survey]] = {}
    rows = Survey.objects.for_org(organization_id).filter(
        touchpoint_id__in=sorted(touchpoint_ids), kind=Survey.Kind.TRANSACTIONAL, status=Survey.Status.ACTIVE,
    ).select_related("organization").order_by("id")
    for survey in rows:
        by_touchpoint.setdefault(survey.touchpoint_id, []).append(survey)
    return by_touchpoint


def _stored_results(organization_id: int, external_ids: list[str]) -> dict[str, EventResult]:
    """external id → the stored event's result (created=False), for those already stored."""
    wanted = sorted(set(external_ids))
    events: dict[int, TouchpointEvent] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start:start + LOOKUP_CHUNK]
        rows = TouchpointEvent.objects.for_org(organization_id).filter(external_id__in=chunk)
        events.update((event.pk, event) for event in rows)
    if not events:
        return {}
    invited: dict[int, list[Invited]] = {pk: [] for pk in events}
    ids = sorted(events)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        # A re-send must read as the first answer did, quiet-hours deferral included: the log row
        # written with the invitation (same transaction, same created_at) is the record of it; a
        # later deferral by the dispatcher at send time is not part of that answer.
        deferred = Exists(ContactLog.objects.filter(invitation=OuterRef("pk"), kind=Kind.DEFERRED,
                                                    created_at=OuterRef("created_at")))
        rows = Invitation.objects.filter(event_id__in=ids[start:start + LOOKUP_CHUNK]).order_by("id").values_list(
            "event_id", "id", "survey__code", "channel", "scheduled_for", deferred, "token")
        for event_id, invitation_id, code, channel, scheduled_for, was_deferred, token in rows:
            invited[event_id].append(Invited(invitation_id, code, channel, scheduled_for, was_deferred, token))
    return {event.external_id: EventResult(event.pk, event.external_id, False, event.outcome, event.reason,
                                           invited[event.pk]) for event in events.values()}


def _language(customer: Customer, survey: Survey) -> str:
    """The customer's language if the survey speaks it, else the organization's, else the
    survey's first."""
    languages = survey.languages or []
    default = survey.organization.default_language
    for candidate in (customer.language, default):
        if candidate and candidate in languages:
            return candidate
    return languages[0] if languages else (customer.language or default)


def _context(customer: Customer, event: _EventRow | None, time_zone: str) -> dict:
    """What the wording may pipe in: the first name, the event's metadata and its local date
    (a call at 00:30 in Stockholm is on that day, not on the UTC day before)."""
    context = {"first_name": customer.first_name}
    if event is not None:
        for key, value in list(event.metadata.items())[:CONTEXT_KEYS_FROM_METADATA]:
            context.setdefault(key, value)
        context["date"] = event.occurred_at.astimezone(ZoneInfo(time_zone)).date().isoformat()
        if event.interaction:
            context["interaction"] = event.interaction
    return context


# ---------------------------------------------------------------- relationship waves


def invite_wave(survey: Survey, customer_ids: list[int], now: dt.datetime | None = None) -> Counter:
    """Invite customers to a relationship survey under the same rules as events; one short
    transaction per customer so a large wave never holds the write lock for long.
    Returns counts: "invited" and one per skip reason."""
    if survey.kind != Survey.Kind.RELATIONSHIP:
        raise ValidationFailed([FieldError("survey", "is not a relationship survey; transactional surveys are "
                                                     "triggered by events", "not_relationship")])
    if survey.status != Survey.Status.ACTIVE or survey.current_version_id is None:
        raise ValidationFailed([FieldError("survey", "is not active and published", "survey_not_active")])
    now = now or timezone.now()
    outcome: Counter = Counter()
    rule_policy = policy_of(contacts.ensure_contact_policy(survey.organization_id))
    span = _history_span(rule_policy, relationship=True)
    timing = _timing(survey, rule_policy, now)
    for customer_id in customer_ids:
        with transaction.atomic():
            customer = Customer.objects.for_org(survey.organization_id).select_for_update().filter(
                pk=customer_id).first()
            if customer is None:
                continue
            history = _recent_invitations(survey.organization_id, [customer.pk], [timing.scheduled_for], span)
            writes = _Writes(survey.organization_id)
            result = _judge(writes, customer, contact_of(customer), survey, rule_policy, timing, now,
                            history[customer.pk])
            writes.flush()
            outcome["invited" if isinstance(result, Invited) else result] += 1
    return outcome


def invite_follow_up(survey: Survey, customer_id: int, *, context: dict | None = None, unit_id: int | None = None,
                     now: dt.datetime | None = None) -> Invited | str:
    """One invitation outside the journey's events: a case's follow-up question. It is exempt
    from the frequency cap (the customer asked us for help; asking whether it came is part of
    it) but not from consent, opt-out, bounced addresses or quiet hours. In the caller's
    transaction; returns the invitation, or why none."""
    now = now or timezone.now()
    rule_policy = policy_of(contacts.ensure_contact_policy(survey.organization_id))
    customer = Customer.objects.for_org(survey.organization_id).select_for_update().filter(pk=customer_id).first()
    if customer is None:
        return rules.NO_ADDRESS
    writes = _Writes(survey.organization_id)
    timing = _timing(survey, rule_policy, now)
    if survey.current_version_id is None:
        result = writes.skip(customer.pk, None, survey, rules.SURVEY_NOT_PUBLISHED)
    else:
        decision = rules.choose_channel(contact_of(customer))
        if decision.channel is None:
            result = writes.skip(customer.pk, None, survey, decision.reason)
        else:
            invited = Invited(0, survey.code, decision.channel, timing.scheduled_for,
                              timing.scheduled_for != timing.wanted)
            result = writes.invite(_NewInvitation(
                survey=survey, customer_id=customer.pk, event_id=None, touchpoint_id=survey.touchpoint_id,
                unit_id=unit_id, channel=decision.channel, language=_language(customer, survey),
                context={**_context(customer, None, rule_policy.time_zone), **(context or {})},
                scheduled_for=timing.scheduled_for, expires_at=timing.expires_at, invited=invited, sent_at=None,
                channel_requested=False, segment=customer.segment or ""), timing.wanted)
    writes.flush()
    return result


# ---------------------------------------------------------------- what respondents do


def unsubscribe_by_token(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """Opt the invitation's customer out of every survey and cancel what is still scheduled.
    Idempotent: False when the customer had already opted out."""
    now = now or timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=invitation.customer_id)
        if not contacts.unsubscribe(customer, now):
            return False
        pending = Invitation.objects.for_org(customer.organization_id).filter(
            customer=customer, status=Invitation.Status.SCHEDULED)
        for cancelled in pending:
            log(customer.pk, customer.organization_id, Kind.SKIPPED, reason=rules.OPTED_OUT, invitation=cancelled)
        pending.update(status=Invitation.Status.CANCELLED)
        log(customer.pk, customer.organization_id, Kind.UNSUBSCRIBED, invitation=invitation)
    return True


# The invitation's time set by each respondent event, and the contact log entry written when it
# is set. A completion implies an answer, an answer an opening.
_OPENED, _ANSWERED, _COMPLETED = events.SurveyOpened.name, events.SurveyAnswered.name, events.SurveyCompleted.name
RESPONDENT_EVENTS = {
    _OPENED: ("opened_at", Kind.OPENED),
    _ANSWERED: ("responded_at", Kind.RESPONDED),
    _COMPLETED: ("completed_at", Kind.COMPLETED),
}
IMPLIED = {_OPENED: (_OPENED,), _ANSWERED: (_OPENED, _ANSWERED), _COMPLETED: (_OPENED, _ANSWERED, _COMPLETED)}


def note_respondent_event(name: str, token: str, now: dt.datetime | None = None,
                          organization_id: int | None = None) -> int:
    """The respondent opened, answered or completed: note it on the invitation with this token
    (none for sessions of the public link or the widget). Each time is set once and logged once:
    a conditional UPDATE, so a repeated or concurrent event (the e-mail's open pixel, say) sets
    and logs nothing twice. Returns how many times were set.

    Runs in the caller's transaction when there is one (the respondent page notes an answer in
    the transaction that stores it, so an answer is one write and a rolled-back answer notes
    nothing). Plain SQL: it runs with every answer, where building the ORM's queries would cost
    more than running them."""
    if name not in RESPONDENT_EVENTS or not token or len(token) > TOKEN_MAX_LENGTH:
        return 0
    when = now or timezone.now()
    at = connection.ops.adapt_datetimefield_value(when)
    steps = IMPLIED[name]
    fields = [RESPONDENT_EVENTS[step][0] for step in steps]
    where = {"token": token} if organization_id is None else {"token": token, "organization": organization_id}
    # savepoint=False: inside the answer's transaction this adds no SAVEPOINT round trips.
    with transaction.atomic(savepoint=False):
        row = bulk.select_row(Invitation, ("id", "organization", "customer", "survey", "event", "channel", *fields),
                              where)
        if row is None:
            return 0
        invitation_id, org_id, customer_id, survey_id, event_id, channel, *times = row
        logs = []
        for step, field_name, current in zip(steps, fields, times, strict=True):
            if current is not None:
                continue  # set before and never unset: nothing to do, nothing to lock
            if bulk.set_once(Invitation, invitation_id, field_name, at):
                if field_name == "responded_at":
                    note_rate_change(invitation_id, field_name, when)
                logs.append((org_id, at, customer_id, str(RESPONDENT_EVENTS[step][1]), "", "", survey_id, event_id,
                             invitation_id, channel or ""))
        if logs:
            bulk.insert_rows(ContactLog, LOG_FIELDS, logs)
    return len(logs)


# --- Erasure of customers (glapp.privacy orchestrates) ----------------------------------------

def erase_contact_history(organization_id: int, customer_ids: list[int]) -> dict[str, int]:
    """Delete the customers' contact history, invitations and touchpoint events (the caller has
    subtracted the invitations' response-rate counts in the same transaction)."""
    with transaction.atomic():
        logs = ContactLog.objects.for_org(organization_id).filter(customer_id__in=customer_ids).delete()[0]
        invitations = Invitation.objects.for_org(organization_id).filter(customer_id__in=customer_ids)
        invited = invitations.delete()[1].get(Invitation._meta.label, 0)
        touchpoint_events = TouchpointEvent.objects.for_org(organization_id).filter(
            customer_id__in=customer_ids).delete()[1].get(TouchpointEvent._meta.label, 0)
    return {"contact_log": logs, "invitations": invited, "events": touchpoint_events}


def delete_history_rows(organization_id: int, kind: str, ids: list[int]) -> int:
    """Retention: delete contact-log entries, invitations or touchpoint events by id (`kind` as
    in `queries.contact_history_before`). Response-rate counts already made from invitations stay:
    figures reported for those days do not change. Rows referring to them keep none of it."""
    model = {"contact_log": ContactLog, "invitations": Invitation, "events": TouchpointEvent}[kind]
    deleted = model.objects.for_org(organization_id).filter(pk__in=ids).delete()[1]
    return deleted.get(model._meta.label, 0)
