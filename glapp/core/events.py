"""Every domain event glapp sends, declared once, each with a typed payload and a delivery mode.

Apps depend on each other in one direction only (docs/architecture.md): a lower app never
imports a higher one. When a lower app's write matters to a higher app, or a lower app needs
what a higher one holds, it goes through an event declared here; the higher app connects its
receiver in its `AppConfig.ready`. Three modes:

- `IN_TRANSACTION`: sent at once, inside the writer's transaction, for derived data that must
  commit or roll back with the write (rollups, an invitation's answered time). Receivers are fast
  and let errors propagate: an exception rolls the write back, which is the point.
- `ON_COMMIT`: sent after the transaction commits, to start background work (text analysis,
  later webhooks and case rules). Receivers only enqueue. Work that must not be lost on a crash
  between the commit and the enqueue is recoverable from what the transaction itself wrote (a
  comment without an analysis is found again by the hourly housekeeping), never from the event.
- `ASK`: a lower app asks the apps above it for what they hold (the invitation history for a
  recount, a response's text analysis for the API, a survey's figures for its builder page).
  `ask()` returns the receivers' answers; a read never writes, so neither may an ASK receiver.

Sending: `ResponsesStored(organization_id=…, responses=…).send()`. Receiving, in `ready()`:
`ResponsesStored.connect(handler)`, where `handler(event)` takes the event object. Each event is
sent once per delivery: no string names in domain code, no if-chains on names in receivers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger("glapp.events")

IN_TRANSACTION = "in_transaction"
ON_COMMIT = "on_commit"
ASK = "ask"


@dataclass(frozen=True)
class Event:
    name: ClassVar[str]
    mode: ClassVar[str]
    _signal: ClassVar[Signal]

    organization_id: int

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._signal = Signal()

    @classmethod
    def connect(cls, receiver: Callable[[Any], Any]) -> None:
        """Connect `receiver(event)`; call from the receiving app's `AppConfig.ready`."""
        uid = f"{cls.name}:{receiver.__module__}.{receiver.__qualname__}"
        cls._signal.connect(_adapter(receiver), dispatch_uid=uid, weak=False)

    def send(self) -> None:
        if self.mode == IN_TRANSACTION:
            if not transaction.get_connection().in_atomic_block:
                raise RuntimeError(f"{self.name} must be sent inside the transaction that made the change")
            self._signal.send(sender=type(self), event=self)
        elif self.mode == ON_COMMIT:
            transaction.on_commit(self._send_now)
        else:
            raise TypeError(f"{self.name} is a question: use ask()")

    def _send_now(self) -> None:
        log.debug("event %s org=%s", self.name, self.organization_id)
        self._signal.send(sender=type(self), event=self)

    def ask(self) -> list:
        """The answers of every connected receiver (ASK events only)."""
        if self.mode != ASK:
            raise TypeError(f"{self.name} is sent, not asked")
        return [answer for _, answer in self._signal.send(sender=type(self), event=self)]


def _adapter(receiver: Callable[[Any], Any]) -> Callable[..., Any]:
    def receive(sender, event, **kwargs):
        return receiver(event)

    return receive


# --- Organizations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationCreated(Event):
    """An organization was made: higher apps give it what every organization has (built-in topics;
    the contact policy, with the customers' time zone when one was chosen)."""

    name = "organization.created"
    mode = IN_TRANSACTION
    time_zone: str = ""  # the customers' time zone (IANA name); empty: the contact policy's default


@dataclass(frozen=True)
class UnitMoved(Event):
    """A unit and its subtree moved from `old_path` to `new_path`: every app that stores a copy of
    a unit path (an import job's) rewrites it in the same transaction, so no copy outlives the move."""

    name = "accounts.unit_moved"
    mode = IN_TRANSACTION
    old_path: str = ""
    new_path: str = ""


@dataclass(frozen=True)
class MembershipChanged(Event):
    """Someone's role or unit changed, or they were removed from the organization: what they
    were given to work (open cases) goes back where they may no longer reach it."""

    name = "accounts.membership_changed"
    mode = IN_TRANSACTION
    user_id: int = 0


# --- Responses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponsesStored(Event):
    """New responses with their answers (`responses.validation.CleanResponse`s) were inserted:
    rollups count them and questions are marked answered, in the same transaction."""

    name = "responses.stored"
    mode = IN_TRANSACTION
    responses: Sequence[Any] = ()
    first_id: int = 0  # their ids, reserved for one batch
    last_id: int = 0
    comments: int = 0  # of them with a comment


@dataclass(frozen=True)
class AnswersAdded(Event):
    """Answers were added to a stored response (a respondent page saves answer by answer)."""

    name = "responses.answers_added"
    mode = IN_TRANSACTION
    response: Any = None  # the locked `Response`
    answers: Sequence[Any] = ()  # the `CleanAnswer`s really inserted
    first_comment: bool = False  # the response got its first comment with these


@dataclass(frozen=True)
class ResponsesCreated(Event):
    """Responses `first_id`..`last_id` (ids reserved for one batch) were committed."""

    name = "responses.created"
    mode = ON_COMMIT
    first_id: int = 0
    last_id: int = 0
    count: int = 0
    source: str = ""
    comments: int = 0  # of them with a comment


@dataclass(frozen=True)
class CommentsAdded(Event):
    """Comments were added to stored responses `first_id`..`last_id` and committed."""

    name = "responses.comments_added"
    mode = ON_COMMIT
    first_id: int = 0
    last_id: int = 0
    comments: int = 0


