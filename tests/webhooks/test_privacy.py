"""Webhook messages in the customer erasure and the data-subject export."""

import pytest
from django.db import transaction

from glapp.accounts.actions import AuditActor
from glapp.core import events
from glapp.privacy.actions import erase_customer, export_customer
from glapp.privacy.queries import Lookup
from glapp.webhooks.models import Attempt, Delivery, Message
from tests.factories import make_org
from tests.webhooks.conftest import add_endpoint
from tests.webhooks.helpers import deliver, store_responses

pytestmark = pytest.mark.django_db


def test_export_holds_the_customers_messages_and_erasure_removes_them_but_not_others(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver, personal_data=True)
    store_responses(org, customer={"external_id": "C-1"})
    org.slug = "acme-2"  # another external id for the second response
    store_responses(org, customer={"external_id": "C-2"}, answers={"nps": 8, "comment": "Helt okej"})
    with transaction.atomic():  # a case message that names her only in its data
        events.CaseChanged(org.pk, case_id=9, kind="created", data={"id": 9, "customer": "C-1"}).send()
    deliver(endpoint)
    assert Attempt.objects.count() == 5

    exported = export_customer(org.pk, Lookup.of(external_id="C-1"), actor=AuditActor.command())
    assert {m["type"] for m in exported["webhook_messages"]} == {"response.created", "response.completed"}
    assert all(m["deliveries"][0]["state"] == "delivered" for m in exported["webhook_messages"])

    erasure = erase_customer(org.pk, Lookup.of(external_id="C-1"), actor=AuditActor.command())
    assert erasure.counts["webhook_messages"] == 3
    left = Message.objects.all()
    assert {m.event_type for m in left} == {"response.created", "response.completed"}
    assert all("C-1" not in m.personal_payload for m in left)
    assert Delivery.objects.count() == 2 and Attempt.objects.count() == 2
