"""POST /api/v1/responses and /responses/bulk: validation, dedupe, idempotency, all-or-nothing."""

import json

import pytest

from glapp.responses.models import Answer, IdempotencyRecord, Response
from tests.api.helpers import Api, assert_problem, key_for
from tests.factories import response_payload

pytestmark = pytest.mark.django_db


def test_create_returns_the_stored_response(api):
    resp = api.post("/responses", response_payload(external_id="t-1", unit="acme-north-store"))
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["created"] is True
    assert body["survey"] == "nps"
    assert body["touchpoint"] == "phone-support"
    assert body["unit"] == "acme-north-store"
    assert body["customer"] == "C-1"
    assert body["answers"] == {"nps": 9, "ces": 6, "comment": "Bra och snabbt"}
    assert body["metadata"] == {"campaign": "spring", "agent": "Anna"}
    assert body["source"] == "api" and body["has_comment"] is True
    assert body["submitted_at"].startswith("2026-05-03T08:15:00")
    stored = Response.objects.get(pk=body["id"])
    assert stored.external_id == "t-1" and stored.unit.code == "acme-north-store"


def test_same_external_id_returns_200_and_stores_nothing_new(api):
    first = api.post("/responses", response_payload(external_id="t-1"))
    again = api.post("/responses", response_payload(external_id="t-1", answers={"nps": 2}))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["answers"]["nps"] == 9  # the stored response is kept, not overwritten
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"survey": "nope"}, "survey", "unknown"),
        ({"answers": {"nps": 11}}, "answers.nps", "invalid"),
        ({"answers": {"nps": "ten"}}, "answers.nps", "invalid"),
        ({"answers": {"nps": True}}, "answers.nps", "invalid"),
        ({"answers": {"ces": 3}}, "answers.nps", "required"),
        ({"answers": {"nps": 5, "reason": "weather"}}, "answers.reason", "invalid"),
        ({"answers": {"nps": 5, "bogus": 1}}, "answers.bogus", "unknown"),
        ({"answers": {}}, "answers", "required"),
        ({"answers": [9]}, "answers", "invalid"),
        ({"submitted_at": "yesterday"}, "submitted_at", "invalid"),
        ({"submitted_at": "2999-01-01"}, "submitted_at", "invalid"),
        ({"channel": "pigeon"}, "channel", "invalid"),
        ({"unit": "atlantis"}, "unit", "unknown"),
        ({"touchpoint": "atlantis"}, "touchpoint", "unknown"),
        ({"metadata": {"deep": {"x": 1}}}, "metadata.deep", "invalid"),
        ({"metadata": "spring"}, "metadata", "invalid"),
        ({"customer": {"name": "Anna"}}, "customer.name", "unknown_field"),
        ({"customer": {"segment": "x"}}, "customer.external_id", "required"),
        ({"external_id": "x" * 201}, "external_id", "invalid"),
        ({"colour": "blue"}, "colour", "unknown_field"),  # pydantic's extra=forbid, in our words
    ],
)
def test_every_invalid_field_is_named_in_a_problem(api, overrides, field, code):
    resp = api.post("/responses", response_payload(**overrides))
    body = assert_problem(resp, 422, field)
    assert body["type"] == "/problems/validation-failed"
    assert code in {e["code"] for e in body["errors"] if e["field"] == field}
    assert Response.objects.count() == 0


def test_missing_survey_and_answers_are_schema_errors_with_dotted_names(api):
    body = assert_problem(api.post("/responses", {"channel": "email"}), 422, "survey", "answers")
    assert all(e["code"] == "required" for e in body["errors"])


def test_malformed_json_and_wrong_body_type_are_problems(api):
    assert_problem(api.raw("POST", "/responses", "{not json"), 400)
    assert_problem(api.raw("POST", "/responses", "[1, 2]"), 422)
    assert_problem(api.raw("POST", "/responses", ""), 422)


def test_oversized_body_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert_problem(api.post("/responses", response_payload(metadata={"note": "x" * 2000})), 413)


