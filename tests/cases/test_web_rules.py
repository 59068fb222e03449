"""Alert rules in the web app: the form's rows become the saved tree, node errors land on their
row or the JSON box, the preview counts the last 30 days, only whole-organization writers edit."""

import json

import pytest

from glapp.accounts.models import Role
from glapp.cases import rule_form
from glapp.cases.models import AlertRule
from tests.cases.helpers import detractor_rule, handler
from tests.cases.web_helpers import client_for
from tests.factories import make_user
from tests.web.helpers import add_responses, days_ago

pytestmark = pytest.mark.django_db


def rows_post(*rows, combinator="all", **extra):
    data = {"name": "Churn", "active": "1", "open_case": "1", "priority": "3", "combinator": combinator, **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"c-{i}-{key}"] = value
    return data


def test_the_rows_are_saved_as_a_condition_tree(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    answer = ola.post("/settings/alert-rules/new/", rows_post(
        {"kind": "score", "key": "nps", "op": "<=", "value": "6"},
        {"kind": "phrase", "value": "säga upp, byta operatör, cancel"},
        {"kind": "attribute", "key": "annual_value", "op": ">", "value": "50 000"},
        {"kind": "touchpoint", "items": ["phone-support"]},
        {"kind": ""}, combinator="any"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rule = AlertRule.objects.get(organization=org)
    assert rule.conditions == {"any": [
        {"score": "nps", "op": "<=", "value": 6},
        {"phrase": ["säga upp", "byta operatör", "cancel"]},
        {"attribute": "annual_value", "op": ">", "value": 50000},
        {"touchpoint": ["phone-support"]}]}
    assert rule.priority == 3 and rule.open_case and rule.active
    listed = ola.get("/settings/alert-rules/").content.decode()
    assert "NPS ≤ 6" in listed and "Churn" in listed


def test_a_bad_row_shows_its_error_and_nothing_is_saved(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    answer = ola.post("/settings/alert-rules/new/", rows_post(
        {"kind": "score", "key": "nps", "op": "<=", "value": "6"},
        {"kind": "score", "key": "nps", "op": "<=", "value": "60"}))
    assert answer.status_code == 422
    assert "NPS answers are from 0 to 10" in answer.content.decode()
    assert not AlertRule.objects.exists()


def test_the_json_box_takes_deeper_trees_and_names_bad_nodes(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    bad = {"all": [{"score": "nps", "op": "<=", "value": 6}, {"not": {"segment": "Företag"}}]}
    answer = ola.post("/settings/alert-rules/new/", rows_post(advanced=json.dumps(bad)))
    assert answer.status_code == 422 and "conditions.all[1].not.segment" in answer.content.decode()
    good = {"all": [{"score": "nps", "op": "<=", "value": 6}, {"not": {"segment": ["Företag"]}}]}
    assert ola.post("/settings/alert-rules/new/", rows_post(advanced=json.dumps(good))).status_code == 302
    rule = AlertRule.objects.get()
    assert rule.conditions == good
    edit = ola.get(f"/settings/alert-rules/{rule.pk}/").content.decode()
    assert "Företag" in edit and "&quot;not&quot;" in edit  # too deep for the rows: shown as JSON


def test_a_stored_tree_fills_the_rows_back():
    tree = {"all": [{"score": "ces", "op": "<=", "value": 3}, {"unit": [4, 9]}, {"phrase": ["cancel", "säga upp"]}]}
    combinator, rows = rule_form.rows_of_tree(tree)
    rebuilt, _ = rule_form.tree_of_rows(rows, combinator)
    assert rebuilt == tree
    assert rule_form.rows_of_tree({"not": {"score": "nps", "op": "<=", "value": 6}}) is None


def test_the_preview_counts_the_last_30_days(org):
    add_responses(org, *[{"nps": n, "submitted_at": days_ago(2)} for n in (1, 5, 9, 10)],
                  {"nps": 0, "submitted_at": days_ago(40)})
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    answer = ola.post("/settings/alert-rules/preview/", rows_post({"kind": "score", "key": "nps", "op": "<=",
                                                                   "value": "6"}))
    text = answer.content.decode()
    assert "Would have matched 2 responses in the last 30 days" in text
    assert text.count('data-testid="response-link"') == 2
    refused = ola.post("/settings/alert-rules/preview/", rows_post({"kind": "score", "key": "nps", "op": "=<",
                                                                    "value": "6"})).content.decode()
    assert "Unknown comparison" in refused


def test_switch_and_delete(org):
    rule = detractor_rule(org)
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    assert ola.post(f"/settings/alert-rules/{rule.pk}/switch/").status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    assert "Delete the rule" in ola.get(f"/settings/alert-rules/{rule.pk}/delete/").content.decode()
    assert ola.post(f"/settings/alert-rules/{rule.pk}/delete/").status_code == 302
    assert not AlertRule.objects.exists()


def test_only_whole_organization_writers_edit_rules(org):
    rule = detractor_rule(org)
    for user in (handler(org, "sara"), make_user(org, "vera", Role.VIEWER),
                 make_user(org, "north-analyst", Role.ANALYST, "acme-north")):
        c = client_for(user)
        assert c.get("/settings/alert-rules/").status_code == 200  # everyone sees the rules
        assert c.get(f"/settings/alert-rules/{rule.pk}/").status_code == 403
        assert c.post(f"/settings/alert-rules/{rule.pk}/delete/").status_code == 403
    assert client_for(make_user(org, "anna", Role.ANALYST)).get("/settings/alert-rules/new/").status_code == 200


def test_another_organizations_rule_is_not_found(org, other_org):
    rule = detractor_rule(other_org)
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    assert ola.get(f"/settings/alert-rules/{rule.pk}/").status_code == 404
    assert ola.post(f"/settings/alert-rules/{rule.pk}/delete/").status_code == 404
