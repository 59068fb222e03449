"""An invitation falling due while a long analysis runs and thousands wait is sent at once: the
worker runs the time-critical queue in a loop of its own, so no backlog of analysis delays it.

A real worker process on the test's database (as tests/tasks/test_crash.py)."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from glapp.contacts.actions import CustomerData
from glapp.contacts.models import ContactPolicy
from glapp.core import task_queues
from glapp.distribution.actions import record_events
from glapp.distribution.models import Invitation
from glapp.distribution.validation import CleanEvent
from glapp.journeys.models import Touchpoint
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.validation import clean_response
from glapp.surveys.models import Survey
from glapp.textanalytics.tasks import analyze_arrivals
from tests.factories import make_org, response_payload
from tests.tasks.test_crash import TIMEOUT, kill, start_worker

BACKLOG = 1000  # queued analyses, besides the long one
# Comments stored in one transaction: their drain runs for seconds even on a fast machine, well
# over the invitation sender's period (1 s here).
LONG = 15_000


def analyses_waiting() -> int:
    return DBTaskResult.objects.filter(queue_name=task_queues.ANALYSIS, status=TaskResultStatus.READY).count()


def store_many_comments(org) -> None:
    catalog = Catalog.load(org.id)
    ingest_responses(org.id, [clean_response(response_payload(external_id=f"c-{n}", answers={
        "nps": n % 11, "comment": f"Kassan var långsam men personalen var trevlig, besök {n}."}), catalog)
        for n in range(LONG)], "api")


@pytest.mark.timeout(600)  # a busy machine: storing the comments and starting a worker take long
@pytest.mark.django_db(transaction=True)
def test_an_invitation_due_now_is_sent_while_a_long_analysis_runs_and_thousands_wait(shared_database, tmp_path):
    org = make_org("acme")
    store_many_comments(org)  # queues their drain: the first analysis the worker runs
    long_one = DBTaskResult.objects.get(task_path=analyze_arrivals.module_path)
    for _ in range(BACKLOG):
        analyze_arrivals.enqueue(org.id)
    Survey.objects.filter(organization=org).update(invitation_delay_minutes=0)  # due at once …
    ContactPolicy.objects.update_or_create(organization=org, defaults={  # … at any hour of the test
        "quiet_hours_start": dt.time(0), "quiet_hours_end": dt.time(0)})
    touchpoint = Touchpoint.objects.get(organization=org, code="phone-support")
    waiting_before = analyses_waiting()
    assert waiting_before > BACKLOG

    log = tmp_path / "worker.log"
    worker = start_worker(shared_database, log)  # its invitation sender runs every second (the fixture)
    try:
        deadline = time.monotonic() + 3 * TIMEOUT  # a worker's start on a busy machine
        while DBTaskResult.objects.get(pk=long_one.pk).status != TaskResultStatus.RUNNING:
            assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"the long analysis did not start:\n{log.read_text()[-3000:]}"
            time.sleep(0.05)
        # Now, with the long analysis running, an event whose invitation is due at once.
        record_events(org.id, [CleanEvent(
            customer=CustomerData(external_id="K1", first_name="Anna", email="anna@example.se", language="sv",
                                  consent_email=True),
            touchpoint_id=touchpoint.id, occurred_at=timezone.now(), external_id="E1", interaction="call")])
        invitation = Invitation.objects.get(event__external_id="E1")
        assert invitation.scheduled_for <= timezone.now()
        deadline = time.monotonic() + TIMEOUT
        while Invitation.objects.get(pk=invitation.pk).status != Invitation.Status.SENT:
            assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"not sent after {TIMEOUT}s:\n{log.read_text()[-3000:]}"
            time.sleep(0.05)
        waiting_at_send = analyses_waiting()
        invitation.refresh_from_db()
        assert DBTaskResult.objects.get(pk=long_one.pk).started_at < invitation.created_at, \
            "the long analysis had not started when the invitation fell due: the test proves nothing"
        # Sent while the long analysis still ran (read after the send: running still, or ended later).
        long_now = DBTaskResult.objects.get(pk=long_one.pk)
        assert long_now.status == TaskResultStatus.RUNNING or long_now.finished_at > invitation.sent_at
        assert waiting_at_send > waiting_before // 2, (waiting_before, waiting_at_send)
    finally:
        kill(worker)  # a stopping worker would first finish the long analysis
