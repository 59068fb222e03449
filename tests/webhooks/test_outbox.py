"""Each event becomes a message in the outbox in its own transaction, delivered signed to the
organization's subscribed endpoints; an organization without endpoints writes nothing."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from glapp.core import events
from glapp.webhooks.models import Delivery, Endpoint, Message
from tests.factories import make_org
from tests.webhooks.conftest import add_endpoint
from tests.webhooks.helpers import deliver, store_responses

pytestmark = pytest.mark.django_db


def test_every_event_type_is_delivered_signed_to_a_real_receiver(receiver, django_capture_on_commit_callbacks):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        [result] = store_responses(org, answers={"nps": 3, "comment": "Ring mig på 070-123 45 67, Anna Svensson"})
        with transaction.atomic():
            events.CaseChanged(org.pk, case_id=7, kind="created", data={"id": 7, "response_id": result.id,
                                                                      "status": "open"}).send()
            events.CaseChanged(org.pk, case_id=7, kind="updated", change="assigned",
                               data={"id": 7, "status": "open", "owner": 3}).send()
            events.CaseChanged(org.pk, case_id=7, kind="closed", data={"id": 7, "status": "closed"}).send()
            events.AlertTriggered(org.pk, rule_id=2, response_id=result.id, case_id=7, webhook=True,
                                  data={"rule": "detractor"}).send()
            events.AlertTriggered(org.pk, rule_id=3, response_id=result.id, webhook=False, data={}).send()
    counts = deliver(endpoint)
    assert counts["delivered"] == 6
    types = [b["type"] for b in receiver.bodies()]
    assert sorted(types) == sorted(["response.created", "response.completed", "case.created", "case.updated",
                                    "case.closed", "alert.triggered"])
    assert all(r.verified is not None for r in receiver.received), "every signature verifies"
    created = next(b for b in receiver.bodies() if b["type"] == "response.created")
    response = created["data"]["response"]
    assert response["id"] == result.id and response["survey"] == "nps" and response["answers"]["nps"] == 3
    assert "070-123 45 67" not in json.dumps(created) and "Svensson" not in json.dumps(created)
    assert "customer" not in response, "no customer identifiers without personal data"
    # The alert and the case created name the response, so erasure finds their messages by customer.
    alert = Message.objects.get(event_type="alert.triggered")
    assert alert.customer_id is not None and alert.customer_id == Message.objects.get(
        event_type="response.created").customer_id
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert len({r.webhook_id for r in receiver.received}) == 6


def test_personal_data_goes_only_to_endpoints_allowed_it(receiver, django_capture_on_commit_callbacks):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver, ["response.completed"], personal_data=True)
    with django_capture_on_commit_callbacks(execute=True):
        store_responses(org, answers={"nps": 3, "comment": "Ring mig på 070-123 45 67"})
    deliver(endpoint)
    [body] = receiver.bodies()
    assert body["data"]["response"]["answers"]["comment"] == "Ring mig på 070-123 45 67"
    assert body["data"]["response"]["customer"] == "C-1"


def test_an_organization_without_endpoints_writes_nothing_and_reads_once(receiver):
    org = make_org("acme")
    other = make_org("other")
    add_endpoint(other, receiver)  # another tenant's endpoint changes nothing here
    with CaptureQueriesContext(connection) as queries:
        store_responses(org)
    reads = [q["sql"] for q in queries.captured_queries if "webhooks_endpoint" in q["sql"]]
    assert len(reads) == 1, reads  # response.created and response.completed share one indexed read
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_tenants_get_only_their_own_events(django_capture_on_commit_callbacks):
    from tests.webhooks.receiver import Receiver

    acme, other = make_org("acme"), make_org("other")
    with Receiver() as r1, Receiver() as r2:
        e1, e2 = add_endpoint(acme, r1), add_endpoint(other, r2)
        with django_capture_on_commit_callbacks(execute=True):
            store_responses(acme)
        deliver(e1)
        deliver(e2)
        assert {b["type"] for b in r1.bodies()} == {"response.created", "response.completed"}
        assert r2.received == []
    assert set(Message.objects.values_list("organization_id", flat=True)) == {acme.pk}


def test_unsubscribed_and_disabled_endpoints_get_nothing(receiver, django_capture_on_commit_callbacks):
    org = make_org("acme")
    add_endpoint(org, receiver, ["case.closed"])
    Endpoint.objects.create(organization=org, url=receiver.url, event_types="response.created", secret="whsec_x",
                            active=False)
    store_responses(org)
    assert not Message.objects.exists()


def test_the_outbox_rolls_back_with_the_event(receiver):
    org = make_org("acme")
    add_endpoint(org, receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        events.CaseChanged(org.pk, case_id=1, kind="created", data={"id": 1}).send()
        assert Message.objects.count() == 1
        raise RuntimeError("the case's write fails")
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_events_queue_one_task_per_endpoint_while_one_waits(receiver, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    org = make_org("acme")
    add_endpoint(org, receiver)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            events.CaseChanged(org.pk, case_id=1, kind="updated", data={"id": 1}).send()
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_webhooks").count() == 1
