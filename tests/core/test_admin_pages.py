"""The Django admin stays for superusers and never crashes: every registered model's add page
opens and refuses bad input on the form, and a journey's stages can be added inline (they once
failed with an integrity error: the inline row had no organization)."""

import pytest
from django.contrib import admin

from glapp.accounts import actions as accounts
from glapp.journeys.models import Journey, Stage
from tests.factories import PASSWORD, make_org
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = accounts.create_user("root", PASSWORD, is_superuser=True)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _url(model, page: str, *args) -> str:
    from django.urls import reverse
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _inline_management(inline_prefixes: list[str]) -> dict:
    data = {}
    for prefix in inline_prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    return data


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_registered_model_s_add_change_and_list_pages_open(superuser_client, org):
    add_responses(org, {"nps": 9, "comment": "Bra"})
    opened = []
    for model, model_admin in _registered():
        request_ok = superuser_client.get(_url(model, "changelist"))
        assert request_ok.status_code == 200, model._meta.label
        if model_admin.has_add_permission(type("R", (), {"user": _superuser()})()):
            page = superuser_client.get(_url(model, "add"))
            assert page.status_code == 200, model._meta.label
            prefixes = [formset.formset.prefix for formset in page.context["inline_admin_formsets"]]
            # An empty form is refused on the form (200 with errors), never a server error.
            refused = superuser_client.post(_url(model, "add"), _inline_management(prefixes))
            assert refused.status_code == 200, (model._meta.label, refused.status_code)
            assert refused.context["adminform"].form.errors, model._meta.label
            opened.append(model._meta.label)
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            assert superuser_client.get(_url(model, "change", row.pk)).status_code == 200, model._meta.label
    assert "journeys.Journey" in opened and "accounts.Organization" in opened


def _superuser():
    from glapp.accounts.models import User
    return User.objects.get(username="root")


def _journey_form(org, name: str, code: str, stages: list[dict], journey: Journey | None = None) -> dict:
    data = {"organization": org.id, "name": name, "code": code, "description": "",
            "stages-TOTAL_FORMS": str(len(stages)), "stages-INITIAL_FORMS": "0",
            "stages-MIN_NUM_FORMS": "0", "stages-MAX_NUM_FORMS": "1000"}
    for i, stage in enumerate(stages):
        for field, value in stage.items():
            data[f"stages-{i}-{field}"] = value
    return data


def test_a_stage_added_to_a_journey_in_the_admin_is_stored_in_the_journey_s_organization(superuser_client, org):
    page = superuser_client.post(_url(Journey, "add"), _journey_form(
        org, "Onboarding", "onboarding", [{"name": "Sign up", "code": "sign-up", "position": "0"}]))
    assert page.status_code == 302, page.context and page.context["adminform"].form.errors
    journey = Journey.objects.get(organization=org, code="onboarding")
    stage = Stage.objects.get(journey=journey)
    assert (stage.organization_id, stage.name, stage.code) == (org.id, "Sign up", "sign-up")


def test_a_stage_added_in_the_admin_without_code_or_position_gets_them(superuser_client, org):
    journey = Journey.objects.get(organization=org, code="main")
    data = _journey_form(org, journey.name, journey.code, [])
    existing = list(journey.stages.all())
    data.update({"stages-TOTAL_FORMS": str(len(existing) + 1), "stages-INITIAL_FORMS": str(len(existing))})
    for i, stage in enumerate(existing):
        data.update({f"stages-{i}-id": stage.id, f"stages-{i}-journey": journey.id, f"stages-{i}-name": stage.name,
                     f"stages-{i}-code": stage.code, f"stages-{i}-position": stage.position})
    data[f"stages-{len(existing)}-name"] = "Use the product"
    page = superuser_client.post(_url(Journey, "change", journey.id), data)
    assert page.status_code == 302, page.context and page.context["adminform"].form.errors
    added = Stage.objects.get(journey=journey, name="Use the product")
    assert added.code == "use-the-product" and added.organization_id == org.id
    assert added.position == max(s.position for s in existing) + 1


def test_two_stages_with_one_code_are_refused_on_the_form(superuser_client, org):
    page = superuser_client.post(_url(Journey, "add"), _journey_form(
        org, "Onboarding", "onboarding", [{"name": "Sign up", "code": "same", "position": "0"},
                                          {"name": "Sign in", "code": "same", "position": "1"}]))
    assert page.status_code == 200
    assert not Journey.objects.filter(organization=org, code="onboarding").exists()


def test_a_touchpoint_in_another_organization_s_stage_is_refused_on_the_form(superuser_client, org):
    other = make_org("rival")
    from glapp.journeys.models import Touchpoint
    stage = Stage.objects.filter(organization=other).first()
    page = superuser_client.post(_url(Touchpoint, "add"), {
        "organization": org.id, "stage": stage.id, "name": "Chat", "code": "chat", "position": "0"})
    assert page.status_code == 200
    assert "stage" in page.context["adminform"].form.errors
    assert not Touchpoint.objects.filter(code="chat").exists()


def test_every_admin_of_an_organization_s_rows_uses_the_tenant_safe_forms():
    """The mechanism, for admins added later too: an org-scoped model's admin form refuses
    references to other organizations, and its inline rows take the parent's organization."""
    from glapp.core.admin import OrgScopedInlineFormSet, OrgScopedModelForm
    from glapp.core.models import OrgScopedModel

    for model, model_admin in _registered():
        if issubclass(model, OrgScopedModel):
            assert issubclass(model_admin.form, OrgScopedModelForm), model._meta.label
        for inline in model_admin.inlines:
            if issubclass(inline.model, OrgScopedModel):
                assert issubclass(inline.formset, OrgScopedInlineFormSet), inline.model._meta.label
                assert issubclass(inline.form, OrgScopedModelForm), inline.model._meta.label


@pytest.mark.parametrize(("field", "value"), [("slug", "Not_A_Slug"), ("languages", '["xx"]'), ("languages", "5"),
                                              ("default_language", "xx")])
def test_an_organization_the_product_would_refuse_is_refused_on_the_admin_form(superuser_client, field, value):
    from glapp.accounts.models import Organization
    data = {"name": "Nordbank", "slug": "nordbank", "default_language": "sv", "languages": '["sv"]',
            "keep_comment_originals": "on", "widget_origins": "", field: value}
    page = superuser_client.post(_url(Organization, "add"), data)
    assert page.status_code == 200 and field in page.context["adminform"].form.errors
    assert not Organization.objects.filter(name="Nordbank").exists()


def test_an_organization_added_in_the_admin_without_languages_speaks_its_default_language(superuser_client):
    from glapp.accounts.models import Organization
    page = superuser_client.post(_url(Organization, "add"), {
        "name": "Nordbank", "slug": "nordbank", "default_language": "en", "languages": "", "widget_origins": ""})
    assert page.status_code == 302, page.context and page.context["adminform"].form.errors
    org = Organization.objects.get(slug="nordbank")
    assert org.languages == ["en"]
    change = superuser_client.post(_url(Organization, "change", org.pk), {
        "name": "Nordbank AB", "slug": "nordbank", "default_language": "sv", "languages": "", "widget_origins": ""})
    assert change.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.languages) == ("Nordbank AB", ["sv"])
