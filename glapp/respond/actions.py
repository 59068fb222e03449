"""Writes of the respondent experience: sessions, answers saved as they are given, displays.

Each answer is stored the moment it is given. The first creates the response through the one
write path every response takes (`responses.actions.ingest_responses`, its external id derived
from the session's token by `models.session_response_id`); later ones are added to it
(`responses.actions.add_answers`). A respondent who stops halfway therefore still counts, and a
replayed POST (a double click, a retried request, the back button) stores nothing twice: the
session row is locked, the answer must be for the question the session is at, and both writes
are idempotent on their own as well.

A skipped optional question is kept in the session's `answered` as null: the respondent has
been past it (for skip logic and resume) but there is no answer to store.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from glapp.analytics import rate_counting
from glapp.core import bulk, events, hostile, writelock
from glapp.core.errors import NotFound
from glapp.respond.models import Display, RespondentSession, session_response_id
from glapp.respond.queries import (
    display_by_id,
    display_rate_change,
    display_rate_row,
    is_open,
    response_of,
    session_for_display,
)
from glapp.responses.actions import add_answers, ingest_responses
from glapp.responses.metadata import response_metadata
from glapp.responses.models import Channel
from glapp.responses.validation import CleanAnswer, CleanResponse
from glapp.surveys import logic
from glapp.surveys import question_types as qt
from glapp.surveys.models import TOKEN_MAX_LENGTH, Question, Survey, SurveyVersion, new_token

# What a respondent may type into an open question: long enough for a real story, short enough
# to read. (The API accepts up to question_types.MAX_TEXT_LENGTH from systems.)
TEXT_LIMIT = 2000


class Unavailable(Exception):
    """The link cannot be answered: reason is "unknown", "expired" or "closed"."""

    def __init__(self, reason: str, language: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.language = language


@dataclass
class Outcome:
    stored: bool = False  # an answer (or a skip) was recorded now
    # Shown to the respondent; nothing was recorded. Lazy: the page renders it in the
    # respondent's language, which need not be the language of the request.
    error: str = ""
    # The session cannot take answers ("expired" or "closed"); nothing was recorded.
    unavailable: str = ""


def _respondent_event(event: type[events.SurveyOpened | events.SurveyAnswered | events.SurveyCompleted],
                      session: RespondentSession, now: dt.datetime) -> None:
    """Inside the transaction: the invitation's timestamps commit with the answer."""
    event(session.organization_id, token=session.token, at=now).send()


def split_answered(answered: dict) -> tuple[dict, list[str]]:
    """The session's `answered` as (answers, skipped keys), the shape `logic` takes."""
    answers = {k: v for k, v in (answered or {}).items() if v is not None}
    return answers, [k for k, v in (answered or {}).items() if v is None]


def questions_of(session: RespondentSession) -> list[dict]:
    return list((session.survey_version.definition or {}).get("questions") or [])


def current_question(session: RespondentSession) -> dict | None:
    answers, skipped = split_answered(session.answered)
    return logic.next_question(questions_of(session), answers, skipped)


def is_expired(session: RespondentSession, now: dt.datetime | None = None) -> bool:
    """An expired link still lets a respondent who has begun finish; it only refuses to start."""
    now = now or timezone.now()
    return bool(session.expires_at and session.expires_at < now and not session.answered
                and not session.completed_at)


# --- Sessions ---------------------------------------------------------------------------------


def session_from_invitation(token: str, language: str = "") -> RespondentSession:
    """The session for an invitation link, created on its first view with the invitation's
    token (so the invitation's events and the response find each other). Race-safe: two first
    views at once get the same session. Raises `Unavailable`.

    The session speaks the invitation's language (the one its message was written in), or
    `language` (the link's `?lang=`) when the survey has texts in it."""
    invitation = _answerable_invitation(token)
    defaults = _invitation_defaults(invitation)
    if language and language in (invitation.survey.languages or []):
        defaults["language"] = language
    session, _created = _get_or_create_session(token, defaults)
    return session


