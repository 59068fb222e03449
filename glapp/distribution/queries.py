"""Reads for distribution: invitations by token, contact history, delivery and response rates."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from glapp.accounts.models import Unit
from glapp.accounts.queries import Access
from glapp.analytics import rate_counting
from glapp.analytics.queries import InvitationFigures, invitation_figures
from glapp.contacts.models import Customer
from glapp.core.stats import proportion_estimate
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.distribution.validation import EventCatalog
from glapp.journeys.models import Touchpoint
from glapp.responses.metadata import response_metadata
from glapp.responses.models import session_response_id
from glapp.responses.queries import answer_text, scoped_responses, with_details
from glapp.surveys import question_types as qt


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a respondent link /r/<token>/ (the respondent page checks
    `status` and `expires_at`)."""
    if not token or len(token) > 43:
        return None
    return (Invitation.objects.select_related("survey", "customer", "organization", "touchpoint", "unit")
            .filter(token=token).first())


def event_catalog(organization_id: int) -> EventCatalog:
    touchpoints = dict(Touchpoint.objects.for_org(organization_id).values_list("code", "id"))
    units = {code: (pk, path) for code, pk, path in
             Unit.objects.for_org(organization_id).values_list("code", "id", "path")}
    # Timestamps without an offset are read in the installation's time zone, as responses and
    # imports read them: the same local time means the same moment on every path. The contact
    # policy's zone is the customers' clock (quiet hours, reminders), not a reading rule.
    return EventCatalog(touchpoints, units, settings.TIME_ZONE)


def customer_for(access: Access, external_id: str) -> Customer | None:
    """The customer, or None. A unit-limited access sees only the customers its unit subtree owns
    (`Customer.unit`): contact data, consent and bounces of others are not theirs, whatever
    events it reports about them."""
    rows = Customer.objects.for_org(access.organization_id).filter(access.unit_filter(), external_id=external_id)
    return rows.first()


def contact_history(access: Access, customer: Customer, limit: int = 500) -> list[ContactLog]:
    """Everything that happened in contact with the customer, newest first. A unit-limited user
    sees entries tied to their units, and the customer's own entries (opt-outs) that have none."""
    rows = ContactLog.objects.for_org(access.organization_id).filter(customer=customer)
    if not access.whole_organization:
        rows = rows.filter(access.unit_filter("invitation__unit__path") | access.unit_filter("event__unit__path")
                           | Q(invitation__isnull=True, event__isnull=True))
    return list(rows.select_related("survey", "invitation", "event__touchpoint").order_by("-created_at", "-id")
                [:limit])


def customer_in_reach(access: Access, customer: Customer) -> bool:
    """`customer_for`'s rule for a customer already loaded with its unit (a response's): the
    unit-limited reach only customers their subtree owns."""
    if access.whole_organization:
        return True
    return customer.unit is not None and Unit.in_subtree(customer.unit.path, access.unit_path)


def contact_history_with_answers(access: Access, customer: Customer, *, redact: bool, limit: int = 500
                                 ) -> list[ContactLog]:
    """`contact_history` with what each answered invitation got for an answer, on the newest of
    its answered/completed entries (`entry.answered`, None elsewhere): the customer page and the
    response page show the same history. Four queries however long it is."""
    entries = contact_history(access, customer, limit)
    answered = answered_invitations(access, entries, redact=redact)
    said = set()
    for entry in entries:
        entry.answered = None
        if entry.kind in (ContactLog.Kind.RESPONDED, ContactLog.Kind.COMPLETED) and entry.invitation_id not in said:
            entry.answered = answered.get(entry.invitation_id)
            said.add(entry.invitation_id)
    return entries


def responses_with_comments(entries: list[ContactLog]) -> list[int]:
    """The responses whose comments a history shows (for the audit of unredacted views)."""
    return sorted({e.answered.response_id for e in entries if e.answered and e.answered.has_comment})


@dataclass
class WhatWasAnswered:
    """An invitation's response as the customer page shows it: scores, choices, the comment."""

    scores: list[tuple[str, int]]  # ("NPS", 9), in the survey's order
    choices: list[tuple[str, str]]  # (question key, "price, service")
    comments: list[str]  # the open answers, redacted for readers without PII rights
    has_comment: bool
    response_id: int


SCORE_NAMES = {qt.NPS: "NPS", qt.CES: "CES", qt.CSAT: "CSAT", qt.LBA: "LBA"}


