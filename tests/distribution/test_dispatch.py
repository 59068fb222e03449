"""Sending: claims, crashes, retries, bounces, reminders, expiry, and send-time re-checks,
against a real SMTP server on loopback."""

import datetime as dt
import email
import re
from email import policy as email_policy

import pytest
from django.utils import timezone

from glapp.contacts.models import ContactPolicy, Customer
from glapp.core import events
from glapp.distribution import dispatch
from glapp.distribution.actions import record_events
from glapp.distribution.channels.content import invitation_text, message_id
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import ContactLog, Invitation
from glapp.distribution.queries import event_catalog, invitation_for_token
from glapp.distribution.validation import clean_event
from tests.api.helpers import Api, assert_problem, key_for

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm


def invite(org, external_id="C1", email_address="anna@example.se", at=NOON - dt.timedelta(hours=3), **customer):
    raw = {"id": f"ev-{external_id}-{at.isoformat()}", "touchpoint": "phone-support", "occurred_at": at.isoformat(),
           "customer": {"external_id": external_id, "email": email_address, "consent_email": True,
                        "first_name": "Anna", "language": "sv", **customer},
           "metadata": {"agent": "Bo"}}
    clean = clean_event(raw, event_catalog(org.id), now=at)
    assert not isinstance(clean, list), clean
    [result] = record_events(org.id, [clean], now=at)
    assert result.outcome == "invited", result
    return Invitation.objects.get(pk=result.invitations[0].invitation_id)


def parsed(smtp):
    return [email.message_from_bytes(raw, policy=email_policy.default) for _, raw in smtp.messages]


def test_the_mail_speaks_the_customers_language_and_escapes(org, smtp):
    inv = invite(org, first_name="<b>Anna</b>")
    assert dispatch_due_invitations(now=NOON) == {"sent": 1}
    [mail] = parsed(smtp)
    assert mail["Message-ID"] == message_id(inv) == message_id(Invitation.objects.get(pk=inv.pk))
    assert re.fullmatch(rf"<inv-{inv.pk}\.[0-9a-f]{{12}}@acme\.test>", mail["Message-ID"])
    assert mail["To"] == "anna@example.se"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Hur troligt är det att du skulle rekommendera oss?" in text
    assert f"https://glapp.test/r/{inv.token}/" in text and f"https://glapp.test/u/{inv.token}/" in text
    assert "&lt;b&gt;Anna&lt;/b&gt;" in html and "<b>Anna</b>" not in html
    assert f'src="https://glapp.test/r/{inv.token}/o.gif"' in html
    inv.refresh_from_db()
    assert inv.status == "sent" and inv.sent_at == NOON and inv.message_id == mail["Message-ID"]
    assert inv.expires_at == NOON + dt.timedelta(days=14) and inv.reminder_due_at == NOON + dt.timedelta(days=3)
    assert ContactLog.objects.filter(invitation=inv, kind="sent").count() == 1


def test_dispatch_twice_sends_once(org, smtp):
    invite(org)
    dispatch_due_invitations(now=NOON)
    assert dispatch_due_invitations(now=NOON + dt.timedelta(minutes=1)) == {}
    assert len(smtp.messages) == 1


def test_not_due_yet_is_not_sent(org, smtp):
    invite(org, at=NOON)  # scheduled an hour later
    assert dispatch_due_invitations(now=NOON) == {}
    assert dispatch_due_invitations(now=NOON + dt.timedelta(hours=1)) == {"sent": 1}


def test_a_crash_after_the_claim_never_resends(org, smtp):
    inv = invite(org)
    # A worker claimed it and died before recording the outcome.
    Invitation.objects.filter(pk=inv.pk).update(status="sending", claimed_at=NOON - dt.timedelta(minutes=1),
                                                attempts=1)
    assert dispatch_due_invitations(now=NOON) == {}  # a fresh claim is left alone
    later = NOON + dispatch.SENDING_TIMEOUT
    assert dispatch_due_invitations(now=later) == {"uncertain": 1}
    inv.refresh_from_db()
    assert inv.status == "uncertain"
    assert dispatch_due_invitations(now=later + dt.timedelta(hours=1)) == {}
    assert smtp.messages == []
    assert ContactLog.objects.filter(invitation=inv, kind="failed", reason="uncertain").count() == 1


def test_a_claim_taken_by_another_worker_is_skipped(org, smtp):
    inv = invite(org)
    senders = dispatch._Senders()
    Invitation.objects.filter(pk=inv.pk).update(status="sending", claimed_at=NOON)
    assert dispatch._dispatch_one(inv.pk, NOON, senders) == "taken"
    assert smtp.messages == []


