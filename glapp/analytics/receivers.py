"""What analytics hears from the apps below it.

Rollups commit with what they count: responses, added answers and response-rate moves arrive as
in-transaction events (see `core.events`). The survey builder asks for each survey's count.

Rollups key cells by plain ids of touchpoints and units. When one is deleted (only the admin
can), responses, invitations and widget displays lose the reference (SET_NULL), and a later move
of an invitation already counted would land in another cell than its first count. So the
organization's rollups are recounted in the background once the deletion commits: once per
organization and transaction, however many rows it deleted."""

from django.db import transaction

from glapp.analytics import actions, queries
from glapp.core import events


def on_responses_stored(event: events.ResponsesStored) -> None:
    actions.add_responses(event.organization_id, event.responses)


def on_answers_added(event: events.AnswersAdded) -> None:
    actions.add_answers_to_rollups(event.organization_id, event.response, event.answers, event.first_comment)


def on_rate_changed(event: events.RateChanged) -> None:
    actions.add_rate_changes(event.organization_id, event.changes)


def on_survey_figures_wanted(event: events.SurveyFiguresWanted) -> dict[int, dict]:
    if event.detail:
        return {}  # the survey list shows counts; the editor does not
    counts = queries.responses_per_survey(event.access)
    return {survey_id: {"responses": counts.get(survey_id, 0)} for survey_id in (s.pk for s in event.surveys)}


def on_dimension_deleted(sender, instance, **kwargs) -> None:
    from glapp.analytics.tasks import rebuild_rollups

    organization_id = instance.organization_id
    # Django keeps the transaction's pending callbacks (and drops those of a rolled-back
    # savepoint), so one already queued for this organization is found there.
    queued = transaction.get_connection().run_on_commit
    if any(getattr(entry[1], "recounts_organization", None) == organization_id for entry in queued):
        return

    def enqueue() -> None:
        rebuild_rollups.enqueue(organization_id)

    enqueue.recounts_organization = organization_id
    transaction.on_commit(enqueue)


def connect() -> None:
    from django.db.models.signals import post_delete

    from glapp.accounts.models import Unit
    from glapp.journeys.models import Touchpoint

    events.ResponsesStored.connect(on_responses_stored)
    events.AnswersAdded.connect(on_answers_added)
    events.RateChanged.connect(on_rate_changed)
    events.SurveyFiguresWanted.connect(on_survey_figures_wanted)
    for model in (Touchpoint, Unit):
        post_delete.connect(on_dimension_deleted, sender=model, dispatch_uid=f"analytics.recount.{model.__name__}")
