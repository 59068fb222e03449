"""The pixel, the unsubscribe page (public), and the invitation pages (members)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from glapp.accounts.models import Role, Unit
from glapp.contacts.models import ContactPolicy, Customer
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import ContactLog, Invitation
from tests.distribution.test_dispatch import NOON, invite
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_unsubscribe_get_asks_post_unsubscribes_without_login_or_csrf(org):
    inv = invite(org)
    other = invite(org, external_id="C1", at=NOON + dt.timedelta(days=40))  # still scheduled
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/u/{inv.token}/")
    confirm = f'action="/u/{inv.token}/"'.encode()
    assert page.status_code == 200 and confirm in page.content
    inv.customer.refresh_from_db()
    assert inv.customer.unsubscribed_at is None
    # RFC 8058 one-click: what a mail provider sends.
    done = client.post(f"/u/{inv.token}/", "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    inv.customer.refresh_from_db()
    assert inv.customer.unsubscribed_at is not None
    other.refresh_from_db()
    assert other.status == "cancelled"
    assert ContactLog.objects.filter(kind="unsubscribed").count() == 1
    client.post(f"/u/{inv.token}/")  # again: nothing more
    assert ContactLog.objects.filter(kind="unsubscribed").count() == 1
    assert confirm not in client.get(f"/u/{inv.token}/").content
    assert client.get("/u/unknown-token/").status_code == 404


def test_the_pixel_notes_an_opening_once(org):
    inv = invite(org)
    client = Client()
    for _ in range(2):
        r = client.get(f"/r/{inv.token}/o.gif")
        assert r.status_code == 200 and r["Content-Type"] == "image/gif" and r.content.startswith(b"GIF89a")
    inv.refresh_from_db()
    assert inv.opened_at is not None
    assert ContactLog.objects.filter(kind="opened").count() == 1
    assert client.get("/r/unknown/o.gif").status_code == 200  # same image, nothing noted


def _sent_and_opened(org, smtp):
    # Each customer and its invitation belong to a store, as when a store's event created them.
    north = invite(org, external_id="N1")
    Invitation.objects.filter(pk=north.pk).update(unit=Unit.objects.get(code="acme-north-store"))
    Customer.objects.filter(pk=north.customer_id).update(unit=Unit.objects.get(code="acme-north-store"))
    south = invite(org, external_id="S1", email_address="s1@example.se")
    Invitation.objects.filter(pk=south.pk).update(unit=Unit.objects.get(code="acme-south-store"))
    Customer.objects.filter(pk=south.customer_id).update(unit=Unit.objects.get(code="acme-south-store"))
    dispatch_due_invitations(now=NOON)
    Client().get(f"/r/{north.token}/o.gif")
    return north, south


def test_invitations_page_shows_rates_and_recent(org, smtp):
    _sent_and_opened(org, smtp)
    client = Client()
    client.force_login(make_user(org, "ana", Role.ANALYST))
    page = client.get("/invitations/", {"period": "", "group": "channel"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "N1" in html and "S1" in html
    rows = page.context["rows"]
    assert len(rows) == 1 and rows[0].sent == 2 and rows[0].opened.count == 1
    assert rows[0].opened.share == 50.0 and 0 < rows[0].opened.low < 50 < rows[0].opened.high


def test_a_unit_limited_user_sees_only_their_units(org, smtp):
    _sent_and_opened(org, smtp)
    client = Client()
    client.force_login(make_user(org, "north", Role.CASE_HANDLER, unit_code="acme-north"))
    page = client.get("/invitations/", {"period": ""})
    assert [i.customer.external_id for i in page.context["recent"]] == ["N1"]
    history = client.get("/customers/N1/")
    assert history.status_code == 200
    assert {e.kind for e in history.context["entries"]} >= {"scheduled", "sent", "opened"}
    # Another unit's customer, or one of the whole organization: not found, so their contact data,
    # consent and bounces are not shown either.
    assert client.get("/customers/S1/").status_code == 404
    Customer.objects.create(organization=org, external_id="LOOSE", email="loose@example.se")
    assert client.get("/customers/LOOSE/").status_code == 404
    owner = Client()
    owner.force_login(make_user(org, "boss", Role.OWNER))
    assert owner.get("/customers/S1/").status_code == 200 and owner.get("/customers/LOOSE/").status_code == 200


def test_policy_form_for_owners_only(org):
    viewer = Client()
    viewer.force_login(make_user(org, "viewer", Role.VIEWER))
    assert viewer.get("/invitations/policy/").status_code == 403
    owner = Client()
    owner.force_login(make_user(org, "owner", Role.OWNER))
    assert owner.get("/invitations/policy/").status_code == 200
    r = owner.post("/invitations/policy/", {"min_days_between_invitations": 14, "relationship_min_months": 3,
                                            "quiet_hours_start": "20:00", "quiet_hours_end": "09:00",
                                            "time_zone": "Europe/Helsinki"})
    assert r.status_code == 302
    policy = ContactPolicy.objects.get(organization=org)
    assert (policy.min_days_between_invitations, policy.time_zone) == (14, "Europe/Helsinki")
    bad = owner.post("/invitations/policy/", {"min_days_between_invitations": 14, "relationship_min_months": 3,
                                              "quiet_hours_start": "20:00", "quiet_hours_end": "09:00",
                                              "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_pages_need_a_login_and_stay_in_the_organization(org, other_org):
    assert Client().get("/invitations/").status_code == 302
    invite(org, external_id="C1")
    rival = Client()
    rival.force_login(make_user(other_org, "rival"))
    assert rival.get("/customers/C1/").status_code == 404


def test_the_history_reads_as_words_in_local_time(org, smtp, settings):
    from tests.api.helpers import Api, key_for
    from tests.distribution.test_events_api import event

    api = Api(key_for(org))
    # Days relative to today (events older than the answer window are skipped), at 10:00 UTC.
    first = (timezone.now() - dt.timedelta(days=4)).replace(hour=10, minute=0, second=0, microsecond=0)
    api.post("/events", event(id="e-1", occurred_at=first.isoformat(), customer={
        "external_id": "H1", "email": "h1@example.se", "consent_email": True}))
    api.post("/events", event(id="e-2", occurred_at=(first + dt.timedelta(days=1)).isoformat(),
                              customer={"external_id": "H1"}))
    client = Client()
    client.force_login(make_user(org, "ana", Role.ANALYST, language="en"))
    html = client.get("/customers/H1/").content.decode()
    assert "Invited too recently (contact policy: days between invitations)" in html
    assert 'title="frequency_cap"' in html
    assert "E-mail" in html and "<td>email</td>" not in html
    # Scheduled for 10:00 UTC + 60 minutes, shown in Stockholm time (12:00 or 13:00), not as ISO text.
    local = (first + dt.timedelta(minutes=60)).astimezone(ZoneInfo("Europe/Stockholm"))
    assert local.strftime("%Y-%m-%d %H:%M") in html and "+00:00" not in html
    sv = Client()
    sv.force_login(make_user(org, "eva", Role.ANALYST, language="sv"))
    assert "Nyligen inbjuden" in sv.get("/invitations/", {"period": ""}).content.decode()