def test_the_recipient_refused_is_a_bounce(org, smtp):
    inv = invite(org, email_address="bounce@example.se")
    assert dispatch_due_invitations(now=NOON) == {"bounced": 1}
    inv.refresh_from_db()
    assert inv.status == "bounced" and inv.bounced_at == NOON
    assert inv.customer.email_bounced_at == NOON
    assert ContactLog.objects.filter(kind="bounced", invitation=inv).count() == 1


def test_a_server_that_is_down_is_retried_then_given_up(org, smtp, settings):
    inv = invite(org)
    settings.EMAIL_PORT = 1  # nothing listens there
    now = NOON
    for attempt in range(1, dispatch.MAX_ATTEMPTS):
        assert dispatch_due_invitations(now=now) == {"retry": 1}
        inv.refresh_from_db()
        assert inv.status == "scheduled" and inv.attempts == attempt
        assert inv.scheduled_for == now + dispatch.RETRY_BASE * 2 ** (attempt - 1)
        now = inv.scheduled_for
    assert dispatch_due_invitations(now=now) == {"failed": 1}
    inv.refresh_from_db()
    assert inv.status == "failed" and inv.error
    assert ContactLog.objects.filter(kind="failed", invitation=inv).count() == 1


def test_an_opt_out_after_scheduling_is_honoured_at_send_time(org, smtp):
    inv = invite(org)
    Customer.objects.filter(pk=inv.customer_id).update(unsubscribed_at=NOON - dt.timedelta(minutes=5))
    assert dispatch_due_invitations(now=NOON) == {"cancelled": 1}
    assert smtp.messages == []
    assert ContactLog.objects.get(kind="skipped", invitation=inv).reason == "opted_out"
    inv.refresh_from_db()
    assert inv.status == "cancelled"


def test_quiet_hours_at_send_time_defer(org, smtp):
    inv = invite(org)
    night = dt.datetime(2026, 6, 10, 21, 30, tzinfo=dt.UTC)  # 23:30 in Stockholm
    assert dispatch_due_invitations(now=night) == {"deferred": 1}
    inv.refresh_from_db()
    assert inv.scheduled_for == dt.datetime(2026, 6, 11, 6, 0, tzinfo=dt.UTC)
    assert smtp.messages == []


def test_one_reminder_when_not_answered(org, smtp):
    inv = invite(org)
    dispatch_due_invitations(now=NOON)
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=2)) == {}
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=3)) == {"reminded": 1}
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=4)) == {}
    first, reminder = parsed(smtp)
    assert reminder["Message-ID"] == message_id(inv, reminder=True) == first["Message-ID"].replace(
        f"<inv-{inv.pk}.", f"<inv-{inv.pk}-r.")
    # A long non-ASCII subject is folded onto a continuation line; unfolded it reads as sent.
    assert reminder["Subject"].strip() == invitation_text(inv, reminder=True).subject != first["Subject"].strip()
    assert ContactLog.objects.filter(kind="reminded", invitation=inv).count() == 1


def test_no_reminder_after_an_answer(org, smtp, django_capture_on_commit_callbacks):
    answered = invite(org)
    dispatch_due_invitations(now=NOON)
    with django_capture_on_commit_callbacks(execute=True):  # the respondent page reports on commit
        events.SurveyAnswered(org.id, token=answered.token).send()
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=5)) == {}
    assert len(smtp.messages) == 1


def test_no_reminder_when_the_survey_never_reminds(org, smtp):
    from glapp.surveys.models import Survey

    Survey.objects.filter(code="nps").update(reminder_after_days=None)
    inv = invite(org)
    dispatch_due_invitations(now=NOON)
    inv.refresh_from_db()
    assert inv.reminder_due_at is None
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=5)) == {}
    assert len(smtp.messages) == 1


def test_no_reminder_after_an_opt_out(org, smtp):
    inv = invite(org)
    dispatch_due_invitations(now=NOON)
    Customer.objects.filter(pk=inv.customer_id).update(unsubscribed_at=NOON + dt.timedelta(days=1))
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=3)) == {"reminder_skipped": 1}
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=4)) == {}
    assert len(smtp.messages) == 1
    assert ContactLog.objects.filter(kind="skipped", reason="opted_out", invitation=inv).count() == 1


def test_a_reminder_due_at_night_waits_for_morning(org, smtp):
    invite(org)
    dispatch_due_invitations(now=NOON)
    night = NOON + dt.timedelta(days=3, hours=11)  # 23:00 in Stockholm
    assert dispatch_due_invitations(now=night) == {"reminder_deferred": 1}
    assert dispatch_due_invitations(now=night + dt.timedelta(hours=9)) == {"reminded": 1}
    assert len(smtp.messages) == 2