def answered_invitations(access: Access, entries: list[ContactLog], *, redact: bool) -> dict[int, WhatWasAnswered]:
    """What each answered invitation among `entries` got for an answer, by invitation id: one
    query for all (the response's external id derives from the invitation's token), limited to
    the responses the reader may see."""
    tokens = {e.invitation_id: e.invitation.token for e in entries
              if e.invitation_id and e.kind in (ContactLog.Kind.RESPONDED, ContactLog.Kind.COMPLETED)}
    if not tokens:
        return {}
    by_external = {session_response_id(token): invitation_id for invitation_id, token in tokens.items()}
    out = {}
    for response in with_details(scoped_responses(access).filter(external_id__in=list(by_external))):
        scores, choices, comments = [], [], []
        for a in response.answers.all():
            if a.number is not None:
                scores.append((SCORE_NAMES.get(a.question_type, a.question.key), a.number))
            elif a.question_type in (qt.SINGLE, qt.MULTI, qt.EMOTION):  # one choice is kept as text
                choices.append((a.question.key, ", ".join(a.choices or [a.text])))
            elif a.text:
                comments.append(answer_text(a.text, a.question_type, redact))
        out[by_external[response.external_id]] = WhatWasAnswered(
            scores, choices, comments, response.has_comment, response.id)
    return out


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight starting a local day (the installation's zone, as the rollups' days)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def invitations_of(access: Access, survey_id: int | None = None, channel: str = "", touchpoint_id: int | None = None,
                   date_from: dt.date | None = None, date_to: dt.date | None = None):
    """Invitations made on these local days (all when not given)."""
    rows = Invitation.objects.for_org(access.organization_id).filter(access.unit_filter())
    if survey_id:
        rows = rows.filter(survey_id=survey_id)
    if channel:
        rows = rows.filter(channel=channel)
    if touchpoint_id:
        rows = rows.filter(touchpoint_id=touchpoint_id)
    if date_from:
        rows = rows.filter(created_at__gte=_day_start(date_from))
    if date_to:
        rows = rows.filter(created_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return rows


def recent_invitations(access: Access, limit: int = 50, **filters) -> list[Invitation]:
    return list(invitations_of(access, **filters).select_related("survey", "customer", "touchpoint")
                .order_by("-created_at", "-id")[:limit])


def skipped_by_reason(access: Access, date_from: dt.date | None = None) -> list[tuple[str, int]]:
    rows = TouchpointEvent.objects.for_org(access.organization_id).filter(
        access.unit_filter(), outcome=TouchpointEvent.Outcome.SKIPPED)
    if date_from:
        rows = rows.filter(created_at__gte=_day_start(date_from))
    return list(rows.values_list("reason").annotate(n=Count("id")).order_by("-n"))


@dataclass
class Rate:
    count: int
    share: float | None
    low: float | None
    high: float | None


@dataclass
class RateRow:
    label: str
    sent: int
    bounced: int
    delivered: int
    opened: Rate  # open rate: opened / delivered
    responded: Rate  # the response rate: the metric (analytics), not computed here
    completed: Rate  # completion rate: completed / delivered
    delivery: Rate  # delivery rate: delivered / sent


def _share_of(count: int, base: int) -> Rate:
    """The page's own rates (delivery, open, completion): a share in percent with its Wilson 95 %
    interval (None without a base)."""
    estimate = proportion_estimate(min(count, base), base) if base > 0 else None
    if estimate is None:
        return Rate(count, None, None, None)
    return Rate(count, estimate.value, estimate.low, estimate.high)


GROUPS = {"survey": ("survey__name", "survey_id"), "channel": ("channel", "channel"),
          "touchpoint": ("touchpoint__name", "touchpoint_id")}


def rates(access: Access, group_by: str = "survey", *, survey_id: int | None = None, channel: str = "",
          touchpoint_id: int | None = None, date_from: dt.date | None = None,
          date_to: dt.date | None = None) -> list[RateRow]:
    """Per survey, channel or touchpoint, the invitations that went out on these local days (all
    when not given), whatever became of them later: sent, delivered, opened, responded (partial
    answers count), completed. Sent, delivered and the response rate are the response-rate
    rollups' (`analytics.queries.invitation_figures`), so the rate is the one the metrics API and
    the trend page show; opens and completions are counted from the invitations."""
    label, key = GROUPS[group_by]
    figures = invitation_figures(access, group_by, date_from, date_to, survey_id=survey_id, touchpoint_id=touchpoint_id,
                                 channels=[channel] if channel else Invitation.Channel.values)  # not the widget's
    went_out = invitations_of(access, survey_id=survey_id, channel=channel, touchpoint_id=touchpoint_id).annotate(
        went_out_at=Coalesce("sent_at", "bounced_at")).filter(went_out_at__isnull=False)
    if date_from:
        went_out = went_out.filter(went_out_at__gte=_day_start(date_from))
    if date_to:
        went_out = went_out.filter(went_out_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    counted = {row[key]: row for row in went_out.values(label, key).annotate(
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        completed=Count("id", filter=Q(completed_at__isnull=False))).order_by()}
    out = []
    for group in figures.keys() | counted.keys():
        f, row = figures.get(group, InvitationFigures.none()), counted.get(group, {})
        out.append(RateRow(
            label=str(row.get(label) or "—"), sent=f.went_out, bounced=f.bounced, delivered=f.delivered,
            delivery=_share_of(f.delivered, f.went_out), opened=_share_of(row.get("opened", 0), f.delivered),
            responded=Rate(f.answered, f.response_rate.value, f.response_rate.low, f.response_rate.high),
            completed=_share_of(row.get("completed", 0), f.delivered),
        ))
    return sorted(out, key=lambda r: r.label)


def wave_customer_ids(organization_id: int, external_ids: list[str] | None, segment: str | None,
                      limit: int | None) -> tuple[list[int], int]:
    """The customers of a relationship wave, and how many of the listed external ids are unknown."""
    rows = Customer.objects.for_org(organization_id).order_by("id")
    if segment:
        rows = rows.filter(segment=segment)
    unknown = 0
    if external_ids:
        wanted = list(dict.fromkeys(external_ids))
        rows = rows.filter(external_id__in=wanted)
        unknown = len(wanted) - rows.count()
    ids = rows.values_list("id", flat=True)
    return list(ids[:limit] if limit else ids), unknown


# --- Response-rate counts (the rollups' invitations source) -------------------------------------

RATE_ROW = ("organization_id", "sent_at", "bounced_at", "responded_at", "survey_id", "touchpoint_id", "unit_id",
            "channel", "language", "segment", "context")


def rate_dimensions(row: dict) -> dict:
    """The cells an invitation is counted in: those a response to it is counted in (the
    respondent session takes its touchpoint, unit, channel, language and metadata from the
    invitation). Only the invitation's own columns, fixed when it was made: a value read from
    elsewhere (the survey's touchpoint, which its author may change) could put an invitation's
    later moves in another cell than the one it was first counted in. `row` holds RATE_ROW's
    dimension fields."""
    return {"survey_id": row["survey_id"], "touchpoint_id": row["touchpoint_id"],
            "unit_id": row["unit_id"], "channel": row["channel"], "language": (row["language"] or "")[:8],
            "segment": row["segment"] or "", "metadata": response_metadata(row["context"] or {})}


def rate_row(invitation_id: int) -> dict | None:
    return Invitation.objects.filter(pk=invitation_id).values(*RATE_ROW).first()


def rate_changes_from_nothing(rows) -> list:
    """Invitations that went out (RATE_ROW dicts), counted from nothing to their current state."""
    return [rate_counting.RateChange(
        at=rate_counting.cohort_time(row["sent_at"], row["bounced_at"]), before=None,
        after=rate_counting.rate_state(row["sent_at"], row["bounced_at"], row["responded_at"]),
        **rate_dimensions(row)) for row in rows]


def handed_over_changes(invitation_ids: list[int]) -> list:
    """The links just handed over, read back as stored (so their cells are exactly those of their
    later moves and of a recount, whatever order the database keeps JSON keys in)."""
    rows = []
    for start in range(0, len(invitation_ids), 900):
        rows += Invitation.objects.filter(pk__in=invitation_ids[start:start + 900]).values(*RATE_ROW)
    return rate_changes_from_nothing(rows)


def iter_rate_source(organization_id: int, chunk: int = 20_000):
    """Every invitation of an organization that went out, as `RateChange`s from nothing to its
    current state, in lists of up to `chunk` (keyset pages on the primary key)."""
    went_out = Q(sent_at__isnull=False) | Q(bounced_at__isnull=False)
    base = Invitation.objects.filter(went_out, organization_id=organization_id).order_by("id")
    last_id = 0
    while True:
        rows = list(base.filter(id__gt=last_id).values("id", *RATE_ROW)[:chunk])
        if not rows:
            return
        last_id = rows[-1]["id"]
        yield rate_changes_from_nothing(rows)


def went_out_changes(invitation_ids: list[int]) -> list:
    """What a recount counts for these invitations (those that went out), as `RateChange`s from
    nothing to their state: an erasure subtracts it before deleting them."""
    went_out = Q(sent_at__isnull=False) | Q(bounced_at__isnull=False)
    rows = []
    for start in range(0, len(invitation_ids), 900):
        rows += Invitation.objects.filter(went_out, pk__in=invitation_ids[start:start + 900]).values(*RATE_ROW)
    return rate_changes_from_nothing(rows)


def invitations_of_customers(organization_id: int, customer_ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, token, message id) of every invitation to these customers."""
    return list(Invitation.objects.for_org(organization_id).filter(customer_id__in=customer_ids)
                .values_list("id", "token", "message_id"))


def customers_counts(organization_id: int, customer_ids: list[int]) -> dict[str, int]:
    """How many invitations, contact-history entries and touchpoint events these customers have."""
    return {
        "invitations": Invitation.objects.for_org(organization_id).filter(customer_id__in=customer_ids).count(),
        "contact_log": ContactLog.objects.for_org(organization_id).filter(customer_id__in=customer_ids).count(),
        "events": TouchpointEvent.objects.for_org(organization_id).filter(customer_id__in=customer_ids).count(),
    }


def subject_records(organization_id: int, customers: dict[int, str]) -> dict[str, list[dict]]:
    """Every touchpoint event, invitation and contact-history entry of these customers (id →
    external id), for the data-subject export."""
    ids = list(customers)
    invitations = Invitation.objects.for_org(organization_id).filter(customer_id__in=ids).select_related(
        "survey", "touchpoint").order_by("created_at", "id")
    history = ContactLog.objects.for_org(organization_id).filter(customer_id__in=ids).select_related(
        "survey").order_by("created_at", "id")
    events = TouchpointEvent.objects.for_org(organization_id).filter(customer_id__in=ids).select_related(
        "touchpoint").order_by("occurred_at", "id")
    return {
        "events": [{"customer": customers.get(e.customer_id), "external_id": e.external_id,
                    "touchpoint": e.touchpoint.code, "interaction": e.interaction, "occurred_at": e.occurred_at,
                    "metadata": e.metadata, "outcome": e.outcome, "reason": e.reason} for e in events],
        "invitations": [{"customer": customers.get(i.customer_id), "survey": i.survey.code,
                         "touchpoint": i.touchpoint.code if i.touchpoint_id else None, "channel": i.channel,
                         "language": i.language, "status": i.status, "context": i.context,
                         "scheduled_for": i.scheduled_for, "sent_at": i.sent_at, "opened_at": i.opened_at,
                         "responded_at": i.responded_at, "completed_at": i.completed_at,
                         "bounced_at": i.bounced_at, "expires_at": i.expires_at} for i in invitations],
        "contact_history": [{"customer": customers.get(e.customer_id), "at": e.created_at, "kind": e.kind,
                             "reason": e.reason, "detail": e.detail,
                             "survey": e.survey.code if e.survey_id else None, "channel": e.channel}
                            for e in history],
    }


# --- Retention (glapp.privacy orchestrates; its keyset pages run on these querysets) ----------

UNFINISHED = (Invitation.Status.SCHEDULED, Invitation.Status.SENDING)


def contact_history_before(organization_id: int, cutoff: dt.datetime, now: dt.datetime) -> dict[str, QuerySet]:
    """What the contact-history period removes, recorded before `cutoff`, each served by its
    (organization, created_at) index: contact-log entries, touchpoint events, and invitations
    that are done (not waiting to be sent, their link no longer open)."""
    return {
        "contact_log": ContactLog.objects.for_org(organization_id).filter(created_at__lt=cutoff),
        "invitations": Invitation.objects.for_org(organization_id).filter(created_at__lt=cutoff)
        .exclude(status__in=UNFINISHED).exclude(expires_at__gte=now),
        "events": TouchpointEvent.objects.for_org(organization_id).filter(created_at__lt=cutoff),
    }


def customers_contacted_since(organization_id: int, customer_ids: list[int], since: dt.datetime) -> set[int]:
    """Those of these customers with a touchpoint event or an invitation since `since`, or an
    invitation still waiting to be sent (the customer index of each)."""
    ids = list(customer_ids)
    heard = set(TouchpointEvent.objects.for_org(organization_id).filter(
        customer_id__in=ids, created_at__gte=since).values_list("customer_id", flat=True))
    heard |= set(Invitation.objects.for_org(organization_id).filter(customer_id__in=ids).filter(
        Q(created_at__gte=since) | Q(status__in=UNFINISHED)).values_list("customer_id", flat=True))
    return heard
