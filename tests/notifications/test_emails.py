"""Notification e-mails through a real SMTP server: once, in the recipient's language, codes and
the link only; digests grouped per person at their hour, on a fixed clock."""

import datetime as dt
import email
import email.policy
import zoneinfo

import pytest
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.cases import actions
from glapp.notifications import actions as notify_actions
from glapp.notifications import emails
from glapp.notifications.models import Delivery, EmailState, Kind, Notification
from tests.notifications.helpers import assign_on_open, open_case, person

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
# A fixed clock: Tuesday 2026-03-10 in Stockholm (digest hours are the installation's).
MORNING = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=STOCKHOLM)


def messages(smtp):
    return [(to, email.message_from_bytes(raw, policy=email.policy.default)) for to, raw in smtp.messages]


def at(notifications, when: dt.datetime) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(created_at=when)


def test_an_immediate_notification_is_emailed_once_with_the_link_and_no_comment_text(org, smtp, settings):
    settings.TIME_ZONE = "Europe/Stockholm"
    assign_on_open(org)
    sara = person(org, "sara", unit_code="acme-north-store", language="en")
    case = open_case(org)
    assert case.owner_id == sara.id
    assert emails.send_immediate() == {"sent": 1, "uncertain": 0}
    assert emails.send_immediate() == {"sent": 0, "uncertain": 0}  # sent once
    [(to, message)] = messages(smtp)
    body = message.get_content()
    assert to == ["sara@acme.test"] and message.get_content_type() == "text/plain" and not message.is_multipart()
    assert f"Case #{case.id}" in str(message["Subject"]) and "was assigned to you" in str(message["Subject"])
    assert f"https://glapp.test/cases/{case.id}/" in body
    assert "script" not in body and "Eva" not in body and "070" not in body  # nothing of the comment
    n = Notification.objects.get()
    assert n.email_state == EmailState.SENT and n.emailed_at


def test_the_email_is_in_the_recipients_language(org, smtp):
    assign_on_open(org)
    person(org, "sara", unit_code="acme-north-store", language="sv")
    case = open_case(org)
    emails.send_immediate()
    [(_, message)] = messages(smtp)
    assert str(message["Subject"]).strip().startswith(f"Ärende #{case.id}")


def test_a_crash_between_claim_and_send_is_never_resent(org, smtp):
    assign_on_open(org)
    person(org, "sara", unit_code="acme-north-store")
    open_case(org)
    # A worker claimed it and died before the send finished.
    Notification.objects.update(email_state=EmailState.SENDING, email_claim="dead",
                                email_claimed_at=timezone.now() - dt.timedelta(minutes=1))
    assert emails.send_immediate() == {"sent": 0, "uncertain": 0}  # still someone else's
    later = timezone.now() + emails.STALE_CLAIM + dt.timedelta(minutes=1)
    assert emails.send_immediate(now=later) == {"sent": 0, "uncertain": 1}
    assert emails.send_immediate(now=later) == {"sent": 0, "uncertain": 0}
    assert not smtp.messages and Notification.objects.get().email_state == EmailState.UNCERTAIN


def test_an_smtp_failure_is_retried_then_given_up(org, smtp, settings):
    assign_on_open(org)
    person(org, "sara", unit_code="acme-north-store")
    open_case(org)
    settings.EMAIL_PORT = 1  # nothing listens there
    for _ in range(emails.MAX_ATTEMPTS):
        assert emails.send_immediate()["sent"] == 0
    n = Notification.objects.get()
    assert n.email_state == EmailState.FAILED and n.email_attempts == emails.MAX_ATTEMPTS and n.email_error
    assert not smtp.messages


def test_a_notification_read_before_its_email_is_not_emailed(org, smtp):
    assign_on_open(org)
    sara = person(org, "sara", unit_code="acme-north-store")
    open_case(org)
    notify_actions.mark_read(org.id, sara.id)
    assert emails.send_immediate()["sent"] == 0 and not smtp.messages


def test_no_address_no_email(org, smtp):
    assign_on_open(org)
    person(org, "sara", unit_code="acme-north-store", email=False)
    open_case(org)
    assert emails.send_immediate()["sent"] == 0
    assert Notification.objects.get().email_state == EmailState.NONE and not smtp.messages


