"""An empty installation is set up without a shell: `glapp org create`, or the first-run page
with the one-time setup token that `glapp serve` prints. The page cannot be used without the
token, the token works once, and the page is gone once an organization exists."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from glapp.accounts import actions
from glapp.accounts.models import AuditEntry, Membership, Organization, Role, SetupToken, User
from glapp.contacts.queries import contact_policy
from glapp.textanalytics.models import Topic

pytestmark = pytest.mark.django_db

STRONG = "Tallrik-Gurka-93"


def setup_form(token: str, **overrides) -> dict:
    data = {"token": token, "name": "Nordbank", "slug": "", "default_language": "en", "languages": ["en", "sv"],
            "time_zone": "Europe/Helsinki", "username": "maria", "email": "maria@nordbank.test",
            "first_name": "Maria", "last_name": "Berg", "password": STRONG, "password_again": STRONG}
    data.update(overrides)
    return data


def test_the_first_run_page_creates_the_organization_and_its_owner_and_spends_the_token(client, settings):
    settings.GLAPP_REQUIRE_2FA = False
    token = actions.issue_setup_token()
    page = client.post("/setup/", setup_form(token))
    assert page.status_code == 302 and page.url == "/settings/"
    org = Organization.objects.get()
    assert (org.name, org.slug, org.default_language, org.languages) == ("Nordbank", "nordbank", "en", ["en", "sv"])
    assert contact_policy(org.id).time_zone == "Europe/Helsinki"
    owner = Membership.objects.get(organization=org)
    assert owner.role == Role.OWNER and owner.unit is None and owner.user.check_password(STRONG)
    assert Topic.objects.filter(organization=org).exists()  # what every organization has from the start
    # Signed in as the owner, on the getting-started page.
    assert client.get("/settings/").status_code == 200
    assert AuditEntry.objects.filter(organization=org, action=AuditEntry.Action.ROLE_CHANGED,
                                     target=str(owner.user_id)).exists()
    # The page is gone, and the token cannot be used again.
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", setup_form(token, name="Second", username="eve")).status_code == 404
    assert not actions.spend_setup_token(token)


def test_an_owner_who_must_use_a_second_factor_continues_to_enrol_it(client, settings):
    settings.GLAPP_REQUIRE_2FA = True
    page = client.post("/setup/", setup_form(actions.issue_setup_token()))
    assert page.status_code == 302 and page.url == "/login/enrol/"
    assert "_auth_user_id" not in client.session  # not signed in before the second factor


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_without_the_current_token_nothing_is_created(client, token):
    actions.issue_setup_token()
    page = client.post("/setup/", setup_form(token))
    assert page.status_code == 200
    assert not Organization.objects.exists() and not User.objects.exists()


def test_a_new_token_replaces_the_old_and_an_expired_one_is_refused(client, settings):
    old = actions.issue_setup_token()
    new = actions.issue_setup_token()
    assert client.post("/setup/", setup_form(old)).status_code == 200
    SetupToken.objects.filter(spent_at__isnull=True).update(
        created_at=SetupToken.objects.get(spent_at__isnull=True).created_at
        - __import__("datetime").timedelta(hours=actions.SETUP_TOKEN_HOURS + 1))
    assert client.post("/setup/", setup_form(new)).status_code == 200
    assert not Organization.objects.exists()


def test_bad_fields_are_all_named_and_nothing_is_stored_not_even_the_spent_token(client):
    token = actions.issue_setup_token()
    page = client.post("/setup/", setup_form(token, password="123", password_again="123", time_zone="Mars/Olympus"))
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert "password" in errors and "time_zone" in errors
    assert not Organization.objects.exists()
    assert SetupToken.objects.get().spent_at is None  # the token still works for the corrected form
    assert client.post("/setup/", setup_form(token)).status_code == 302


def test_the_page_and_the_token_are_gone_once_an_organization_exists(client, org):
    assert client.get("/setup/").status_code == 404
    with pytest.raises(CommandError, match="already has an organization"):
        call_command("setup_token")
    assert "first-run-link" not in client.get("/login/").content.decode()


def test_the_login_page_of_an_empty_installation_points_at_the_first_run_page(client):
    page = client.get("/login/").content.decode()
    assert 'href="/setup/"' in page


def test_setup_token_prints_a_token_the_page_accepts(client, settings):
    settings.GLAPP_REQUIRE_2FA = False
    out = io.StringIO()
    call_command("setup_token", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", token)
    assert client.post("/setup/", setup_form(token)).status_code == 302


# --- glapp org create ------------------------------------------------------------------------------

def test_org_create_with_a_password_makes_the_organization_and_owner(monkeypatch):
    monkeypatch.setenv("GLAPP_PASSWORD", STRONG)
    out = io.StringIO()
    call_command("org", "create", "--name", "Kaffe & Co", "--language", "sv", "--languages", "sv,en",
                 "--time-zone", "Europe/Oslo", "--owner", "anna", "--owner-email", "anna@kaffe.test", stdout=out)
    org = Organization.objects.get(slug="kaffe-co")
    assert org.languages == ["sv", "en"] and contact_policy(org.id).time_zone == "Europe/Oslo"
    member = Membership.objects.get(organization=org)
    assert member.role == Role.OWNER and member.user.check_password(STRONG)
    assert "Created 'Kaffe & Co'" in out.getvalue()


def test_org_create_with_invite_prints_a_one_time_link_that_sets_the_password(client, settings):
    settings.GLAPP_BASE_URL = "https://glapp.example"
    out = io.StringIO()
    call_command("org", "create", "--name", "Nordbank", "--owner", "maria", "--owner-email", "maria@nordbank.test",
                 "--invite", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]
    assert link.startswith("https://glapp.example/login/welcome/")
    user = User.objects.get(username="maria")
    assert not user.has_usable_password()
    path = link.removeprefix("https://glapp.example")
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert not client.get(path, follow=True).context["validlink"]  # used once


@pytest.mark.parametrize(("args", "message"), [
    (["--password", "short"], "--password"),
    (["--password", STRONG, "--time-zone", "Nowhere/Here"], "--time-zone"),
    (["--password", STRONG, "--slug", "Bad Slug"], "--slug"),
    (["--invite"], "--owner-email"),
])
def test_org_create_refuses_bad_input_and_stores_nothing(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("org", "create", "--name", "Nordbank", "--owner", "maria", *args)
    assert not Organization.objects.filter(name="Nordbank").exists() and not User.objects.exists()


def test_org_create_refuses_a_taken_slug_or_username(org, monkeypatch):
    monkeypatch.setenv("GLAPP_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="--slug"):
        call_command("org", "create", "--name", "Acme", "--owner", "new-owner")
    actions.create_user("taken", STRONG)
    with pytest.raises(CommandError, match="--username"):
        call_command("org", "create", "--name", "Other", "--owner", "taken")
    assert Organization.objects.count() == 1
