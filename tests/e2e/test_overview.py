"""The web app in a real browser: log in through the form, read the overview in Swedish,
switch to English, and filter the responses list with HTMX."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_org, make_user
from tests.web.helpers import add_responses, days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    org = make_org("acme", "Acme Butiker")
    # Phone support: 10, 9, 9, 4 → (3 − 1) / 4 = 50; web checkout: 6, 8 → (0 − 1) / 2 = −50.
    add_responses(org, {"nps": 10, "comment": "Snabb och trevlig hjälp"}, {"nps": 9}, {"nps": 9},
                  {"nps": 4, "comment": "Lång väntetid <b>i telefon</b>"},
                  {"nps": 6, "touchpoint": "web-checkout", "comment": "Kassan hängde sig"},
                  {"nps": 8, "touchpoint": "web-checkout", "submitted_at": days_ago(40)})
    make_user(org, "anna")
    return org


def log_in(page, base_url):
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_log_in_read_overview_in_swedish_then_english(live_server, page, acme):
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Översikt", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Phone support")).to_be_visible()
    expect(page.get_by_test_id("nps-phone-support")).to_have_text("50")
    expect(page.get_by_test_id("n-phone-support")).to_contain_text("4 svar")
    expect(page.get_by_test_id("nps-web-checkout")).to_have_text("−50")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page.get_by_test_id("n-phone-support")).to_contain_text("4 responses")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The choice is stored on the user: a fresh browser context gets English after logging in.
    other = page.context.browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(f"{live_server.url}/login/")
        fresh.get_by_label("Användarnamn").fill("anna")
        fresh.get_by_label("Lösenord").fill(PASSWORD)
        fresh.get_by_role("button", name="Logga in").click()
        expect(fresh.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    finally:
        other.close()


def test_responses_filter_with_htmx_and_escaped_comments(live_server, page, acme):
    log_in(page, live_server.url)
    page.get_by_role("link", name="Svar", exact=True).click()
    expect(page.get_by_test_id("count")).to_have_text("6 svar")
    # A hostile-looking comment is shown as text, not markup.
    expect(page.get_by_text("Lång väntetid <b>i telefon</b>")).to_be_visible()
    assert page.locator(".comment b").count() == 0

    page.get_by_label("NPS till").select_option("6")
    expect(page.get_by_test_id("count")).to_have_text("2 svar")
    expect(page).to_have_url(re.compile(r"score_max=6"))
    page.get_by_label("Kontaktpunkt").select_option("web-checkout")
    expect(page.get_by_test_id("count")).to_have_text("1 svar")
    expect(page.locator(".comment")).to_have_text("Kassan hängde sig")

    # The pushed URL is a real page: reloading it renders the same filtered list.
    page.reload()
    expect(page.get_by_test_id("count")).to_have_text("1 svar")
    expect(page.get_by_label("Kontaktpunkt")).to_have_value("web-checkout")

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
