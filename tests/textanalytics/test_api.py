"""/api/v1/analyze, topics and tagging."""

import json

import pytest

from glapp.textanalytics import actions
from glapp.textanalytics.models import CommentAnalysis, Topic, TopicMention
from tests.api.helpers import Api, assert_problem, key_for
from tests.api.test_openapi import check
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org):
    return Api(key_for(org))


def test_analyze_returns_the_whole_pipeline(api, client):
    resp = api.post("/analyze", {"text": "Fakturan var fel och ingen svarade i telefon. Mejla jan@example.com"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["language"] == "sv" and body["label"] == "negative"
    assert "jan@example.com" not in body["redacted"] and body["pii"]
    assert {t["code"] for t in body["topics"]} and body["clauses"]
    spec = client.get("/api/v1/openapi.json").json()
    check(spec, "/api/v1/analyze", "post", resp)
    assert_problem(api.post("/analyze", {"text": "x", "language": "fi"}), 422)


def test_topics_crud_with_query_validation(api):
    topics = api.get("/topics").json()
    assert len(topics) >= 10 and all(t["builtin"] for t in topics)
    body = {"name_sv": "Roaming", "name_en": "Roaming", "query": "roaming OR utlandet"}
    saved = api.raw("PUT", "/topics/roaming", __import__("json").dumps(body))
    assert saved.status_code == 200 and saved.json()["builtin"] is False
    bad = api.raw("PUT", "/topics/broken", __import__("json").dumps({**body, "query": "(roaming AND"}))
    assert_problem(bad, 422, "query")
    assert api.raw("DELETE", "/topics/roaming").status_code == 204
    assert api.raw("DELETE", "/topics/roaming").status_code == 404


@pytest.mark.parametrize(("code", "error"), [
    ("new", "reserved"), ("themes", "reserved"), ("preview", "reserved"),  # pages of their own under /topics/
    ("x" * 81, "too_long"),  # was cut to 80 characters without a word
    ("pris.kod", "invalid"), ("pris%20kod", "invalid"),  # no page address could reach them
])
def test_a_new_topics_code_follows_the_same_rules_as_on_the_page(api, org, code, error):
    body = json.dumps({"name_sv": "Kodprov", "name_en": "Code trial", "query": "pris*"})
    problem = assert_problem(api.raw("PUT", f"/topics/{code}", body), 422, "code")
    assert [e["code"] for e in problem["errors"]] == [error]
    assert not Topic.objects.filter(organization=org, name_sv="Kodprov").exists()


def test_a_bad_code_and_a_bad_query_are_named_together(api):
    body = json.dumps({"name_sv": "Pris", "name_en": "Price", "query": "(pris AND"})
    problem = assert_problem(api.raw("PUT", "/topics/new", body), 422, "code", "query")
    assert len(problem["errors"]) == 2


def test_an_existing_topic_is_changed_by_its_code_and_a_builtin_one_is_never_deleted(api, org):
    builtin = Topic.objects.filter(organization=org, builtin=True).first() or Topic.objects.create(
        organization=org, code="billing", name_sv="Faktura", name_en="Billing", query="faktur*", builtin=True)
    body = {"name_sv": builtin.name_sv, "name_en": builtin.name_en, "query": builtin.query, "active": False}
    assert api.raw("PUT", f"/topics/{builtin.code}", json.dumps(body)).json()["active"] is False
    refused = assert_problem(api.raw("DELETE", f"/topics/{builtin.code}"), 409)
    assert refused["type"] == "/problems/builtin-topic"
    assert Topic.objects.filter(organization=org, code=builtin.code).exists()


def test_tagging_and_corrections_through_the_api(api, org, other_org):
    add_responses(org, {"nps": 3, "comment": "Det tog tre veckor innan någon hörde av sig."})
    actions.analyze_pending(org.id)
    answer_id = CommentAnalysis.objects.get().answer_id
    assert api.post("/topics/billing/tags", {"answer_id": answer_id}).status_code == 204
    assert TopicMention.objects.filter(topic="billing", source="tag").count() == 1
    assert api.post("/sentiment-corrections", {"answer_id": answer_id, "label": "neutral"}).status_code == 204
    assert CommentAnalysis.objects.get().sentiment_label == "neutral"
    rival = Api(key_for(other_org))
    assert rival.post("/topics/billing/tags", {"answer_id": answer_id}).status_code == 404  # not theirs
    reader = Api(key_for(org, scopes=("responses:read",)))
    assert reader.post("/topics/billing/tags", {"answer_id": answer_id}).status_code == 403


def test_responses_carry_their_comment_analysis(api, org, client):
    [rid] = add_responses(org, {"nps": 2, "comment": "Fakturan var fel, ring mig på 070-123 45 67."})
    assert api.get(f"/responses/{rid}").json()["analysis"] == []  # not analyzed yet
    actions.analyze_pending(org.id)
    body = api.get(f"/responses/{rid}").json()
    [analysis] = body["analysis"]
    assert analysis["question"] == "comment" and analysis["label"] == "negative"
    assert "billing" in {t["code"] for t in analysis["topics"]} and analysis["pii"]
    assert "070-123" not in body["answers"]["comment"]  # a read key has no PII rights
    spec = client.get("/api/v1/openapi.json").json()
    check(spec, "/api/v1/responses/{response_id}", "get", api.get(f"/responses/{rid}"))
    check(spec, "/api/v1/responses", "get", api.get("/responses"))
