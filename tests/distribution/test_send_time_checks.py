"""Send-time rules found in review: the event's requested channel, closed surveys and answered
invitations, one bad invitation in a run, the sender's name and Message-ID (real SMTP server)."""

import datetime as dt
import email
import json
import re
from email import policy as email_policy
from pathlib import Path

import pytest
from django.utils import translation

from glapp.accounts.models import Organization
from glapp.contacts.models import Customer
from glapp.core import events
from glapp.distribution.actions import record_events
from glapp.distribution.channels.content import from_header, message_id
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import REASON_LABELS, ContactLog, Invitation
from glapp.distribution.queries import event_catalog
from glapp.distribution.rules import SKIP_REASONS
from glapp.distribution.validation import clean_event
from glapp.surveys.models import Survey
from tests.distribution.test_dispatch import NOON, invite

pytestmark = pytest.mark.django_db


def invite_by(org, channel, external_id="C1", **customer):
    at = NOON - dt.timedelta(hours=3)
    raw = {"id": f"ev-{external_id}", "touchpoint": "phone-support", "occurred_at": at.isoformat(),
           "channel": channel,
           "customer": {"external_id": external_id, "first_name": "Anna", "language": "sv", **customer}}
    clean = clean_event(raw, event_catalog(org.id), now=at)
    assert not isinstance(clean, list), clean
    [result] = record_events(org.id, [clean], now=at)
    assert result.outcome == "invited", result
    return Invitation.objects.get(pk=result.invitations[0].invitation_id)


def sms_outbox(settings) -> list[dict]:
    path = Path(settings.GLAPP_SMS_OUTBOX)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


BOTH = {"email": "anna@example.se", "consent_email": True, "phone": "+46701234567", "consent_sms": True}


def test_a_requested_email_goes_by_email_although_the_customer_prefers_sms(org, smtp, settings):
    inv = invite_by(org, "email", preferred_channel="sms", **BOTH)
    assert inv.channel == "email" and inv.channel_requested
    assert dispatch_due_invitations(now=NOON) == {"sent": 1}
    inv.refresh_from_db()
    assert inv.channel == "email" and len(smtp.messages) == 1 and sms_outbox(settings) == []
    # The reminder too goes by the invitation's channel, not the preferred one.
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=3)) == {"reminded": 1}
    assert len(smtp.messages) == 2 and sms_outbox(settings) == []


def test_a_requested_channel_no_longer_allowed_cancels_instead_of_switching(org, smtp, settings):
    inv = invite_by(org, "email", **BOTH)
    Customer.objects.filter(pk=inv.customer_id).update(email_bounced_at=NOON - dt.timedelta(hours=1))
    assert dispatch_due_invitations(now=NOON) == {"cancelled": 1}
    inv.refresh_from_db()
    assert inv.status == "cancelled" and inv.channel == "email"
    assert smtp.messages == [] and sms_outbox(settings) == []
    assert ContactLog.objects.get(kind="skipped", invitation=inv).reason == "bounced"


def test_without_a_request_a_bounced_email_still_falls_back_to_sms(org, smtp, settings):
    inv = invite(org, phone="+46701234567", consent_sms=True)
    assert inv.channel == "email" and not inv.channel_requested
    Customer.objects.filter(pk=inv.customer_id).update(email_bounced_at=NOON - dt.timedelta(hours=1))
    assert dispatch_due_invitations(now=NOON) == {"sent": 1}
    inv.refresh_from_db()
    assert inv.channel == "sms" and len(sms_outbox(settings)) == 1


@pytest.mark.parametrize("status", [Survey.Status.ARCHIVED, Survey.Status.DRAFT])
def test_no_reminder_for_a_survey_closed_since(org, smtp, status):
    inv = invite(org)
    assert dispatch_due_invitations(now=NOON) == {"sent": 1}
    Survey.objects.filter(pk=inv.survey_id).update(status=status)
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=3)) == {"reminder_skipped": 1}
    assert dispatch_due_invitations(now=NOON + dt.timedelta(days=4)) == {}
    inv.refresh_from_db()
    assert inv.reminder_due_at is None and inv.reminder_sent_at is None and len(smtp.messages) == 1
    skip = ContactLog.objects.get(kind="skipped", invitation=inv)
    assert (skip.reason, skip.detail) == ("survey_closed", "reminder")


