"""Events may ask for a channel: `link` (the organization hands the link out itself), or e-mail
or SMS explicitly. And the visit date piped into the wording is the local date."""

import datetime as dt

import pytest
from django.utils import timezone

from glapp.contacts.models import Customer
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import ContactLog, Invitation
from tests.distribution.test_events_api import event

pytestmark = pytest.mark.django_db

NO_CONSENT = {"external_id": "C-7", "first_name": "Bo", "language": "sv"}


def test_a_link_invitation_is_handed_over_at_once_without_consent_and_nothing_is_sent(api, smtp):
    occurred = timezone.now() - dt.timedelta(minutes=5)
    r = api.post("/events", event(id="chat-1", channel="link", customer=NO_CONSENT,
                                  occurred_at=occurred.isoformat()))
    assert r.status_code == 202 and r.json()["outcome"] == "invited"
    [inv] = r.json()["invitations"]
    invitation = Invitation.objects.get()
    assert inv["channel"] == "link" and inv["url"] == f"https://glapp.test/r/{invitation.token}/"
    # No delay and no quiet hours: the organization shows the link now; it counts as sent.
    assert invitation.status == Invitation.Status.SENT and invitation.sent_at is not None
    assert abs(invitation.scheduled_for - occurred) < dt.timedelta(seconds=1)
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    kinds = list(ContactLog.objects.filter(invitation=invitation).order_by("id").values_list("kind", flat=True))
    assert kinds == ["scheduled", "sent"]
    assert dispatch_due_invitations(now=timezone.now() + dt.timedelta(days=5)) == {}
    assert smtp.messages == []


def test_the_contact_rules_still_hold_for_links(api, org):
    first = api.post("/events", event(id="chat-1", channel="link", customer=NO_CONSENT))
    assert first.json()["outcome"] == "invited"
    again = api.post("/events", event(id="chat-2", channel="link", customer=NO_CONSENT))
    assert again.json()["reason"] == "frequency_cap"
    Customer.objects.filter(external_id="C-7").update(unsubscribed_at=timezone.now())
    Invitation.objects.all().delete()
    assert api.post("/events", event(id="chat-3", channel="link", customer=NO_CONSENT)).json()["reason"] == \
        "opted_out"


def test_an_explicit_channel_is_used_only_when_allowed(api):
    sms_only = {"external_id": "C-8", "phone": "+46701740610", "consent_sms": True, "consent_email": False,
                "email": "c8@example.se"}
    r = api.post("/events", event(id="e-1", channel="email", customer=sms_only))
    assert r.json()["outcome"] == "skipped" and r.json()["reason"] == "no_consent"
    r = api.post("/events", event(id="e-2", channel="sms", customer=sms_only))
    assert r.json()["invitations"][0]["channel"] == "sms"


def test_an_unknown_channel_is_a_field_error(api):
    r = api.post("/events", event(channel="fax"))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["channel"]


def test_the_piped_date_is_the_local_day_of_the_event(api):
    # 23:30 UTC is 00:30 or 01:30 the next day in Stockholm (the contact policy's time zone).
    late = (timezone.now() - dt.timedelta(days=2)).replace(hour=23, minute=30, second=0, microsecond=0)
    api.post("/events", event(occurred_at=late.isoformat()))
    assert Invitation.objects.get().context["date"] == (late.date() + dt.timedelta(days=1)).isoformat()
