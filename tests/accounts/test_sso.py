"""Single sign-on against a real OpenID provider on loopback (tests/accounts/oidc_provider.py):
the Django test client follows the real redirects, glapp calls the provider's token, userinfo
and JWKS endpoints over HTTP."""

from urllib.parse import urlparse

import pytest
import requests
from django.test import Client

from glapp.accounts.models import Role
from tests.accounts.oidc_provider import Person, Provider, running
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with running(Provider()) as p:
        for name, value in p.settings().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "glapp.accounts.oidc.OIDCBackend"]
        yield p


def sign_in_with_provider(client: Client, next_url: str = "/responses/"):
    """glapp → the provider's authorize endpoint → back to glapp's callback; the final response."""
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    callback = urlparse(at_provider.headers["Location"])
    assert callback.netloc == "testserver" and callback.path == "/oidc/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


def test_the_login_page_offers_the_provider_only_when_configured(client, settings):
    assert "Sign in with" not in client.get("/login/", headers={"Accept-Language": "en"}).text
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_a_member_signs_in_with_the_provider(provider, org):
    user = make_user(org, "anna")
    user.email = "Anna@Example.com"  # e-mail addresses match whatever their case
    user.save()
    client = Client()
    page = client.get("/login/")
    assert "Logga in med Acme ID" in page.text
    response = sign_in_with_provider(client)
    assert response.status_code == 302
    assert response["Location"] == "/responses/"
    assert signed_in_as(client) == str(user.pk)
    assert client.get("/responses/").status_code == 200
    assert provider.token_requests == 1


def refused(client: Client, response) -> str:
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_as(client) is None
    return client.get("/login/").text


def test_an_unknown_email_is_refused_with_a_clear_message(provider, org):
    make_user(org, "anna")  # no e-mail: nobody matches
    provider.person = Person(email="stranger@example.com")
    client = Client()
    text = refused(client, sign_in_with_provider(client))
    assert "ingen i glapp har den e-postadressen" in text


def test_a_person_who_is_no_member_is_not_let_in(provider, db):
    from glapp.accounts.actions import create_user

    create_user("loner", "violet-harbour-kettle", email="anna@example.com")
    client = Client()
    text = refused(client, sign_in_with_provider(client))
    assert "ingen i glapp har den e-postadressen" in text


def test_an_unverified_email_is_refused(provider, org):
    user = make_user(org, "anna")
    user.email = "anna@example.com"
    user.save()
    provider.person = Person(email_verified=False)
    client = Client()
    text = refused(client, sign_in_with_provider(client))
    assert "har inte verifierat din e-postadress" in text


@pytest.mark.parametrize("misbehave", ["foreign_key", "expired", "other_audience"])
def test_an_untrustworthy_token_is_refused(provider, org, misbehave):
    user = make_user(org, "anna")
    user.email = "anna@example.com"
    user.save()
    provider.misbehave = misbehave
    client = Client()
    text = refused(client, sign_in_with_provider(client))
    assert "kunde inte litas på" in text


def test_an_owner_still_gives_glapps_code_unless_the_providers_mfa_is_trusted(provider, org, settings):
    owner = make_user(org, "olle", Role.OWNER)
    owner.email = "anna@example.com"
    owner.save()
    client = Client()
    response = sign_in_with_provider(client)
    assert response["Location"] == "/login/enrol/"
    assert signed_in_as(client) is None

    settings.GLAPP_OIDC_TRUST_MFA = True
    trusted = Client()
    response = sign_in_with_provider(trusted)
    assert response["Location"] == "/responses/"
    assert signed_in_as(trusted) == str(owner.pk)


def test_a_replayed_callback_signs_nobody_in(provider, org):
    user = make_user(org, "anna")
    user.email = "anna@example.com"
    user.save()
    client = Client()
    start = client.get("/oidc/authenticate/")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    callback = urlparse(at_provider.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    assert signed_in_as(client) == str(user.pk)

    other = Client()  # someone who got hold of the callback address
    response = other.get(f"{callback.path}?{callback.query}")
    assert signed_in_as(other) is None
    assert response.status_code in (302, 400)
