"""A question's first answer marks it answered (its type is then locked), in the answer's own
transaction: responses are stored by an app above surveys, which tells it through events."""

from glapp.core import events
from glapp.surveys.actions import mark_answered


def on_responses_stored(event: events.ResponsesStored) -> None:
    mark_answered(a.question_id for r in event.responses for a in r.answers)


def on_answers_added(event: events.AnswersAdded) -> None:
    mark_answered(a.question_id for a in event.answers)


def connect() -> None:
    events.ResponsesStored.connect(on_responses_stored)
    events.AnswersAdded.connect(on_answers_added)
