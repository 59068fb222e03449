"""The widget on a customer's site: a page of another origin (127.0.0.1, while glapp is
localhost) embeds widget.js, fires the event, the panel appears, a display is recorded, and
answering in the iframe creates a response linked to that display. Escape closes the panel, and
the same browser is not asked again."""

import pytest
from playwright.sync_api import expect

from glapp.respond.models import Display, RespondentSession
from glapp.responses.models import Response
from tests.factories import make_org
from tests.surveys.test_respondent_pages import make_swedish_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Kassan</title>
<script>window.glapp=window.glapp||function(){(glapp.q=glapp.q||[]).push(arguments)};%(early)s</script>
<script src="%(glapp)s/w/widget.js" data-survey="%(token)s" async></script>
</head><body><main><h1>Tack för ditt köp</h1>
<button id="done" onclick="glapp('event', 'checkout_completed')">Klar</button>
</main></body></html>"""


SHOP_PATH = "/r/the-shop-checkout/"


@pytest.fixture
def shop(transactional_db, live_server, settings):
    org = make_org("acme", "Acme Butiker")
    # The shop's site is the only one allowed to show the widget (and to frame its survey pages).
    org.widget_origins = f"http://127.0.0.1:{live_server.url.rsplit(':', 1)[1]}"
    org.save(update_fields=["widget_origins"])
    # The shop's page is glapp's own 404 page with the shop's markup written in (below): it must not
    # carry glapp's Content-Security-Policy, which would refuse the shop's inline snippet.
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": [SHOP_PATH]}
    return make_swedish_survey(org, widget_delay_seconds=1)


def open_shop(page, live_server, survey, early: str = "") -> str:
    """The shop's page on another origin than glapp's (127.0.0.1 vs localhost). The document is
    one the live server really served (Chromium lets only a page that came from the loopback
    address space call loopback addresses), with the shop's markup written into it."""
    port = live_server.url.rsplit(":", 1)[1]
    shop_url = f"http://127.0.0.1:{port}{SHOP_PATH}"
    page.goto(shop_url)
    page.set_content(HOST_PAGE % {"glapp": live_server.url, "token": survey.public_token, "early": early})
    return shop_url


def test_the_widget_shows_after_the_event_and_links_the_answer_to_its_display(live_server, page, shop):
    survey = shop
    shop_url = open_shop(page, live_server, survey)
    trigger = page.locator("#done")
    trigger.focus()
    trigger.press("Enter")  # the site's own button fires glapp('event', 'checkout_completed')

    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible(timeout=10_000)
    expect(panel.get_by_role("button")).to_be_focused()  # the panel's close button
    display = Display.objects.get()
    assert (display.survey_id, display.event, display.page) == (survey.id, "checkout_completed", shop_url)

    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_contain_text("Hur troligt")
    frame.get_by_role("radio", name="9", exact=True).click()
    frame.locator("button.primary").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Vad var viktigast?")

    session = RespondentSession.objects.get()
    assert session.display_id == display.id and session.channel == "widget"
    response = Response.objects.get(external_id=session.response_external_id)
    assert response.channel == "widget" and response.answers.get().number == 9

    # Escape closes the panel and gives the focus back to where it was.
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(trigger).to_be_focused()

    # The same browser is not asked again within 30 days, even on a new visit.
    open_shop(page, live_server, survey)
    page.locator("#done").click()
    page.wait_for_timeout(2500)  # longer than the configured delay
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert Display.objects.count() == 1


def test_an_event_sent_before_the_script_loaded_still_counts(live_server, page, shop):
    # The page calls glapp() inline, before the async widget.js has even been requested: the
    # queue stub keeps the call and the widget replays it once loaded.
    open_shop(page, live_server, shop, early="glapp('event', 'checkout_completed');")
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible(timeout=10_000)
    assert Display.objects.count() == 1
    expect(panel.get_by_role("button")).to_be_focused()
    page.keyboard.press("Escape")  # with the focus outside the frame too
    expect(panel).to_have_count(0)
