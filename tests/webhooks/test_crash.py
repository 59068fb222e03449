"""A worker killed with SIGKILL while the receiver holds a delivery open: a restarted worker
delivers it, with the same webhook-id; and a message whose task was never queued (a crash after
the commit) is found by the worker's sweep. Real worker processes on the test's database."""

import threading
import time

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from glapp.core import events
from glapp.webhooks.models import Attempt, Delivery, Message
from tests.factories import make_org
from tests.tasks.conftest import LEASE
from tests.tasks.test_crash import kill, start_worker, wait_until
from tests.webhooks.conftest import add_endpoint
from tests.webhooks.receiver import Receiver

CLAIM = 3  # seconds before a delivery claimed by a dead run is due again


@pytest.mark.django_db(transaction=True)
def test_a_delivery_held_open_when_its_worker_dies_is_delivered_after_restart(shared_database, tmp_path):
    env = {**shared_database, "GLAPP_WEBHOOKS_ALLOW_PRIVATE": "1", "GLAPP_WEBHOOK_CLAIM_SECONDS": str(CLAIM)}
    log = tmp_path / "worker.log"
    org = make_org("acme")
    with Receiver() as receiver:
        endpoint = add_endpoint(org, receiver)
        receiver.hold = threading.Event()
        with transaction.atomic():
            events.CaseChanged(org.pk, case_id=1, kind="created", data={"id": 1}).send()
        first = Message.objects.get()

        worker = start_worker(env, log)
        try:
            wait_until(receiver.arrived.is_set, worker, log, "a delivery held open by the receiver")
        finally:
            kill(worker)
        delivery = Delivery.objects.get()
        assert delivery.state == "sending" and not Attempt.objects.exists()
        held = receiver.hold
        receiver.hold = None
        held.set()  # the dead worker's request ends; nobody reads its answer

        # Meanwhile a message commits whose task is never queued (its process died after the commit).
        with transaction.atomic():
            events.CaseChanged(org.pk, case_id=2, kind="created", data={"id": 2}).send()
        DBTaskResult.objects.filter(status="READY").delete()
        type(endpoint).objects.filter(pk=endpoint.pk).update(wake_at=None)
        second = Message.objects.exclude(pk=first.pk).get()

        time.sleep(LEASE)
        worker = start_worker(env, log)
        try:
            wait_until(lambda: Delivery.objects.filter(state="delivered").count() == 2, worker, log,
                       "both messages delivered")
        finally:
            kill(worker)
        ids = [r.webhook_id for r in receiver.received]
        assert ids.count(first.msg_id) == 2, "the held one again, at least once, with the same webhook-id"
        assert ids.count(second.msg_id) == 1
        assert all(r.verified for r in receiver.received)
