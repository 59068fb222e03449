"""Case settings: owners and admins change the SLA, root causes, unit settings and reply
templates through the actions; refusals name their field; others may not."""

import pytest

from glapp.accounts.models import Role, Unit
from glapp.cases.models import ReplyTemplate, RootCause, SlaPolicy, UnitCaseSettings
from tests.cases.helpers import handler
from tests.cases.web_helpers import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def sla_post(**extra):
    data = {"clock": "calendar", "country": "no", "assignment": "round_robin", "merge_window_days": "5",
            "import_case_days": "3", "high_value": '{"attribute": "annual_value", "op": ">", "value": 50000}',
            "first_1": "48", "resolve_1": "200", "first_4": "2", "resolve_4": "8"}
    data.update(extra)
    return data


def test_the_sla_policy_is_saved(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    assert ola.get("/settings/cases/").status_code == 200
    assert ola.post("/settings/cases/", sla_post()).status_code == 302
    policy = SlaPolicy.objects.get(organization=org)
    assert (policy.clock, policy.country, policy.assignment) == ("calendar", "NO", "round_robin")
    assert policy.hours_to_first_contact(4) == 2 and policy.hours_to_resolve(1) == 200
    assert policy.high_value == {"attribute": "annual_value", "op": ">", "value": 50000}
    assert (policy.merge_window_days, policy.import_case_days) == (5, 3)


def test_bad_sla_settings_are_refused_on_their_fields(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    answer = ola.post("/settings/cases/", sla_post(country="XX", first_4="10", resolve_4="8",
                                                   high_value='{"attribute": "x", "op": "=<", "value": 1}'))
    text = answer.content.decode()
    assert answer.status_code == 422
    assert "Not a country" in text and "must not be shorter" in text and "high_value.op" in text
    assert not SlaPolicy.objects.filter(organization=org).exists()


def test_root_causes_are_added_renamed_moved_and_switched_off(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    ola.post("/settings/cases/root-causes/", {"do": "add", "name": "Fel i fakturan"})
    cause = RootCause.objects.get(organization=org, name="Fel i fakturan")
    assert cause.code == "fel_i_fakturan"
    ola.post("/settings/cases/root-causes/", {"do": "rename", "cause": cause.pk, "name": "Felaktig faktura"})
    ola.post("/settings/cases/root-causes/", {"do": "up", "cause": cause.pk})
    ola.post("/settings/cases/root-causes/", {"do": "switch", "cause": cause.pk})
    cause.refresh_from_db()
    causes = list(RootCause.objects.filter(organization=org).order_by("position"))
    assert cause.name == "Felaktig faktura" and cause.code == "fel_i_fakturan" and not cause.active
    assert causes[-2].pk == cause.pk
    duplicate = ola.post("/settings/cases/root-causes/", {"do": "add", "name": "felaktig faktura"}, follow=True)
    assert "already has one of that name" in duplicate.content.decode()


def test_unit_settings_take_only_a_contact_who_may_work_the_unit(org):
    north = Unit.objects.get(organization=org, code="acme-north")
    sara, bo = handler(org, "sara", "acme-north"), handler(org, "bo", "acme-south")
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    refused = ola.post(f"/settings/cases/units/{north.pk}/", {"escalation_contact": bo.pk}, follow=True)
    assert "may not work" in refused.content.decode() or "not_allowed" in refused.content.decode()
    assert not UnitCaseSettings.objects.exists()
    ola.post(f"/settings/cases/units/{north.pk}/", {"escalation_contact": sara.pk, "country": "fi",
                                                   "review_url": "https://example.se/omdome"})
    saved = UnitCaseSettings.objects.get(unit=north)
    assert (saved.escalation_contact_id, saved.country, saved.review_url) == (sara.pk, "FI",
                                                                              "https://example.se/omdome")


def test_reply_templates_check_their_placeholders(org):
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    bad = ola.post("/settings/cases/templates/", {"name": "Ursäkt", "language": "sv", "subject": "Hej {fornamn}",
                                                  "body": "Hej"})
    assert bad.status_code == 422 and "fornamn" in bad.content.decode()
    ola.post("/settings/cases/templates/", {"name": "Ursäkt", "language": "sv", "subject": "Hej {first_name}",
                                            "body": "Vi ber om ursäkt. /{handler}"})
    template = ReplyTemplate.objects.get(organization=org, name="Ursäkt")
    ola.post(f"/settings/cases/templates/{template.pk}/", {"do": "delete"})
    assert not ReplyTemplate.objects.filter(pk=template.pk).exists()


def test_only_whole_organization_managers_change_case_settings(org):
    for user in (handler(org, "sara"), make_user(org, "anna", Role.ANALYST),
                 make_user(org, "north-admin", Role.ADMIN, "acme-north")):
        c = client_for(user)
        assert c.get("/settings/cases/").status_code == 403
        assert c.post("/settings/cases/root-causes/", {"do": "add", "name": "X"}).status_code == 403
