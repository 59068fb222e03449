"""/api/v1/alert-rules and /api/v1/cases: scoped, validated, in the OpenAPI document."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from glapp.accounts import actions as accounts
from glapp.accounts.models import Unit
from glapp.cases import actions
from glapp.cases.models import Case, CaseActivity, RootCause
from glapp.contacts.models import Customer
from tests.cases.helpers import detractor_rule, handler, post_response
from tests.factories import make_api_key, make_org

pytestmark = pytest.mark.django_db


def recent():
    return (timezone.now() - dt.timedelta(minutes=5)).isoformat()


def call(method, path, key, body=None):
    client = Client()
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def unit_key(org, code, scopes=("cases:read", "cases:write", "responses:write")):
    unit = Unit.objects.get(organization=org, code=code)
    return accounts.create_api_key(org, "unit key", list(scopes), unit=unit)[1]


def open_cases(org):
    detractor_rule(org)
    key = make_api_key(org)
    for code, ext in (("acme-north-store", "N"), ("acme-south-store", "S")):
        Customer.objects.create(organization=org, external_id=ext, email=f"{ext}@example.se", consent_email=True)
        assert post_response(org, key, external_id=f"R-{ext}", customer=ext, unit=code, answers={"nps": 2},
                             submitted_at=recent()).status_code == 201
    return {c.unit.code: c for c in Case.objects.select_related("unit")}


def test_rules_are_created_validated_and_listed(org):
    key = make_api_key(org, ("cases:read", "cases:write"))
    bad = call("post", "/alert-rules", key, {"name": "x", "conditions": {"all": [{"score": "nps", "op": "=<",
                                                                                 "value": 6}]}})
    assert bad.status_code == 422
    assert any(e["field"].startswith("conditions.all[0]") for e in bad.json()["errors"]), bad.json()
    made = call("post", "/alert-rules", key, {"name": "Detractors", "conditions": {"score": "nps", "op": "<=",
                                                                                  "value": 6}, "priority": 3})
    assert made.status_code == 201, made.content
    listed = call("get", "/alert-rules", key).json()
    assert [r["name"] for r in listed] == ["Detractors"] and listed[0]["priority"] == 3


def test_a_unit_limited_key_may_not_edit_rules(org):
    key = unit_key(org, "acme-north")
    response = call("post", "/alert-rules", key, {"name": "x", "conditions": {"score": "nps", "op": "<=", "value": 6}})
    assert response.status_code == 403


def test_preview_counts_the_last_days(org):
    key = make_api_key(org, ("cases:read", "responses:write"))
    for i, nps in enumerate((1, 5, 9, 10)):
        post_response(org, key, external_id=f"P-{i}", answers={"nps": nps}, submitted_at=recent())
    post_response(org, key, external_id="old", answers={"nps": 0},
                  submitted_at=(timezone.now() - dt.timedelta(days=40)).isoformat())
    body = call("post", "/alert-rules/preview", key, {"conditions": {"score": "nps", "op": "<=", "value": 6}}).json()
    assert body["matched"] == 2 and body["scanned"] == 4 and body["complete"] and len(body["examples"]) == 2


def test_a_unit_limited_key_lists_and_changes_only_its_units_cases(org):
    cases = open_cases(org)
    north = unit_key(org, "acme-north")
    listed = call("get", "/cases?view=all", north).json()
    assert [c["unit"] for c in listed["items"]] == ["acme-north-store"] and listed["total"] == 1
    assert call("get", f"/cases/{cases['acme-south-store'].id}", north).status_code == 404
    assert call("patch", f"/cases/{cases['acme-south-store'].id}", north, {"note": "hi"}).status_code == 404
    assert call("patch", f"/cases/{cases['acme-north-store'].id}", north, {"note": "Ringde, inget svar"}
                ).status_code == 200


def test_working_a_case_through_the_api(org):
    cases = open_cases(org)
    case = cases["acme-north-store"]
    sara = handler(org, "sara", "acme-north")
    key = make_api_key(org, ("cases:read", "cases:write"))
    assert call("patch", f"/cases/{case.id}", key, {"owner_id": sara.id}).json()["owner_id"] == sara.id
    moved = call("patch", f"/cases/{case.id}", key, {"owner_id": handler(org, "bo", "acme-south").id})
    assert moved.status_code == 422  # bo works the south, not this case's unit
    assert call("patch", f"/cases/{case.id}", key, {"status": "contacted"}).json()["first_contacted_at"]
    no_cause = call("post", f"/cases/{case.id}/close", key, {"root_cause": "nope", "resolution": "Done"})
    assert no_cause.status_code == 422 and no_cause.json()["errors"][0]["field"] == "root_cause"
    closed = call("post", f"/cases/{case.id}/close", key, {"root_cause": "price_terms", "resolution": "Refund"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["root_cause"] == "price_terms"
    detail = call("get", f"/cases/{case.id}", key).json()
    assert [a["kind"] for a in detail["timeline"]] == ["created", "assigned", "status", "status",
                                                     "follow_up_sent"]


def test_closing_needs_a_root_cause_and_a_resolution(org):
    case = open_cases(org)["acme-north-store"]
    with pytest.raises(Exception) as refused:
        actions.close(case, actor_id=None)
    assert "root_cause" in str(refused.value.errors)
    cause = RootCause.objects.get(organization=org, code="staff")
    with pytest.raises(Exception) as refused:
        actions.close(case, actor_id=None, root_cause_id=cause.id)
    assert "resolution" in str(refused.value.errors)


def test_a_removed_handlers_open_cases_go_back_to_the_queue(org):
    case = open_cases(org)["acme-north-store"]
    sara = handler(org, "sara", "acme-north")
    actions.assign(case, sara.id, actor_id=None)
    from glapp.accounts.models import Membership

    accounts.remove_member(Membership.objects.get(user=sara), actor_role="owner",
                           actor=accounts.AuditActor.command())
    case.refresh_from_db()
    assert case.owner_id is None
    assert CaseActivity.objects.filter(case=case, kind="assigned", data__reason="no_longer_allowed").exists()


def test_a_handler_moved_to_another_region_loses_its_cases(org):
    case = open_cases(org)["acme-north-store"]
    sara = handler(org, "sara", "acme-north")
    actions.assign(case, sara.id, actor_id=None)
    accounts.add_member(org, sara, "case_handler", Unit.objects.get(organization=org, code="acme-south"))
    case.refresh_from_db()
    assert case.owner_id is None


def test_breached_cases_rise_in_priority_and_escalate_once(org):
    from glapp.cases.models import UnitCaseSettings

    cases = open_cases(org)
    boss = handler(org, "boss", "acme-north")
    UnitCaseSettings.objects.create(organization=org, unit=Unit.objects.get(organization=org, code="acme-north"),
                                    escalation_contact=boss)
    seen = []
    from glapp.core import events

    events.CaseChanged.connect(seen.append)
    case = cases["acme-north-store"]
    later = case.first_contact_due_at + dt.timedelta(minutes=1)
    assert actions.mark_breaches(org.id, now=later) == 2
    assert actions.mark_breaches(org.id, now=later) == 0
    case.refresh_from_db()
    assert case.breached_at == later and case.priority == 3
    escalated = [e for e in seen if e.case_id == case.id and e.change == "breached"]
    assert escalated and boss.id in escalated[0].user_ids


def test_other_organizations_cases_are_not_found(org):
    cases = open_cases(org)
    rival = make_org("rival")
    key = make_api_key(rival, ("cases:read", "cases:write"))
    assert call("get", f"/cases/{cases['acme-north-store'].id}", key).status_code == 404
    assert call("get", "/cases?view=all", key).json()["total"] == 0


def test_the_cases_operations_are_documented():
    doc = Client().get("/api/v1/openapi.json").json()
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {"list_cases", "get_case", "update_case", "close_case", "list_alert_rules", "create_alert_rule",
            "save_alert_rule", "delete_alert_rule", "preview_alert_rule"} <= ops
