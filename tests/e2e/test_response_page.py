"""The response page in a real browser: reached from the responses list, its comment tagged
inline with HTMX (the row swapped in place, the page kept), the customer's other responses paged
on with "More", and a hostile comment shown as text."""

import re

import pytest
from playwright.sync_api import expect

from glapp.textanalytics import actions
from glapp.textanalytics.models import Topic, TopicTag
from glapp.web.response_detail import OTHERS_SHOWN
from tests.factories import PASSWORD, make_org, make_user
from tests.web.helpers import add_responses, days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = "<script>document.title='pwned'</script> Kassan hängde sig"


@pytest.fixture
def acme(transactional_db):
    org = make_org("acme", "Acme Butiker")
    Topic.objects.create(organization=org, code="parkering", name_sv="Parkering", name_en="Parking",
                         query="parkering*")
    add_responses(org, *[{"nps": 8, "comment": f"Tidigare svar {n}", "customer": {"external_id": "K-1"},
                          "submitted_at": days_ago(30 - n)} for n in range(OTHERS_SHOWN + 2)])
    add_responses(org, {"nps": 3, "comment": HOSTILE, "customer": {"external_id": "K-1"},
                        "submitted_at": days_ago(1)})
    actions.analyze_pending(org.id)  # the real pipeline: redaction, language, sentiment, topics
    make_user(org, "anna")
    return org


def test_from_the_list_to_the_response_tag_it_and_page_the_customers_responses(live_server, page, acme):
    page.goto(f"{live_server.url}/login/?next=/responses/")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_test_id("response-link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Svar \d+"))
    # Hostile text is text: no script ran, no markup was made from it.
    expect(page.locator("li.verbatim .comment")).to_have_text(HOSTILE)
    assert page.title() != "pwned"

    row = page.locator("li.verbatim")
    row.get_by_label("Ämne att lägga till").select_option("parkering")
    row.get_by_role("button", name="Lägg till ämne").click()
    expect(page.locator('li.verbatim [data-topic="parkering"]')).to_contain_text("Parkering")
    expect(page.locator('li.verbatim dl.analysis')).to_contain_text("Parkering")  # re-rendered with the row
    expect(page.get_by_test_id("about")).to_be_visible()  # the row was swapped, the page kept
    assert TopicTag.objects.get(topic__code="parkering").applies

    others = page.get_by_test_id("other-responses")
    expect(others.locator("li.resp")).to_have_count(OTHERS_SHOWN)
    others.get_by_role("link", name="Fler").click()
    expect(others.locator("li.resp")).to_have_count(OTHERS_SHOWN + 2)
    expect(page.get_by_test_id("about")).to_be_visible()
