"""Shared set-up of the cases tests: an organization with a detractor rule and case handlers."""

import json

from django.test import Client

from glapp.accounts.models import Role
from glapp.cases import actions
from tests.factories import make_api_key, make_user, response_payload

DETRACTOR = {"score": "nps", "op": "<=", "value": 6}


def detractor_rule(org, **overrides):
    fields = dict(name="Detractors", active=True, conditions=DETRACTOR, open_case=True, priority=2,
                  notify_users=[], notify_units=[], webhook=False)
    fields.update(overrides)
    return actions.save_rule(org.id, None, **fields)


def handler(org, username="sara", unit_code=None):
    return make_user(org, username, Role.CASE_HANDLER, unit_code)


def post_response(org, key=None, client=None, **overrides):
    key = key or make_api_key(org)
    payload = response_payload(**overrides)
    return (client or Client()).post("/api/v1/responses", data=json.dumps(payload), content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {key}")


def contactable(external_id="C-1", **extra):
    return {"external_id": external_id, "email": f"{external_id.lower()}@example.se", "segment": "private", **extra}