def test_unknown_path_and_wrong_method_are_problems(api):
    assert_problem(api.get("/nothing-here"), 404)
    resp = api.raw("DELETE", "/responses")
    assert_problem(resp, 405)
    assert "GET" in resp["Allow"] and "POST" in resp["Allow"]


# ---------------------------------------------------------------- bulk


def test_bulk_stores_all_in_order(api):
    payloads = [response_payload(external_id=f"b-{i}", answers={"nps": i}) for i in range(5)]
    payloads.append(response_payload(external_id="b-0"))  # a repeat inside the batch
    resp = api.post("/responses/bulk", {"responses": payloads})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [i["created"] for i in body["items"]] == [True] * 5 + [False]
    assert body["items"][5]["id"] == body["items"][0]["id"]
    assert body["created_count"] == 5
    stored = dict(Response.objects.values_list("id", "external_id"))
    assert [stored[i["id"]] for i in body["items"][:5]] == [f"b-{i}" for i in range(5)]
    assert Answer.objects.filter(question__key="nps").count() == 5


def test_bulk_is_all_or_nothing(api):
    payloads = [response_payload(external_id=f"b-{i}") for i in range(5)]
    payloads[3]["answers"] = {"nps": 42}
    payloads[4]["survey"] = "nope"
    body = assert_problem(api.post("/responses/bulk", {"responses": payloads}), 422,
                          "responses.3.answers.nps", "responses.4.survey")
    assert {e["field"] for e in body["errors"]} == {"responses.3.answers.nps", "responses.4.survey"}
    assert Response.objects.count() == 0


def test_bulk_schema_errors_name_the_item(api):
    payloads = [response_payload(), {"answers": {"nps": 1}}, response_payload(colour="red")]
    assert_problem(api.post("/responses/bulk", {"responses": payloads}), 422, "responses.1.survey",
                   "responses.2.colour")


def test_bulk_over_the_limit_is_413_before_validation(api, settings):
    settings.GLAPP_BULK_MAX = 3  # read at request time
    resp = api.post("/responses/bulk", {"responses": [{"x": i} for i in range(4)]})
    body = assert_problem(resp, 413)
    assert "at most 3" in body["detail"]
    assert Response.objects.count() == 0


# ---------------------------------------------------------------- idempotency


