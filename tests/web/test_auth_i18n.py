import pytest
from django.test import Client

from glapp.accounts.actions import create_user
from tests.factories import PASSWORD, make_user
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def test_pages_require_login(client):
    for url in ("/", "/responses/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_login_form_signs_in_and_redirects(org):
    user = make_user(org, "anna")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.text
    token = page.cookies["csrftoken"].value
    response = client.post("/login/", {"username": "anna", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_without_csrf_token_is_refused(org):
    make_user(org, "anna")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_error_in_swedish(org):
    make_user(org, "anna")
    response = Client().post("/login/", {"username": "anna", "password": "nope-nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert "lösenord" in response.text.lower()


def test_logout_is_post_only(client, org):
    login(client, make_user(org, "anna"))
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_swedish_is_the_default(client, org):
    login(client, make_user(org, "anna"))
    page = client.get("/")
    assert '<html lang="sv">' in page.text
    assert "Översikt" in page.text
    assert "Logga ut" in page.text


def test_language_choice_is_stored_on_the_user_and_follows_them(client, org):
    user = make_user(org, "anna")
    login(client, user)
    response = client.post("/language/", {"language": "en", "next": "/responses/"})
    assert response.status_code == 302
    assert response["Location"] == "/responses/"
    user.refresh_from_db()
    assert user.language == "en"
    assert "Responses" in client.get("/responses/").text

    # Another browser without the cookie: the stored choice applies after logging in.
    other = login(Client(), user)
    page = other.get("/")
    assert '<html lang="en">' in page.text
    assert "<h1>Overview</h1>" in page.text


def test_stored_language_beats_a_stale_cookie(org):
    sv_user = make_user(org, "sven", language="sv")
    client = login(Client(), sv_user)
    client.cookies["django_language"] = "en"
    assert "<h1>Översikt</h1>" in client.get("/").text


def test_language_switch_rejects_unknown_language_and_foreign_next(client, org):
    user = make_user(org, "anna")
    login(client, user)
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    user.refresh_from_db()
    assert user.language == ""


def test_anonymous_can_switch_the_login_page_language(client):
    client.post("/language/", {"language": "en", "next": "/login/"})
    assert "Log in" in client.get("/login/").text


def test_user_without_membership_sees_a_clear_message(client, org):
    user = create_user("lonely", PASSWORD)
    login(client, user)
    response = client.get("/")
    assert response.status_code == 403
    assert "inte medlem i någon organisation" in response.text
    assert client.get("/responses/").status_code == 403


def test_browser_language_does_not_override_swedish_default(client, org):
    page = client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "<h1>Logga in</h1>" in page.text


def test_organization_default_language_applies_to_users_without_a_choice(client, org):
    org.default_language = "en"
    org.save()
    login(client, make_user(org, "anna"))
    assert "<h1>Overview</h1>" in client.get("/").text
