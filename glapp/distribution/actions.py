"""Writes for distribution: touchpoint events, the invitations they trigger, relationship waves,
the contact log, opt-outs and what respondents did with their link.

Every decision to invite goes through `_invite`, which runs inside a transaction holding the
customer's row lock (`select_for_update` on PostgreSQL; SQLite serialises writers), so two
events of one customer at the same moment are judged one after the other against the rules.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from glapp.contacts import actions as contacts
from glapp.contacts.models import ContactPolicy, Customer
from glapp.core.errors import FieldError, ValidationFailed
from glapp.distribution import rules
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.distribution.validation import CleanEvent
from glapp.surveys.models import Survey

Kind = ContactLog.Kind
CONTEXT_KEYS_FROM_METADATA = 30


@dataclass
class Invited:
    invitation_id: int
    survey: str
    channel: str
    scheduled_for: dt.datetime
    deferred: bool = False


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


# ---------------------------------------------------------------- events


def record_events(organization_id: int, cleans: list[CleanEvent], now: dt.datetime | None = None) -> list[EventResult]:
    """Store touchpoint events and run their triggers, all in one transaction.

    An event whose external id is already stored is not stored again and triggers nothing: the
    stored event's outcome is returned with `created=False`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        policy = contacts.ensure_contact_policy(organization_id)
        return [_record_one(organization_id, clean, policy, now) for clean in cleans]


def _record_one(organization_id: int, clean: CleanEvent, policy: ContactPolicy, now: dt.datetime) -> EventResult:
    if clean.external_id:
        stored = TouchpointEvent.objects.for_org(organization_id).filter(external_id=clean.external_id).first()
        if stored is not None:
            return event_result(stored, created=False)
    customer = contacts.upsert_customer(organization_id, clean.customer)
    event = TouchpointEvent.objects.create(
        organization_id=organization_id, external_id=clean.external_id, customer=customer,
        touchpoint_id=clean.touchpoint_id, unit_id=clean.unit_id, interaction=clean.interaction,
        occurred_at=clean.occurred_at, metadata=clean.metadata,
    )
    surveys = list(Survey.objects.for_org(organization_id).filter(
        touchpoint_id=clean.touchpoint_id, kind=Survey.Kind.TRANSACTIONAL, status=Survey.Status.ACTIVE,
    ).select_related("organization").order_by("id"))
    if not surveys:
        _skip(customer, event, None, rules.NO_ACTIVE_SURVEY)
        return _finish(event, [], rules.NO_ACTIVE_SURVEY)
    invited, reasons = [], []
    for survey in surveys:
        result = _invite(customer, survey, policy, event.occurred_at, now, event=event)
        if isinstance(result, Invited):
            invited.append(result)
        else:
            reasons.append(result)
    return _finish(event, invited, reasons[0] if reasons and not invited else "")


def _finish(event: TouchpointEvent, invited: list[Invited], reason: str) -> EventResult:
    event.outcome = TouchpointEvent.Outcome.INVITED if invited else TouchpointEvent.Outcome.SKIPPED
    event.reason = reason
    event.save(update_fields=["outcome", "reason"])
    return EventResult(event.pk, event.external_id, True, event.outcome, reason, invited)


def event_result(event: TouchpointEvent, created: bool) -> EventResult:
    invited = [Invited(i.pk, i.survey.code, i.channel, i.scheduled_for)
               for i in event.invitations.select_related("survey").order_by("id")]
    return EventResult(event.pk, event.external_id, created, event.outcome, event.reason, invited)


def _skip(customer: Customer, event: TouchpointEvent | None, survey: Survey | None, reason: str) -> str:
    log(customer.pk, customer.organization_id, Kind.SKIPPED, reason=reason,
        survey_id=survey.pk if survey else None, event_id=event.pk if event else None)
    return reason


def _language(customer: Customer, survey: Survey) -> str:
    """The customer's language if the survey speaks it, else the organization's, else the
    survey's first."""
    languages = survey.languages or []
    default = survey.organization.default_language
    for candidate in (customer.language, default):
        if candidate and candidate in languages:
            return candidate
    return languages[0] if languages else (customer.language or default)


