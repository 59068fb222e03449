"""`glapp worker` queues the dispatch often, and the queued task sends what is due."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from glapp.cli.management.commands.worker import enqueue_housekeeping
from glapp.distribution.models import Invitation
from glapp.distribution.tasks import PERIODIC_TASKS
from tests.distribution.test_dispatch import invite


# The worker drops a connection left inside a transaction, so the test that runs it commits.
@pytest.mark.django_db(transaction=True)
def test_the_dispatch_is_queued_once_and_sends_when_run(org, smtp):
    inv = invite(org, at=timezone.now() - dt.timedelta(hours=2))
    Invitation.objects.filter(pk=inv.pk).update(scheduled_for=timezone.now() - dt.timedelta(minutes=1))
    assert enqueue_housekeeping("default", PERIODIC_TASKS) == ["dispatch_due_invitations"]
    assert enqueue_housekeeping("default", PERIODIC_TASKS) == []  # already waiting
    # Quiet hours would (rightly) hold the mail back at night; this test is about the queue.
    from glapp.contacts.models import ContactPolicy

    ContactPolicy.objects.filter(organization=org).update(quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0))
    call_command("worker", batch=True, verbosity=0)
    inv.refresh_from_db()
    assert inv.status == "sent" and len(smtp.messages) == 1


@pytest.mark.django_db
def test_worker_has_a_dispatch_interval_option():
    from glapp.cli.management.commands.worker import Command

    parser = Command().create_parser("glapp", "worker")
    assert parser.parse_args(["--dispatch-every", "0"]).dispatch_every == 0
    assert parser.parse_args([]).dispatch_every == 30
