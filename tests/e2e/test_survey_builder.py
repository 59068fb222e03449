"""The survey builder in a real browser: start from the transactional NPS template, add a
question with a leading wording, watch the live linter flag it in Swedish, fix it, see the
finding go away, publish, and find version 1 and the public link.

`build_survey_in_builder` is the reusable flow: later tests go on from the published survey
(answer it on a phone, see it among the responses).
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from glapp.accounts.models import Role
from glapp.surveys import question_types as qt
from glapp.surveys.linter import lint
from glapp.surveys.models import Survey
from tests.factories import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEADING_SV = "Hur nöjd var du med vår utmärkta service?"
NEUTRAL_SV = "Hur nöjd eller missnöjd är du med servicen?"
NEUTRAL_EN = "How satisfied or dissatisfied are you with the service?"


@dataclass
class BuiltSurvey:
    survey: Survey
    public_url: str


def log_in(page: Page, base_url: str, username: str, next_path: str = "/surveys/") -> None:
    page.goto(f"{base_url}/login/?next={next_path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def swedish_leading_message(text: str) -> str:
    """What the linter says, in Swedish, about `text` as a CSAT question: the builder must show it."""
    definition = {"languages": ["sv"], "questions": [
        {"key": "q", "type": qt.CSAT, "texts": {"sv": text}, "options": [], "show_if": {}}]}
    return next(f.message for f in lint(definition, language="sv") if f.code == "leading_wording")


def build_survey_in_builder(page: Page, base_url: str, name: str = "Efter samtalet") -> BuiltSurvey:
    """Logged in as someone who may design surveys (UI in Swedish), on any page: create a survey
    from the transactional NPS template, add a CSAT question, word it leadingly, see the linter
    flag it, fix it, save, publish. Returns the survey and its public link."""
    page.goto(f"{base_url}/surveys/new/")
    page.locator('input[name="template"][value="nps_transactional"]').check()
    page.locator('input[name="name"]').fill(name)
    page.get_by_test_id("create-survey").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    survey = Survey.objects.get(name=name)

    page.locator('[data-testid="add-question"] select[name="type"]').select_option(qt.CSAT)
    page.get_by_test_id("add-question-button").click()
    card = page.locator('article[data-question="csat"]')
    expect(card).to_be_visible()

    # Typing is linted live (HTMX), before anything is saved.
    card.locator('textarea[lang="sv"]').fill(LEADING_SV)
    panel = page.get_by_test_id("lint-panel")
    flagged = panel.locator('[data-code="leading_wording"][data-question="csat"]')
    expect(flagged).to_contain_text(swedish_leading_message(LEADING_SV))
    expect(card.locator(".qfindings [data-code='leading_wording']")).to_be_visible()
    expect(card.locator("[data-testid=preview] mark", has_text="utmärkta")).to_be_visible()

    card.locator('textarea[lang="sv"]').fill(NEUTRAL_SV)
    card.locator('textarea[lang="en"]').fill(NEUTRAL_EN)
    expect(panel.locator('[data-code="leading_wording"]')).to_have_count(0)
    expect(page.get_by_test_id("lint-clean")).to_be_visible()
    card.get_by_test_id("save-question").click()  # a plain submit: works without JavaScript too
    expect(page.locator('article[data-question="csat"] textarea[lang="sv"]')).to_have_value(NEUTRAL_SV)
    expect(page.get_by_test_id("lint-clean")).to_be_visible()

    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("version")).to_have_count(1)
    expect(page.get_by_test_id("version")).to_contain_text("1")
    survey.refresh_from_db()
    link = page.get_by_test_id("public-link")
    expect(link).to_have_attribute("href", f"{base_url}/s/{survey.public_token}/")
    assert survey.status == Survey.Status.ACTIVE and survey.current_version.number == 1
    assert [q["key"] for q in survey.current_version.definition["questions"]] == \
        ["nps", "improve", "higher", "reason", "csat"]
    return BuiltSurvey(survey, link.get_attribute("href"))


@pytest.fixture
def acme(transactional_db):
    org = make_org("acme", "Acme Butiker")
    make_user(org, "sara", role=Role.ANALYST, language="sv")
    return org


def test_build_lint_fix_and_publish_a_survey(live_server, page, acme):
    log_in(page, live_server.url, "sara")
    built = build_survey_in_builder(page, live_server.url)
    assert built.public_url.endswith(f"/s/{built.survey.public_token}/")
    page.goto(f"{live_server.url}/surveys/")
    row = page.locator(f'tr[data-survey="{built.survey.code}"]')
    expect(row).to_contain_text("Efter samtalet")
    expect(row.locator("td.num")).to_have_text("0")
