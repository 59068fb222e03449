"""The case inbox in a real browser: j/k move between cases and Enter opens one, x ticks a
case, a case created through the API appears without a reload (HTMX polling), and axe-core
finds no accessibility violations on the inbox and the case page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from glapp.accounts.models import Role
from glapp.cases.models import Case
from tests.cases.helpers import detractor_rule, post_response
from tests.cases.web_helpers import recent
from tests.factories import PASSWORD, make_api_key, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    org = make_org("acme", "Acme Butiker")
    detractor_rule(org)
    key = make_api_key(org)
    for n in range(3):
        assert post_response(org, key, external_id=f"R-{n}", customer=f"K-{n}", answers={"nps": 2},
                             submitted_at=recent()).status_code == 201
    make_user(org, "ola", Role.CASE_HANDLER)
    return org, key


def test_inbox_by_keyboard_and_live_updates(live_server, page, acme):
    org, key = acme
    page.goto(f"{live_server.url}/login/?next=/cases/")
    page.get_by_label("Användarnamn").fill("ola")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_test_id("tab-all").click()
    rows = page.locator("#inbox-results tr.caserow")
    expect(rows).to_have_count(3)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.locator("main").focus()
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("current"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("current"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("current"))
    page.keyboard.press("x")
    expect(rows.nth(0).locator("input[type=checkbox]")).to_be_checked()

    # A new case arrives through the API: the list shows it without a reload.
    page.evaluate("window.__kept = true")
    assert post_response(org, key, external_id="R-new", customer="K-new", answers={"nps": 1},
                         submitted_at=recent()).status_code == 201
    new = Case.objects.get(customer__external_id="K-new")
    expect(page.locator(f'#inbox-results tr.caserow[data-case="{new.pk}"]')).to_be_visible(timeout=25_000)
    assert page.evaluate("window.__kept") is True  # the same page: no reload happened
    expect(rows.nth(0).locator("input[type=checkbox]")).to_be_checked()  # the selection survived

    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(focused) + "$"))
    expect(page.get_by_test_id("timeline")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
