"""Leases on running background tasks, so that a task whose worker died runs again.

django-tasks-db marks a task RUNNING when a worker claims it and finished when the worker is
done; a worker killed in between (SIGKILL, out of memory, a lost machine) leaves it RUNNING
forever. So a worker holds a lease on each task it runs (`held`): a `TaskLease` row whose expiry
a thread renews every third of the lease while the task runs, deleted when it ends.
`recover_expired`, run by every worker at start and periodically, puts each RUNNING task whose
lease has run out (or that never got one: killed between the claim and the lease) back to
READY, on the same row, so it is never queued twice; after `max_attempts` runs it is failed
with the reason instead, so a task that kills its worker every time cannot loop forever.

A re-run must be harmless, which every glapp task is: each calls an idempotent action (an
import resumes after its last committed chunk, an analysis does what is not stored yet).
"""

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import OperationalError, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from glapp.core.models import TaskLease

logger = logging.getLogger(__name__)

# What a task failed by too many lost workers records as its exception (no such class exists:
# nothing raised it, the worker vanished).
WORKER_LOST = "glapp.core.task_leases.WorkerLost"


def take(task_id, worker_id: str, seconds: float) -> None:
    """Lease a task that this worker has just claimed."""
    TaskLease.objects.update_or_create(
        task_id=task_id, defaults={"worker_id": worker_id, "expires_at": timezone.now() + timedelta(seconds=seconds)})


def renew(task_id, worker_id: str, seconds: float) -> bool:
    """Extend this worker's lease; False if it has none any more (it ran out and the task was
    given to another run, which this one can only finish alongside: tasks are idempotent)."""
    return TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).update(
        expires_at=timezone.now() + timedelta(seconds=seconds)) == 1


def release(task_id, worker_id: str) -> None:
    TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).delete()


@contextmanager
def held(task_id, worker_id: str, seconds: float):
    """Hold a lease on a task while the block runs it, renewed by a thread every third of it."""
    stop = threading.Event()

    def heartbeat() -> None:
        try:
            while not stop.wait(seconds / 3):
                try:
                    if not renew(task_id, worker_id, seconds):
                        logger.warning("Task %s: lease lost; another worker may run it again", task_id)
                except OperationalError as exc:  # locked or unreachable for a moment: the next beat retries
                    logger.warning("Task %s: could not renew its lease: %s", task_id, exc)
        finally:
            connections.close_all()  # this thread's own connections

    try:
        take(task_id, worker_id, seconds)
    except OperationalError as exc:
        # Not fatal: a RUNNING task without a lease is recovered once it has run a whole lease.
        logger.warning("Task %s: could not take a lease: %s", task_id, exc)
    beat = threading.Thread(target=heartbeat, name=f"glapp-lease-{task_id}", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        try:
            release(task_id, worker_id)
        except OperationalError as exc:  # the next recovery clears a finished task's lease
            logger.warning("Task %s: could not release its lease: %s", task_id, exc)


@dataclass
class Recovery:
    requeued: list = field(default_factory=list)  # task ids put back to READY
    failed: list = field(default_factory=list)  # task ids failed after too many lost workers


def expired(backend_name: str, seconds: float, now: datetime) -> "list[tuple]":
    """RUNNING tasks whose lease ran out, or that have none and started a whole lease ago, as
    (id, started_at, worker_ids)."""
    leases = TaskLease.objects.filter(task_id=OuterRef("pk"))
    return list(DBTaskResult.objects.filter(backend_name=backend_name, status=TaskResultStatus.RUNNING).filter(
        Q(Exists(leases.filter(expires_at__lt=now)))
        | (~Exists(leases) & Q(started_at__lt=now - timedelta(seconds=seconds)))
    ).values_list("id", "started_at", "worker_ids"))


def recover_expired(backend_name: str, *, seconds: float, max_attempts: int, now: datetime | None = None) -> Recovery:
    """Queue again (or fail, after `max_attempts` runs) every task whose worker is presumed dead.

    Safe with several workers recovering at once: each task is changed by one conditional
    UPDATE that matches only the run seen expired (still RUNNING, same start), so of two
    recoverers one wins and the other changes nothing, and a run claimed meanwhile is left alone.
    """
    now = now or timezone.now()
    recovery = Recovery()
    for task_id, started_at, worker_ids in expired(backend_name, seconds, now):
        attempts = len(worker_ids)  # django-tasks-db adds the worker's id at every claim
        this_run = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at)
        with transaction.atomic():
            if attempts >= max_attempts:
                changed = this_run.update(
                    status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                    exception_class_path=WORKER_LOST,
                    traceback=(f"The worker running this task stopped before it finished (killed, out of memory or "
                               f"lost) {attempts} times; it is not retried after {max_attempts} attempts."))
                if changed:
                    recovery.failed.append(task_id)
            else:
                changed = this_run.update(status=TaskResultStatus.READY)
                if changed:
                    recovery.requeued.append(task_id)
            if changed:
                TaskLease.objects.filter(task_id=task_id).delete()
    # A worker killed after finishing a task but before releasing its lease leaves the row behind.
    TaskLease.objects.exclude(task__status=TaskResultStatus.RUNNING).delete()
    for task_id in recovery.requeued:
        logger.warning("Task %s: its worker stopped; queued again", task_id)
    for task_id in recovery.failed:
        logger.error("Task %s: its worker stopped %d times; failed", task_id, max_attempts)
        _announce_failure(task_id)
    return recovery


def _announce_failure(task_id) -> None:
    """Send django-tasks' `task_finished`, as a worker does for a task that raised, so whoever
    follows a task hears of this end too (an import job is marked failed)."""
    db_task = DBTaskResult.objects.get(pk=task_id)
    try:
        sender = type(db_task.task.get_backend())
    except ImportError:  # the task's code is gone: nobody can be following it
        return
    task_finished.send(sender=sender, task_result=db_task.task_result)
