"""One response on one page: every answer with the question as it was asked, the comment with its
analysis and the analyst's controls, where it came from, and the customer with their other
responses and contact history. It composes responses, surveys, textanalytics, contacts and
distribution, so it lives in web; each part is read through its own app's queries.

A bounded number of queries whatever the response holds: the response with its answers (two),
its analyses (two), the topics' names (one), the customer's other responses (two, one page) and
contact history (four, at most HISTORY_SHOWN entries), the unit's trail (one).
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from glapp.accounts.queries import Access, unit_trail
from glapp.contacts.models import Customer
from glapp.core.stats import nps_category
from glapp.distribution.queries import contact_history_with_answers, customer_in_reach, responses_with_comments
from glapp.responses.models import Response
from glapp.responses.queries import answer_text, page_of_customer_responses, response_for, score_of
from glapp.responses.rows import ResponseRow, commented_ids, response_rows
from glapp.surveys import question_types as qt
from glapp.textanalytics.queries import topics_of, verbatims_of_response
from glapp.textanalytics.rows import DETAILS, EMOTION_NAMES, Row, build_row, controls_context, topic_name

OTHERS_SHOWN = 10  # the customer's other responses, a page at a time
HISTORY_SHOWN = 20  # contact history entries; the customer page has them all


@dataclass
class AnswerLine:
    """An answer as a person reads it: the question's wording from the version the respondent
    answered, and the value in words (a score with its scale, option labels, the text)."""

    answer_id: int
    key: str
    question: str
    kind: str  # "number", "choice", "choices" or "text" (question_types.TYPES)
    value: str
    scale: str = ""  # "0–10" for a score
    no_longer_asked: bool = False  # the survey's current version has no such question
    comment: Row | None = None  # a text answer's analysis, for the comment row and its controls


@dataclass
class CustomerBlock:
    customer: Customer
    in_reach: bool  # the reader's units own the customer: profile, history and customer page are theirs
    others: list[ResponseRow]
    others_next: str | None  # cursor of the next page of other responses
    history: list = field(default_factory=list)
    history_more: bool = False


@dataclass
class ResponseDetail:
    response: Response
    score: int | None
    category: str
    answers: list[AnswerLine]
    metadata: list[tuple[str, str]]
    unit_trail: list
    redacted: bool
    customer: CustomerBlock | None
    controls: dict  # what the comment rows' tagging and correction controls need
    shown_unredacted: list[int]  # responses whose comments were shown as written (the audit)


def _in_language(texts, languages: list[str], fallback: str) -> str:
    """A {language: text} dict read in the first of `languages` it has (else any language)."""
    if isinstance(texts, dict):
        for language in languages:
            if texts.get(language):
                return str(texts[language])
        return str(next((t for t in texts.values() if t), fallback))
    return str(texts or fallback)


def _asked(response: Response) -> dict[str, dict]:
    """The questions as the response's survey version froze them, by key."""
    definition = response.survey_version.definition if response.survey_version else {}
    return {q.get("key"): q for q in (definition or {}).get("questions", []) if isinstance(q, dict)}


def _current_keys(response: Response) -> set[str] | None:
    current = response.survey.current_version
    if current is None:
        return None
    return {q.get("key") for q in (current.definition or {}).get("questions", []) if isinstance(q, dict)}


def _option_label(question: dict, code: str, languages: list[str]) -> str:
    labels = question.get("option_texts") or {}
    for language in languages:
        label = (labels.get(language) or {}).get(code) if isinstance(labels.get(language), dict) else None
        if label:
            return str(label)
    return code