def test_idempotent_retry_replays_without_writing(api):
    payload = response_payload()  # no external_id: only the key protects against a duplicate
    first = api.post("/responses", payload, headers={"Idempotency-Key": "k-1"})
    again = api.post("/responses", payload, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.content == first.content
    assert Response.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.status_code == 201 and json.loads(record.body)["id"] == first.json()["id"]


def test_key_order_does_not_change_the_request(api):
    payload = response_payload()
    reordered = dict(reversed(list(payload.items())))
    api.post("/responses", payload, headers={"Idempotency-Key": "k-1"})
    assert api.post("/responses", reordered, headers={"Idempotency-Key": "k-1"})["Idempotent-Replayed"] == "true"


def test_same_key_with_a_different_body_is_refused(api):
    api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"})
    resp = api.post("/responses", response_payload(answers={"nps": 1}), headers={"Idempotency-Key": "k-1"})
    body = assert_problem(resp, 422)
    assert body["type"] == "/problems/idempotency-key-reused"
    assert Response.objects.count() == 1


def test_same_key_on_another_endpoint_is_a_different_request(api):
    api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"})
    resp = api.post("/responses/bulk", {"responses": [response_payload()]}, headers={"Idempotency-Key": "k-1"})
    assert_problem(resp, 422)


def test_invalid_request_does_not_burn_the_key(api):
    bad = api.post("/responses", response_payload(answers={"nps": 11}), headers={"Idempotency-Key": "k-1"})
    assert_problem(bad, 422, "answers.nps")
    good = api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"})
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good


def test_in_flight_key_is_409(api, org):
    # What a concurrent duplicate sees while the first request's write has not committed yet.
    from glapp.responses import idempotency

    payload = response_payload()
    fp = idempotency.fingerprint("POST", "/responses", payload)
    assert idempotency.claim(org.id, "k-1", fp) is None
    body = assert_problem(api.post("/responses", payload, headers={"Idempotency-Key": "k-1"}), 409)
    assert body["type"] == "/problems/idempotency-in-flight"
    assert Response.objects.count() == 0


def test_keys_are_per_organization(api, rival_api):
    assert api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"}).status_code == 201
    resp = rival_api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"})
    assert resp.status_code == 201 and "Idempotent-Replayed" not in resp
    assert Response.objects.count() == 2


def test_expired_key_is_fresh_again(api, settings):
    api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"})
    settings.GLAPP_IDEMPOTENCY_TTL_HOURS = 0
    resp = api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-1"})
    assert resp.status_code == 201 and "Idempotent-Replayed" not in resp
    assert Response.objects.count() == 2


def test_bulk_replay(api):
    batch = {"responses": [response_payload(), response_payload()]}
    first = api.post("/responses/bulk", batch, headers={"Idempotency-Key": "b-1"})
    again = api.post("/responses/bulk", batch, headers={"Idempotency-Key": "b-1"})
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Response.objects.count() == 2


def test_unprintable_key_is_a_field_error(api):
    assert_problem(api.post("/responses", response_payload(), headers={"Idempotency-Key": "x" * 300}), 422,
                   "Idempotency-Key")


def test_created_document_equals_what_a_read_returns(api, org):
    payload = response_payload(external_id="same-1", unit="acme-north-store", touchpoint="web-checkout",
                               answers={"nps": 0, "ces": 7, "reason": "price", "comment": "<b>Dyrt</b> & långsamt"},
                               submitted_at="2026-05-03 23:59:59.123456", customer="C-77", segment="business")
    created = api.post("/responses", payload).json()
    assert created.pop("created") is True
    assert api.get(f"/responses/{created['id']}").json() == created
    again = api.post("/responses", payload).json()
    assert again.pop("created") is False and again == created


def test_a_survey_added_elsewhere_is_accepted_at_once(api, org):
    from glapp.responses import catalog_cache as catalog
    from tests.factories import make_survey

    stale = catalog.get(org.id)  # this process has the catalog cached …
    make_survey(org, "fresh")  # … then another process adds a survey
    catalog._entries[org.id] = (catalog.time.monotonic(), stale)
    resp = api.post("/responses", response_payload(survey="fresh"))
    assert resp.status_code == 201, resp.content
    bulk = api.post("/responses/bulk", {"responses": [response_payload(survey="fresh")]})
    assert bulk.status_code == 201, bulk.content


def test_a_full_batch_is_one_transaction_with_few_queries(api, settings, django_assert_max_num_queries):
    batch = {"responses": [response_payload(external_id=f"f-{i}", customer=f"C-{i % 300}")
                           for i in range(settings.GLAPP_BULK_MAX)]}
    # 21, one for whether anyone of the organization was erased (a tombstone refuses them), one
    # for the range of their comments, noted for the analysis in the same transaction, one for
    # whether the organization has an active alert rule and one for its active webhook endpoints
    # (none of either: nothing more is written).
    with django_assert_max_num_queries(25):
        resp = api.post("/responses/bulk", batch)
    assert resp.status_code == 201 and resp.json()["created_count"] == settings.GLAPP_BULK_MAX
    assert Response.objects.count() == settings.GLAPP_BULK_MAX


def test_one_response_costs_a_fixed_number_of_queries(api, django_assert_num_queries):
    """A regression on the hot path (a query per answer, a read back, a lookup per request that
    should be per batch) fails here; a count, not a timing. In the test's transaction the two
    writing transactions are savepoints; the drain of the analysis, queued after the commit, is
    textanalytics' own and not counted here."""
    assert api.post("/responses", response_payload(external_id="warm-up")).status_code == 201
    # The key (with its organization and unit), whether anyone was erased; then in the write:
    # savepoint ×2, known external ids, known customers, customer ids, the customer, response
    # ids, the response, its answers (one executemany), its questions marked answered, the
    # rollups' dimensions, the rollups (one executemany), the comment's range noted for the
    # analysis, whether any alert rule is active, the organization's active webhook endpoints (one
    # read for response.created and response.completed), release ×2.
    with django_assert_num_queries(19):
        resp = api.post("/responses", response_payload(external_id="counted", customer="C-new"))
    assert resp.status_code == 201, resp.content


def test_the_write_right_after_an_erasure_is_refused(api, org):
    # Whether anyone was erased is asked on every write, never remembered from the last one
    # (contacts/queries.py: has_tombstones): the person cannot slip back in between.
    assert api.post("/responses", response_payload(customer="C-gone")).status_code == 201
    eraser = Api(key_for(org, ("customers:erase",)))
    assert eraser.raw("DELETE", "/customers/C-gone?mode=delete").status_code == 200
    assert_problem(api.post("/responses", response_payload(customer="C-gone")), 422, "customer")


def test_a_lost_unique_race_is_retried_and_sees_the_winner(org):
    # Two senders of one external_id at the same instant: on a database that does not serialize
    # writers, the loser's insert hits the unique constraint. One retry turns that into a replay.
    from django.db import IntegrityError

    from glapp.responses import idempotency

    attempts = []

    def write():
        attempts.append(1)
        if len(attempts) == 1:
            raise IntegrityError("UNIQUE constraint failed: responses_response.external_id")
        return idempotency.Outcome(200, {"id": 7, "created": False})

    outcome = idempotency.run_once(org.id, "k-race", "fp", write)
    assert outcome.status == 200 and len(attempts) == 2
    assert IdempotencyRecord.objects.get(key="k-race").status_code == 200

    def always_conflicts():
        raise IntegrityError("still")

    with pytest.raises(IntegrityError):
        idempotency.run_once(org.id, "k-lost", "fp", always_conflicts)
    assert not IdempotencyRecord.objects.filter(key="k-lost").exists()  # the key is released for a retry


def test_unexpected_failure_is_a_500_problem_without_internals(api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("password=hunter2 at /srv/glapp/secret.py")

    monkeypatch.setattr("glapp.responses.api.ingest_responses", broken)
    resp = api.post("/responses", response_payload(), headers={"Idempotency-Key": "k-500"})
    body = assert_problem(resp, 500)
    assert "hunter2" not in resp.content.decode() and "Traceback" not in resp.content.decode()
    assert body["type"] == "/problems/internal-error"
    assert not IdempotencyRecord.objects.exists()  # a failed write does not hold on to its key


@pytest.mark.parametrize(("scopes", "redacted"), [
    (("responses:read", "responses:write"), True),  # no PII rights
    (("responses:read", "responses:write", "admin"), False)])
def test_the_created_document_redacts_the_comment_exactly_as_a_read_does(org, scopes, redacted):
    """One rule for POST and GET: the key's PII rights decide whether the comment is shown as written."""
    from tests.api.helpers import Api, key_for

    api = Api(key_for(org, scopes))
    comment = "Ring mig på anna.svensson@example.com eller 070-123 45 67, tack"
    created = api.post("/responses", response_payload(external_id="pii-1", answers={"nps": 3, "comment": comment}))
    assert created.status_code == 201
    shown = created.json()["answers"]["comment"]
    read = api.get(f"/responses/{created.json()['id']}").json()["answers"]["comment"]
    assert shown == read
    assert ("anna.svensson@example.com" not in shown) is redacted
    again = api.post("/responses", response_payload(external_id="pii-1", answers={"nps": 3, "comment": comment}))
    assert again.status_code == 200 and again.json()["answers"]["comment"] == read  # the 200 echo too
    assert Answer.objects.get(text__startswith="Ring mig").text == comment  # stored as written
