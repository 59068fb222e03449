"""/api/v1/surveys: every answer checked against the OpenAPI document; errors are problem+json
naming the field; the linter's findings come back on read, replace, lint and refused publishes."""

import json

import pytest

from glapp.surveys.models import Survey
from tests.api.helpers import Api, assert_problem, key_for
from tests.api.test_openapi import check

pytestmark = pytest.mark.django_db

WRITE = ("responses:read", "surveys:write")
LEADING = "How satisfied were you with our excellent service?"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json()


@pytest.fixture
def designer(org):
    return Api(key_for(org, WRITE))


def put(api: Api, path: str, body: dict):
    return api.raw("PUT", path, json.dumps(body))


QUESTIONS = [
    {"key": "nps", "type": "nps", "required": True,
     "texts": {"sv": "Hur troligt är det att du skulle rekommendera oss till en vän?",
               "en": "How likely is it that you would recommend us to a friend?"}},
    {"key": "topic", "type": "single_choice", "options": ["price", "staff"],
     "texts": {"sv": "Vad påverkade ditt betyg mest?", "en": "What influenced your score most?"},
     "option_texts": {"sv": {"price": "Priset", "staff": "Personalen"}, "en": {"price": "Price", "staff": "Staff"}}},
    {"key": "why", "type": "text",
     "texts": {"sv": "Vad kunde vi ha gjort bättre?", "en": "What could we have done better?"}},
]


def test_create_read_replace_lint_publish(spec, org, designer):
    created = designer.post("/surveys", {"name": "Efter köp", "touchpoint": "web-checkout", "questions": QUESTIONS,
                                         "thank_you": {"sv": "Tack!", "en": "Thanks!"}})
    check(spec, "/api/v1/surveys", "post", created)
    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["status"], body["touchpoint"], body["current_version"]) == \
        ("efter-kop", "draft", "web-checkout", None)
    assert [q["key"] for q in body["questions"]] == ["nps", "topic", "why"]
    assert body["questions"][1]["option_texts"]["sv"]["price"] == "Priset"

    listed = designer.get("/surveys")
    check(spec, "/api/v1/surveys", "get", listed)
    assert {s["code"] for s in listed.json()} == {"nps", "efter-kop"}

    read = designer.get("/surveys/efter-kop", {"language": "sv"})
    check(spec, "/api/v1/surveys/{code}", "get", read)
    assert read.json()["lint"] == {"findings": [], "errors": 0, "warnings": 0}

    changed = [*QUESTIONS[:2], {**QUESTIONS[2], "texts": {"sv": "Vad tyckte du om vår utmärkta service?",
                                                          "en": "What did you think of our excellent service?"}}]
    replaced = put(designer, "/surveys/efter-kop?language=sv", {"name": "Efter köpet", "questions": changed})
    check(spec, "/api/v1/surveys/{code}", "put", replaced)
    assert replaced.status_code == 200 and replaced.json()["name"] == "Efter köpet"
    finding = next(f for f in replaced.json()["lint"]["findings"] if f["code"] == "leading_wording")
    assert finding["question"] == "why" and "berömmer" in finding["message"]  # Swedish, as asked

    lint = designer.post("/surveys/efter-kop/lint", {"questions": [QUESTIONS[0], {**QUESTIONS[2], "texts": {
        "sv": "Hur nöjd var du med vår utmärkta service?", "en": LEADING}}]})
    check(spec, "/api/v1/surveys/{code}/lint", "post", lint)
    assert lint.json()["warnings"] >= 2 and all(f["question"] == "why" for f in lint.json()["findings"])
    assert Survey.objects.get(organization=org, code="efter-kop").questions.get(key="why").texts["en"] != LEADING

    refused = designer.post("/surveys/efter-kop/publish", {})
    check(spec, "/api/v1/surveys/{code}/publish", "post", refused)
    problem = assert_problem(refused, 409)
    assert problem["type"] == "/problems/lint-warnings-unconfirmed"
    assert {f["code"] for f in problem["findings"]} >= {"leading_wording"}

    published = designer.post("/surveys/efter-kop/publish", {"acknowledge_warnings": True})
    check(spec, "/api/v1/surveys/{code}/publish", "post", published)
    assert published.status_code == 201 and published.json()["number"] == 1
    assert published.json()["acknowledged_warnings"] >= 1
    again = designer.get("/surveys/efter-kop")
    assert again.json()["current_version"] == 1 and again.json()["status"] == "active"
    assert again.json()["versions"][0]["number"] == 1


