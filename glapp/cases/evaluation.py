"""Alert rules, evaluated exactly once per response, in the transaction that makes it ready.

Two moments (`docs/cases.md`, "When rules run"):
- a response is complete (`response.completed`, in the ingest transaction or the respondent's
  last answer): every rule that needs nothing from the comment's analysis is decided;
- its comment's analysis is stored (`analysis.stored`, in the analysis transaction): the rules on
  topics or sentiment are decided. A response without a comment has them decided at once.

The `Evaluation` row is inserted first, skipping responses that have one: only responses this
transaction inserted it for are evaluated, so a retry, a re-import, a second analysis or a
concurrent duplicate evaluates nothing twice (two transactions racing on one response: the
second's insert waits for the first's commit and then finds the row). An organization without
an active rule writes nothing at all, so ingest pays one indexed read for rules it does not have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from glapp.cases import conditions
from glapp.cases.models import AlertRule, Evaluation
from glapp.core import bulk
from glapp.surveys import question_types as qt

SCORE_KINDS = (qt.NPS, qt.CES, qt.CSAT, qt.LBA, qt.RATING)


@dataclass(frozen=True, slots=True)
class ActiveRule:
    rule: AlertRule
    condition: conditions.CompiledCondition


def active_rules(organization_id: int) -> list[ActiveRule]:
    """The organization's active rules, compiled. Read on every completed response, so nothing
    is cached: a rule saved or switched off counts from the next response in every process."""
    if not bulk.exists(AlertRule, {"organization_id": organization_id, "active": True}):
        return []
    found = []
    for rule in AlertRule.objects.for_org(organization_id).filter(active=True).order_by("id"):
        try:
            found.append(ActiveRule(rule, conditions.compile_rule(rule.conditions)))
        except conditions.ConditionInvalid:
            continue  # a rule saved before a validation change: skipped, never a failed ingest
    return found


@dataclass(frozen=True, slots=True)
class Subject:
    """What rules and case-opening need of one response."""

    response_id: int
    facts: conditions.ResponseFacts
    customer_id: int | None
    unit_id: int | None
    submitted_at: dt.datetime
    has_comment: bool
    contactable: bool
    title: str


def subjects(organization_id: int, response_ids: Sequence[int],
             analyses: dict[int, tuple[str | None, frozenset]] | None = None) -> dict[int, Subject]:
    """Facts of these responses in three reads (responses with their customer, unit and
    touchpoint; answers; analyses when asked), whatever their number."""
    from glapp.responses.models import Answer, Response

    rows = (Response.objects.for_org(organization_id).filter(id__in=list(response_ids))
            .values_list("id", "survey_id", "touchpoint__code", "touchpoint__name", "unit_id", "unit__path",
                         "channel", "language", "segment", "metadata", "customer_id", "customer__attributes",
                         "customer__consent_email", "customer__consent_sms", "customer__email", "customer__phone",
                         "customer__unsubscribed_at", "submitted_at", "has_comment"))
    scores: dict[int, list] = {}
    comments: dict[int, list[str]] = {}
    for rid, qid, qtype, number, text in (Answer.objects.filter(response_id__in=list(response_ids))
                                          .values_list("response_id", "question_id", "question_type", "number",
                                                       "text")):
        if qtype in SCORE_KINDS and number is not None:
            scores.setdefault(rid, []).append((qid, qtype, number))
        elif qtype == qt.TEXT and text:
            comments.setdefault(rid, []).append(text)
    analyses = analyses or {}
    found = {}
    for (rid, survey_id, tp_code, tp_name, unit_id, unit_path, channel, language, segment, metadata, customer_id,
         attributes, consent_email, consent_sms, email, phone, unsubscribed_at, submitted_at, has_comment) in rows:
        sentiment, topics = analyses.get(rid, (None, frozenset()))
        facts = conditions.ResponseFacts(
            survey_id=survey_id, touchpoint=tp_code or "", unit_id=unit_id, unit_path=unit_path or "",
            channel=channel, language=language, segment=segment, metadata=metadata or {},
            attributes=attributes or {}, scores=tuple(scores.get(rid, ())), comment="\n".join(comments.get(rid, ())),
            sentiment=sentiment, topics=topics)
        contactable = bool(customer_id) and unsubscribed_at is None and (
            (consent_email and bool(email)) or (consent_sms and bool(phone)))
        found[rid] = Subject(rid, facts, customer_id, unit_id, submitted_at, has_comment, contactable,
                             _title(facts, tp_name))
    return found


def _title(facts: conditions.ResponseFacts, touchpoint_name: str | None) -> str:
    parts = [f"{kind.upper()} {value}" for _, kind, value in facts.scores[:2]]
    if touchpoint_name:
        parts.append(touchpoint_name)
    return " · ".join(parts)[:200]


def mark(organization_id: int, response_ids: Sequence[int], awaiting: set[int]) -> list[int]:
    """Insert the evaluation marker of each response that has none; the ids it was inserted for
    (those this transaction evaluates)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(rid, organization_id, rid in awaiting, now) for rid in sorted(set(response_ids))]
    return bulk.insert_values(Evaluation, ("response", "organization_id", "awaiting_analysis", "evaluated_at"), rows,
                              returning="response", ignore_conflicts_on=("response",))


def take_awaiting(organization_id: int, response_ids: Sequence[int]) -> list[int]:
    """Of these responses, those whose analysis rules were still waiting, now no longer. The rows
    are locked before they are cleared, so of two analyses racing for one response only one takes
    it (the second finds it cleared once the first commits); one read and one write per chunk."""
    ids = sorted(set(response_ids))
    taken: list[int] = []
    for start in range(0, len(ids), 900):
        waiting = list(Evaluation.objects.select_for_update()
                       .filter(organization_id=organization_id, awaiting_analysis=True,
                               response_id__in=ids[start:start + 900])
                       .values_list("response_id", flat=True))
        if waiting:
            Evaluation.objects.filter(response_id__in=waiting).update(awaiting_analysis=False)
            taken += waiting
    return sorted(taken)


def anything_awaiting(organization_id: int) -> bool:
    """Whether any of the organization's responses waits for its comment's analysis: the
    analysis store asks first, so an organization without such rules pays one indexed read."""
    return bulk.exists(Evaluation, {"organization_id": organization_id, "awaiting_analysis": True})


def not_of_survey(response_ids: Sequence[int], survey_id: int) -> list[int]:
    """These responses but those of one survey."""
    from glapp.responses.models import Response

    ids = list(response_ids)
    of_survey = set(Response.objects.filter(pk__in=ids, survey_id=survey_id).values_list("id", flat=True))
    return [rid for rid in ids if rid not in of_survey]
