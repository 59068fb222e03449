"""Respondent pages (no login): a non-finite score or unstorable text gets the page's error,
never a 500, on the invitation link, the public link and the widget."""

import json

import pytest
from django.test import Client

from glapp.respond.models import Display, RespondentSession
from glapp.responses.models import Answer, Response
from tests.surveys.test_respondent_pages import answer, make_invitation, make_swedish_survey, start_token
from tests.surveys.test_respondent_widget import allow_widget, display_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org):
    return make_swedish_survey(org)


@pytest.mark.parametrize("score", ["nan", "inf", "1e309", "Infinity", "-inf"])
def test_a_non_finite_score_on_the_public_link_is_the_pages_error(org, survey, score):
    url = f"/s/{survey.public_token}/"
    page = Client().get(url).content.decode()
    resp = answer(Client(), url, "nps", score, start=start_token(page))
    assert resp.status_code == 400 and 'role="alert"' in resp.content.decode()
    assert not Response.objects.exists() and not RespondentSession.objects.exists()


@pytest.mark.parametrize("score", ["nan", "1e309"])
def test_a_non_finite_score_on_an_invitation_link_is_the_pages_error(org, survey, score):
    url = f"/r/{make_invitation(org, survey).token}/"
    resp = answer(Client(), url, "nps", score)
    assert resp.status_code == 400 and 'role="alert"' in resp.content.decode()
    assert not Response.objects.exists()


def test_a_comment_with_a_nul_character_is_refused_with_a_message(org, survey):
    url = f"/r/{make_invitation(org, survey, language='en').token}/"
    answer(Client(), url, "nps", "2")
    resp = answer(Client(), url, "better", "bad\x00text")
    assert resp.status_code == 400
    assert "Your answer contains a character that cannot be saved." in resp.content.decode()
    assert not Answer.objects.filter(text__contains="bad").exists()


def test_a_public_link_parameter_with_a_nul_is_left_out(org, survey):
    url = f"/s/{survey.public_token}/?store=Ki%00sta&agent=Bo"
    page = Client().get(url).content.decode()
    answer(Client(), url, "nps", "9", start=start_token(page))
    assert RespondentSession.objects.get().context == {"agent": "Bo"}
    assert Response.objects.get().metadata == {"agent": "Bo"}


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"])
def test_a_widget_display_with_unstorable_text_is_refused(org, text):
    allow_widget(org)
    survey = make_swedish_survey(org, widget_delay_seconds=2)
    client = Client()
    body = json.dumps({"event": "checkout_completed", "page": "/x", "visitor": text,
                       "token": display_token(client, survey)})
    resp = client.post(f"/w/{survey.public_token}/displays", body, content_type="text/plain")
    assert resp.status_code == 400 and resp.json()["field"] == "visitor"
    assert not Display.objects.exists()
