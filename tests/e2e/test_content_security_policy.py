"""The Content-Security-Policy breaks nothing: the main pages, the respondent pages and the
survey builder load and work in Chromium without a single CSP violation (docs/security.md)."""

import pytest
from playwright.sync_api import expect

from glapp.accounts.models import Role
from glapp.surveys.models import Survey
from tests.e2e.test_overview import log_in
from tests.factories import make_org, make_user
from tests.surveys.test_respondent_pages import make_swedish_survey
from tests.web.helpers import add_responses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/responses/", "/journey/", "/trends/", "/verbatims/", "/topics/", "/topics/themes/", "/surveys/",
         "/invitations/", "/settings/api-keys/", "/data/import/", "/api/v1/docs"]
WATCH = """addEventListener("securitypolicyviolation", e => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + (e.blockedURI || "inline"));
}, true);"""


@pytest.fixture
def acme(transactional_db, settings):
    # Anna (an owner) signs in with her password alone, as in the demo; the two-factor pages have
    # their own browser test (test_two_factor_sign_in.py).
    settings.GLAPP_REQUIRE_2FA = False
    org = make_org("acme", "Acme Butiker")
    add_responses(org, {"nps": 10, "comment": "Snabb och trevlig hjälp"}, {"nps": 4, "comment": "Lång väntetid"})
    make_user(org, "anna", role=Role.OWNER)
    return org


def watch(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)
    return seen


def violations(page, console: list[str]) -> list[str]:
    return console + (page.evaluate("window.__csp || []") or [])


def test_the_main_pages_show_no_csp_violation(live_server, page, acme):
    console = watch(page)
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for url in PAGES:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        assert violations(page, console) == [], url
    # HTMX still works under the policy: the responses filter swaps the list in place.
    page.goto(live_server.url + "/responses/")
    expect(page.get_by_test_id("count")).to_have_text("2 svar")
    page.get_by_label("NPS till").select_option("6")
    expect(page.get_by_test_id("count")).to_have_text("1 svar")
    # The survey builder (HTMX live lint).
    survey = Survey.objects.get(organization=acme, code="nps")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    page.wait_for_load_state("networkidle")
    assert violations(page, console) == []


def test_respondent_and_widget_pages_show_no_csp_violation(live_server, page, acme):
    console = watch(page)
    acme.widget_origins = "http://127.0.0.1"
    acme.save(update_fields=["widget_origins"])
    survey = make_swedish_survey(acme, code="kund")
    page.goto(f"{live_server.url}/s/{survey.public_token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hur troligt")
    page.get_by_role("radio", name="9", exact=True).click()
    page.locator("button.primary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vad var viktigast?")
    page.goto(f"{live_server.url}/s/{survey.public_token}/?channel=widget")  # the framed variant, with frame.js
    page.wait_for_load_state("networkidle")
    assert violations(page, console) == []