def answer_lines(response: Response, verbatims: dict, names: dict[str, str], redact: bool) -> list[AnswerLine]:
    asked = _asked(response)
    current = _current_keys(response)
    languages = [lang for lang in ((get_language() or "")[:2], response.language) if lang]
    lines = []
    for a in response.answers.all():
        live = a.question
        frozen = asked.get(live.key) or {"key": live.key, "type": live.type, "texts": live.texts,
                                          "options": live.options, "option_texts": live.option_texts,
                                          "scale_max": live.scale_max}
        spec = qt.TYPES.get(a.question_type)
        kind = spec.kind if spec else "text"
        line = AnswerLine(a.id, live.key, _in_language(frozen.get("texts"), languages, live.key), kind, "",
                          no_longer_asked=current is not None and live.key not in current)
        if a.number is not None:
            line.kind = "number"
            line.value = str(a.number)
            if spec and spec.kind == "number":
                top = (frozen.get("scale_max") or spec.max) if a.question_type == qt.RATING else spec.max
                line.scale = f"{spec.min}–{top}"
        elif a.choices is not None:
            line.kind = "choices"
            line.value = ", ".join(_option_label(frozen, str(c), languages) for c in a.choices)
        elif a.question_type == qt.EMOTION:
            line.value = str(EMOTION_NAMES.get(a.text, a.text))
        elif kind == "choice":
            line.value = _option_label(frozen, a.text, languages)
        else:
            v = verbatims.get(a.id)
            if v is not None:
                line.comment = build_row(v, names, [], None, details=True)
                line.value = v.text
            else:  # not analyzed yet: redacted as the responses list redacts
                line.value = answer_text(a.text, a.question_type, redact)
        lines.append(line)
    return lines


def customer_block(access: Access, response: Response, redact: bool, cursor: str | None) -> CustomerBlock | None:
    customer = response.customer
    if customer is None:
        return None
    others, next_cursor = page_of_customer_responses(access, customer.id, cursor, OTHERS_SHOWN, exclude=response.id)
    block = CustomerBlock(customer, customer_in_reach(access, customer), response_rows(others, redact=redact),
                          next_cursor)
    if block.in_reach:
        entries = contact_history_with_answers(access, customer, redact=redact, limit=HISTORY_SHOWN + 1)
        block.history, block.history_more = entries[:HISTORY_SHOWN], len(entries) > HISTORY_SHOWN
    return block


def other_responses(access: Access, response_id: int, cursor: str) -> tuple[list[ResponseRow], str | None] | None:
    """The next page of the customer's other responses ("More" on the page), or None when the
    response is not the reader's to see."""
    response = response_for(access, response_id)
    if response is None or response.customer_id is None:
        return None
    page, next_cursor = page_of_customer_responses(access, response.customer_id, cursor, OTHERS_SHOWN,
                                                   exclude=response.id)
    return response_rows(page, redact=not access.can("pii")), next_cursor


def response_detail(access: Access, response_id: int, cursor: str | None = None) -> ResponseDetail | None:
    """The page's content, or None when the response is not the reader's to see (another
    organization's, another unit's, or none): the page answers 404 either way."""
    response = response_for(access, response_id)
    if response is None:
        return None
    redact = not access.can("pii")
    verbatims = verbatims_of_response(access, response.id, original=not redact)
    names: dict[str, str] = {}
    choices: list[tuple[str, str]] = []
    if verbatims:
        topics = list(topics_of(access.organization_id))
        names = {t.code: topic_name(t) for t in topics}
        choices = sorted(((t.code, names[t.code]) for t in topics if t.active), key=lambda c: c[1].casefold())
    answers = answer_lines(response, verbatims, names, redact)
    score = score_of(response)
    block = customer_block(access, response, redact, cursor)
    shown: set[int] = set()
    if not redact:
        if any(line.kind == "text" and line.value for line in answers):
            shown.add(response.id)
        if block is not None:
            shown.update(commented_ids(r.response for r in block.others))
            shown.update(responses_with_comments(block.history))
    return ResponseDetail(
        response=response, score=score, category=nps_category(score) if score is not None else "",
        answers=answers, metadata=[(str(k), str(v)) for k, v in sorted((response.metadata or {}).items())],
        unit_trail=unit_trail(access.organization_id, response.unit.path) if response.unit else [],
        redacted=redact, customer=block,
        controls=controls_context(access, choices, [DETAILS] if redact else [DETAILS, ("pii", "on")]),
        shown_unredacted=sorted(shown),
    )

