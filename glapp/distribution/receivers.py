"""What the respondent pages report, noted on the invitation.

The respondent page sends survey.opened / answered / completed inside the transaction that
stores the answer, so each answer is one write transaction (on SQLite every extra one queues for
the single write lock) and the invitation can never say "responded" for an answer that rolled
back. The e-mail's open pixel notes an opening directly (`actions.note_respondent_event`).
"""

from glapp.core import events
from glapp.distribution.actions import note_respondent_event
from glapp.distribution.queries import iter_rate_source


def on_respondent_step(event: events.SurveyOpened | events.SurveyAnswered | events.SurveyCompleted) -> None:
    if event.token:
        note_respondent_event(event.name, event.token, event.at, organization_id=event.organization_id)


def on_rate_sources_wanted(event: events.RateSourcesWanted):
    return iter_rate_source(event.organization_id, event.chunk)


def connect() -> None:
    for step in (events.SurveyOpened, events.SurveyAnswered, events.SurveyCompleted):
        step.connect(on_respondent_step)
    events.RateSourcesWanted.connect(on_rate_sources_wanted)
