"""Promoters are thanked and asked for a review under the contact rules; clicks are counted."""

import datetime as dt
import email
import email.policy

import pytest
from django.test import Client
from django.utils import timezone

from glapp.accounts.models import Unit
from glapp.cases import actions, promoters
from glapp.cases.loop import loop_figures
from glapp.cases.models import PromoterAsk, UnitCaseSettings
from glapp.contacts.models import Customer
from tests.cases.helpers import post_response
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db

REVIEW = "https://reviews.example/acme-north-store"


def promoter_rule(org):
    return actions.save_rule(org.id, None, name="Promoters", active=True,
                             conditions={"score": "nps", "op": ">=", "value": 9}, open_case=False, priority=2,
                             notify_users=[], notify_units=[], webhook=False, ask_promoter=True)


def setup(org, marketing=True):
    promoter_rule(org)
    UnitCaseSettings.objects.create(organization=org, unit=Unit.objects.get(organization=org, code="acme-north"),
                                    review_url=REVIEW)
    Customer.objects.create(organization=org, external_id="C-1", email="eva@example.se", first_name="Eva",
                            consent_email=True, consent_marketing=marketing)


def promote(org, key, ext, unit="acme-north-store", nps=10):
    post_response(org, key, external_id=ext, customer="C-1", unit=unit, answers={"nps": nps},
                  submitted_at=(timezone.now() - dt.timedelta(minutes=5)).isoformat())


def test_a_promoter_is_asked_once_and_the_click_is_counted(org, smtp):
    setup(org)
    key = make_api_key(org)
    promote(org, key, "R-1")
    promote(org, key, "R-2")  # within the months: not asked again
    ask = PromoterAsk.objects.get()
    assert ask.review_url == REVIEW and ask.rule.name == "Promoters"
    assert promoters.send_queued()["sent"] == 1
    [(to, raw)] = smtp.messages
    body = email.message_from_bytes(raw, policy=email.policy.default).get_content()
    assert to == ["eva@example.se"] and body.startswith("Hej Eva,") and f"/go/{ask.token}/" in body
    first = Client().get(f"/go/{ask.token}/")
    assert first.status_code == 302 and first["Location"] == REVIEW and first["Referrer-Policy"] == "no-referrer"
    Client().get(f"/go/{ask.token}/")
    ask.refresh_from_db()
    assert ask.clicks == 2 and ask.clicked_at is not None
    [whole] = loop_figures(__import__("glapp.accounts.queries", fromlist=["Access"]).Access(org, "owner"),
                           timezone.localdate() - dt.timedelta(days=1), timezone.localdate())
    assert whole.promoter_asks == 1 and whole.promoter_clicks.value == 100.0


def test_no_ask_without_marketing_consent_or_a_review_page(org, smtp):
    setup(org, marketing=False)
    key = make_api_key(org)
    promote(org, key, "R-1")
    Customer.objects.filter(external_id="C-1").update(consent_marketing=True)
    promote(org, key, "R-2", unit="acme-south-store")  # the south has no review page
    assert not PromoterAsk.objects.exists()


def test_the_link_never_goes_where_a_request_says(org):
    assert Client().get("/go/unknown-token/?next=https://evil.example").status_code == 404
    setup(org)
    promote(org, make_api_key(org), "R-1")
    ask = PromoterAsk.objects.get()
    response = Client().get(f"/go/{ask.token}/?next=https://evil.example")
    assert response["Location"] == REVIEW


def test_asks_follow_the_calendar_months():
    at = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert promoters.months_before(at, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert promoters.months_before(at, 6) == dt.datetime(2025, 9, 30, 12, tzinfo=dt.UTC)
