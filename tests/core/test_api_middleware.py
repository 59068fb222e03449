"""API calls pass over the page-only middleware (core/middleware.py: a policy built per response,
a flash-message store) and still get what they need: every security header, a fixed policy that
allows nothing, their request log line and their rate limit. Pages, the API's docs page among
them, still get all of it (docs/security.md, "Security headers")."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from glapp.accounts.models import Role
from glapp.config.logging import build_logging
from glapp.core import ratelimit
from glapp.core.middleware import API_POLICY, PageMessagesMiddleware, PolicyMiddleware
from tests.api.helpers import Api, key_for
from tests.factories import make_user, response_payload
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin"}


def assert_api_headers(resp):
    for name, value in SECURITY_HEADERS.items():
        assert resp[name] == value, (name, resp.get(name))
    assert resp["Content-Security-Policy"] == API_POLICY
    assert resp["X-Request-Id"]


def test_api_calls_keep_every_security_header_with_a_policy_that_allows_nothing(org):
    api = Api(key_for(org))
    created = api.post("/responses", response_payload(external_id="h-1"))
    assert created.status_code == 201
    assert_api_headers(created)
    assert_api_headers(api.get("/responses"))
    assert_api_headers(api.get("/no/such/endpoint"))  # the API's own 404
    anonymous = Client()
    assert_api_headers(anonymous.get("/api/v1/health"))
    assert_api_headers(anonymous.post("/api/v1/responses", "{}", content_type="application/json"))  # 401
    assert "default-src 'none'" in API_POLICY and "frame-ancestors 'none'" in API_POLICY


def test_pages_and_the_api_docs_keep_the_page_policy(org):
    client = login(Client(), make_user(org, "olga"))
    for url in ("/login/", "/surveys/", "/api/v1/docs"):
        resp = client.get(url, follow=True)
        assert resp.status_code == 200, url
        policy = resp["Content-Security-Policy"]
        assert policy != API_POLICY and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
        for name, value in SECURITY_HEADERS.items():
            assert resp[name] == value, (url, name)


def test_a_page_still_shows_its_flash_message(org):
    client = login(Client(), make_user(org, "olga", role=Role.OWNER, language="en"))
    resp = client.post("/surveys/new/", {"template": "nps_transactional", "name": "", "code": "",
                                         "kind": "transactional", "languages": ["sv"]}, follow=True)
    assert resp.status_code == 200
    assert "The survey is created as a draft." in resp.content.decode()


def test_only_pages_get_a_message_store_and_a_nonce():
    factory = RequestFactory()
    messages = PageMessagesMiddleware(lambda request: HttpResponse())
    policy = PolicyMiddleware(lambda request: HttpResponse())
    for path, page in (("/surveys/", True), ("/api/v1/docs", True), ("/api/v1/responses", False),
                       ("/api/v1/health", False)):
        request = factory.get(path)
        request.session = {}
        messages(request)
        policy(request)
        assert hasattr(request, "_messages") is page, path
        assert hasattr(request, "csp_nonce") is page, path


@pytest.fixture
def info_logs():
    """The production (JSON) log handler at INFO, writing to a buffer; the tests' logging restored after."""
    logging.config.dictConfig(build_logging(json=True, level="INFO"))
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


def test_api_calls_are_logged_with_their_request_id(org, info_logs):
    api = Api(key_for(org))
    resp = api.post("/responses", response_payload(external_id="logged"), headers={"X-Request-Id": "req-42"})
    assert resp.status_code == 201 and resp["X-Request-Id"] == "req-42"
    assert Client().get("/api/v1/responses").status_code == 401
    lines = [json.loads(line) for line in info_logs.getvalue().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert {"method": "POST", "path": "/api/v1/responses", "status": 201, "request_id": "req-42"}.items() \
        <= requests[0].items()
    assert requests[1]["status"] == 401 and requests[1]["request_id"] != "req-42"


def test_below_info_no_request_line_is_written(org):
    logging.config.dictConfig(build_logging(json=True, level="WARNING"))
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)
    try:
        assert Api(key_for(org)).post("/responses", response_payload(external_id="quiet")).status_code == 201
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert '"request"' not in buffer.getvalue()


@pytest.mark.usefixtures("cache_backend")
@override_settings(GLAPP_API_RATE_LIMIT="2/min")
def test_an_api_call_over_its_limit_is_still_refused_with_retry_after(org, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_030.0)  # half a minute into a minute
    api = Api(key_for(org))
    assert [api.post("/responses", response_payload(external_id=f"r-{i}")).status_code for i in range(2)] == [201] * 2
    refused = api.post("/responses", response_payload(external_id="r-late"))
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert_api_headers(refused)
