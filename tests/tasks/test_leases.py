"""Leases on running tasks: a task whose worker died is queued again (once, whoever recovers it),
a live worker's task is left alone, and a task that keeps killing its worker ends up failed."""

import signal
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from glapp.cli.management.commands.worker import Command, LeasedWorker, split_queues
from glapp.core import task_leases, task_queues
from glapp.core.models import TaskLease
from glapp.responses.models import IdempotencyRecord, ImportJob
from glapp.responses.tasks import import_file, prune_idempotency_records

pytestmark = pytest.mark.django_db

LEASE = 30.0  # seconds; every time below is set relative to now, nothing waits


def running(*, started_ago: float, lease_left: float | None, workers: int = 1, queued=None) -> DBTaskResult:
    """A task a worker claimed `started_ago` seconds ago, with a lease that has `lease_left`
    seconds to go (negative: ran out; None: the worker died before taking one)."""
    db_task = DBTaskResult.objects.get(pk=(queued or prune_idempotency_records.enqueue()).id)
    now = timezone.now()
    DBTaskResult.objects.filter(pk=db_task.pk).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(seconds=started_ago),
        worker_ids=[f"w{i}" for i in range(workers)])
    if lease_left is not None:
        TaskLease.objects.create(task_id=db_task.pk, worker_id=f"w{workers - 1}",
                                 expires_at=now + timedelta(seconds=lease_left))
    db_task.refresh_from_db()
    return db_task


def recover(**options):
    return task_leases.recover_expired("default", seconds=LEASE, max_attempts=options.pop("max_attempts", 3),
                                       **options)


def status(db_task) -> str:
    db_task.refresh_from_db()
    return db_task.status


def test_a_task_whose_lease_ran_out_is_queued_again_on_the_same_row():
    dead = running(started_ago=100, lease_left=-1)
    alive = running(started_ago=100, lease_left=10)  # a long task whose worker renews its lease
    assert recover().requeued == [dead.pk]
    assert (status(dead), status(alive)) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    assert DBTaskResult.objects.count() == 2  # no copy: the row itself runs again
    assert list(TaskLease.objects.values_list("task_id", flat=True)) == [alive.pk]


def test_a_task_without_a_lease_is_recovered_once_it_has_run_a_whole_lease():
    # The worker was killed between claiming the task and taking its lease.
    fresh = running(started_ago=LEASE / 2, lease_left=None)
    old = running(started_ago=LEASE + 1, lease_left=None)
    assert recover().requeued == [old.pk]
    assert status(fresh) == TaskResultStatus.RUNNING


def test_two_recoverers_at_once_queue_it_once():
    dead = running(started_ago=100, lease_left=-1)
    assert recover().requeued == [dead.pk]
    assert recover().requeued == []
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_a_recoverer_that_saw_an_old_run_leaves_a_new_run_alone(monkeypatch):
    dead = running(started_ago=100, lease_left=-1)
    seen = task_leases.expired("default", LEASE, timezone.now())  # recoverer A reads ...
    assert recover().requeued == [dead.pk]  # ... B recovers first, and a worker claims the task again:
    DBTaskResult.objects.filter(pk=dead.pk).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    TaskLease.objects.create(task_id=dead.pk, worker_id="w9", expires_at=timezone.now() + timedelta(seconds=LEASE))
    monkeypatch.setattr(task_leases, "expired", lambda *args: seen)
    assert recover().requeued == []  # A's conditional update matches no row
    assert status(dead) == TaskResultStatus.RUNNING and TaskLease.objects.filter(worker_id="w9").exists()


def test_a_task_that_keeps_losing_its_worker_fails_with_the_reason():
    poison = running(started_ago=100, lease_left=-1, workers=3)
    recovery = recover(max_attempts=3)
    assert (recovery.requeued, recovery.failed) == ([], [poison.pk])
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED and poison.finished_at is not None
    assert poison.exception_class_path == task_leases.WORKER_LOST
    assert "stopped before it finished" in poison.traceback and "3 times" in poison.traceback
    assert not TaskLease.objects.exists()


def test_an_import_whose_worker_keeps_dying_is_marked_failed_keeping_its_counts(org):
    job = ImportJob.objects.create(organization=org, filename="a.csv", file_sha256="0" * 64, status="running",
                                   total_rows=5000, created_count=5000)
    running(started_ago=100, lease_left=-1, workers=3, queued=import_file.enqueue(job.pk, {}, {}))
    recover(max_attempts=3)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("failed", 5000) and job.finished_at is not None
    assert "stopped before it finished" in job.message


def test_leases_left_by_a_finished_task_are_cleared():
    done = running(started_ago=100, lease_left=10)
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)
    recover()
    assert not TaskLease.objects.exists()


def test_a_held_lease_is_taken_renewed_by_its_worker_only_and_released():
    db_task = running(started_ago=0, lease_left=None)
    with task_leases.held(db_task.pk, "me", LEASE):
        lease = TaskLease.objects.get(task_id=db_task.pk)
        assert lease.worker_id == "me" and lease.expires_at > timezone.now() + timedelta(seconds=LEASE - 5)
        assert task_leases.renew(db_task.pk, "me", LEASE)
        assert not task_leases.renew(db_task.pk, "someone else", LEASE)
    assert not TaskLease.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_again_a_task_its_predecessor_was_killed_in(org):
    IdempotencyRecord.objects.create(organization=org, key="old", request_hash="0" * 64, status_code=201, body={})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    dead = running(started_ago=100, lease_left=-1)
    call_command("worker", batch=True, lease=LEASE, verbosity=0)
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.SUCCESSFUL and dead.return_value == 1
    assert len(dead.worker_ids) == 2 and not TaskLease.objects.exists()


def test_the_time_critical_queue_gets_its_own_loop_when_the_worker_runs_several():
    assert split_queues(["*"]) == (["*"], [task_queues.TIME_CRITICAL], True)
    assert split_queues(["analysis", "time_critical"]) == (["analysis"], [], True)
    assert split_queues(["time_critical"]) == (["time_critical"], [], False)
    assert split_queues(["analysis", "imports"]) == (["analysis", "imports"], [], False)


def test_a_stop_signal_while_a_finished_task_releases_its_lease_lets_the_release_finish(monkeypatch):
    """SIGTERM between the task's end and its lease's release used to exit the process in the
    middle of the release's transaction (the loop thought it was idle)."""
    db_task = DBTaskResult.objects.get(pk=prune_idempotency_records.enqueue().id)
    db_task.claim("me")
    worker = LeasedWorker(queue_names=["*"], excluded_queue_names=[], interval=0, batch=True, startup_delay=False,
                          max_tasks=None, worker_id="me", backend_name="default", lease_seconds=LEASE)
    release = task_leases.release

    def stopped_while_releasing(task_id, worker_id):
        worker.shutdown(signal.SIGTERM, None)  # what the signal handler does
        release(task_id, worker_id)

    monkeypatch.setattr(task_leases, "release", stopped_while_releasing)
    worker.run_task(db_task)
    assert not worker.running and not worker.running_task  # the loop stops after this task
    assert status(db_task) == TaskResultStatus.SUCCESSFUL and not TaskLease.objects.exists()


def test_a_starting_worker_recovers_before_it_claims_anything():
    """Recovery (like each periodic job) runs first in the worker's own thread, before its loop
    starts: a dead worker's import is back in the queue before the new worker picks a task, so
    it goes in its priority, not after an analysis queued meanwhile."""
    ran_in = []
    Command()._every(3600, "recovery", lambda: ran_in.append(threading.current_thread()), verbosity=0)
    assert ran_in == [threading.current_thread()]