def _answerable_invitation(token: str):
    try:
        from glapp.distribution.queries import invitation_for_token
    except ImportError:  # the invitations app is optional for the respondent pages
        raise Unavailable("unknown") from None
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Unavailable("unknown")
    language = invitation.language or "sv"
    survey = invitation.survey
    expired = invitation.expires_at and invitation.expires_at < timezone.now()
    if invitation.status in ("expired", "cancelled") or expired:
        raise Unavailable("expired", language)
    if survey.status != Survey.Status.ACTIVE or survey.current_version_id is None:
        raise Unavailable("closed", language)
    return invitation


def _invitation_defaults(invitation) -> dict:
    survey = invitation.survey
    return {
        "organization_id": invitation.organization_id, "survey": survey,
        "survey_version_id": survey.current_version_id, "customer_id": invitation.customer_id,
        "touchpoint_id": invitation.touchpoint_id or survey.touchpoint_id, "unit_id": invitation.unit_id,
        "channel": invitation.channel or Channel.LINK, "language": invitation.language or "sv",
        "context": dict(invitation.context or {}), "expires_at": invitation.expires_at,
    }


def set_language(token: str, language: str) -> RespondentSession | None:
    """The respondent's language switch: the session's later pages (and its thank-you page) in
    `language`, one of the survey's own; the answers given stay as they are. None for a token
    with no session."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    with writelock.serialized(), transaction.atomic():
        session = (RespondentSession.objects.select_for_update(of=("self",))
                   .select_related("survey__organization", "survey_version", "customer")
                   .filter(token=token).first())
        if session is None:
            return None
        spoken = (session.survey_version.definition or {}).get("languages") or session.survey.languages or []
        if language in spoken and language != session.language:
            session.language = language
            session.save(update_fields=["language"])
        return session


def _get_or_create_session(token: str, defaults: dict) -> tuple[RespondentSession, bool]:
    try:
        with transaction.atomic():
            session, created = RespondentSession.objects.get_or_create(token=token, defaults=defaults)
            if created:
                _respondent_event(events.SurveyOpened, session, session.created_at)
            return session, created
    except IntegrityError:  # created by a concurrent request between the get and the insert
        return RespondentSession.objects.get(token=token), False


def start_public_session(survey: Survey, *, token: str, language: str, channel: str, unit_id: int | None,
                         context: dict, display_id=None) -> RespondentSession:
    """A session for the anonymous public link or the widget, created by the first answer's POST.

    `token` comes from the form the respondent was shown, so a double click on the first
    answer finds the session the first click created instead of starting a second one."""
    display = display_by_id(survey, display_id) if display_id else None
    if display is not None:
        existing = session_for_display(survey, display.id)
        if existing is not None:
            return existing  # one display, one respondent session
    now = timezone.now()
    defaults = {
        "organization_id": survey.organization_id, "survey": survey, "survey_version_id": survey.current_version_id,
        "touchpoint_id": survey.touchpoint_id, "unit_id": unit_id, "channel": channel, "language": language,
        "context": context, "display": display,
        "expires_at": now + dt.timedelta(days=survey.expires_after_days or 14),
    }
    session, _created = _get_or_create_session(token, defaults)
    if session.survey_id != survey.id:  # a token of another survey's session: never reuse it
        session, _created = _get_or_create_session(new_token(), defaults)
    return session


# --- Answers ----------------------------------------------------------------------------------


def clean_respondent_answer(question: dict, values: list[str]) -> tuple[object, str]:
    """(value, error) from a form's values for one question; value None means "no answer".
    The error is a lazy translation, rendered in the page's language."""
    qtype = question["type"]
    values = [v for v in values if isinstance(v, str)]
    if qtype == qt.MULTI:
        raw = [v for v in values if v.strip()]
        if not raw:
            return None, ""
    else:
        raw = values[0].strip() if values else ""
        if raw == "":
            return None, ""
        if qtype == qt.TEXT and len(raw) > TEXT_LIMIT:
            return None, format_lazy(_("Your answer is too long: at most {limit} characters."), limit=TEXT_LIMIT)
        if qtype == qt.TEXT and hostile.text_problem(raw):
            # Refused, not altered (the rule of every entry, core/hostile.py); only a crafted
            # request sends a NUL, browsers cannot type one.
            return None, _("Your answer contains a character that cannot be saved. Please remove it.")
    try:
        number, text, choices = qt.clean_answer(qtype, raw, question.get("options") or [], question.get("scale_max"))
    except qt.AnswerInvalid:
        return None, _("Please choose one of the options.")
    if number is not None:
        return number, ""
    if choices is not None:
        return choices, ""
    return text, ""


