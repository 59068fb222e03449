"""From an empty installation to your own journey, in a real browser: the first-run page with the
setup token `glapp serve` prints, then a journey with two stages and three touchpoints built in
the web editor.

The steps are module-level functions so the rest of the first day (importing a history from a
CSV, then the journey map with its counts) is appended as further steps of
`test_from_an_empty_installation_to_your_own_journey`, or reuses them.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from glapp.accounts import actions
from glapp.accounts.models import Organization
from glapp.journeys.models import Journey, Touchpoint
from tests.e2e.test_content_security_policy import violations, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER = "maria"
OWNER_PASSWORD = "Tallrik-Gurka-93"
JOURNEY = [("Bli kund", ["Tecknat avtal", "Första betalningen"]), ("Support", ["Telefonsupport"])]


@dataclass
class FirstDay:
    organization: Organization
    journey: Journey | None = None


def set_up_from_empty(page: Page, base_url: str, token: str, name: str = "Nordbank") -> FirstDay:
    """On an empty installation: the login page points at the first-run page; create the
    organization and its owner there with the setup token. Ends signed in as the owner (UI in
    Swedish) on "Getting started"."""
    page.goto(f"{base_url}/login/")
    page.get_by_test_id("first-run-link").click()
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.get_by_label("Engångsnyckel för installationen").fill(token)
    page.get_by_label("Organisationens namn").fill(name)
    page.get_by_label("Kundernas tidszon").select_option("Europe/Stockholm")
    page.get_by_label("Ditt användarnamn").fill(OWNER)
    page.get_by_label("Din e-postadress").fill("maria@nordbank.test")
    page.get_by_label("Lösenord", exact=True).fill(OWNER_PASSWORD)
    page.get_by_label("Lösenord igen").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Skapa organisationen").click()
    expect(page.get_by_role("heading", level=1, name="Kom igång")).to_be_visible()
    return FirstDay(Organization.objects.get(name=name))


def build_journey_in_editor(page: Page, base_url: str, day: FirstDay, name: str = "Kundresan",
                            stages=JOURNEY) -> FirstDay:
    """Signed in as an owner: create a journey and add its stages and touchpoints in order in
    the journey editor (HTMX swaps the editor in place)."""
    page.goto(f"{base_url}/settings/journeys/")
    page.get_by_test_id("new-journey").get_by_label("Namn").fill(name)
    page.get_by_role("button", name="Skapa resa").click()
    editor = page.get_by_test_id("journey-editor")
    expect(page.get_by_role("heading", level=1, name=re.compile(name))).to_be_visible()
    for stage_name, touchpoints in stages:
        page.get_by_label("Stegets namn").fill(stage_name)
        page.get_by_role("button", name="Lägg till steg").click()
        stage = editor.locator("li.stage", has=page.get_by_role("heading", level=2, name=re.compile(stage_name)))
        expect(stage).to_be_visible()
        for tp_name in touchpoints:
            stage.get_by_test_id("new-touchpoint").fill(tp_name)
            stage.get_by_role("button", name="Lägg till kontaktpunkt").click()
            expect(stage.locator(".tp-name", has_text=tp_name)).to_be_visible()
    day.journey = Journey.objects.get(organization=day.organization, name=name)
    return day


def test_from_an_empty_installation_to_your_own_journey(live_server, page, settings):
    settings.GLAPP_REQUIRE_2FA = False  # the two-factor enrolment has its own browser test
    console = watch(page)  # every page of the first day works under the Content-Security-Policy
    token = actions.issue_setup_token()  # what `glapp serve` prints on an empty installation
    day = set_up_from_empty(page, live_server.url, token)
    day = build_journey_in_editor(page, live_server.url, day)
    for path in ("/settings/organization/", "/settings/units/", "/settings/people/", "/settings/api-keys/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert violations(page, console) == []

    touchpoints = Touchpoint.objects.filter(stage__journey=day.journey).order_by("stage__position", "position")
    assert [(t.stage.code, t.code) for t in touchpoints] == [
        ("bli-kund", "tecknat-avtal"), ("bli-kund", "forsta-betalningen"), ("support", "telefonsupport")]
    # The first-run page is gone now that an organization exists.
    assert page.goto(f"{live_server.url}/setup/").status == 404
    # (The first day continues here: import a CSV that names these touchpoints, see the journey map.)
