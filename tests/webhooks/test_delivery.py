"""Retries with backoff, 410 Gone, disabling after failing for days, refused addresses, replay and
the test event: each against a real receiver on loopback."""

import datetime as dt
import socket

import pytest
from django.db import transaction
from django.utils import timezone

from glapp.accounts.actions import AuditActor
from glapp.accounts.models import AuditEntry
from glapp.core import events
from glapp.core.errors import ValidationFailed
from glapp.webhooks import actions, addresses
from glapp.webhooks.models import Attempt, Delivery, Endpoint, Message
from tests.factories import make_org
from tests.webhooks.conftest import add_endpoint
from tests.webhooks.helpers import deliver

pytestmark = pytest.mark.django_db


def case_event(org, case_id=1, kind="updated"):
    with transaction.atomic():
        events.CaseChanged(org.pk, case_id=case_id, kind=kind, data={"id": case_id, "status": "open"}).send()


def make_due():
    Delivery.objects.filter(state="pending").update(next_attempt_at=timezone.now())


def test_a_failed_delivery_is_retried_later_with_the_same_webhook_id(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org)
    receiver.answers.extend([500, 503])
    before = timezone.now()
    assert deliver(endpoint)["retrying"] == 1
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and delivery.last_status == 500
    # The spec's first retry: 5 s, with jitter.
    assert before + dt.timedelta(seconds=4) <= delivery.next_attempt_at <= timezone.now() + dt.timedelta(seconds=6)
    assert deliver(endpoint)["claimed"] == 0, "not due yet"
    make_due()
    deliver(endpoint)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at >= timezone.now() + dt.timedelta(minutes=4)
    make_due()
    deliver(endpoint)
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 3 and delivery.last_status == 200
    assert [r.webhook_id for r in receiver.received] == [delivery.message.msg_id] * 3
    assert all(r.verified for r in receiver.received)
    assert list(Attempt.objects.order_by("id").values_list("status_code", flat=True)) == [500, 503, 200]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_backoff_grows_and_the_last_attempt_fails_for_good():
    now = timezone.now()
    waits = [(actions.next_attempt(n, now) - now).total_seconds() for n in range(1, len(actions.RETRY_SCHEDULE) + 1)]
    for wait, planned in zip(waits, actions.RETRY_SCHEDULE, strict=True):
        assert planned * 0.8 <= wait <= planned * 1.2
    assert actions.next_attempt(len(actions.RETRY_SCHEDULE) + 1, now) is None


def test_after_the_last_attempt_the_delivery_fails(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org)
    Delivery.objects.update(attempts=len(actions.RETRY_SCHEDULE))
    receiver.answers.append(500)
    assert deliver(endpoint)["failed"] == 1
    assert Delivery.objects.get().state == "failed"


def test_410_gone_disables_the_endpoint_at_once(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org, 1)
    case_event(org, 2)
    receiver.answers.append(410)
    deliver(endpoint)
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    assert AuditEntry.objects.filter(action="webhook.disabled", actor="scheduled").exists()
    make_due()
    assert deliver(endpoint)["claimed"] == 0, "a disabled endpoint gets nothing"
    case_event(org, 3)
    assert Delivery.objects.count() == 2, "nor new messages"
    actions.set_active(endpoint, True, actor=AuditActor.command())
    deliver(endpoint)
    assert Delivery.objects.filter(state="delivered").count() == 2


def test_an_endpoint_failing_every_attempt_for_five_days_is_disabled(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org)
    receiver.answers.extend([500, 500])
    deliver(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 1
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - dt.timedelta(days=5, minutes=1))
    make_due()
    deliver(endpoint)
    endpoint.refresh_from_db()
    assert not endpoint.active and "5 days" in endpoint.disabled_reason


def test_a_timeout_is_a_failure_and_stops_the_batch(receiver, settings):
    import threading

    settings.GLAPP_WEBHOOK_TIMEOUT = 0.5
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org, 1)
    case_event(org, 2)
    receiver.hold = threading.Event()
    counts = deliver(endpoint)
    receiver.hold.set()
    assert counts["retrying"] == 1 and counts["unsent"] == 1
    assert "timeout" in Attempt.objects.get().error
    assert set(Delivery.objects.values_list("state", "attempts")) == {("pending", 1), ("pending", 0)}


def test_a_redirect_is_not_followed(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org)
    receiver.answers.append(302)
    deliver(endpoint)
    assert len(receiver.received) == 1 and Delivery.objects.get().state == "pending"


# --- Refused addresses ---------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "224.0.0.1", "100.64.0.1", "240.0.0.1", "::1", "fe80::1",
                                     "fc00::1", "::", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                                     "64:ff9b::a00:1", "2002:7f00:1::"])
def test_private_and_special_addresses_are_refused(address):
    import ipaddress

    assert addresses.refused_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])
