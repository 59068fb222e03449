"""The OpenAPI document is the contract: real responses must match it, and the docs work offline."""

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from tests.api.helpers import Api, key_for
from tests.factories import response_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.json()


def check(spec: dict, path: str, method: str, resp) -> None:
    """Validate one real response against what the document promises for its status code."""
    operation = spec["paths"][path][method]
    promised = operation["responses"].get(str(resp.status_code))
    assert promised is not None, f"{method.upper()} {path} returned undocumented {resp.status_code}"
    media_type = resp["Content-Type"].split(";")[0]
    assert media_type in promised["content"], (media_type, promised["content"].keys())
    schema = {"components": spec["components"], **promised["content"][media_type]["schema"]}
    Draft202012Validator(schema).validate(resp.json())


def test_document_describes_the_api(spec):
    assert spec["info"]["title"] == "glapp API"
    assert "problem" in spec["info"]["description"]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKeyBearer"] == {"type": "http", "scheme": "bearer"}
    assert schemes["ApiKeyHeader"]["name"] == "X-API-Key"
    create = spec["paths"]["/api/v1/responses"]["post"]
    assert {"201", "200", "401", "403", "409", "422"} <= set(create["responses"])
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    params = {p["name"] for p in spec["paths"]["/api/v1/responses"]["get"]["parameters"]}
    assert {"survey", "touchpoint", "unit", "from", "to", "score_type", "score_min", "score_max",
            "has_comment", "q", "cursor", "limit"} <= params
    Draft202012Validator.check_schema(spec["components"]["schemas"]["ResponseIn"])


def test_real_responses_match_the_document(spec, org):
    api = Api(key_for(org))
    created = api.post("/responses", response_payload(external_id="o-1", unit="acme-north"))
    check(spec, "/api/v1/responses", "post", created)
    check(spec, "/api/v1/responses", "post", api.post("/responses", response_payload(external_id="o-1")))
    check(spec, "/api/v1/responses", "post", api.post("/responses", response_payload(answers={"nps": 99})))
    check(spec, "/api/v1/responses", "post", api.post("/responses", {"answers": {}}))
    check(spec, "/api/v1/responses", "post", Api("glk_x_y").post("/responses", response_payload()))
    bulk = api.post("/responses/bulk", {"responses": [response_payload(), response_payload(customer="C-9")]})
    check(spec, "/api/v1/responses/bulk", "post", bulk)
    api.post("/responses", response_payload(answers={"nps": 3, "reason": "price", "comment": "Dyrt"}))
    check(spec, "/api/v1/responses", "get", api.get("/responses", {"limit": 2}))
    check(spec, "/api/v1/responses", "get", api.get("/responses", {"limit": -1}))
    check(spec, "/api/v1/responses/{response_id}", "get", api.get(f"/responses/{created.json()['id']}"))
    check(spec, "/api/v1/responses/{response_id}", "get", api.get("/responses/424242"))
    check(spec, "/api/v1/health", "get", api.get("/health"))


def test_request_example_payload_is_valid_for_the_document(spec):
    schema = {"components": spec["components"], "$ref": "#/components/schemas/ResponseIn"}
    Draft202012Validator(schema).validate(response_payload(external_id="e-1", unit="acme-north"))


def test_docs_page_uses_bundled_assets_not_a_cdn(client):
    resp = client.get("/api/v1/docs")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    asset = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_the_documents_vocabularies_are_the_validators(spec):
    """Enumerations in the document come from the lists validation uses, so they cannot drift."""
    import re

    from glapp.distribution import rules
    from glapp.textanalytics.analyzers import sentiment

    schemas = spec["components"]["schemas"]
    [channel, _null] = schemas["EventIn"]["properties"]["channel"]["anyOf"]
    assert channel["enum"] == list(rules.CHANNELS)
    pattern = schemas["CorrectionIn"]["properties"]["label"]["pattern"]
    assert [label for label in (*sentiment.LABELS, "angry") if re.fullmatch(pattern, label)] == list(sentiment.LABELS)