def local(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(("delivery", "now", "cutoff"), [
    (Delivery.HOURLY, local(2026, 3, 10, 14, 20), local(2026, 3, 10, 14, 0)),
    (Delivery.DAILY, local(2026, 3, 10, 6, 59), local(2026, 3, 9, 7, 0)),
    (Delivery.DAILY, local(2026, 3, 10, 7, 0), local(2026, 3, 10, 7, 0)),
    # The day the clocks go forward: the morning is still 07:00 local.
    (Delivery.DAILY, local(2026, 3, 29, 9, 0), local(2026, 3, 29, 7, 0)),
])
def test_digest_cutoffs(settings, delivery, now, cutoff):
    settings.TIME_ZONE = "Europe/Stockholm"
    assert emails.digest_cutoff(delivery, now) == cutoff


def _queue_items(org, user, n, when):
    made = []
    for i in range(n):
        made += notify_actions.notify(org.id, Kind.QUEUE if i % 2 else Kind.ALERT, [user.id], unit_id=None,
                                      case_id=None, title=f"#{100 + i}")
    at(made, when)
    return made


def test_the_daily_digest_is_one_email_per_person_grouped_by_kind_sent_from_the_morning(org, smtp, settings):
    settings.TIME_ZONE = "Europe/Stockholm"
    ana = person(org, "ana", role=Role.ADMIN, language="en")
    bo = person(org, "bo", role=Role.ADMIN, language="en")
    yesterday = MORNING - dt.timedelta(hours=10)
    _queue_items(org, ana, 3, yesterday)
    _queue_items(org, bo, 1, yesterday)
    # Just before the digest's hour, and at it (in tomorrow's digest).
    late = _queue_items(org, ana, 1, MORNING.replace(second=0) - dt.timedelta(seconds=1))
    today = _queue_items(org, ana, 1, MORNING.replace(second=0))
    assert emails.send_digests(now=MORNING - dt.timedelta(hours=1)) == {"digests": 0, "uncertain": 0}  # 06:00
    assert emails.send_digests(now=MORNING) == {"digests": 2, "uncertain": 0}
    assert emails.send_digests(now=MORNING + dt.timedelta(minutes=1))["digests"] == 0  # once
    sent = {to[0]: m for to, m in messages(smtp)}
    assert set(sent) == {"ana@acme.test", "bo@acme.test"}
    body = sent["ana@acme.test"].get_content()
    subject = str(sent["ana@acme.test"]["Subject"])
    assert "4 notifications" in subject and "daily" in subject
    assert body.index("New case in my queue (1)") < body.index("Alert rule matched (3)")
    assert body.count("https://glapp.test/") >= 4
    assert Notification.objects.get(pk=late[0].pk).email_state == EmailState.SENT
    assert Notification.objects.get(pk=today[0].pk).email_state == EmailState.PENDING
    assert emails.send_digests(now=MORNING + dt.timedelta(days=1))["digests"] == 1


def test_the_hourly_digest_holds_the_hour_before(org, smtp, settings):
    settings.TIME_ZONE = "Europe/Stockholm"
    ana = person(org, "ana", role=Role.ADMIN)
    notify_actions.set_preferences(org.id, ana.id, {Kind.ALERT: Delivery.HOURLY, Kind.QUEUE: Delivery.HOURLY})
    ten = dt.datetime(2026, 3, 10, 10, 0, tzinfo=STOCKHOLM)
    _queue_items(org, ana, 2, ten + dt.timedelta(minutes=15))
    assert emails.send_digests(now=ten + dt.timedelta(minutes=59))["digests"] == 0
    assert emails.send_digests(now=ten + dt.timedelta(hours=1, seconds=5))["digests"] == 1
    [(_, message)] = messages(smtp)
    assert "2" in str(message["Subject"])


def test_a_crashed_digest_is_not_resent(org, smtp, settings):
    settings.TIME_ZONE = "Europe/Stockholm"
    ana = person(org, "ana", role=Role.ADMIN)
    items = _queue_items(org, ana, 2, MORNING - dt.timedelta(hours=3))
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(
        email_state=EmailState.SENDING, email_claim="dead", email_claimed_at=MORNING)
    assert emails.send_digests(now=MORNING + dt.timedelta(hours=1)) == {"digests": 0, "uncertain": 2}
    assert not smtp.messages


def test_hostile_names_are_inert_in_emails(org, smtp, settings):
    """An organization or unit named like a header or markup stays one plain-text line."""
    org.name = "Acme\r\nBcc: evil@example.com <script>"
    org.save()
    assign_on_open(org)
    person(org, "sara", unit_code="acme-north-store")
    case = open_case(org)
    actions.add_note(case, "<img src=x onerror=alert(1)> Eva 070-1234567", actor_id=None)
    emails.send_immediate()
    for to, message in messages(smtp):
        assert to == ["sara@acme.test"] and message["Bcc"] is None
        assert message.get_content_type() == "text/plain" and not message.is_multipart()
        assert "onerror" not in message.get_content() and "070" not in message.get_content()
