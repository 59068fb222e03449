"""Helpers for API tests: a client bound to one API key, and a problem+json assertion."""

from django.test import Client

from glapp.accounts import actions as accounts
from glapp.accounts.models import Unit


class Api:
    """A test client that speaks to /api/v1 with one API key, so tests read like requests."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.key = key

    def _headers(self, headers):
        out = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        out.update(headers or {})
        return out

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def post(self, path, body, headers=None):
        return self.client.post(f"/api/v1{path}", body, content_type="application/json",
                                headers=self._headers(headers))

    def raw(self, method, path, data="", content_type="application/json", headers=None):
        return self.client.generic(method, f"/api/v1{path}", data, content_type=content_type,
                                   headers=self._headers(headers))


def key_for(org, scopes=("responses:read", "responses:write"), unit_code=None) -> str:
    unit = Unit.objects.get(organization=org, code=unit_code) if unit_code else None
    _, plaintext = accounts.create_api_key(org, "test key", list(scopes), unit=unit)
    return plaintext


def assert_problem(resp, status, *fields):
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"] and "instance" in body
    named = {e["field"] for e in body.get("errors") or []}
    for field in fields:
        assert field in named, (field, body)
    return body
