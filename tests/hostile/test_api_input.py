"""Hostile values sent to the API get a problem+json naming the field, never a 500, on every
write endpoint (one response, a batch, events) and nothing is stored."""

import json

import pytest

from glapp.contacts.models import Customer
from glapp.distribution.models import TouchpointEvent
from glapp.responses.models import Response
from tests.api.helpers import assert_problem
from tests.factories import response_payload

pytestmark = pytest.mark.django_db

NOT_FINITE_TEXT = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "1e400"]
# JSON literals Python's parser accepts: NaN, Infinity and a number that overflows to infinity.
NOT_FINITE_LITERALS = ["NaN", "Infinity", "-Infinity", "1e400"]


def raw_body(payload: dict, **literals: str) -> str:
    """The payload as JSON text with placeholders swapped for raw literals (NaN, "\\ud800" …)."""
    text = json.dumps(payload)
    for name, literal in literals.items():
        text = text.replace(json.dumps(name), literal)
    return text


@pytest.mark.parametrize("score", NOT_FINITE_TEXT)
def test_a_non_finite_score_as_text_is_a_field_error(api, score):
    assert_problem(api.post("/responses", response_payload(answers={"nps": score})), 422, "answers.nps")
    bulk = {"responses": [response_payload(), response_payload(answers={"nps": score})]}
    assert_problem(api.post("/responses/bulk", bulk), 422, "responses.1.answers.nps")
    assert not Response.objects.exists()


@pytest.mark.parametrize("literal", NOT_FINITE_LITERALS)
def test_a_non_finite_json_number_is_a_field_error(api, literal):
    body = raw_body(response_payload(answers={"nps": "SCORE"}), SCORE=literal)
    assert_problem(api.raw("POST", "/responses", body), 422, "answers.nps")
    bulk = raw_body({"responses": [response_payload(), response_payload(answers={"nps": "SCORE"})]}, SCORE=literal)
    assert_problem(api.raw("POST", "/responses/bulk", bulk), 422, "responses.1.answers.nps")
    meta = raw_body(response_payload(metadata={"price": "P"}), P=literal)
    assert_problem(api.raw("POST", "/responses", meta), 422, "metadata.price")
    assert not Response.objects.exists()


@pytest.mark.parametrize(("placement", "field"), [
    (lambda v: {"answers": {"nps": 9, "comment": v}}, "answers.comment"),
    (lambda v: {"metadata": {"agent": v}}, "metadata.agent"),
    (lambda v: {"external_id": v}, "external_id"),
    (lambda v: {"customer": {"external_id": "C-9", "first_name": v}}, "customer.first_name"),
    (lambda v: {"customer": v}, "customer"),
])
@pytest.mark.parametrize("literal", [r'"a\ud800b"', r'"a\u0000b"'])
def test_unstorable_text_is_a_field_error_with_or_without_idempotency_key(api, placement, field, literal):
    body = raw_body(response_payload(**placement("TEXT")), TEXT=literal)
    assert_problem(api.raw("POST", "/responses", body), 422, field)
    assert_problem(api.raw("POST", "/responses", body, headers={"Idempotency-Key": "k-1"}), 422, field)
    bulk = raw_body({"responses": [response_payload(**placement("TEXT"))]}, TEXT=literal)
    assert_problem(api.raw("POST", "/responses/bulk", bulk, headers={"Idempotency-Key": "k-2"}), 422,
                   f"responses.0.{field}")
    assert not Response.objects.exists()


def test_an_unstorable_metadata_key_is_named_readably(api):
    body = json.dumps(response_payload(metadata={"KEY": "x"})).replace('"KEY"', r'"a\u0000"')
    problem = assert_problem(api.raw("POST", "/responses", body), 422)
    assert problem["errors"][0]["field"] == "metadata.a\ufffd"


@pytest.mark.parametrize(("name", "limit"), [("first_name", 120), ("email", 254), ("phone", 32), ("language", 8),
                                             ("segment", 80), ("region", 80)])
def test_an_over_long_customer_field_is_refused_not_cut(api, name, limit):
    customer = {"external_id": "C-9", name: "x" * (limit + 1)}
    assert_problem(api.post("/responses", response_payload(customer=customer)), 422, f"customer.{name}")
    assert not Customer.objects.filter(external_id="C-9").exists()
    fits = {"external_id": "C-9", name: "x" * limit}
    assert api.post("/responses", response_payload(customer=fits)).status_code == 201
    assert getattr(Customer.objects.get(external_id="C-9"), name) == "x" * limit


def test_a_metadata_key_has_a_length_limit(api):
    long_key = "k" * 81
    problem = assert_problem(api.post("/responses", response_payload(metadata={long_key: "x"})), 422)
    [error] = problem["errors"]
    assert error["field"].startswith("metadata.kkk") and len(error["field"]) < 100
    assert api.post("/responses", response_payload(metadata={"k" * 80: "x"})).status_code == 201
    megabyte = response_payload(metadata={"k" * 1_000_000: "x"})
    assert_problem(api.post("/responses", megabyte), 422)


