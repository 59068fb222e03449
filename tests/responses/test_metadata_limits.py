"""A response's metadata limits are stated once (responses.validation) and hold on every way
metadata arrives: a response through the API, an event (its metadata becomes the metadata of the
response to its invitation), a respondent session's context, and the API's own schema."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from glapp.responses.metadata import response_metadata
from glapp.responses.validation import MAX_METADATA_KEYS, METADATA_VALUE_LENGTH
from tests.api.helpers import Api, assert_problem, key_for
from tests.factories import response_payload

pytestmark = pytest.mark.django_db

TOO_MANY = {f"k{i}": "x" for i in range(MAX_METADATA_KEYS + 1)}
FULL = {f"k{i}": "x" for i in range(MAX_METADATA_KEYS)}


def event(metadata: dict) -> dict:
    return {"id": "call-1", "touchpoint": "phone-support", "customer": {"external_id": "C-1"},
            "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(), "metadata": metadata}


def test_responses_and_events_take_the_same_metadata(org):
    api = Api(key_for(org))
    for path, body in (("/responses", lambda m: response_payload(metadata=m)), ("/events", event)):
        assert_problem(api.post(path, body(TOO_MANY)), 422, "metadata")
        assert_problem(api.post(path, body({"agent": "x" * (METADATA_VALUE_LENGTH + 1)})), 422, "metadata.agent")
    at_the_limit = {**FULL, "k0": "x" * METADATA_VALUE_LENGTH}
    assert api.post("/responses", response_payload(metadata=at_the_limit)).status_code == 201
    assert api.post("/events", event(at_the_limit)).status_code == 202


def test_a_respondent_sessions_context_is_cut_to_the_same_limits():
    context = {**{f"k{i}": "y" for i in range(MAX_METADATA_KEYS + 5)}, "k0": "y" * (METADATA_VALUE_LENGTH + 9)}
    metadata = response_metadata(context)
    assert len(metadata) == MAX_METADATA_KEYS and len(metadata["k0"]) == METADATA_VALUE_LENGTH


def test_the_api_schema_states_the_validators_limit():
    spec = Client().get("/api/v1/openapi.json").json()

    def limits(schema) -> list:
        """Every maxProperties in a schema, following references into the components."""
        if isinstance(schema, list):
            return [x for item in schema for x in limits(item)]
        if not isinstance(schema, dict):
            return []
        if "$ref" in schema:
            return limits(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
        found = [schema["maxProperties"]] if "maxProperties" in schema else []
        return found + [x for value in schema.values() for x in limits(value)]

    assert limits(spec["components"]["schemas"]["ResponseIn"]["properties"]["metadata"]) == [MAX_METADATA_KEYS]