def answer_by_token(token: str, key: str, values: list[str], *,
                    skip: bool = False) -> tuple[RespondentSession, Outcome]:
    """The POST of /r/<token>/: find the session (or create it from its invitation: a first
    answer may come without a view before it), check it still takes answers and record this
    one. One write transaction and one read of the session per answer, whatever it sets off:
    the response, the rollups and the invitation's bookkeeping all commit together.
    Raises `Unavailable` for a link that has no session and cannot get one."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise Unavailable("unknown")
    invitation = None
    while True:
        # SQLite: queue for the one write lock here (woken the moment it is free, the text
        # analysis task queued on commit included) rather than in SQLite's sleep-and-poll busy
        # handler. Only the writes and the reads they depend on happen while it is held.
        with writelock.serialized(), transaction.atomic():
            session = _locked_session(token)
            if session is None and invitation is not None:
                session = _session_for_first_answer(token, invitation)
            if session is not None:
                if is_expired(session):
                    return session, Outcome(unavailable="expired")
                if not session.answered and not session.completed_at and not is_open(session.survey):
                    return session, Outcome(unavailable="closed")
                return session, _record(session, key, values, skip)
        # No session yet (an answer without a view before it): read the invitation outside the
        # write lock, it is the slowest read of the path; then create the session under it.
        invitation = _answerable_invitation(token)


def submit_answer(session_id: int, key: str, values: list[str], *, skip: bool = False) -> Outcome:
    """Record the answer to the question the session is at (or skip it, if optional)."""
    with writelock.serialized(), transaction.atomic():
        # Lock the session row only (PostgreSQL cannot lock the nullable side of the customer join).
        session = (RespondentSession.objects.select_for_update(of=("self",))
                   .select_related("survey", "survey_version", "customer").get(pk=session_id))
        return _record(session, key, values, skip)


def _locked_session(token: str) -> RespondentSession | None:
    """The session row, locked (PostgreSQL; SQLite's IMMEDIATE transaction already holds the
    write lock), with its frozen survey version. Plain SQL: building the ORM's query costs more
    than running it, on the path every answer takes. The survey and the customer are loaded
    only when asked for (the first answer needs them, later ones do not)."""
    session = bulk.locked_row(RespondentSession, {"token": token},
                              joined={"frozen_definition": ("survey_version", "definition")})
    if session is None:
        return None
    definition = session.frozen_definition
    if isinstance(definition, str | bytes):
        definition = json.loads(definition)
    session.survey_version = SurveyVersion(id=session.survey_version_id, organization_id=session.organization_id,
                                           survey_id=session.survey_id, definition=definition)
    return session


def _session_for_first_answer(token: str, invitation) -> RespondentSession:
    """Create the session of an invitation inside the answer's transaction. A concurrent first
    answer that created it first is found instead (and its row lock waited for)."""
    defaults = _invitation_defaults(invitation)
    try:
        with transaction.atomic():
            session = RespondentSession.objects.create(token=token, **defaults)
    except IntegrityError:
        session = _locked_session(token)
        if session is None:  # not a duplicate token after all: let the error through
            raise
        return session
    session.customer = invitation.customer  # loaded with the invitation; the response needs it
    _respondent_event(events.SurveyOpened, session, session.created_at)
    return session


def _record(session: RespondentSession, key: str, values: list[str], skip: bool) -> Outcome:
    """Record an answer on a session locked by the caller's transaction."""
    question = current_question(session)
    if session.completed_at or question is None or question["key"] != key:
        return Outcome()  # a replay or an outdated form: that question is already answered
    value, error = (None, "") if skip else clean_respondent_answer(question, values)
    if error:
        return Outcome(error=error)
    if value is None and question.get("required"):
        return Outcome(error=_("Please answer this question."))
    now = timezone.now()
    answered = {**(session.answered or {}), key: value}
    first_answer = False
    if value is not None:
        first_answer = _store_answer(session, question, value, now)
        session.last_answer_at = now
    session.answered = answered
    answers, skipped = split_answered(answered)
    if logic.next_question(questions_of(session), answers, skipped) is None:
        session.completed_at = now
    _save_progress(session)
    if first_answer:
        _respondent_event(events.SurveyAnswered, session, now)
        if session.display_id:
            _note_display_answered(session, now)
    if session.completed_at:
        _respondent_event(events.SurveyCompleted, session, now)
        response_id = response_of(session)
        if response_id is not None:  # a respondent who skipped every question left no response
            events.ResponseCompleted(session.organization_id, response_ids=[response_id], source="survey").send()
    return Outcome(stored=True)