def _context(customer: Customer, event: TouchpointEvent | None) -> dict:
    """What the wording may pipe in: the first name, the event's metadata and date."""
    context = {"first_name": customer.first_name}
    if event is not None:
        for key, value in list(event.metadata.items())[:CONTEXT_KEYS_FROM_METADATA]:
            context.setdefault(key, value)
        context["date"] = event.occurred_at.date().isoformat()
        if event.interaction:
            context["interaction"] = event.interaction
    return context


def _invite(customer: Customer, survey: Survey, policy: ContactPolicy, base: dt.datetime, now: dt.datetime,
            event: TouchpointEvent | None = None) -> Invited | str:
    """Judge one customer for one survey; create the invitation or log why not. The caller holds
    the customer's row lock."""
    if survey.current_version_id is None:
        return _skip(customer, event, survey, rules.SURVEY_NOT_PUBLISHED)
    rule_policy = policy_of(policy)
    wanted = base + dt.timedelta(minutes=survey.invitation_delay_minutes)
    scheduled_for = rules.out_of_quiet_hours(wanted, rule_policy)
    expires_at = scheduled_for + dt.timedelta(days=survey.expires_after_days)
    if expires_at <= now:
        return _skip(customer, event, survey, rules.TOO_LATE)
    mine = Invitation.objects.for_org(customer.organization_id).filter(customer=customer).exclude(
        status=Invitation.Status.CANCELLED)
    others = list(mine.values_list("scheduled_for", "survey__kind"))
    relationship = survey.kind == Survey.Kind.RELATIONSHIP
    decision = rules.judge(
        contact_of(customer), rule_policy, scheduled_for, [at for at, _ in others], relationship=relationship,
        relationship_invitations=[at for at, kind in others if kind == Survey.Kind.RELATIONSHIP],
    )
    if decision.channel is None:
        return _skip(customer, event, survey, decision.reason)
    invitation = Invitation.objects.create(
        organization_id=customer.organization_id, survey=survey, customer=customer, event=event,
        touchpoint_id=event.touchpoint_id if event else survey.touchpoint_id,
        unit_id=event.unit_id if event else None, channel=decision.channel, language=_language(customer, survey),
        context=_context(customer, event), scheduled_for=scheduled_for, expires_at=expires_at,
    )
    deferred = scheduled_for != wanted
    log(customer.pk, customer.organization_id, Kind.SCHEDULED, invitation=invitation,
        detail=scheduled_for.isoformat())
    if deferred:
        log(customer.pk, customer.organization_id, Kind.DEFERRED, reason=rules.QUIET_HOURS, invitation=invitation,
            detail=f"{wanted.isoformat()} → {scheduled_for.isoformat()}")
    return Invited(invitation.pk, survey.code, decision.channel, scheduled_for, deferred)


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
    policy = contacts.ensure_contact_policy(survey.organization_id)
    for customer_id in customer_ids:
        with transaction.atomic():
            customer = Customer.objects.for_org(survey.organization_id).select_for_update().filter(
                pk=customer_id).first()
            if customer is None:
                continue
            result = _invite(customer, survey, policy, now, now)
            outcome["invited" if isinstance(result, Invited) else result] += 1
    return outcome


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


RESPONDENT_EVENTS = {
    "survey.opened": ("opened_at", Kind.OPENED),
    "survey.answered": ("responded_at", Kind.RESPONDED),
    "survey.completed": ("completed_at", Kind.COMPLETED),
}


def note_respondent_event(name: str, token: str, now: dt.datetime | None = None) -> bool:
    """The respondent opened, answered or completed: set the time once and log it once.
    A completion implies an answer and an opening, so those are filled in if missing."""
    if name not in RESPONDENT_EVENTS:
        return False
    now = now or timezone.now()
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None:
        return False
    implied = {"survey.opened": [], "survey.answered": ["survey.opened"],
               "survey.completed": ["survey.opened", "survey.answered"]}[name]
    changed = False
    with transaction.atomic():
        for step in [*implied, name]:
            field_name, kind = RESPONDENT_EVENTS[step]
            # Conditional update: a repeated or concurrent event sets and logs nothing twice.
            if Invitation.objects.filter(pk=invitation.pk, **{f"{field_name}__isnull": True}).update(
                    **{field_name: now}):
                log(invitation.customer_id, invitation.organization_id, kind, invitation=invitation)
                changed = True
    return changed


def on_domain_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name in RESPONDENT_EVENTS and isinstance(payload, dict) and payload.get("token"):
        note_respondent_event(name, str(payload["token"]))