def test_public_addresses_are_allowed(address):
    import ipaddress

    assert addresses.refused_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1/hook", "https://127.0.0.1/hook", "https://localhost/x",
                                 "https://[::1]/x", "https://[::ffff:169.254.169.254]/latest", "https://10.0.0.5/",
                                 "http://example.com/hook", "ftp://example.com/", "https://user:pw@example.com/",
                                 "https://no-such-host.invalid/"])
def test_saving_a_refused_url_fails_naming_the_field(settings, url):
    settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE = False
    org = make_org("acme")
    with pytest.raises(ValidationFailed) as failed:
        actions.create_endpoint(org.pk, url, ["case.created"], actor=AuditActor.command())
    assert [e.field for e in failed.value.errors] == ["url"]
    assert not Endpoint.objects.exists()


def test_a_name_that_resolves_to_a_private_address_at_delivery_is_refused(receiver, settings, monkeypatch):
    """Saved while it resolved to a public address; by the time of delivery it resolves to
    loopback (DNS changed): refused when connecting, nothing sent, the reason in the log."""
    settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE = False
    port = receiver.server.server_address[1]
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
    loopback = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    answer = {"now": public}
    monkeypatch.setattr(addresses.socket, "getaddrinfo", lambda *a, **k: answer["now"])
    org = make_org("acme")
    endpoint = actions.create_endpoint(org.pk, f"https://hooks.example.com:{port}/hook", ["case.updated"],
                                       actor=AuditActor.command())
    case_event(org)
    answer["now"] = loopback
    deliver(endpoint)
    assert receiver.received == []
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and "loopback" in attempt.error
    assert Delivery.objects.get().state == "pending"


def test_the_connection_itself_is_checked(receiver, settings, monkeypatch):
    """The address check at connect time, on its own: a URL check that passed (say, moments
    before the name changed) does not let the connection through."""
    from glapp.webhooks import delivery

    settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(addresses, "check_url", lambda url, allow_private: ("127.0.0.1", 80))
    org = make_org("acme")
    endpoint = Endpoint.objects.create(organization=org, url=receiver.url.replace("http:", "https:"),
                                       event_types="case.updated", secret=actions.new_secret())
    case_event(org)
    delivery.run(endpoint.pk, lambda *a, **k: None)
    assert receiver.received == []
    assert "refused" in Attempt.objects.get().error


# --- Replay and the test event -------------------------------------------------------------------

def test_replay_sends_again_with_the_same_webhook_id(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org, 1)
    case_event(org, 2)
    deliver(endpoint)
    first = Message.objects.order_by("id").first()
    assert actions.replay(endpoint, message_ids=[first.pk], actor=AuditActor.command()) == 1
    deliver(endpoint)
    assert [r.webhook_id for r in receiver.received].count(first.msg_id) == 2
    assert AuditEntry.objects.filter(action="webhook.replayed").exists()


def test_replay_of_everything_failed_since_a_time(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org, 1)
    case_event(org, 2)
    Delivery.objects.update(state="failed", attempts=8)
    count = actions.replay(endpoint, failed_since=timezone.now() - dt.timedelta(hours=1), actor=AuditActor.command())
    assert count == 2
    assert deliver(endpoint)["delivered"] == 2
    assert set(Delivery.objects.values_list("state", "attempts")) == {("delivered", 1)}


def test_the_test_event_goes_to_that_endpoint_only(receiver):
    from tests.webhooks.receiver import Receiver

    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    with Receiver() as other_receiver:
        other = add_endpoint(org, other_receiver)
        actions.send_test_event(endpoint, actor=AuditActor.command())
        deliver(endpoint)
        deliver(other)
        assert other_receiver.received == []
    [body] = receiver.bodies()
    assert body["type"] == "webhook.test" and receiver.received[0].verified


def test_a_rotated_secret_signs_with_both_for_a_day(receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    old = endpoint.secret
    new = actions.rotate_secret(endpoint, actor=AuditActor.command())
    case_event(org)
    deliver(endpoint)
    from standardwebhooks import Webhook

    [got] = receiver.received
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)
    assert new != old and new.startswith("whsec_")


def test_the_sweep_wakes_an_endpoint_whose_waiting_task_is_for_later(receiver):
    """A retry's task waits hours ahead; a message committed by a process that died before it
    queued the task is due now: the sweep must not take the later task for this one's."""
    from django_tasks_db.models import DBTaskResult

    from glapp.webhooks import tasks

    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    case_event(org)  # committed; its wake (after the commit) never ran
    Endpoint.objects.filter(pk=endpoint.pk).update(wake_at=timezone.now() + dt.timedelta(hours=5))
    assert tasks.sweep_webhooks.call() == [endpoint.pk]
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_webhooks")
    assert queued.count() == 1 and queued.get().run_after.year == 9999  # django-tasks-db's "at once"