def _save_progress(session: RespondentSession) -> None:
    """session.save(update_fields=["answered", "last_answer_at", "completed_at"]) in plain SQL:
    it runs with every answer, and the ORM's save machinery costs more than the UPDATE."""
    ops = connection.ops
    bulk.update_by_id(RespondentSession, ("answered", "last_answer_at", "completed_at"), [
        (ops.adapt_json_value(session.answered, None), ops.adapt_datetimefield_value(session.last_answer_at),
         ops.adapt_datetimefield_value(session.completed_at), session.pk)])


def _question_id(session: RespondentSession, key: str) -> int | None:
    """The question's id, looked up by key: a version's definition names questions by key, and
    a question deleted (unanswered) since the version was published has no row to refer to."""
    row = bulk.select_row(Question, ("id",), {"organization": session.organization_id, "survey": session.survey_id,
                                              "key": key})
    return row[0] if row else None


def _store_answer(session: RespondentSession, question: dict, value, now: dt.datetime) -> bool:
    """Store one answer; True when it created the response (the session's first answer)."""
    qtype = question["type"]
    question_id = _question_id(session, question["key"])
    if question_id is None:
        return False  # the question was deleted since this version was published: nothing to attach it to
    if qtype in qt.SCORE_TYPES:
        answer = CleanAnswer(question_id, qtype, value, "", None)
    elif qtype == qt.MULTI:
        answer = CleanAnswer(question_id, qtype, None, "", list(value))
    else:
        answer = CleanAnswer(question_id, qtype, None, str(value), None)
    # The response is created in the transaction that stores the session's first stored answer
    # (and sets `last_answer_at`), under the session's lock: before that there is none to look
    # for. After it there is one, unless that first answer's question had been deleted.
    if session.last_answer_at is not None:
        try:
            add_answers(session.organization_id, None, [answer], external_id=session.response_external_id)
            return False
        except NotFound:
            pass
    result = ingest_responses(session.organization_id, [_clean_response(session, answer, now)], source="survey",
                              complete=False)
    if not result[0].created:  # defensive: never lose the answer if a response was there after all
        add_answers(session.organization_id, result[0].id, [answer])
        return False
    return True


