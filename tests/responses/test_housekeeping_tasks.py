"""Housekeeping runs the same whichever task backend executes it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from glapp.cli.management.commands.worker import enqueue_housekeeping
from glapp.responses import idempotency
from glapp.responses.models import IdempotencyRecord
from glapp.responses.tasks import prune_idempotency_records

# The worker checks its connection between tasks as it would in production, which drops a
# connection left inside a transaction; so tests that run it commit for real.
worker_db = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


def make_records(org, count: int, age_hours: float, prefix: str) -> None:
    for i in range(count):
        IdempotencyRecord.objects.create(organization=org, key=f"{prefix}-{i}", request_hash="0" * 64,
                                         status_code=201, body={"n": i})
    # created_at is auto_now_add, so age the rows afterwards.
    IdempotencyRecord.objects.filter(key__startswith=f"{prefix}-").update(
        created_at=timezone.now() - timedelta(hours=age_hours))


@pytest.fixture
def records(org, other_org, settings):
    settings.GLAPP_IDEMPOTENCY_TTL_HOURS = 24
    make_records(org, 3, age_hours=30, prefix="old")
    make_records(other_org, 2, age_hours=25, prefix="rival-old")
    make_records(org, 4, age_hours=23, prefix="fresh")


def remaining_keys() -> set[str]:
    return set(IdempotencyRecord.objects.values_list("key", flat=True))


FRESH = {f"fresh-{i}" for i in range(4)}


def test_prune_deletes_only_records_past_the_replay_window_in_every_org(records, monkeypatch):
    monkeypatch.setattr(idempotency, "BATCH_SIZE", 2)  # force several batches
    assert idempotency.prune_expired() == 5
    assert remaining_keys() == FRESH
    assert idempotency.prune_expired() == 0  # idempotent


def test_prune_honours_the_configured_ttl(records, settings):
    settings.GLAPP_IDEMPOTENCY_TTL_HOURS = 26
    assert idempotency.prune_expired() == 3
    assert {k for k in remaining_keys() if k.startswith("rival")} == {"rival-old-0", "rival-old-1"}


@override_settings(TASKS=IMMEDIATE)
def test_task_runs_on_the_immediate_backend(records):
    result = prune_idempotency_records.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert remaining_keys() == FRESH


@worker_db
def test_task_runs_on_the_database_queue_when_a_worker_picks_it_up(records):
    result = prune_idempotency_records.enqueue()
    assert result.status == TaskResultStatus.READY
    assert len(remaining_keys()) == 9  # nothing happens until a worker runs

    call_command("worker", batch=True, verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert remaining_keys() == FRESH


@worker_db
def test_housekeeping_is_queued_once_while_waiting():
    everything = ["prune_idempotency_records", "reanalyze_outdated", "analyze_missing_comments", "apply_retention",
                  "evaluate_overdue", "evaluate_expired_sessions"]
    assert enqueue_housekeeping("default") == everything
    assert enqueue_housekeeping("default") == []
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == len(everything)
    call_command("worker", batch=True, verbosity=0)
    assert enqueue_housekeeping("default") == everything


@pytest.mark.django_db
@override_settings(TASKS=IMMEDIATE)
def test_worker_refuses_a_backend_it_cannot_process():
    with pytest.raises(CommandError, match="ImmediateBackend"):
        call_command("worker", batch=True, verbosity=0)
