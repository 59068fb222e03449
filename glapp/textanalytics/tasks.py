"""Background analysis. Thin: each task calls an idempotent action, so a retry or a duplicate
run only redoes work that is not yet stored at the current pipeline version."""

from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from glapp.textanalytics import actions


@task()
def analyze_new_responses(organization_id: int, first_response_id: int, last_response_id: int) -> dict:
    return {"analyzed": actions.analyze_pending(organization_id, first_response_id=first_response_id,
                                                last_response_id=last_response_id)}


@task()
def reanalyze_organization(organization_id: int) -> dict:
    """After a topic, taxonomy or model change: everything analyzed by an older version is redone."""
    return {"analyzed": actions.analyze_pending(organization_id)}


@task()
def train_sentiment_model(organization_id: int) -> dict:
    return actions.train_sentiment_model(organization_id)


@task()
def train_topic_classifier(organization_id: int, code: str) -> dict:
    """After an analyst's tag: relearn the topic from its tags (seconds at most, so off the request)."""
    return actions.train_topic_classifier(organization_id, code)


@task()
def reanalyze_outdated() -> list[int]:
    """Periodic (with `glapp worker`'s housekeeping): catch stored analyses up after an upgrade."""
    return queue_outdated()


def queue_outdated() -> list[int]:
    """Queue a re-analysis for each organization whose stored analyses are behind its pipeline;
    one already queued or running is left to it. Returns the organizations queued."""
    under_way = {row["args"][0] for row in DBTaskResult.objects.filter(
        task_path=reanalyze_organization.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).values_list("args_kwargs", flat=True)
        if row.get("args")}
    queued = actions.outdated_organizations(skip=under_way)
    for organization_id in queued:
        reanalyze_organization.enqueue(organization_id)
    return queued


# Queued with the installation's housekeeping by `glapp worker`; each is safe to run twice.
HOUSEKEEPING_TASKS = [reanalyze_outdated]