def test_a_reminder_across_the_clock_change_comes_at_the_same_local_time(org, smtp):
    """Sent Friday 27 March 2026 at 20:30 in Stockholm; three days later is Monday 20:30 (summer
    time), not 21:30, which is in the quiet hours and would wait for Tuesday morning."""
    sent = dt.datetime(2026, 3, 27, 19, 30, tzinfo=dt.UTC)
    invite(org, at=sent - dt.timedelta(hours=3))
    assert dispatch_due_invitations(now=sent) == {"sent": 1}
    inv = Invitation.objects.get()
    assert inv.reminder_due_at == dt.datetime(2026, 3, 30, 18, 30, tzinfo=dt.UTC)
    assert inv.expires_at == dt.datetime(2026, 4, 10, 18, 30, tzinfo=dt.UTC)  # 14 days, 20:30 too
    assert dispatch_due_invitations(now=inv.reminder_due_at) == {"reminded": 1}


def test_respondent_events_are_noted_once(org, smtp, django_capture_on_commit_callbacks):
    inv = invite(org)
    dispatch_due_invitations(now=NOON)
    with django_capture_on_commit_callbacks(execute=True):
        events.SurveyCompleted(org.id, token=inv.token).send()
    with django_capture_on_commit_callbacks(execute=True):
        events.SurveyCompleted(org.id, token=inv.token).send()
        events.SurveyOpened(org.id, token="no-such-token").send()
    inv.refresh_from_db()
    assert inv.opened_at and inv.responded_at and inv.completed_at
    kinds = sorted(ContactLog.objects.filter(invitation=inv).values_list("kind", flat=True))
    assert kinds == ["completed", "opened", "responded", "scheduled", "sent"]


def test_expiry_closes_the_link(org, smtp):
    inv = invite(org)
    dispatch_due_invitations(now=NOON)
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=14)) == {"expired": 1}
    found = invitation_for_token(inv.token)
    assert found.status == "expired" and found.expires_at <= NOON + dt.timedelta(days=14)
    assert ContactLog.objects.filter(kind="expired", invitation=inv).count() == 1
    assert len(smtp.messages) == 1  # the reminder was due on day 3 but never sent: we skipped that run
    assert invitation_for_token("nope") is None


def test_bounce_reports_by_message_id_and_by_address(org, smtp, api):
    inv = invite(org)
    dispatch_due_invitations(now=NOON)
    r = api.post("/deliveries/bounces", {"message_id": message_id(inv, reminder=True), "kind": "hard"})
    assert r.status_code == 200 and r.json() == {"matched": 1, "addresses_marked": 1}
    inv.refresh_from_db()
    assert inv.status == "bounced" and inv.customer.email_bounced_at is not None
    Customer.objects.create(organization=org, external_id="C9", email="x@example.se", consent_email=True)
    r = api.post("/deliveries/bounces", {"address": "X@example.se", "kind": "soft"})
    assert r.json() == {"matched": 1, "addresses_marked": 0}
    r = api.post("/deliveries/bounces", {"address": "x@example.se", "kind": "hard"})
    assert r.json()["addresses_marked"] == 1
    assert api.post("/deliveries/bounces", {"kind": "hard"}).status_code == 422


def test_a_unit_limited_key_may_not_report_bounces(org):
    """An address is the organization's, not a unit's: a store's key could otherwise stop another
    unit's invitations to a customer, and learn from `matched` whose address it is."""
    Customer.objects.create(organization=org, external_id="C9", email="x@example.se", consent_email=True)
    store = Api(key_for(org, unit_code="acme-north-store"))
    r = store.post("/deliveries/bounces", {"address": "x@example.se", "kind": "hard"})
    assert_problem(r, 403)
    assert Customer.objects.get(external_id="C9").email_bounced_at is None


def test_sms_invitation_goes_to_the_outbox(org, smtp, settings):
    import json
    from pathlib import Path

    inv = invite(org, email_address="", phone="+46701234567", consent_sms=True)
    assert inv.channel == "sms"
    assert dispatch_due_invitations(now=NOON) == {"sent": 1}
    [sms] = [json.loads(line) for line in Path(settings.GLAPP_SMS_OUTBOX).read_text().splitlines()]
    assert sms["to"] == "+46701234567" and f"https://glapp.test/r/{inv.token}/" in sms["message"]
    assert f"https://glapp.test/u/{inv.token}/" in sms["message"]


def test_policy_is_created_lazily(org):
    assert not ContactPolicy.objects.filter(organization=org).exists()
    invite(org)
    assert ContactPolicy.objects.filter(organization=org).count() == 1
    assert timezone.now()