def _clean_response(session: RespondentSession, answer: CleanAnswer, now: dt.datetime) -> CleanResponse:
    customer = session.customer
    channel = session.channel if session.channel in Channel.values else Channel.OTHER
    return CleanResponse(
        survey_id=session.survey_id, survey_version_id=session.survey_version_id,
        touchpoint_id=session.touchpoint_id, unit_id=session.unit_id,
        customer={"external_id": customer.external_id} if customer else None,
        channel=channel, language=(session.language or "")[:8], segment=(customer.segment if customer else "")[:80],
        submitted_at=now, external_id=session.response_external_id,
        metadata=response_metadata(session.context), answers=[answer],
    )


# --- Widget -----------------------------------------------------------------------------------


def record_display(survey: Survey, *, nonce: str, event: str = "", page: str = "",
                   visitor: str = "") -> tuple[Display, bool]:
    """The widget showed the survey, with the display token whose nonce is given: (the display,
    whether this call counted it). A nonce already stored finds its display and counts nothing.
    The visitor id (random, kept by the browser) is stored hashed: it tells repeat displays
    apart without being a key to anyone's browser."""
    hashed = hashlib.sha256(f"{survey.public_token}:{visitor}".encode()).hexdigest()[:64] if visitor else ""
    with transaction.atomic():  # the display and its response-rate count commit together
        display, created = Display.objects.get_or_create(
            nonce=nonce, survey=survey,
            defaults={"organization_id": survey.organization_id, "event": event[:80], "page": page[:500],
                      "visitor": hashed, "touchpoint_id": survey.touchpoint_id})
        if created:
            row = {"created_at": display.created_at, "survey_id": survey.pk, "touchpoint_id": survey.touchpoint_id}
            events.RateChanged(survey.organization_id,
                               changes=[display_rate_change(row, None, rate_counting.DELIVERED)]).send()
    return display, created


def _note_display_answered(session: RespondentSession, now: dt.datetime) -> None:
    """The first answer of a session started from a widget display: the display moves from
    shown to answered in the response-rate counts, once (a conditional UPDATE), in the
    answer's transaction."""
    if Display.objects.filter(pk=session.display_id, responded_at__isnull=True).update(responded_at=now):
        row = display_rate_row(session.display_id)
        events.RateChanged(session.organization_id, changes=[
            display_rate_change(row, rate_counting.DELIVERED, rate_counting.RESPONDED)]).send()


# --- Erasure of customers (glapp.privacy orchestrates) ----------------------------------------

def erase_sessions(organization_id: int, customer_ids: list[int], tokens: list[str],
                   response_external_ids: list[str]) -> int:
    """Delete the respondent sessions of these customers: theirs by customer, those of their
    invitations (by token) and those whose response is one of theirs. A session holds the
    answers given so far and the piping context (a first name), and its token is the
    respondent's key: it goes in either erasure mode."""
    sessions = RespondentSession.objects.for_org(organization_id)
    doomed = set(sessions.filter(customer_id__in=customer_ids).values_list("id", flat=True))
    for start in range(0, len(tokens), 900):
        doomed.update(sessions.filter(token__in=tokens[start:start + 900]).values_list("id", flat=True))
    wanted = {ext for ext in response_external_ids if ext and ext.startswith("session:")}
    if wanted:
        for pk, token in sessions.exclude(pk__in=doomed).values_list("id", "token").iterator(chunk_size=5000):
            if session_response_id(token) in wanted:
                doomed.add(pk)
    return delete_sessions(organization_id, sorted(doomed))


def delete_sessions(organization_id: int, session_ids: list[int]) -> int:
    """Delete respondent sessions by id (erasure, retention); returns how many went."""
    sessions = RespondentSession.objects.for_org(organization_id)
    deleted = 0
    with transaction.atomic():
        for start in range(0, len(session_ids), 900):
            deleted += sessions.filter(pk__in=session_ids[start:start + 900]).delete()[1].get(
                RespondentSession._meta.label, 0)
    return deleted
