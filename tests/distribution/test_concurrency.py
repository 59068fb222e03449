"""Two events of one customer at the same moment must not both pass the frequency cap.

The threads take the same path as the API handler: `writelock.serialized()` (which queues
writers on SQLite and does nothing on PostgreSQL) around `record_events`, whose transaction
locks the customer's row (`select_for_update`, real on PostgreSQL). Run with DATABASE_URL set
to a PostgreSQL database to exercise the row lock itself.
"""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from glapp.contacts.models import ContactPolicy, Customer
from glapp.core import writelock
from glapp.distribution.actions import record_events
from glapp.distribution.models import Invitation
from glapp.distribution.queries import event_catalog
from glapp.distribution.validation import clean_event
from tests.factories import make_org


@pytest.mark.django_db(transaction=True)
def test_simultaneous_events_of_one_customer_invite_once():
    org = make_org("acme")
    # A known customer whose data the events do not change: a new customer, or an update of the
    # row, would be serialised by the unique index or the UPDATE alone.
    Customer.objects.create(organization=org, external_id="C-1", email="anna@example.se", consent_email=True)
    ContactPolicy.objects.create(organization=org)  # likewise its first creation
    now = timezone.now()
    occurred = (now - dt.timedelta(hours=2)).isoformat()
    catalog = event_catalog(org.id)
    cleans = [clean_event({"id": f"same-time-{n}", "touchpoint": "phone-support", "occurred_at": occurred,
                           "customer": {"external_id": "C-1", "email": "anna@example.se", "consent_email": True}},
                          catalog, now) for n in range(8)]
    barrier = threading.Barrier(len(cleans))
    outcomes, errors = [], []

    def send(clean) -> None:
        try:
            barrier.wait()
            with writelock.serialized():
                [result] = record_events(org.id, [clean])
            outcomes.append((result.outcome, result.reason))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(clean,)) for clean in cleans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == [("invited", "")] + [("skipped", "frequency_cap")] * 7
    assert Invitation.objects.count() == 1