@pytest.mark.parametrize("event", [events.SurveyAnswered, events.SurveyCompleted])
def test_an_invitation_answered_through_its_link_before_sending_is_not_sent(org, smtp, event,
                                                                            django_capture_on_commit_callbacks):
    inv = invite(org)
    with django_capture_on_commit_callbacks(execute=True):  # the link from the events API, answered
        event(org.id, token=inv.token).send()
    assert dispatch_due_invitations(now=NOON) == {"cancelled": 1}
    assert smtp.messages == []
    inv.refresh_from_db()
    assert inv.status == "cancelled" and inv.sent_at is None
    skip = ContactLog.objects.get(kind="skipped", invitation=inv)
    with translation.override("en"):
        assert skip.reason == "already_answered" and skip.reason_label == "Already answered before it was sent"
    assert "already_answered" in SKIP_REASONS and "already_answered" in REASON_LABELS
    # It still counts for the frequency cap: the customer did answer a survey.
    at = NOON + dt.timedelta(days=1)
    raw = {"id": "ev-later", "touchpoint": "phone-support", "occurred_at": at.isoformat(),
           "customer": {"external_id": "C1"}}
    [later] = record_events(org.id, [clean_event(raw, event_catalog(org.id), now=at)], now=at)
    assert (later.outcome, later.reason) == ("skipped", "frequency_cap")


def test_an_answer_during_a_quiet_hours_deferral_stops_the_send(org, smtp, django_capture_on_commit_callbacks):
    inv = invite(org)
    night = dt.datetime(2026, 6, 10, 21, 30, tzinfo=dt.UTC)
    assert dispatch_due_invitations(now=night) == {"deferred": 1}
    with django_capture_on_commit_callbacks(execute=True):
        events.SurveyAnswered(org.id, token=inv.token).send()
    assert dispatch_due_invitations(now=dt.datetime(2026, 6, 11, 6, 0, tzinfo=dt.UTC)) == {"cancelled": 1}
    assert smtp.messages == []


def test_one_bad_invitation_fails_alone_and_the_run_goes_on(org, other_org, smtp, caplog):
    Organization.objects.filter(pk=org.pk).update(name="Acme\r\nBcc: victim@example.se")
    good = invite(org, external_id="C1", email_address="anna@example.se")
    bad = invite(org, external_id="C2", email_address="bo@example.se")
    # A failure the channel does not anticipate: the customer row holds an address the mail
    # library refuses as a header (a line break), after the claim.
    Customer.objects.filter(pk=bad.customer_id).update(email="bo@example.se\nBcc: x@example.se")
    with caplog.at_level("ERROR", logger="glapp.distribution"):
        summary = dispatch_due_invitations(now=NOON)
    assert summary == {"sent": 1, "failed": 1}
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "sent" and bad.status == "failed" and bad.error
    assert ContactLog.objects.filter(kind="failed", invitation=bad).count() == 1
    assert any(str(bad.pk) in record.getMessage() for record in caplog.records)
    # The organization's name with a line break did not break (or inject into) the headers.
    [(recipients, raw)] = smtp.messages
    mail = email.message_from_bytes(raw, policy=email_policy.default)
    assert recipients == ["anna@example.se"] and mail["Bcc"] is None
    assert "\n" not in mail["Subject"].replace("\n ", " ").strip()
    assert mail["From"].addresses[0].display_name == "Acme Bcc: victim@example.se"
    assert mail["From"].addresses[0].addr_spec == "survey@acme.test"


@pytest.mark.parametrize("name", ["Åkes Bil & Däck", 'Bröd "och" Sovel, AB', "Plain Co"])
def test_mail_comes_from_the_organization_at_the_configured_address(org, smtp, name):
    Organization.objects.filter(pk=org.pk).update(name=name)
    inv = invite(org)
    assert dispatch_due_invitations(now=NOON) == {"sent": 1}
    [(_, raw)] = smtp.messages
    mail = email.message_from_bytes(raw, policy=email_policy.default)
    [sender] = mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, "survey@acme.test")
    assert raw.split(b"\r\n\r\n")[0].isascii()  # non-ASCII names travel RFC 2047 encoded in the header
    assert from_header(name).endswith(" <survey@acme.test>")
    inv.refresh_from_db()
    assert inv.message_id == mail["Message-ID"] == message_id(inv)


def test_message_ids_are_deterministic_unique_and_name_the_sender_domain(org, settings):
    first, second = invite(org, external_id="C1"), invite(org, external_id="C2", email_address="bo@example.se")
    settings.DEFAULT_FROM_EMAIL = "Kundtjänst <enkat@feedback.exempelbolaget.se>"
    assert message_id(first) == message_id(Invitation.objects.get(pk=first.pk))
    assert re.fullmatch(rf"<inv-{first.pk}\.[0-9a-f]{{12}}@feedback\.exempelbolaget\.se>", message_id(first))
    assert message_id(first, reminder=True) == message_id(first).replace(f"inv-{first.pk}.", f"inv-{first.pk}-r.")
    assert message_id(first).split("@")[0].split(".")[1] != message_id(second).split("@")[0].split(".")[1]
