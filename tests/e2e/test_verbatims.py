"""The comments explorer in a real browser: search a word, see it highlighted (and a hostile
comment shown as text), tag a comment inline with HTMX, and the tag is still there after reload."""

import re

import pytest
from playwright.sync_api import expect

from glapp.textanalytics import actions
from glapp.textanalytics.models import Topic, TopicTag
from tests.factories import PASSWORD, make_org, make_user
from tests.web.helpers import add_responses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    org = make_org("acme", "Acme Butiker")
    Topic.objects.create(organization=org, code="parkering", name_sv="Parkering", name_en="Parking",
                         query="parkering*")
    add_responses(org, {"nps": 3, "comment": "Alldeles för lång väntetid i telefon <b>igen</b>"},
                  {"nps": 10, "comment": "Trevlig personal och snabb hjälp"},
                  {"nps": 6, "comment": "<script>document.title='pwned'</script> Kassan hängde sig"})
    actions.analyze_pending(org.id)  # the real pipeline: redaction, language, sentiment, topics
    make_user(org, "anna")
    return org


def test_search_highlight_and_tag_inline(live_server, page, acme):
    page.goto(f"{live_server.url}/login/?next=/verbatims/")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Kommentarer", level=1)).to_be_visible()
    expect(page.get_by_test_id("count")).to_have_text("3 kommentarer")
    # Hostile text is text: no script ran, no markup was made from it.
    expect(page.get_by_text("<script>document.title='pwned'</script> Kassan hängde sig")).to_be_visible()
    assert page.title() != "pwned" and page.locator(".comment b").count() == 0

    page.get_by_label("Sök i kommentarer").fill("väntetid")
    expect(page.get_by_test_id("count")).to_have_text("1 kommentar")
    expect(page).to_have_url(re.compile(r"q=v%C3%A4ntetid"))
    row = page.locator("li.verbatim")
    expect(row.locator("mark")).to_have_text("väntetid")
    expect(row.locator(".comment")).to_contain_text("i telefon <b>igen</b>")

    row.get_by_label("Ämne att lägga till").select_option("parkering")
    row.get_by_role("button", name="Lägg till ämne").click()
    chip = page.locator('li.verbatim [data-topic="parkering"]')
    expect(chip).to_contain_text("Parkering")
    expect(page.locator("li.verbatim mark")).to_have_text("väntetid")  # the swapped row keeps its highlight
    assert TopicTag.objects.get(topic__code="parkering").applies

    page.reload()
    expect(page.get_by_test_id("count")).to_have_text("1 kommentar")
    expect(page.locator('li.verbatim [data-topic="parkering"]')).to_contain_text("Parkering")
