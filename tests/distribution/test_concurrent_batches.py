"""Concurrent batches sharing customers, new and known, listed in different orders: none
deadlocks, and no customer gets two invitations within the frequency cap. Run with
DATABASE_URL set to a PostgreSQL database to exercise the row locks and ON CONFLICT inserts."""

import datetime as dt
import itertools
import random
import threading
from collections import defaultdict

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

CAP_DAYS = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_neither_deadlock_nor_pass_the_cap_twice():
    org = make_org("acme")
    ContactPolicy.objects.create(organization=org, min_days_between_invitations=CAP_DAYS)
    Customer.objects.bulk_create([Customer(organization=org, external_id=f"C{i}", email=f"c{i}@example.se",
                                           consent_email=True) for i in range(0, 40, 2)])  # half known
    now = timezone.now()
    catalog = event_catalog(org.id)
    rng = random.Random(7)
    batches = []
    for b in range(6):
        people = rng.sample(range(40), 25)  # overlapping, each batch in its own order
        batches.append([clean_event({
            "id": f"b{b}-{n}", "touchpoint": "phone-support",
            "occurred_at": (now - dt.timedelta(hours=rng.randint(2, 24 * 6))).isoformat(),
            "customer": {"external_id": f"C{i}", "email": f"c{i}@example.se", "consent_email": True},
        }, catalog, now) for n, i in enumerate(people)])
    barrier = threading.Barrier(len(batches))
    results, errors = [], []

    def send(batch) -> None:
        try:
            barrier.wait()
            with writelock.serialized():
                results.extend(record_events(org.id, batch, now=now))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 6 * 25 and Customer.objects.filter(organization=org).count() == 40
    times = defaultdict(list)
    for customer_id, at in Invitation.objects.filter(organization=org).values_list("customer_id", "scheduled_for"):
        times[customer_id].append(at)
    assert times, "some events must invite"
    for ats in times.values():
        ats.sort()
        assert all(b - a >= dt.timedelta(days=CAP_DAYS) for a, b in itertools.pairwise(ats))
    assert sum(len(r.invitations) for r in results) == sum(len(ats) for ats in times.values())
