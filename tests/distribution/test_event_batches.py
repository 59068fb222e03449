"""record_events decides a whole batch in memory: events of one customer see each other's
invitations in order, repeated ids answer with the first outcome, each event's customer data
is applied in order, and the number of queries does not grow with the batch."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from glapp.contacts.models import ContactPolicy, Customer
from glapp.distribution.actions import record_events
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.distribution.queries import event_catalog
from glapp.distribution.validation import clean_event

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm: no quiet hours


def cleans(org, *events):
    catalog = event_catalog(org.id)
    out = []
    for event_id, customer, at, extra in events:
        raw = {"id": event_id, "touchpoint": "phone-support", "occurred_at": at.isoformat(),
               "customer": {"external_id": customer, "email": f"{customer.lower()}@example.se",
                            "consent_email": True, **extra}}
        clean = clean_event(raw, catalog, now=NOON)
        assert not isinstance(clean, list), clean
        out.append(clean)
    return out


def test_events_of_one_customer_in_a_batch_see_each_others_invitations_both_ways(org):
    ContactPolicy.objects.create(organization=org, min_days_between_invitations=5)
    day = dt.timedelta(days=1)
    results = record_events(org.id, cleans(
        org,
        ("e1", "A", NOON - 3 * day, {}),
        ("e2", "A", NOON - 6 * day, {}),  # earlier, but within the cap of e1: the cap looks backwards too
        ("e3", "B", NOON - 6 * day, {}),
        ("e4", "A", NOON - 9 * day, {}),  # 6 days before e1: passes
    ), now=NOON)
    assert [(r.outcome, r.reason) for r in results] == [
        ("invited", ""), ("skipped", "frequency_cap"), ("invited", ""), ("invited", "")]
    assert all(r.created for r in results)
    assert Invitation.objects.filter(customer__external_id="A").count() == 2
    # The stored rows say what the results say, with the ids the results name.
    for r in results:
        event = TouchpointEvent.objects.get(pk=r.event_id)
        assert (event.outcome, event.reason, event.external_id) == (r.outcome, r.reason, r.external_id)
        assert [i.invitation_id for i in r.invitations] == list(
            Invitation.objects.filter(event=event).values_list("id", flat=True))
    assert list(ContactLog.objects.filter(event_id=results[1].event_id).values_list("kind", "reason")) == [
        ("skipped", "frequency_cap")]
    scheduled = ContactLog.objects.get(event_id=results[0].event_id)
    assert (scheduled.kind, scheduled.invitation_id, scheduled.channel) == (
        "scheduled", results[0].invitations[0].invitation_id, "email")


def test_a_repeated_id_answers_with_the_first_outcome_within_and_across_batches(org):
    first = record_events(org.id, cleans(org, ("e1", "A", NOON, {}), ("e1", "B", NOON, {})), now=NOON)
    assert first[0].created and not first[1].created
    assert (first[1].event_id, first[1].outcome, first[1].invitations) == (
        first[0].event_id, "invited", first[0].invitations)
    assert TouchpointEvent.objects.count() == 1 and not Customer.objects.filter(external_id="B").exists()
    again = record_events(org.id, cleans(org, ("e1", "A", NOON, {}), ("e2", "A", NOON, {})), now=NOON)
    assert not again[0].created and again[0].event_id == first[0].event_id
    assert [(i.invitation_id, i.survey, i.channel, i.scheduled_for) for i in again[0].invitations] == [
        (i.invitation_id, i.survey, i.channel, i.scheduled_for) for i in first[0].invitations]
    assert again[1].created and (again[1].outcome, again[1].reason) == ("skipped", "frequency_cap")
    assert Invitation.objects.count() == 1


def test_each_events_customer_data_applies_in_order(org):
    Customer.objects.create(organization=org, external_id="A", email="old@example.se", consent_email=True,
                            email_bounced_at=NOON - dt.timedelta(days=1))
    results = record_events(org.id, cleans(
        org,
        ("e1", "A", NOON, {"email": "old@example.se", "first_name": "Anna"}),  # still the bounced address
        ("e2", "A", NOON, {"email": "new@example.se", "language": "en"}),  # a new one clears the bounce
    ), now=NOON)
    assert [(r.outcome, r.reason) for r in results] == [("skipped", "bounced"), ("invited", "")]
    customer = Customer.objects.get(external_id="A")
    assert (customer.email, customer.first_name, customer.language, customer.email_bounced_at) == (
        "new@example.se", "Anna", "en", None)
    invitation = Invitation.objects.get()
    assert invitation.context["first_name"] == "Anna"


def _queries(org, prefix: str, n: int, known: bool) -> int:
    if known:
        Customer.objects.bulk_create([Customer(organization=org, external_id=f"{prefix}{i}") for i in range(n)])
    batch = cleans(org, *[(f"{prefix}-e{i}", f"{prefix}{i}", NOON, {"first_name": "Kim"}) for i in range(n)])
    with CaptureQueriesContext(connection) as captured:
        results = record_events(org.id, batch, now=NOON)
    assert [r.outcome for r in results] == ["invited"] * n
    return len(captured.captured_queries)


@pytest.mark.parametrize("known", [False, True])
def test_the_queries_of_a_batch_do_not_grow_with_it(org, known):
    ContactPolicy.objects.create(organization=org)
    small = _queries(org, "s", 3, known)
    large = _queries(org, "l", 60, known)
    if known:
        # Known customers whose data the events change are saved one UPDATE each.
        assert large - small == 60 - 3
    else:
        assert large == small
