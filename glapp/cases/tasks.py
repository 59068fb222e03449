"""Background work of the cases app: thin wrappers over idempotent actions."""

from django_tasks import task

from glapp.cases import actions
from glapp.core import task_queues


# Every dispatch tick: a due time passing is time-critical (the escalation contact is told).
@task(queue_name=task_queues.TIME_CRITICAL)
def mark_breaches() -> dict:
    return actions.mark_all_breaches()


# Hourly: rules that waited on a comment's analysis that never came are decided without it.
@task()
def evaluate_overdue() -> dict:
    return actions.evaluate_all_overdue()


# Hourly: partial responses whose respondent session expired are decided as they are.
@task()
def evaluate_expired_sessions() -> dict:
    return actions.evaluate_expired_sessions()


PERIODIC_TASKS = [mark_breaches]
HOUSEKEEPING_TASKS = [evaluate_overdue, evaluate_expired_sessions]


@task(queue_name=task_queues.TIME_CRITICAL)
def send_case_emails() -> dict:
    from glapp.cases import emails

    return emails.send_queued()


@task(queue_name=task_queues.TIME_CRITICAL)
def send_promoter_asks() -> dict:
    from glapp.cases import promoters

    return promoters.send_queued()


# A queued e-mail whose task was lost (a crash after the commit) goes with the next tick.
PERIODIC_TASKS.extend([send_case_emails, send_promoter_asks])