def _event(**overrides) -> dict:
    body = {"id": "call-1", "touchpoint": "phone-support", "interaction": "call",
            "customer": {"external_id": "C-1", "first_name": "Anna"}, "metadata": {"agent": "Bo"}}
    body.update(overrides)
    return body


@pytest.mark.parametrize(("placement", "field"), [
    (lambda v: {"customer": {"external_id": "C-1", "first_name": v}}, "customer.first_name"),
    (lambda v: {"customer": {"external_id": v}}, "customer.external_id"),
    (lambda v: {"metadata": {"agent": v}}, "metadata.agent"),
    (lambda v: {"id": v}, "id"),
])
@pytest.mark.parametrize("literal", [r'"a\ud800b"', r'"a\u0000b"'])
def test_events_refuse_unstorable_text(api, placement, field, literal):
    body = raw_body(_event(**placement("TEXT")), TEXT=literal)
    assert_problem(api.raw("POST", "/events", body, headers={"Idempotency-Key": "e-1"}), 422, field)
    bulk = raw_body({"events": [_event(**placement("TEXT"))]}, TEXT=literal)
    assert_problem(api.raw("POST", "/events/bulk", bulk), 422, f"events.0.{field}")
    assert not TouchpointEvent.objects.exists()


def test_event_metadata_keys_and_numbers_have_limits(api):
    assert_problem(api.post("/events", _event(metadata={"k" * 81: "x"})), 422)
    body = raw_body(_event(metadata={"price": "P"}), P="NaN")
    assert_problem(api.raw("POST", "/events", body), 422, "metadata.price")
    assert not TouchpointEvent.objects.exists()


@pytest.mark.parametrize("answer_id", [2**64, 2**63, 10**30, 0, -1])
def test_ids_beyond_64_bits_are_field_errors(api, answer_id):
    for path in ("/sentiment-corrections", "/topics/price/tags"):
        body = {"answer_id": answer_id, "label": "negative"} if "correct" in path else {"answer_id": answer_id}
        assert_problem(api.post(path, body), 422, "answer_id")
    assert api.get(f"/responses/{2**64}").status_code in (404, 422)


def test_score_filters_beyond_32_bits_are_field_errors(api):
    for name in ("score_min", "score_max"):
        assert_problem(api.get("/responses", {name: str(10**30)}), 422, name)


def test_a_comment_search_reads_a_bounded_window_per_page_and_its_cursor_goes_on(api, settings):
    """A long search that matches nothing old no longer reads every comment of the organization
    in one request: each page reads GLAPP_SEARCH_WINDOW responses and its cursor continues."""
    for n in range(7):
        comment = "sällsynt ord" if n == 0 else f"vanlig kommentar {n}"
        payload = response_payload(external_id=f"R-{n}", submitted_at=f"2026-05-0{n + 1}T10:00:00+02:00",
                                   answers={"nps": 5, "comment": comment})
        assert api.post("/responses", payload).status_code == 201
    params = {"q": "sällsynt " + "o" * 150, "has_comment": "true"}
    settings.GLAPP_SEARCH_WINDOW = 3
    pages, cursor = [], None
    while True:
        body = api.get("/responses", {**params, "q": "sällsynt", **({"cursor": cursor} if cursor else {})}).json()
        pages.append([item["external_id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == [[], [], ["R-0"]]  # 7 responses, 3 a page: the match is on the third
    long_query = api.get("/responses", params)
    assert long_query.status_code == 200 and long_query.json()["next_cursor"]


@pytest.mark.parametrize("path", ["/responses?q=a%00b", "/responses?survey=a%00b", "/surveys/a%00b",
                                  "/customers/C%00-1/contact-history", "/metrics?survey=a%00b",
                                  "/responses?a%00b=1"])
def test_a_nul_in_a_path_or_query_parameter_is_a_field_error(api, path):
    problem = assert_problem(api.client.get(f"/api/v1{path}", headers=api._headers(None)), 422)
    assert problem["errors"][0]["code"] == "unstorable"


def test_a_reused_idempotency_key_is_a_problem_naming_the_header(api):
    assert api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"}).status_code == 201
    other = api.post("/responses", response_payload(external_id="R-2"), headers={"Idempotency-Key": "k-1"})
    assert assert_problem(other, 422, "Idempotency-Key")["type"] == "/problems/idempotency-key-reused"


@pytest.mark.parametrize("literal", [r'"a\ud800b"', r'"a\u0000b"', "NaN"])
def test_every_endpoint_refuses_unstorable_json_at_the_door(api, literal):
    body = raw_body({"address": "TEXT"}, TEXT=literal)
    assert_problem(api.raw("POST", "/deliveries/bounces", body), 422, "address")
