"""The document's customer and metadata schemas take their limits from the validators, and the
validators (not pydantic) still judge what is sent: same fields, codes and words at every limit."""

import pytest
from jsonschema import Draft202012Validator

from glapp.distribution.validation import CUSTOMER_LENGTHS
from glapp.responses.models import Response
from glapp.responses.validation import CUSTOMER_FIELDS, EXTERNAL_ID_LENGTH, MAX_METADATA_KEYS
from tests.api.helpers import assert_problem
from tests.factories import response_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def schemas(client):
    spec = client.get("/api/v1/openapi.json").json()
    return spec["components"]["schemas"]


def _without_null(prop: dict) -> list[dict]:
    return [s for s in prop.get("anyOf", [prop]) if s.get("type") != "null"]


def test_response_customer_and_metadata_show_the_validators_limits(schemas):
    customer = schemas["ResponseCustomer"]
    assert set(customer["properties"]) == CUSTOMER_FIELDS
    assert customer["required"] == ["external_id"] and customer["additionalProperties"] is False
    assert customer["properties"]["external_id"]["maxLength"] == EXTERNAL_ID_LENGTH
    sent = schemas["ResponseIn"]["properties"]
    assert {"type": "string", "maxLength": EXTERNAL_ID_LENGTH} in _without_null(sent["customer"])
    assert {"$ref": "#/components/schemas/ResponseCustomer"} in _without_null(sent["customer"])
    assert _without_null(sent["external_id"]) == [{"type": "string", "maxLength": EXTERNAL_ID_LENGTH}]
    [metadata] = _without_null(sent["metadata"])
    assert metadata["type"] == "object" and metadata["maxProperties"] == MAX_METADATA_KEYS


def test_event_customer_shows_the_validators_limits(schemas):
    customer = schemas["EventCustomer"]
    assert schemas["EventIn"]["properties"]["customer"]["$ref"] == "#/components/schemas/EventCustomer"
    assert customer["required"] == ["external_id"] and customer["additionalProperties"] is False
    for name, length in CUSTOMER_LENGTHS.items():
        [text] = _without_null(customer["properties"][name])
        if name == "preferred_channel":
            assert text["enum"] == ["email", "sms"]  # both fit in its column
        else:
            assert text["maxLength"] == length, name


def test_examples_fit_their_schemas(client):
    spec = client.get("/api/v1/openapi.json").json()
    for model in ("ResponseIn", "EventIn"):
        for prop in spec["components"]["schemas"][model]["properties"].values():
            for example in prop.get("examples", []):
                schema = {"components": spec["components"], **{k: v for k, v in prop.items() if k != "examples"}}
                Draft202012Validator(schema).validate(example)


@pytest.mark.parametrize("customer", [lambda text: text, lambda text: {"external_id": text, "segment": "private"}],
                         ids=["id", "object"])
def test_response_customer_id_at_and_past_the_limit(api, customer):
    assert api.post("/responses", response_payload(customer=customer("x" * EXTERNAL_ID_LENGTH))).status_code == 201
    body = assert_problem(api.post("/responses", response_payload(customer=customer("y" * (EXTERNAL_ID_LENGTH + 1)))),
                          422, "customer.external_id")
    assert body["errors"] == [{"field": "customer.external_id", "code": "invalid",
                               "message": f"is longer than {EXTERNAL_ID_LENGTH} characters"}]


def test_response_metadata_at_and_past_the_limit(api):
    full = {f"k{i}": i for i in range(MAX_METADATA_KEYS)}
    assert api.post("/responses", response_payload(metadata=full)).status_code == 201
    body = assert_problem(api.post("/responses", response_payload(metadata={**full, "one_more": 1})), 422, "metadata")
    assert body["errors"] == [{"field": "metadata", "code": "invalid",
                               "message": f"has more than {MAX_METADATA_KEYS} keys"}]
    assert Response.objects.count() == 1


def test_shapes_the_document_does_not_describe_reach_the_validator(api):
    # The schema types are for the document only: a number as the customer id is the validator's to
    # accept, and an answer it cannot read is its error in its words, not pydantic's.
    assert api.post("/responses", response_payload(customer={"external_id": 42})).status_code == 201
    body = assert_problem(api.post("/responses", response_payload(customer=["C-1"])), 422, "customer")
    assert body["errors"] == [{"field": "customer", "code": "invalid",
                               "message": "must be an external id or an object"}]


def _event(customer: dict) -> dict:
    return {"touchpoint": "nowhere", "customer": {"external_id": "C-1", **customer}}


@pytest.mark.parametrize("name", [n for n in CUSTOMER_LENGTHS if n not in ("email", "phone", "preferred_channel")])
def test_event_customer_text_at_and_past_the_limit(api, name):
    length = CUSTOMER_LENGTHS[name]
    at_limit = "x" * length if name != "language" else "sv-" + "A" * (length - 3)
    fields = {e["field"] for e in api.post("/events", _event({name: at_limit})).json()["errors"]}
    assert fields == {"touchpoint"}  # only the unknown touchpoint
    body = assert_problem(api.post("/events", _event({name: "x" * (length + 1)})), 422, f"customer.{name}")
    assert {"field": f"customer.{name}", "code": "too_long",
            "message": f"must be at most {length} characters"} in body["errors"]


def test_event_customer_flags_are_judged_by_the_validator(api):
    body = assert_problem(api.post("/events", _event({"consent_email": "yes", "phone": "x" * 33})), 422)
    assert {"field": "customer.consent_email", "code": "type", "message": "must be true or false"} in body["errors"]
    assert {"field": "customer.phone", "code": "too_long", "message": "must be at most 32 characters"} in body["errors"]
