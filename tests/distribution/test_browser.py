"""In a real browser (Debian's Chromium): a customer unsubscribes from the link in the mail, and
an analyst follows it from the invitations page to the customer's contact history."""

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import PASSWORD, make_org, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as in tests/e2e: live_server + Playwright
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


@pytest.fixture
def invited(transactional_db):
    from tests.distribution.test_dispatch import invite

    org = make_org("acme", "Acme Butiker")
    make_user(org, "anna")
    return invite(org, external_id="C-77")


def test_unsubscribe_then_see_it_in_the_history(live_server, page, invited, tmp_path):
    page.goto(f"{live_server.url}/u/{invited.token}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    invited.customer.refresh_from_db()
    assert invited.customer.unsubscribed_at is None  # looking is not unsubscribing
    page.locator(f'form[action="/u/{invited.token}/"] button').click()
    expect(page.locator("main h1")).not_to_have_text("")
    invited.customer.refresh_from_db()
    assert invited.customer.unsubscribed_at is not None

    page.goto(f"{live_server.url}/login/?next=/invitations/")
    page.locator("input[name=username]").fill("anna")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/invitations/")
    page.get_by_role("link", name="C-77").click()
    expect(page).to_have_url(f"{live_server.url}/customers/C-77/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)  # unsubscribed, the cancelled invitation (opted_out), scheduled
    expect(page.locator('main table [title="opted_out"]')).to_have_count(1)  # labelled, the code as tooltip
    page.screenshot(path=str(tmp_path / "history.png"), full_page=True)
