"""The journey map in a browser, on the demo company: it must find the two injected NPS effects
(the delivery partner change in Norr, the new activation guide) and flag nothing at the touchpoints
whose scores are noise only (docs/demo.md). The periods come from the documented effect dates."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from glapp.demo import loader
from glapp.demo.generator import DemoGenerator, Effects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

END = dt.date(2026, 6, 30)
SEED = 42
RESPONSES = 60_000  # Hemleverans in Norr gets ~330 answers a side: the −25 drop is clear, the load ~7 s
PASSWORD = "glapp-demo-login"
FX = Effects.for_end(END)
NOISE = ("webbkassa", "butik", "ombud", "fornyelse", "uppsagning")
CONTACT = ("kundtjanst-telefon", "chatt")  # noise only outside the campaign month


@pytest.fixture
def demo(transactional_db, settings):
    settings.GLAPP_REQUIRE_2FA = False  # as in the demo itself: anna (an owner) signs in with her password
    org = loader.create_demo_org()
    loader.load_responses(org, DemoGenerator(SEED, RESPONSES, END))
    loader.ensure_users(org, PASSWORD)
    return org


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Översikt", level=1)).to_be_visible()


def no_arrow(page, codes) -> None:
    for code in codes:
        card = page.get_by_test_id(f"tp-{code}")
        expect(card).to_be_visible()
        expect(card.locator(".arrow")).to_have_count(0)


def test_journey_map_flags_the_injected_effects_and_not_the_noise(live_server, page, demo):
    log_in(page, live_server.url)
    page.get_by_role("link", name="Kundresekarta").click()
    expect(page.get_by_role("heading", name="Kundresekarta", level=1)).to_be_visible()

    # 1. The new activation guide: org-wide, from the change to the end, against the same length before.
    page.get_by_label("Från", exact=True).fill(FX.onboarding_change.isoformat())
    page.get_by_label("Till", exact=True).fill(END.isoformat())
    page.get_by_role("button", name="Visa").click()
    expect(page).to_have_url(re.compile(rf"date_from={FX.onboarding_change}"))
    expect(page.get_by_test_id("arrow-nps-kom-igang")).to_have_text("▲")
    expect(page.get_by_test_id("tp-kom-igang").locator(".arrow.better")).to_have_count(1)
    no_arrow(page, NOISE)
    expect(page.get_by_test_id("method")).not_to_be_empty()

    # 2. The new delivery partner: region Norr, from the change to the end, against the same length before.
    page.goto(f"{live_server.url}/journey/?unit=norr&date_from={FX.delivery_change}&date_to={END}")
    expect(page.get_by_test_id("arrow-nps-hemleverans")).to_have_text("▼")
    expect(page.get_by_test_id("tp-hemleverans").locator(".arrow.worse")).to_have_count(1)
    no_arrow(page, NOISE)

    # 3. Customer service outside the campaign: the quarter after the campaign month against the
    #    quarter before it. Telephone and chat are noise only there.
    before_from = FX.campaign_start - dt.timedelta(days=91)
    before_to = FX.campaign_start - dt.timedelta(days=1)
    after_from = FX.campaign_end + dt.timedelta(days=1)
    after_to = after_from + dt.timedelta(days=90)
    page.goto(f"{live_server.url}/journey/?date_from={after_from}&date_to={after_to}"
              f"&compare_from={before_from}&compare_to={before_to}")
    expect(page.get_by_test_id("tp-kom-igang")).to_be_visible()
    no_arrow(page, NOISE + CONTACT)
