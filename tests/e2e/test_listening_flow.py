"""The listening loop end to end, in a real browser: an analyst builds a survey in the builder,
the linter flags a leading question, the analyst fixes it and publishes; a customer answers on a
phone in Swedish (through the public link, as from a QR code in a store); the analyst finds the
answer, with its comment, in the responses list."""

import re

import pytest
from playwright.sync_api import expect

from glapp.responses.models import Response
from tests.e2e.test_respondent_pages import PHONE, assert_accessible
from tests.e2e.test_survey_builder import NEUTRAL_SV, acme, build_survey_in_builder, log_in  # noqa: F401 (acme: fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Lång väntetid i kassan <b>men</b> trevlig personal"


@pytest.mark.usefixtures("acme")
def test_build_publish_answer_on_a_phone_in_swedish_and_see_it_among_the_responses(live_server, page, browser):
    log_in(page, live_server.url, "sara")
    built = build_survey_in_builder(page, live_server.url, name="Efter besöket")

    phone = browser.new_context(**PHONE)
    try:
        respondent = phone.new_page()
        respondent.goto(built.public_url + "?store=Kista&channel=store")
        expect(respondent.locator("html")).to_have_attribute("lang", "sv")
        heading = respondent.get_by_role("heading", level=1)
        # The optional "[ den {date}]" part is dropped: the public link knows no visit date.
        expect(heading).to_have_text(
            "Utifrån din upplevelse, hur troligt är det att du skulle rekommendera oss till en vän eller kollega?")
        assert respondent.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
        assert_accessible(respondent)
        respondent.get_by_role("radio", name="4", exact=True).tap()
        respondent.locator("button.primary").tap()

        # A detractor is asked what we could have done differently (skip logic), in Swedish.
        expect(respondent).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/$"))
        expect(heading).to_contain_text("vad hade vi kunnat göra annorlunda")
        respondent.locator("textarea").fill(COMMENT)
        respondent.locator("button.primary").tap()

        # The question the analyst added and fixed in the builder, worded as fixed.
        expect(heading).to_have_text(NEUTRAL_SV)
        respondent.get_by_role("radio", name=re.compile(r"^3")).tap()
        respondent.locator("button.primary").tap()
        expect(respondent.get_by_role("heading", level=1)).to_contain_text("Tack")
        assert_accessible(respondent)
    finally:
        phone.close()

    response = Response.objects.get(survey=built.survey)
    assert response.channel == "store" and response.language == "sv" and response.has_comment
    assert {a.question.key: (a.number, a.text) for a in response.answers.select_related("question")} == \
        {"nps": (4, ""), "improve": (None, COMMENT), "csat": (3, "")}

    # The analyst sees it in the responses list: score, survey, the comment as text (escaped).
    page.goto(f"{live_server.url}/responses/")
    row = page.locator(f'li.resp[data-response-id="{response.pk}"]')
    expect(row).to_be_visible()
    expect(row.locator(".score")).to_have_text("4")
    expect(row.locator(".m-survey")).to_have_text("Efter besöket")
    expect(row.locator("blockquote.comment")).to_have_text(COMMENT)
    expect(row.locator("blockquote.comment b")).to_have_count(0)