def test_create_from_a_template(spec, designer):
    templates = designer.get("/survey-templates")
    check(spec, "/api/v1/survey-templates", "get", templates)
    assert "nps_transactional" in {t["code"] for t in templates.json()}
    [nps] = [t for t in templates.json() if t["code"] == "nps_transactional"]
    assert nps["name"] == {"sv": "NPS efter en händelse", "en": "Transactional NPS"}
    assert nps["description"]["sv"].startswith("Rekommendationsfrågan direkt efter ett köp")
    created = designer.post("/surveys", {"template": "nps_transactional", "languages": ["en"],
                                         "widget_event": "checkout_done"})
    check(spec, "/api/v1/surveys", "post", created)
    body = created.json()
    assert body["name"] == "Transactional NPS" and body["languages"] == ["en"]
    assert body["widget_event"] == "checkout_done"
    assert body["questions"][1]["show_if"] == {"question": "nps", "max": 6}
    assert all(set(q["texts"]) == {"en"} for q in body["questions"])


def test_errors_are_problems_naming_the_field(spec, designer):
    bad = designer.post("/surveys", {"name": "X", "questions": [
        QUESTIONS[0], {**QUESTIONS[2], "show_if": {"question": "nps", "max": 11}},
        {**QUESTIONS[1], "options": ["price"]}, {"key": "nps", "type": "mood", "texts": {}}]})
    check(spec, "/api/v1/surveys", "post", bad)
    assert_problem(bad, 422, "questions.1.show_if.max", "questions.2.options", "questions.3.key",
                   "questions.3.type")
    unknown = designer.post("/surveys", {"name": "X", "questions": [{**QUESTIONS[0], "colour": "red"}]})
    assert_problem(unknown, 422, "questions.0.colour")
    assert_problem(designer.post("/surveys", {"template": "nope"}), 422, "template")
    assert_problem(designer.post("/surveys", {"name": "Dup", "code": "nps", "questions": []}), 422, "code")
    assert_problem(designer.post("/surveys", {"name": "T", "touchpoint": "nowhere", "questions": []}), 422,
                   "touchpoint")
    assert_problem(designer.post("/surveys", {"questions": []}), 422, "name")
    assert_problem(designer.get("/surveys/nps", {"language": "de"}), 422, "language")
    missing = designer.get("/surveys/nope")
    check(spec, "/api/v1/surveys/{code}", "get", missing)
    assert_problem(missing, 404)
    assert_problem(put(designer, "/surveys/nps", {"name": "NPS", "questions": [
        {**QUESTIONS[0], "show_if": {"question": "why", "in": ["a"]}}]}), 422, "questions.0.show_if.question")


def test_publish_blocked_by_lint_errors(spec, designer):
    designer.post("/surveys", {"name": "Tom fråga", "questions": [
        QUESTIONS[0], {"key": "later", "type": "text", "texts": {}}]})
    blocked = designer.post("/surveys/tom-fraga/publish", {"acknowledge_warnings": True})
    check(spec, "/api/v1/surveys/{code}/publish", "post", blocked)
    problem = assert_problem(blocked, 422)
    assert problem["type"] == "/problems/lint-errors"
    assert [(f["code"], f["severity"], f["question"]) for f in problem["findings"]] == \
        [("empty_question", "error", "later")]


def test_answered_question_keeps_its_type(designer, org):
    from tests.web.helpers import add_responses

    add_responses(org, {"nps": 9, "customer": None})
    nps = designer.get("/surveys/nps").json()
    questions = [{k: q[k] for k in ("key", "type", "texts", "options", "option_texts", "required", "scale_max",
                                    "show_if")} for q in nps["questions"]]
    questions[0]["type"] = "lba"
    assert_problem(put(designer, "/surveys/nps", {"name": nps["name"], "questions": questions}), 422,
                   "questions.0.type")
    assert_problem(put(designer, "/surveys/nps", {"name": nps["name"], "questions": questions[1:]}), 422,
                   "questions")


def test_scopes_tenancy_and_units(org, other_org):
    reader = Api(key_for(org, ("responses:read",)))
    assert reader.get("/surveys").status_code == 200
    assert_problem(reader.post("/surveys", {"name": "X", "questions": []}), 403)
    assert_problem(Api("glk_nope_nope").get("/surveys"), 401)
    ours = Api(key_for(org, WRITE))
    assert ours.post("/surveys", {"name": "Ours", "questions": QUESTIONS}).status_code == 201
    rival = Api(key_for(other_org, WRITE))
    assert_problem(rival.get("/surveys/ours"), 404)
    assert_problem(rival.post("/surveys/ours/publish", {}), 404)
    assert_problem(put(rival, "/surveys/ours", {"name": "Mine", "questions": []}), 404)
    assert "ours" not in {s["code"] for s in rival.get("/surveys").json()}
    limited = Api(key_for(org, WRITE, unit_code="acme-north"))
    assert_problem(limited.post("/surveys", {"name": "X", "questions": []}), 403)
