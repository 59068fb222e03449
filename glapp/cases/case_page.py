"""What the case page shows, read once: the case, its countdowns, its responses (answers and
comments, redacted as the reader's rights say), the customer's other cases and the timeline in
words. A bounded number of queries whatever the case holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from glapp.accounts.queries import Access
from glapp.cases import actions, queries
from glapp.cases.countdown import Clock, Countdown
from glapp.cases.models import AlertRule, Case, CaseActivity, CaseEmail, Priority
from glapp.core.pii import redact as redact_pii
from glapp.core.stats import nps_category
from glapp.responses.queries import answer_text, scoped_responses, score_of, with_details
from glapp.surveys import question_types as qt


@dataclass
class ResponseBlock:
    response: object
    score: int | None
    category: str
    answers: list[tuple[str, str, str]]  # (question, value, kind: "number", "text" or "other")


@dataclass
class Entry:
    """A timeline line in words."""

    activity: CaseActivity
    actor: str
    summary: str
    text: str = ""  # a note, a call's summary, an e-mail's body (redacted for non-pii readers)
    subject: str = ""
    email_status: str = ""


@dataclass
class CasePage:
    case: Case
    countdowns: list[Countdown]
    responses: list[ResponseBlock]
    others: list[Case]
    timeline: list[Entry]
    redacted: bool
    rule_name: str = ""
    email_refusal: str = ""  # why no e-mail can be written ("" when one can)
    shown_unredacted: list[int] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)
    resolution: str = ""


def _shown(text: str, redact: bool) -> str:
    return redact_pii(text).text if redact and text else text


def _question_text(question, languages: list[str]) -> str:
    texts = question.texts or {}
    if isinstance(texts, dict):
        for language in languages:
            if texts.get(language):
                return str(texts[language])
        return str(next((t for t in texts.values() if t), question.key))
    return str(texts or question.key)


def response_blocks(access: Access, response_ids: list[int], redact: bool) -> list[ResponseBlock]:
    """The case's responses within the reader's units, oldest first, with every answer."""
    responses = with_details(scoped_responses(access).filter(pk__in=response_ids)).order_by("submitted_at", "id")
    ui = (get_language() or "")[:2]
    blocks = []
    for r in responses:
        languages = [lang for lang in (ui, r.language) if lang]
        answers = []
        for a in r.answers.all():
            question = _question_text(a.question, languages)
            if a.number is not None:
                answers.append((question, str(a.number), "number"))
            elif a.choices is not None:
                answers.append((question, ", ".join(str(c) for c in a.choices), "other"))
            elif a.text:
                kind = "text" if a.question_type == qt.TEXT else "other"
                answers.append((question, answer_text(a.text, a.question_type, redact), kind))
        score = score_of(r)
        blocks.append(ResponseBlock(r, score, nps_category(score) if score is not None else "", answers))
    return blocks


def _summary(activity: CaseActivity, names: dict[int, str], statuses: dict, priorities: dict, rules: dict) -> str:
    data = activity.data or {}
    kind = activity.kind
    K = CaseActivity.Kind
    if kind == K.CREATED:
        if data.get("split_from"):
            return _("Opened from case #%(id)s (a response split out)") % {"id": data["split_from"]}
        if data.get("rule"):
            return _("Opened by the alert rule “%(rule)s”") % {"rule": rules.get(data["rule"], f"#{data['rule']}")}
        return _("Opened by hand") if activity.actor_id else _("Opened")
    if kind == K.RESPONSE_ADDED:
        return _("The customer's response %(id)s joined the case") % {"id": data.get("response")}
    if kind == K.STATUS:
        text = _("Status: %(from)s → %(to)s") % {"from": statuses.get(data.get("from"), data.get("from")),
                                                 "to": statuses.get(data.get("to"), data.get("to"))}
        if data.get("reason") == "follow_up":
            text += " · " + _("reopened: the customer's follow-up answer said they got no help")
        return text
    if kind == K.ASSIGNED:
        owner = data.get("owner")
        target = names.get(owner, _("someone no longer here")) if owner else _("the queue")
        if data.get("reason") == "auto":
            return _("Given to %(owner)s (automatic assignment)") % {"owner": target}
        if data.get("reason") == "no_longer_allowed":
            return _("Back to the queue: its owner may no longer work it")
        return _("Given to %(owner)s") % {"owner": target}
    if kind == K.PRIORITY:
        return _("Priority: %(from)s → %(to)s") % {"from": priorities.get(data.get("from"), data.get("from")),
                                                   "to": priorities.get(data.get("to"), data.get("to"))}
    if kind == K.EMAIL:
        return _("E-mail to the customer")
    if kind == K.CALL:
        return _("Phone call: reached the customer") if data.get("reached") else \
            _("Phone call: did not reach the customer")
    if kind == K.VIEWED:
        return _("Viewed")
    if kind == K.BREACHED:
        which = _("first contact") if data.get("due") == "first_contact" else _("resolution")
        text = _("The due time for %(which)s passed; priority raised") % {"which": which}
        if data.get("escalated_to"):
            text += " · " + _("escalated to %(name)s") % {"name": names.get(data["escalated_to"], "?")}
        return text
    if kind == K.MERGED:
        if data.get("into"):
            return _("Merged into case #%(id)s") % {"id": data["into"]}
        return _("Cases merged into this one: %(ids)s") % {"ids": ", ".join(f"#{i}" for i in data.get("from", []))}
    if kind == K.SPLIT:
        return _("Response %(response)s split out into case #%(id)s") % {"response": data.get("response"),
                                                                          "id": data.get("to")}
    if kind == K.FOLLOW_UP_SENT:
        return _("Follow-up question sent to the customer")
    if kind == K.FOLLOW_UP_ANSWERED:
        return _("The customer answered the follow-up question")
    return str(activity.get_kind_display())


def timeline_entries(case: Case, redact: bool) -> list[Entry]:
    activities = queries.timeline(case)
    people = {a.data.get(k) for a in activities if a.data and a.kind in (CaseActivity.Kind.ASSIGNED,
                                                                          CaseActivity.Kind.BREACHED)
              for k in ("owner", "from", "escalated_to") if isinstance(a.data.get(k), int)}
    names = queries.people_named(case.organization_id, people)
    rule_ids = {a.data.get("rule") for a in activities if a.kind == CaseActivity.Kind.CREATED and a.data}
    rules = dict(AlertRule.objects.for_org(case.organization_id).filter(pk__in=[r for r in rule_ids if r])
                 .values_list("id", "name"))
    emails = {e.activity_id: e for e in CaseEmail.objects.filter(case_id=case.pk)}
    statuses, priorities = dict(Case.Status.choices), dict(Priority.choices)
    entries = []
    for a in activities:
        actor = (a.actor.get_full_name() or a.actor.get_username()) if a.actor else ""
        entry = Entry(a, actor, _summary(a, names, statuses, priorities, rules), _shown(a.text, redact))
        if a.kind == CaseActivity.Kind.EMAIL:
            entry.subject = _shown(a.data.get("subject", ""), redact)
            email = emails.get(a.pk)
            entry.email_status = email.get_status_display() if email else ""
        entries.append(entry)
    return entries


def email_refusal(case: Case) -> str:
    """Why no e-mail can be written to the case's customer ("" when one can), said before anyone
    writes one (the action refuses the same)."""
    if case.analysis_only:
        return _("The customer has not agreed to be contacted: this case is for analysis only.")
    customer = case.customer
    if customer is None or not customer.email or not customer.consent_email or customer.email_bounced_at:
        return _("The customer has no e-mail address they agreed to be written to.")
    return ""


def case_page(access: Access, case: Case) -> CasePage:
    redact = not access.can("pii")
    case = (Case.objects.filter(pk=case.pk).select_related("owner", "unit", "queue", "customer", "root_cause",
                                                           "merged_into").get())
    blocks = response_blocks(access, queries.response_ids_of(case), redact)
    rule_name = (AlertRule.objects.filter(pk=case.rule_id).values_list("name", flat=True).first()
                 if case.rule_id else "") or ""
    shown = [] if redact else [b.response.pk for b in blocks if b.response.has_comment]
    transitions = sorted(actions.TRANSITIONS.get(case.status, set()) - {Case.Status.RESOLVED, Case.Status.CLOSED},
                         key=[s for s, _label in Case.Status.choices].index)
    return CasePage(case=case, countdowns=Clock(access.organization_id).both(case), responses=blocks,
                    others=queries.other_cases(access, case), timeline=timeline_entries(case, redact),
                    redacted=redact, rule_name=rule_name, email_refusal=email_refusal(case),
                    shown_unredacted=shown, transitions=transitions, resolution=_shown(case.resolution, redact))
