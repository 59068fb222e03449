"""Background work for responses. Thin: each task loads its record and calls the action."""

from django_tasks import task

from glapp.core import task_queues
from glapp.responses import idempotency, queries
from glapp.responses.importing.jobs import run_import_job
from glapp.responses.importing.reading import TableError


@task(queue_name=task_queues.IMPORTS, priority=task_queues.IMPORT_PRIORITY)
def import_file(job_id: int, mapping: dict[str, str], defaults: dict[str, str], options: dict | None = None) -> dict:
    """Run a stored import (or dry run) job. Safe to retry: keys make re-runs add only what is missing.
    `options`: how the cells read and what to create first (importing/options.py); tasks queued
    before options existed run without them."""
    job = queries.job_by_id(job_id)
    if job is None or job.finished_at is not None:
        return {"skipped": True}
    try:
        report = run_import_job(job, mapping, defaults, options=options)
    except TableError:
        return {"failed": True}  # recorded on the job; retrying cannot fix an unreadable file
    return {"total": report.total, "created": report.created, "duplicates": report.duplicates,
            "rejected": report.rejected}


@task()
def prune_idempotency_records() -> int:
    """Periodic: delete stored Idempotency-Key outcomes older than the replay window."""
    return idempotency.prune_expired()


# Queued with the installation's housekeeping by `glapp worker`; each is safe to run twice.
HOUSEKEEPING_TASKS = [prune_idempotency_records]
