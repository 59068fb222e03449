"""The whole API, fuzzed from its own OpenAPI document (schemathesis, in process, fixed seed):
with a full-scope key on a seeded organization, no generated request gets a 5xx, every response
conforms to the document, and every rejection is an RFC 9457 problem (a 422 names its fields)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from glapp.accounts.models import ApiKey
from tests.api.helpers import Api, key_for
from tests.factories import response_payload

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 25  # about 20 operations: well under 90 s a database


def is_a_problem(ctx, response, case):
    """A 4xx is application/problem+json with a status and a title; a 422 names each field."""
    if response.status_code < 400:
        return None
    content_type = next((v[0] for k, v in response.headers.items() if k.lower() == "content-type"), "")
    assert content_type.startswith("application/problem+json"), (
        f"{response.status_code} is not problem+json: {response.text[:200]}")
    body = response.json()
    assert body["status"] == response.status_code and body["title"]
    if response.status_code == 422:
        assert body["errors"] and all(isinstance(e["field"], str) for e in body["errors"]), body
    return None


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, inside the test's transaction: like Django's test client,
    requests must not close the connection that holds it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded_key(org):
    key = key_for(org, scopes=ApiKey.SCOPES)
    api = Api(key)
    for n in range(5):
        created = api.post("/responses", response_payload(external_id=f"R-{n}", customer=f"C-{n}",
                                                          answers={"nps": n * 2, "comment": f"Bra service {n}"}))
        assert created.status_code == 201, created.content
    return key


def test_no_generated_request_gets_a_server_error(seeded_key, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance, is_a_problem]
    headers = {"Authorization": f"Bearer {seeded_key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks, headers=headers)

        check()
