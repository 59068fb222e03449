"""Notifications point at customers' cases: a customer's erasure takes those about them, and
retention's contact-history period takes read ones once they are older than it."""

import datetime as dt

import pytest
from django.utils import timezone

from glapp.accounts.actions import AuditActor
from glapp.accounts.models import Role
from glapp.notifications.models import Notification
from glapp.privacy import retention
from glapp.privacy.actions import erase_customer
from glapp.privacy.models import RetentionPolicy
from glapp.privacy.queries import Lookup
from tests.notifications.helpers import open_case, person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["anonymise", "delete"])
def test_erasure_deletes_notifications_about_the_persons_cases_and_responses(org, mode):
    person(org, "north", unit_code="acme-north-store")
    whole = person(org, "whole", role=Role.ANALYST)
    greta = open_case(org, external_id="R-1", customer="GRETA", notify_users=[whole.id])
    bertil = open_case(org, external_id="R-2", customer="BERTIL")
    # An alert that opened no case points at her response alone.
    open_case(org, external_id="R-3", customer="GRETA", open_case=False, notify_users=[whole.id])
    hers = Notification.objects.filter(case=greta) | Notification.objects.filter(response__external_id="R-3")
    assert hers.count() >= 2 and Notification.objects.filter(case=bertil).exists()
    kept = set(Notification.objects.filter(case=bertil).values_list("id", flat=True))

    erasure = erase_customer(org.id, Lookup.of(external_id="GRETA"), mode, actor=AuditActor.command())

    assert erasure.counts["notifications"] >= 2
    assert set(Notification.objects.values_list("id", flat=True)) == kept


def test_retention_deletes_read_notifications_older_than_the_contact_history_period(org):
    north = person(org, "north", unit_code="acme-north-store")
    for i in range(4):
        open_case(org, external_id=f"R-{i}", customer=f"C-{i}")
    now = timezone.now()
    old_read, old_unread, new_read, new_unread = Notification.objects.filter(user=north).order_by("id")
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(created_at=now - dt.timedelta(days=40))
    Notification.objects.filter(pk__in=[old_read.pk, new_read.pk]).update(read_at=now - dt.timedelta(days=1))
    RetentionPolicy.objects.create(organization=org, contact_history_days=30)

    preview = retention.apply_retention(org.id, actor=AuditActor.command(), now=now, dry_run=True)
    assert preview.counts["contact_history"]["notifications"] == 1
    run = retention.apply_retention(org.id, actor=AuditActor.scheduled(), now=now)

    assert run.counts["contact_history"]["notifications"] == 1
    assert set(Notification.objects.values_list("id", flat=True)) == {old_unread.pk, new_read.pk, new_unread.pk}
    assert retention.apply_retention(org.id, actor=AuditActor.scheduled(), now=now).counts.get(
        "contact_history", {}).get("notifications") is None  # a second run finds nothing
