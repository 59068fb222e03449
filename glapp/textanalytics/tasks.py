"""Background analysis. Thin: each task calls an idempotent action, so a retry or a duplicate
run only redoes work that is not yet stored at the current pipeline version."""

from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from glapp.core import task_queues
from glapp.textanalytics import actions

analysis_task = task(queue_name=task_queues.ANALYSIS, priority=task_queues.ANALYSIS_PRIORITY)


@analysis_task
def analyze_arrivals(organization_id: int) -> dict:
    """The organization's drain: every range of new comments waiting when it starts (queued by
    the first arrival after the previous drain started, see `actions.record_arrival`)."""
    return {"analyzed": actions.drain_arrivals(organization_id)}


def queue_drain(organization_id: int) -> None:
    analyze_arrivals.enqueue(organization_id)


@analysis_task
def analyze_new_responses(organization_id: int, first_response_id: int, last_response_id: int) -> dict:
    """One range: what earlier versions queued per arrival (such tasks may still wait in a queue)."""
    return {"analyzed": actions.analyze_pending(organization_id, first_response_id=first_response_id,
                                                last_response_id=last_response_id)}


@analysis_task
def reanalyze_organization(organization_id: int) -> dict:
    """After a topic, taxonomy or model change: everything analyzed by an older version is redone."""
    return {"analyzed": actions.analyze_pending(organization_id)}


@analysis_task
def train_sentiment_model(organization_id: int) -> dict:
    return actions.train_sentiment_model(organization_id)


@analysis_task
def train_topic_classifier(organization_id: int, code: str) -> dict:
    """After an analyst's tag: relearn the topic from its tags (seconds at most, so off the request)."""
    return actions.train_topic_classifier(organization_id, code)


@task()
def reanalyze_outdated() -> list[int]:
    """Periodic (with `glapp worker`'s housekeeping): catch stored analyses up after an upgrade."""
    return queue_outdated()


def _under_way(*analysis_tasks) -> set[int]:
    """Organizations with one of these tasks queued or running (their first argument)."""
    return {row["args"][0] for row in DBTaskResult.objects.filter(
        task_path__in=[t.module_path for t in analysis_tasks],
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).values_list("args_kwargs", flat=True)
        if row.get("args")}


def queue_outdated() -> list[int]:
    """Queue a re-analysis for each organization whose stored analyses are behind its pipeline;
    one already queued or running is left to it. Returns the organizations queued."""
    queued = actions.outdated_organizations(skip=_under_way(reanalyze_organization))
    for organization_id in queued:
        reanalyze_organization.enqueue(organization_id)
    return queued


@analysis_task
def analyze_missing_comments() -> dict[str, int]:
    """Periodic (with the housekeeping): comments that have no analysis at all, because the task
    their commit queued was lost, are analyzed, a bounded number per organization and run. An
    organization whose analysis is queued or running is left to it. An organization whose new
    comments wait for a drain that was never queued (or was lost) gets one."""
    for organization_id in actions.organizations_with_arrivals():
        actions.request_drain(organization_id, queue_drain)
    done = actions.catch_up_missing(skip=_under_way(analyze_arrivals, analyze_new_responses, reanalyze_organization))
    return {str(organization_id): count for organization_id, count in done.items()}


# Queued with the installation's housekeeping by `glapp worker`; each is safe to run twice.
HOUSEKEEPING_TASKS = [reanalyze_outdated, analyze_missing_comments]
