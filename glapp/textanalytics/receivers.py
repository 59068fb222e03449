"""New comments are analyzed in the background, after their transaction commits: those of new
responses, and those added later to a stored response (a respondent page saves answer by answer).
Their range is noted for the organization's drain: a new response's in the transaction that
stores it, a later comment's after its commit (`actions.note_arrival`, `actions.record_arrival`).
The responses API shows each response with its analysis, which it asks for.

A new organization gets its copy of the built-in topics in the transaction that creates it, so
an organization never exists without them and no read has to create them."""

from glapp.core import events


def on_responses_stored(event: events.ResponsesStored) -> None:
    """New responses' comments: their range is noted in the transaction that stores them (one
    write transaction per request, not two: on SQLite each is a turn at the one write lock), and
    committed with them, so no crash can leave comments without their range."""
    if event.comments:
        from glapp.textanalytics.actions import note_arrival

        note_arrival(event.organization_id, event.first_id, event.last_id)


def on_responses_created(event: events.ResponsesCreated) -> None:
    """After the commit, the organization's drain is queued unless one waits (it reads the range
    committed above)."""
    if event.comments:
        from glapp.textanalytics.actions import request_drain
        from glapp.textanalytics.tasks import queue_drain

        request_drain(event.organization_id, queue_drain)


def on_comments_added(event: events.CommentsAdded) -> None:
    _analyze(event.organization_id, event.first_id, event.last_id)


def _analyze(organization_id: int, first_id: int, last_id: int) -> None:
    """The range waits for the organization's drain, queued unless one is waiting: however many
    small arrivals, one task analyzes them together."""
    from glapp.textanalytics.actions import record_arrival
    from glapp.textanalytics.tasks import queue_drain

    record_arrival(organization_id, first_id, last_id, queue_drain)


def on_analysis_outdated(event: events.AnalysisOutdated) -> None:
    from glapp.textanalytics.tasks import reanalyze_organization

    reanalyze_organization.enqueue(event.organization_id)


def on_topic_tagged(event: events.TopicTagged) -> None:
    from glapp.textanalytics.tasks import train_topic_classifier

    train_topic_classifier.enqueue(event.organization_id, event.code)


def on_response_analyses_wanted(event: events.ResponseAnalysesWanted) -> dict[int, list[dict]]:
    from glapp.textanalytics.queries import analyses_by_response

    return analyses_by_response(event.organization_id, event.response_ids)


def on_organization_created(event: events.OrganizationCreated) -> None:
    from glapp.textanalytics.actions import ensure_builtin_topics

    ensure_builtin_topics(event.organization_id)


def connect() -> None:
    events.ResponsesStored.connect(on_responses_stored)
    events.ResponsesCreated.connect(on_responses_created)
    events.CommentsAdded.connect(on_comments_added)
    events.ResponseAnalysesWanted.connect(on_response_analyses_wanted)
    events.AnalysisOutdated.connect(on_analysis_outdated)
    events.TopicTagged.connect(on_topic_tagged)
    events.OrganizationCreated.connect(on_organization_created)
