"""POST /api/v1/events, /events/bulk, contact history, relationship waves, bounce reports."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from glapp.contacts.models import ContactPolicy, Customer
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Survey
from tests.api.helpers import Api, key_for

pytestmark = pytest.mark.django_db


def event(**overrides) -> dict:
    body = {
        "id": "call-1", "touchpoint": "phone-support", "interaction": "call",
        "occurred_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "customer": {"external_id": "C-1", "first_name": "Anna", "email": "anna@example.se",
                     "consent_email": True, "language": "en"},
        "metadata": {"agent": "Bo"},
    }
    body.update(overrides)
    return body


def test_invalid_fields_are_a_problem_naming_each_field(api):
    r = api.post("/events", event(touchpoint="nowhere", occurred_at="yesterday",
                                  customer={"external_id": "", "email": "not-an-address", "phone": "abc"}))
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"touchpoint", "occurred_at", "customer.external_id", "customer.email", "customer.phone"}
    assert not TouchpointEvent.objects.exists()


def test_bulk_names_the_item_and_stores_nothing(api):
    r = api.post("/events/bulk", {"events": [event(), event(id="x", unit="no-such-unit")]})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["events.1.unit"]
    assert not TouchpointEvent.objects.exists()


def test_bulk_refuses_more_than_the_limit(api, settings):
    r = api.post("/events/bulk", {"events": [event(id=str(i)) for i in range(settings.GLAPP_BULK_MAX + 1)]})
    assert r.status_code == 413


def test_future_events_and_unknown_fields_are_refused(api):
    r = api.post("/events", event(occurred_at=(timezone.now() + dt.timedelta(days=2)).isoformat()))
    assert [e["field"] for e in r.json()["errors"]] == ["occurred_at"]
    r = api.post("/events", {**event(), "colour": "red"})
    assert r.status_code == 422


def without_quiet_hours(org):
    """The default quiet hours (21–08 Stockholm) would defer invitations depending on when the
    suite runs; tests about something else switch them off."""
    ContactPolicy.objects.update_or_create(organization=org, defaults={
        "quiet_hours_start": dt.time(0), "quiet_hours_end": dt.time(0)})


def always_quiet(org):
    ContactPolicy.objects.update_or_create(organization=org, defaults={
        "quiet_hours_start": dt.time(0), "quiet_hours_end": dt.time(23, 59), "time_zone": "UTC"})


def test_an_event_invites_and_the_same_event_again_does_nothing(api, org):
    without_quiet_hours(org)
    first = api.post("/events", event())
    assert first.status_code == 202
    body = first.json()
    assert body["created"] is True and body["outcome"] == "invited" and body["reason"] == ""
    [inv] = body["invitations"]
    assert inv["survey"] == "nps" and inv["channel"] == "email"
    invitation = Invitation.objects.get()
    assert invitation.language == "en" and invitation.context["agent"] == "Bo"
    assert invitation.context["first_name"] == "Anna"
    again = api.post("/events", event())
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}
    assert Invitation.objects.count() == 1 and TouchpointEvent.objects.count() == 1


def test_idempotency_key_replays_the_first_answer(api):
    body = event(id=None)
    first = api.post("/events", body, headers={"Idempotency-Key": "k1"})
    replay = api.post("/events", body, headers={"Idempotency-Key": "k1"})
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert TouchpointEvent.objects.count() == 1
    other = api.post("/events", event(id=None, interaction="visit"), headers={"Idempotency-Key": "k1"})
    assert other.status_code == 422


def test_the_register_follows_the_events_but_consent_only_when_given(api, org):
    api.post("/events", event())
    api.post("/events", event(id="call-2", customer={"external_id": "C-1", "email": "new@example.se"}))
    customer = Customer.objects.get(external_id="C-1")
    assert customer.email == "new@example.se" and customer.consent_email is True and customer.first_name == "Anna"
    api.post("/events", event(id="call-3", customer={"external_id": "C-1", "consent_email": False}))
    customer.refresh_from_db()
    assert customer.consent_email is False


def test_a_new_address_clears_its_bounce(api, org):
    api.post("/events", event())
    Customer.objects.filter(external_id="C-1").update(email_bounced_at=timezone.now())
    api.post("/events", event(id="call-2", customer={"external_id": "C-1", "email": "fixed@example.se"}))
    assert Customer.objects.get(external_id="C-1").email_bounced_at is None


def test_skips_are_logged_with_their_reason(api, org):
    r = api.post("/events", event(customer={"external_id": "C-2", "email": "b@example.se"}))
    assert r.json()["outcome"] == "skipped" and r.json()["reason"] == "no_consent"
    r = api.post("/events", event(id="web-1", touchpoint="web-checkout"))
    assert r.json()["reason"] == "no_active_survey"
    reasons = set(ContactLog.objects.filter(kind="skipped").values_list("reason", flat=True))
    assert reasons == {"no_consent", "no_active_survey"}


def test_frequency_cap_across_surveys(api, org):
    create_survey(org, name="Checkout", code="checkout", touchpoint=org_touchpoint(org, "web-checkout"),
                  questions=[QuestionSpec("nps", "nps", {"en": "Recommend?"})])
    assert api.post("/events", event()).json()["outcome"] == "invited"
    r = api.post("/events", event(id="web-1", touchpoint="web-checkout"))
    assert r.json()["reason"] == "frequency_cap"
    # A shorter cap lets the second one through.
    ContactPolicy.objects.filter(organization=org).update(min_days_between_invitations=0)
    assert api.post("/events", event(id="web-2", touchpoint="web-checkout")).json()["outcome"] == "invited"


def test_events_too_old_to_answer_are_skipped(api):
    r = api.post("/events", event(occurred_at=(timezone.now() - dt.timedelta(days=30)).isoformat()))
    assert r.json()["reason"] == "too_late"


def test_quiet_hours_defer_and_log(api, org):
    always_quiet(org)
    occurred = timezone.now().replace(hour=1, minute=0) - dt.timedelta(days=1)
    r = api.post("/events", event(occurred_at=occurred.isoformat()))
    [inv] = r.json()["invitations"]
    assert inv["deferred"] is True
    assert inv["scheduled_for"].endswith("T23:59:00Z")
    assert ContactLog.objects.filter(kind="deferred", reason="quiet_hours").count() == 1


def test_a_resent_event_still_says_its_invitation_was_deferred(api, org):
    always_quiet(org)
    occurred = (timezone.now().replace(hour=1, minute=0) - dt.timedelta(days=1)).isoformat()
    first = api.post("/events", event(occurred_at=occurred)).json()
    assert first["invitations"][0]["deferred"] is True
    assert api.post("/events", event(occurred_at=occurred)).json() == {**first, "created": False}
    # Twice in one batch: the second reads as the first, deferral included.
    other = {"external_id": "C-9", "email": "c9@example.se", "consent_email": True}
    batch = api.post("/events/bulk", {"events": [event(id="b", occurred_at=occurred, customer=other)] * 2}).json()
    first_in_batch, repeated = batch["items"]
    assert first_in_batch["invitations"][0]["deferred"] is True
    assert repeated == {**first_in_batch, "created": False}


def test_a_unit_limited_key_reports_only_its_units(org):
    scoped = Api(key_for(org, unit_code="acme-north"))
    assert scoped.post("/events", event(unit="acme-south-store")).status_code == 403
    r = scoped.post("/events", event(unit="acme-north-store"))
    assert r.status_code == 202
    r = scoped.post("/events", event(id="call-2", customer={"external_id": "C-9"}))
    assert TouchpointEvent.objects.get(external_id="call-2").unit.code == "acme-north"


def test_a_unit_limited_key_cannot_change_a_customer_already_in_the_register(org):
    """The register is the organization's: a store's key that names an existing customer must
    not redirect their invitations (nor clear a bounce, nor change consent). A customer it
    creates gets its data, also from later events of the same batch."""
    south = Api(key_for(org, unit_code="acme-south-store"))
    assert south.post("/events", event(id="s-1", unit=None, customer={
        "external_id": "C-9", "email": "real@example.se", "consent_email": True})).status_code == 202
    north = Api(key_for(org, unit_code="acme-north-store"))
    r = north.post("/events/bulk", {"events": [
        event(id="n-1", customer={"external_id": "C-9", "email": "attacker@evil.test", "consent_email": False,
                                  "phone": "+46701234567"}),
        event(id="n-2", customer={"external_id": "C-10", "email": "new@example.se", "consent_email": True}),
        event(id="n-3", customer={"external_id": "C-10", "phone": "+46701234568"}),
    ]})
    assert r.status_code == 202, r.content
    c9 = Customer.objects.get(external_id="C-9")
    assert (c9.email, c9.consent_email, c9.phone) == ("real@example.se", True, "")
    c10 = Customer.objects.get(external_id="C-10")
    assert (c10.email, c10.phone) == ("new@example.se", "+46701234568")
    # A key for the whole organization keeps the register current.
    Api(key_for(org)).post("/events", event(id="o-1", customer={"external_id": "C-9", "email": "ny@example.se"}))
    assert Customer.objects.get(external_id="C-9").email == "ny@example.se"


def test_a_read_only_key_cannot_send_events(org):
    reader = Api(key_for(org, scopes=("responses:read",)))
    assert reader.post("/events", event()).status_code == 403


def test_contact_history_lists_skips_and_invitations(api, org, other_org):
    without_quiet_hours(org)
    api.post("/events", event())
    api.post("/events", event())  # the same id again: nothing new
    api.post("/events", event(id="call-3"))  # a new event: frequency cap
    r = api.get("/customers/C-1/contact-history")
    assert r.status_code == 200
    kinds = [(e["kind"], e["reason"]) for e in r.json()["entries"]]
    assert kinds == [("skipped", "frequency_cap"), ("scheduled", "")]
    assert r.json()["entries"][0]["event"] == "call-3"
    rival = Api(key_for(other_org))
    assert rival.get("/customers/C-1/contact-history").status_code == 404


def org_touchpoint(org, code):
    from glapp.journeys.models import Touchpoint

    return Touchpoint.objects.get(organization=org, code=code)


def relationship_survey(org):
    return create_survey(org, name="Yearly", code="yearly", kind=Survey.Kind.RELATIONSHIP,
                         questions=[QuestionSpec("nps", "nps", {"sv": "Rekommendera?", "en": "Recommend?"})])


def test_relationship_wave_by_list_and_by_segment(api, org):
    relationship_survey(org)
    for i in range(4):
        Customer.objects.create(organization=org, external_id=f"R{i}", email=f"r{i}@example.se",
                                consent_email=i != 3, segment="business" if i < 2 else "private")
    r = api.post("/surveys/yearly/invitations", {"customers": ["R0", "R3", "nobody"]})
    assert r.status_code == 202
    assert r.json() == {"survey": "yearly", "considered": 3, "invited": 1,
                        "skipped": {"no_consent": 1, "unknown_customer": 1}}
    r = api.post("/surveys/yearly/invitations", {"segment": "business"})
    # R0 was just invited (relationship interval), R1 is new.
    assert r.json()["invited"] == 1 and r.json()["skipped"] == {"relationship_interval": 1}
    assert api.post("/surveys/nps/invitations", {"segment": "business"}).status_code == 422
    assert api.post("/surveys/yearly/invitations", {}).status_code == 422
    assert api.post("/surveys/nope/invitations", {"segment": "x"}).status_code == 404
    scoped = Api(key_for(org, unit_code="acme-north"))
    assert scoped.post("/surveys/yearly/invitations", {"segment": "business"}).status_code == 403


def test_relationship_interval_outlasts_the_frequency_cap(org):
    survey = relationship_survey(org)
    from glapp.distribution.actions import invite_wave

    customer = Customer.objects.create(organization=org, external_id="R", email="r@example.se", consent_email=True)
    ContactPolicy.objects.create(organization=org, min_days_between_invitations=10, relationship_min_months=6)
    now = timezone.now()
    assert invite_wave(survey, [customer.id], now=now - dt.timedelta(days=60)) == {"invited": 1}
    assert invite_wave(survey, [customer.id], now=now) == {"relationship_interval": 1}
    assert invite_wave(survey, [customer.id], now=now + dt.timedelta(days=130)) == {"invited": 1}


def test_glapp_invite_command(org, capsys):
    relationship_survey(org)
    Customer.objects.create(organization=org, external_id="R1", email="r1@example.se", consent_email=True,
                            segment="vip")
    Customer.objects.create(organization=org, external_id="R2", segment="vip")
    call_command("invite", org="acme", survey="yearly", segment="vip")
    out = capsys.readouterr().out
    assert "2 customers considered, 1 invited." in out and "skipped no_consent: 1" in out
    assert Invitation.objects.filter(survey__code="yearly").count() == 1


def test_cli_knows_invite():
    from glapp.cli.main import COMMANDS

    assert COMMANDS["invite"][0] == "invite"


def test_the_invitation_language_falls_back_to_the_organizations(api, org):
    api.post("/events", event(customer={"external_id": "C-1", "email": "a@example.se", "consent_email": True}))
    api.post("/events", event(id="call-2", customer={"external_id": "C-2", "email": "b@example.se",
                                                     "consent_email": True, "language": "de"}))
    api.post("/events", event(id="call-3", customer={"external_id": "C-3", "email": "c@example.se",
                                                     "consent_email": True, "language": "en"}))
    languages = dict(Invitation.objects.values_list("customer__external_id", "language"))
    assert languages == {"C-1": "sv", "C-2": "sv", "C-3": "en"}


def test_a_unit_limited_key_sees_the_history_of_its_units_customers_only(org):
    everyone = Api(key_for(org))
    assert everyone.post("/events", event(unit="acme-south-store")).status_code == 202
    assert everyone.post("/events", event(id="call-2", unit="acme-north-store",
                                          customer={"external_id": "C-2"})).status_code == 202
    Customer.objects.create(organization=org, external_id="C-3", email="c3@example.se")
    north = Api(key_for(org, unit_code="acme-north", scopes=("responses:read",)))
    assert north.get("/customers/C-2/contact-history").status_code == 200
    assert north.get("/customers/C-1/contact-history").status_code == 404  # the south's customer
    assert north.get("/customers/C-3/contact-history").status_code == 404  # no event, no invitation
    assert everyone.get("/customers/C-1/contact-history").status_code == 200
    assert everyone.get("/customers/C-3/contact-history").status_code == 200


def test_a_time_without_offset_means_the_same_moment_for_events_and_responses(api, org, settings):
    """The contact policy's zone is the customers' clock for quiet hours; it is not how times
    are read. An event and a response saying 10:15 without an offset are the same moment, in the
    installation's zone."""
    from glapp.responses.models import Response
    from tests.factories import response_payload

    ContactPolicy.objects.update_or_create(organization=org, defaults={"time_zone": "America/New_York"})
    local = (timezone.now() - dt.timedelta(days=2)).astimezone(ZoneInfo(settings.TIME_ZONE)).replace(
        hour=10, minute=15, second=0, microsecond=0, tzinfo=None)
    assert api.post("/events", event(occurred_at=local.isoformat())).status_code == 202
    assert api.post("/responses", response_payload(submitted_at=local.isoformat())).status_code == 201
    moment = local.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    assert TouchpointEvent.objects.get().occurred_at == moment
    assert Response.objects.get().submitted_at == moment


def test_a_deferral_at_send_time_is_not_part_of_the_events_answer(org, smtp):
    """The event's invitation was scheduled outside quiet hours; the dispatcher later moved it
    into the morning. Sending the event again still reads as the first answer did."""
    from glapp.distribution.actions import record_events
    from glapp.distribution.dispatch import dispatch_due_invitations
    from glapp.distribution.queries import event_catalog
    from glapp.distribution.validation import clean_event

    at = dt.datetime(2026, 6, 10, 16, 30, tzinfo=dt.UTC)  # 18:30 in Stockholm, invited for 19:30
    raw = event(occurred_at=at.isoformat())
    [first] = record_events(org.id, [clean_event(raw, event_catalog(org.id), now=at)], now=at)
    assert first.invitations[0].deferred is False
    assert dispatch_due_invitations(now=at + dt.timedelta(hours=3)) == {"deferred": 1}  # 21:30: quiet
    [again] = record_events(org.id, [clean_event(raw, event_catalog(org.id), now=at)], now=at)
    assert again.invitations[0].deferred is False
