"""The pages over the real pipeline: comments analyzed by `analyze_pending` are shown redacted,
found by topic, counted in the overview, and analysts' teaching survives re-analysis."""

import re

import pytest

from glapp.accounts.models import Role
from glapp.textanalytics import actions
from glapp.textanalytics.models import CommentAnalysis, TopicMention
from tests.factories import make_user
from tests.web.helpers import add_responses, login

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def analyzed_org(org):
    add_responses(org, {"nps": 2, "comment": "Ring mig på 070-123 45 67, fakturan var fel igen!"},
                  {"nps": 10, "comment": "Personalen var jättetrevlig och hjälpsam."},
                  {"nps": 4, "comment": "The delivery was late and nobody answered the phone."})
    assert actions.analyze_pending(org.id) == 3
    return org


def test_comments_are_shown_redacted_to_roles_without_pii_rights(client, analyzed_org):
    login(client, make_user(analyzed_org, "anna", role=Role.ANALYST))
    html = client.get("/verbatims/?pii=on").text
    assert "070-123 45 67" not in html and "fakturan var fel igen" in html
    assert "jättetrevlig" in html and "The delivery was late" in html


def test_owners_may_ask_for_the_original(client, analyzed_org):
    login(client, make_user(analyzed_org, "olle", role=Role.OWNER))
    assert "070-123 45 67" not in client.get("/verbatims/").text
    assert "070-123 45 67" in client.get("/verbatims/?pii=on").text


def test_topic_filter_and_overview_agree_with_stored_mentions(client, analyzed_org):
    login(client, make_user(analyzed_org, "anna"))
    counts = {}
    for code in TopicMention.objects.values_list("topic", flat=True):
        counts[code] = counts.get(code, 0) + 1
    assert counts, "the built-in taxonomy should find something in these comments"
    overview = client.get("/topics/").text
    for code, n in counts.items():
        assert f'data-testid="volume-{code}">{n}<' in overview
        listed = client.get(f"/verbatims/?topic={code}", **HX).text
        assert len(re.findall(r'data-answer-id="\d+"', listed)) == n
        assert "<mark>" in listed  # the words that made the topic match are highlighted


def test_a_tag_survives_reanalysis(client, analyzed_org):
    login(client, make_user(analyzed_org, "anna"))
    analysis = CommentAnalysis.objects.get(redacted_text__startswith="Personalen")
    actions.save_topic(analyzed_org.id, "parkering", name_sv="Parkering", name_en="Parking", query="parkering*")
    row = client.post(f"/verbatims/{analysis.answer_id}/tag/", {"tag": "parkering", "applies": "1"}, **HX).text
    assert 'data-topic="parkering"' in row
    actions.save_topic(analyzed_org.id, "parkering", name_sv="Parkering", name_en="Parking",
                       query="parkering* OR p-plats*")
    assert actions.analyze_pending(analyzed_org.id) == 3  # a changed topic re-analyzes every comment
    html = client.get("/verbatims/?topic=parkering").text
    assert f'data-answer-id="{analysis.answer_id}"' in html
