"""The respondent's language: the link's `?lang=`, then the browser's Accept-Language among the
survey's languages, then the organization's default; and the language switch on every question
page, which keeps the answers given (and the one being given)."""

import re

import pytest
from django.test import Client

from glapp.respond import languages
from glapp.respond.models import RespondentSession
from glapp.responses.models import Answer, Response
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey
from tests.surveys.test_respondent_pages import answer, make_invitation, make_swedish_survey, start_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org):
    return make_swedish_survey(org)


def _checked(html: str) -> list[str]:
    return re.findall(r'value="([^"]+)" checked', html)


@pytest.mark.parametrize(("header", "expected"), [
    ("en-GB,en;q=0.9", "en"), ("en-US", "en"), ("de-DE,de;q=0.9,en;q=0.5", "en"),
    ("sv-SE", "sv"), ("de, fr;q=0.5", "sv"), ("", "sv"), ("en;q=0.2, sv;q=0.8", "sv"), ("*", "sv")])
def test_the_browsers_language_picks_among_the_surveys_languages(header, expected):
    assert languages.choose(["sv", "en"], accept=header, default="sv") == expected


def test_the_link_beats_the_browser_and_the_default_comes_last():
    assert languages.choose(["sv", "en"], requested="sv", accept="en-GB") == "sv"
    assert languages.choose(["sv", "en"], requested="de", accept="en-GB") == "en"  # no German texts
    assert languages.choose(["fi", "en"], accept="de", default="sv") == "fi"  # the default not spoken: first
    assert languages.choose(["sv", "en"], accept="de", default="en") == "en"


def test_a_public_link_opened_in_an_english_browser_is_in_english(org, survey):
    url = f"/s/{survey.public_token}/"
    client = Client(headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html and "How likely are you to recommend us?" in html
    answer(client, url, "nps", "8", start=start_token(html))
    assert RespondentSession.objects.get().language == "en"
    assert '<html lang="en">' in client.get(f"/r/{RespondentSession.objects.get().token}/").content.decode()
    # The link's own language still wins over the browser's.
    assert '<html lang="sv">' in Client(headers={"Accept-Language": "en-GB"}).get(f"{url}?lang=sv").content.decode()


def test_a_survey_without_the_browsers_language_uses_its_own(org):
    only_sv = create_survey(org, name="Kort", code="kort", languages=["sv"],
                            questions=[QuestionSpec("nps", qt.NPS, {"sv": "Hur troligt?"}, required=True)])
    html = Client(headers={"Accept-Language": "en-GB"}).get(f"/s/{only_sv.public_token}/").content.decode()
    assert '<html lang="sv">' in html and "Hur troligt?" in html
    assert 'name="switch_language"' not in html  # one language: nothing to switch


def test_the_switch_on_an_invitation_page_keeps_the_answers_given_and_the_one_being_given(org, survey):
    inv = make_invitation(org, survey, language="sv")
    client = Client(enforce_csrf_checks=True)  # the switch is a form POST like the answers: no cookie needed
    url = f"/r/{inv.token}/"
    first = client.get(url).content.decode()
    assert '<nav class="langs" aria-label="Enkätens språk">' in first
    assert '<span lang="sv" aria-current="true">Svenska</span>' in first
    assert 'form="answer-form" name="switch_language" value="en" lang="en"' in first
    answer(client, url, "nps", "9")  # a promoter: next is "reason"
    page = client.post(url, {"question": "reason", "answer": "service", "switch_language": "en"})
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in html
    assert "What mattered most?" in html and "The service" in html
    assert _checked(html) == ["service"]  # the choice being made is still made
    session = RespondentSession.objects.get(token=inv.token)
    assert session.language == "en" and session.answered == {"nps": 9}  # nothing answered by switching
    assert list(Answer.objects.values_list("question__key", "number")) == [("nps", 9)]
    # Later pages stay in English; a language the survey has no texts in changes nothing.
    client.post(url, {"question": "reason", "answer": "service", "switch_language": "de"})
    assert '<html lang="en">' in client.get(url).content.decode()
    answer(client, url, "reason", "service")
    assert "Anything else to tell us?" in client.get(url).content.decode()
    assert Response.objects.count() == 1


def test_the_switch_on_a_public_link_starts_nothing_and_the_answer_starts_in_the_new_language(org, survey):
    url = f"/s/{survey.public_token}/?channel=store"
    client = Client()
    html = client.get(url).content.decode()
    page = client.post(url, {"question": "nps", "answer": "4", "start": start_token(html), "switch_language": "en"})
    switched = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in switched and _checked(switched) == ["4"]
    assert not RespondentSession.objects.exists()
    action = re.search(r'<form method="post" action="([^"]+)"', switched).group(1)
    assert "lang=en" in action and "channel=store" in action
    answer(client, action.replace("&amp;", "&"), "nps", "4", start=start_token(switched))
    session = RespondentSession.objects.get()
    assert (session.language, session.channel) == ("en", "store")
