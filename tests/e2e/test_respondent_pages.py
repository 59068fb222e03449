"""A Swedish respondent on a phone: keyboard and taps, no JavaScript needed, and axe-core
(bundled by axe-playwright-python, nothing fetched) finds no accessibility violations."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from glapp.respond.models import RespondentSession
from glapp.responses.models import Response
from tests.factories import make_org
from tests.surveys.test_respondent_pages import make_invitation, make_swedish_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True, "locale": "sv-SE"}


@pytest.fixture
def acme(transactional_db):
    org = make_org("acme", "Acme Butiker")
    survey = make_swedish_survey(org)
    return org, survey


def assert_accessible(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_swedish_respondent_answers_on_a_phone_with_keyboard_and_taps(live_server, browser, acme):
    org, survey = acme
    invitation = make_invitation(org, survey, first_name="Anna")
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/r/{invitation.token}/")
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Hur troligt är det att du skulle rekommendera oss efter ditt samtal med Bo?")
        group = page.get_by_role("group", name=re.compile("Hur troligt"))
        expect(group.get_by_role("radio")).to_have_count(11)
        # The eleven buttons wrap into rows on a phone instead of overflowing it.
        boxes = [group.get_by_role("radio", name=str(v), exact=True).bounding_box() for v in (0, 10)]
        assert boxes[1]["y"] > boxes[0]["y"] and boxes[1]["x"] + boxes[1]["width"] <= 390
        assert min(b["height"] for b in boxes) >= 44 and min(b["width"] for b in boxes) >= 44  # touch targets
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)

        # Sending nothing: the error summary takes focus and names the problem.
        page.locator("button.primary").click()
        summary = page.get_by_role("alert")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        assert_accessible(page)

        # Keyboard only: into the scale, arrow to 3, on to the button, Enter.
        page.get_by_role("radio", name="0", exact=True).focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        expect(page.get_by_role("radio", name="3", exact=True)).to_be_checked()
        page.keyboard.press("Tab")
        expect(page.locator("button.primary")).to_be_focused()
        page.keyboard.press("Enter")

        # The detractor's follow-up, with the first name piped in.
        expect(heading).to_have_text("Vad kunde vi ha gjort bättre, Anna?")
        box = page.locator("textarea")
        box.focus()
        page.keyboard.type("Kortare väntetid i telefon")
        assert_accessible(page)
        page.locator("button.primary").tap()

        expect(heading).to_have_text("Vad var viktigast?")
        page.get_by_label("Servicen").tap()
        expect(page.get_by_role("radio", name="Servicen")).to_be_checked()
        assert_accessible(page)
        page.locator("button.primary").tap()

        expect(heading).to_have_text("Något mer du vill berätta?")
        page.locator("button[name=skip]").tap()  # optional: skipped
        expect(page.get_by_text("Tack Anna!")).to_be_visible()
        assert_accessible(page)
    finally:
        context.close()
    session = RespondentSession.objects.get(token=invitation.token)
    assert session.completed_at is not None
    assert session.answered == {"nps": 3, "better": "Kortare väntetid i telefon", "reason": "service",
                                "comment": None}
    response = Response.objects.get(external_id=session.response_external_id)
    assert {a.question.key for a in response.answers.all()} == {"nps", "better", "reason"}


def test_the_public_link_works_with_javascript_turned_off(live_server, browser, acme):
    _, survey = acme
    context = browser.new_context(java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/s/{survey.public_token}/?store=Kista&channel=store")
        page.get_by_role("radio", name="10", exact=True).click()
        page.locator("button.primary").click()
        expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Vad var viktigast?")
        expect(page.get_by_text("Fråga 2 av 3").or_(page.get_by_text("Question 2 of 3"))).to_be_visible()
        page.get_by_label("Priset").click()
        page.locator("button.primary").click()
        page.locator("textarea").fill("Snabbt och trevligt")
        page.locator("button.primary").click()
        expect(page.get_by_role("link", name="Skriv ett omdöme")).to_have_attribute(
            "href", "https://reviews.example/acme")  # a promoter is offered the next step
        # A finished session is not resumed: the public link starts afresh for the next visit.
        page.goto(f"{live_server.url}/s/{survey.public_token}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hur troligt")
    finally:
        context.close()
    response = Response.objects.get()
    assert response.channel == "store" and response.metadata == {"store": "Kista"}
    assert response.has_comment and response.answers.count() == 3
