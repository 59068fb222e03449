"""API rate limits (docs/security.md, "Abuse limits"): per API key, per client address without
credentials (failed authentications included), 429 problem+json with Retry-After, documented on
every operation, counted in the cache with no database write."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from glapp.api.throttle import ApiRateLimit
from glapp.core import ratelimit
from tests.api.helpers import Api, key_for
from tests.factories import response_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]

NOW = 1_800_000_030.0  # half a minute into a minute: a 60 s window ends in 30 s


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: NOW)


def assert_too_many(resp, seconds: int):
    assert resp.status_code == 429
    assert resp["Content-Type"] == "application/problem+json"
    body = resp.json()
    assert body["type"] == "/problems/too-many-requests" and body["status"] == 429
    assert f"retry in {seconds} s" in body["detail"]
    assert resp["Retry-After"] == str(seconds)


@override_settings(GLAPP_API_RATE_LIMIT="5/min")
def test_each_key_has_its_own_limit(org):
    api, other = Api(key_for(org)), Api(key_for(org))
    assert [api.get("/responses").status_code for _ in range(5)] == [200] * 5
    assert_too_many(api.get("/responses"), 30)
    assert_too_many(api.post("/responses", response_payload(external_id="late")), 30)  # writes too
    assert other.get("/responses").status_code == 200  # another key is not slowed down


@override_settings(GLAPP_API_RATE_LIMIT="1000/min,3/s")
def test_a_burst_is_capped_within_the_minute(org):
    api = Api(key_for(org))
    assert [api.get("/responses").status_code for _ in range(3)] == [200] * 3
    assert_too_many(api.get("/responses"), 1)


@override_settings(GLAPP_API_RATE_LIMIT="2/min")
def test_a_bulk_request_counts_once(org):
    api = Api(key_for(org))
    batch = {"responses": [response_payload(external_id=f"B{i}") for i in range(50)]}
    assert api.post("/responses/bulk", batch).status_code in (200, 201, 207)
    assert api.get("/responses").status_code == 200
    assert_too_many(api.get("/responses"), 30)


@override_settings(GLAPP_API_ANON_RATE_LIMIT="4/min")
def test_guessing_keys_is_limited_per_address(org):
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [guesser.get("/api/v1/responses", headers={"Authorization": f"Bearer glk_x_{i}"}).status_code
                for i in range(4)]
    assert statuses == [401] * 4
    assert_too_many(guesser.get("/api/v1/responses", headers={"Authorization": "Bearer glk_x_y"}), 30)
    assert_too_many(guesser.get("/api/v1/health"), 30)  # no credentials at all: the same address limit
    # A caller with a valid key from the same address is counted by its key, not the address.
    assert guesser.get("/api/v1/responses", headers={"Authorization": f"Bearer {key_for(org)}"}).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.10").get("/api/v1/health").status_code == 200


@override_settings(GLAPP_API_ANON_RATE_LIMIT="2/min", GLAPP_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended():
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # A client cannot dodge the limit by making up X-Forwarded-For entries before the proxy's.
    for forged in ("1.1.1.1", "2.2.2.2"):
        assert proxy.get("/api/v1/health", HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.1").status_code == 200
    assert proxy.get("/api/v1/health", HTTP_X_FORWARDED_FOR="3.3.3.3, 198.51.100.1").status_code == 429
    assert proxy.get("/api/v1/health", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_limits_are_counted_without_touching_the_database():
    request = RequestFactory().get("/api/v1/responses")
    request.api_key = type("Key", (), {"pk": 42})()  # what authentication put there
    throttle = ApiRateLimit()
    with CaptureQueriesContext(connection) as queries, override_settings(GLAPP_API_RATE_LIMIT="3/min"):
        allowed = [throttle.allow_request(request) for _ in range(4)]
    assert allowed == [True, True, True, False] and throttle.wait() == 30
    assert queries.captured_queries == []


def test_every_operation_documents_429_with_retry_after(client, org):
    spec = client.get("/api/v1/openapi.json").json()
    operations = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]
    assert len(operations) > 10
    for path, method, operation in operations:
        documented = operation["responses"].get("429")
        assert documented, f"{method.upper()} {path} does not document 429"
        assert "Retry-After" in documented["headers"]
        assert "application/problem+json" in documented["content"]
    # A real 429 matches what the document promises.
    with override_settings(GLAPP_API_RATE_LIMIT="1/min"):
        api = Api(key_for(org))
        api.get("/responses")
        resp = api.get("/responses")
    promised = spec["paths"]["/api/v1/responses"]["get"]["responses"]["429"]
    schema = {"components": spec["components"], **promised["content"]["application/problem+json"]["schema"]}
    Draft202012Validator(schema).validate(resp.json())


def test_a_limit_setting_is_checked():
    assert ratelimit.parse("3000/min,100/s") == (ratelimit.Window(3000, 60), ratelimit.Window(100, 1))
    assert ratelimit.parse("10/5min") == (ratelimit.Window(10, 300),)
    assert ratelimit.parse("off") == ()
    for bad in ("many", "10/fortnight", "-1/s", "10"):
        with pytest.raises(ValueError, match="N/period"):
            ratelimit.parse(bad)


def test_on_redis_every_process_counts_the_same_requests(cache_backend, monkeypatch):
    """Two server processes, each with its own connection: the fourth request is refused
    whichever process it reaches (the built-in cache counts per process, docs/security.md)."""
    if cache_backend != "redis":
        pytest.skip("the built-in cache is per process by design")
    from django.core.cache import caches

    windows = ratelimit.parse("3/min")
    for _ in range(3):
        assert ratelimit.hit("api", "key-1", windows) is None
    monkeypatch.setattr(ratelimit, "cache", caches.create_connection("default"))
    assert ratelimit.hit("api", "key-1", windows) == 30
    assert ratelimit.hit("api", "key-2", windows) is None