@dataclass(frozen=True)
class ResponseCompleted(Event):
    """All answers of these responses are in: at once for a response sent whole (API, import,
    demo), and when the respondent finishes for one answered page by page. What acts on a whole
    response (alert rules, cases, webhooks) starts here, in the same transaction: a case or a
    webhook's outbox row commits with the response or not at all, so a crash can neither lose
    it nor, on a retry that stores nothing new, make it twice. Receivers stay fast."""

    name = "response.completed"
    mode = IN_TRANSACTION
    response_ids: Sequence[int] = ()
    source: str = ""  # the responses' `Source` (api, import, survey, demo)
    import_job_id: int = 0  # the import job that stored them, if any (its choice of opening cases)


# --- Response rates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateChanged(Event):
    """Invitations or widget displays moved between response-rate states
    (`analytics.rate_counting.RateChange`s); the rollups add the moves in the same transaction."""

    name = "invitations.rate_changed"
    mode = IN_TRANSACTION
    changes: Sequence[Any] = ()


@dataclass(frozen=True)
class RateSourcesWanted(Event):
    """A recount of response-rate rollups asks for everything that went out. Each answer is an
    iterable of lists of `RateChange`s from nothing (invitations from distribution, widget
    displays from respond), read in chunks of `chunk`."""

    name = "rates.sources_wanted"
    mode = ASK
    chunk: int = 20_000
    displays: bool = True  # False only for the migration that ran before displays had their columns


# --- The respondent's way through a survey ----------------------------------------------------


@dataclass(frozen=True)
class _RespondentStep(Event):
    mode = IN_TRANSACTION
    token: str = ""  # the respondent session's token (an invitation's, for an invited respondent)
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SurveyOpened(_RespondentStep):
    """A respondent opened a survey link; the invitation with this token notes it."""

    name = "survey.opened"


@dataclass(frozen=True)
class SurveyAnswered(_RespondentStep):
    """A respondent gave their first answer; it commits with the invitation's answered time."""

    name = "survey.answered"


@dataclass(frozen=True)
class SurveyCompleted(_RespondentStep):
    """A respondent answered the last question."""

    name = "survey.completed"


# --- Text analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisStored(Event):
    """Comments' analyses (sentiment, topics, emotions) were written, by answer id, in the
    transaction that writes them: alert rules on a comment's topics or sentiment are decided with
    it, exactly once (a re-analysis sends it again; the rules' own marker says it was done)."""

    name = "analysis.stored"
    mode = IN_TRANSACTION
    answer_ids: Sequence[int] = ()


@dataclass(frozen=True)
class AnalysisOutdated(Event):
    """An organization's stored analyses no longer match its pipeline (a topic or model changed):
    they are redone in the background."""

    name = "analysis.outdated"
    mode = ON_COMMIT


@dataclass(frozen=True)
class TopicTagged(Event):
    """An analyst tagged a comment with (or against) a topic: the topic's classifier relearns."""

    name = "topics.tagged"
    mode = ON_COMMIT
    code: str = ""


@dataclass(frozen=True)
class ResponseAnalysesWanted(Event):
    """The responses API shows each response with its comments' analysis: the answer is
    {response id: [analysis dicts]} for those of `response_ids` that have one."""

    name = "responses.analyses_wanted"
    mode = ASK
    response_ids: Sequence[int] = ()


# --- The survey builder -----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyFiguresWanted(Event):
    """The survey builder shows what the apps above surveys know of each survey: the answer is
    {survey id: {figure name: value}} (analytics: "responses"; respond: "widget")."""

    name = "surveys.figures_wanted"
    mode = ASK
    access: Any = None  # the viewer's `Access`: figures stay within their units
    surveys: Sequence[Any] = ()  # the `Survey`s shown
    detail: bool = False  # the editor of one survey (True) or the list (False)


# --- Acting: alerts and cases ------------------------------------------------------------------


@dataclass(frozen=True)
class AlertTriggered(Event):
    """An alert rule matched a response. `data` is the alert as webhooks publish it (rule,
    response, case id if one was opened); `notify_user_ids` / `notify_unit_ids` are whom the rule
    asks to tell (a unit: its queue's handlers). Sent in the transaction that records the match,
    so an outbox row or a notification commits with it."""

    name = "alert.triggered"
    mode = IN_TRANSACTION
    rule_id: int = 0
    response_id: int = 0
    case_id: int = 0
    unit_id: int | None = None  # the response's unit: notifications stay within each person's reach
    notify_user_ids: Sequence[int] = ()
    notify_unit_ids: Sequence[int] = ()
    webhook: bool = False  # the rule asks for a webhook (endpoints subscribed to alert.triggered get it)
    data: Any = None


@dataclass(frozen=True)
class CaseChanged(Event):
    """A case was created, changed or closed (`kind`: "created", "updated", "closed"; `change`
    says what: "assigned", "status", "note", "message", "breached", "merged", …). `data` is the
    case as the API shows it; `user_ids` are the people to tell (the new owner, the escalation
    contact), `unit_id` the case's unit, so nobody hears of a case outside their reach. Sent in the
    transaction that makes the change."""

    name = "case.changed"
    mode = IN_TRANSACTION
    case_id: int = 0
    kind: str = "updated"
    change: str = ""
    unit_id: int | None = None
    actor_user_id: int | None = None
    user_ids: Sequence[int] = ()
    data: Any = None


ALL: tuple[type[Event], ...] = (
    OrganizationCreated, UnitMoved, MembershipChanged,
    ResponsesStored, AnswersAdded, ResponsesCreated, CommentsAdded, ResponseCompleted,
    RateChanged, RateSourcesWanted, SurveyOpened, SurveyAnswered, SurveyCompleted, AnalysisStored,
    AnalysisOutdated, TopicTagged, ResponseAnalysesWanted, SurveyFiguresWanted, AlertTriggered, CaseChanged,
)
