"""Two-factor sign-in in a real browser: an owner's first sign-in sets up an authenticator app
(the key read off the page, as a person would type it into the app), keeps the backup codes,
and the next sign-in asks for a code."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from glapp.accounts.models import Role
from tests.factories import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret: str, step_offset: int = 0) -> str:
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = totp.time + step_offset * 30
    return f"{totp.token():06d}"


def password_step(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Användarnamn").fill("olle")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_an_owner_sets_up_an_app_then_signs_in_with_its_code(live_server, page, transactional_db):
    make_user(make_org("acme"), "olle", Role.OWNER)
    password_step(page, live_server.url)
    expect(page.get_by_role("heading", name="Ställ in tvåstegsinloggning")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Kod").fill(code_for(secret))
    page.get_by_role("button", name="Slå på tvåstegsinloggning").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Jag har sparat dem, fortsätt").click()
    expect(page.get_by_role("heading", name="Översikt", level=1)).to_be_visible()

    page.get_by_role("button", name="Logga ut").click()
    password_step(page, live_server.url)
    expect(page.get_by_role("heading", name="Ange din kod")).to_be_visible()
    page.get_by_label("Kod").fill(code_for(secret, step_offset=1))  # a code not used before (within the allowed drift)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Översikt", level=1)).to_be_visible()
