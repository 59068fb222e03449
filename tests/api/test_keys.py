"""Managing API keys: the `apikey` command and the settings page."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from glapp.accounts.models import ApiKey, Role, Unit
from tests.api.helpers import Api, assert_problem, key_for
from tests.factories import PASSWORD, make_user, response_payload

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("apikey", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_cli_create_list_revoke(org):
    plaintext = run("create", "--org", "acme", "--name", "Zendesk", "--scope", "responses:write",
                    "--scope", "responses:read", "--unit", "acme-north").strip()
    assert plaintext.startswith("glk_")
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(plaintext.split("_", 2)[2].encode()).hexdigest()
    assert plaintext not in str(ApiKey.objects.values().get())  # only the hash is stored
    assert key.scopes == ["responses:write", "responses:read"] and key.unit.code == "acme-north"
    assert Api(plaintext).post("/responses", response_payload()).json()["unit"] == "acme-north"

    listing = run("list", "--org", "acme")
    assert key.prefix in listing and "Zendesk" in listing and "never" not in listing.split(key.prefix)[1]

    assert "Revoked" in run("revoke", key.prefix)
    assert_problem(Api(plaintext).get("/responses"), 401)
    assert "already" in run("revoke", f"glk_{key.prefix}_")


def test_cli_refuses_unknown_things(org):
    with pytest.raises(CommandError):
        run("create", "--org", "nope", "--name", "x")
    with pytest.raises(CommandError):
        run("create", "--org", "acme", "--name", "x", "--unit", "atlantis")
    with pytest.raises(CommandError):
        run("revoke", "ffffff")


def signed_in(org, role=Role.OWNER, unit_code=None) -> Client:
    make_user(org, f"u-{role}-{unit_code}", role, unit_code=unit_code)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=f"u-{role}-{unit_code}", password=PASSWORD)
    return client


def csrf_post(client: Client, url: str, data: dict):
    client.get("/settings/api-keys/")
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_owner_creates_a_key_and_sees_it_once(org):
    client = signed_in(org)
    resp = csrf_post(client, "/settings/api-keys/", {"name": "Kassasystem", "scopes": ["responses:write"]})
    assert resp.status_code == 200
    assert resp["Cache-Control"].startswith("max-age=0") and "no-store" in resp["Cache-Control"]
    plaintext = resp.context["plaintext"]
    assert plaintext in resp.content.decode()
    assert Api(plaintext).post("/responses", response_payload()).status_code == 201
    page = client.get("/settings/api-keys/").content.decode()
    assert "Kassasystem" in page and plaintext not in page and plaintext.split("_")[1] in page


def test_revoke_needs_post_with_csrf(org):
    plaintext = key_for(org)
    prefix = plaintext.split("_")[1]
    client = signed_in(org, Role.ADMIN)
    client.get("/settings/api-keys/")
    assert client.get(f"/settings/api-keys/{prefix}/revoke/").status_code == 405
    assert client.post(f"/settings/api-keys/{prefix}/revoke/").status_code == 403  # no CSRF token
    assert ApiKey.objects.get().revoked_at is None
    resp = csrf_post(client, f"/settings/api-keys/{prefix}/revoke/", {})
    assert resp.status_code == 302
    assert ApiKey.objects.get().revoked_at is not None
    assert_problem(Api(plaintext).get("/responses"), 401)


def test_only_owners_and_admins_manage_keys(org):
    for role in (Role.ANALYST, Role.VIEWER, Role.CASE_HANDLER):
        assert signed_in(org, role).get("/settings/api-keys/").status_code == 403
    assert Client().get("/settings/api-keys/").status_code == 302  # to the login page


def test_other_organizations_keys_are_out_of_reach(org, other_org):
    rival_prefix = key_for(other_org).split("_")[1]
    client = signed_in(org)
    assert rival_prefix not in client.get("/settings/api-keys/").content.decode()
    assert csrf_post(client, f"/settings/api-keys/{rival_prefix}/revoke/", {}).status_code == 404
    assert ApiKey.objects.get(prefix=rival_prefix).revoked_at is None


def test_unit_limited_admin_hands_out_keys_for_their_units_only(org):
    client = signed_in(org, Role.ADMIN, unit_code="acme-north")
    resp = csrf_post(client, "/settings/api-keys/", {"name": "x", "scopes": ["responses:read"]})
    assert resp.context["plaintext"] is None and "unit" in resp.context["form"].errors
    south = Unit.objects.get(organization=org, code="acme-south").pk
    resp = csrf_post(client, "/settings/api-keys/", {"name": "x", "scopes": ["responses:read"], "unit": south})
    assert "unit" in resp.context["form"].errors
    north_store = Unit.objects.get(organization=org, code="acme-north-store").pk
    resp = csrf_post(client, "/settings/api-keys/", {"name": "x", "scopes": ["responses:read"], "unit": north_store})
    assert resp.context["plaintext"]
    assert ApiKey.objects.get().unit_id == north_store


def test_page_speaks_swedish(org):
    from glapp.accounts.models import User

    client = signed_in(org)
    User.objects.filter(username__startswith="u-owner").update(language="sv")
    page = client.get("/settings/api-keys/").content.decode()
    assert "API-nycklar" in page and "Skapa nyckel" in page
