"""Passwords: at least 12 characters, not a common one, not like the person's name, not only
digits; wherever a password is set (the CLI, the password page, the admin, the demo)."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from glapp.accounts import actions
from glapp.accounts.invitations import set_password_url
from glapp.accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

REFUSED = {  # the password, and the start of Django's Swedish message refusing it
    "eleven-char": "Det här lösenordet är för kort",  # 11 characters
    "password1234": "Detta lösenord är alldeles för vanligt",
    "123456789012": "Detta lösenord är enbart numeriskt",
    "carla.svensson": "Ditt lösenord är alltför likt",  # the person's own name
}


@pytest.mark.parametrize(("password", "why"), REFUSED.items())
def test_createuser_refuses_weak_passwords(org, password, why):
    with pytest.raises(CommandError, match="Password rejected"):
        call_command("createuser", "carla", org="acme", first_name="Carla", last_name="Svensson",
                     email="carla.svensson@example.com", password=password)
    assert not User.objects.filter(username="carla").exists()


def test_createuser_accepts_a_long_uncommon_password(org):
    call_command("createuser", "carla", org="acme", first_name="Carla", password="violet-harbour-kettle")
    assert User.objects.get(username="carla").check_password("violet-harbour-kettle")


@pytest.mark.parametrize(("password", "why"), REFUSED.items())
def test_the_password_page_refuses_weak_passwords(org, password, why):
    user = make_user(org, "carla")
    user.first_name, user.last_name = "Carla", "Svensson"
    user.save()
    client = Client()
    client.force_login(user)
    response = client.post("/settings/password/", {"old_password": PASSWORD, "new_password1": password,
                                                    "new_password2": password})
    assert response.status_code == 200
    assert any(m.startswith(why) for m in response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_page_changes_a_good_password(org):
    user = make_user(org, "carla")
    client = Client()
    client.force_login(user)
    response = client.post("/settings/password/", {"old_password": PASSWORD, "new_password1": "violet-harbour-kettle",
                                                    "new_password2": "violet-harbour-kettle"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("violet-harbour-kettle")
    assert client.get("/").status_code == 200  # still signed in here


@pytest.mark.parametrize("page", ["password page", "invitation"])
def test_both_password_forms_show_the_rules_as_a_list_and_a_refusal_beside_its_field(org, page):
    """The password page and an invitation's welcome page share one form: each field labelled,
    the validators' rules as the list Django writes them (not escaped), a refusal as an alert."""
    user = make_user(org, "carla")
    client = Client()
    if page == "password page":
        client.force_login(user)
        url, data = "/settings/password/", {"old_password": PASSWORD}
    else:
        user.set_unusable_password()
        user.save()
        url, data = client.get(urlsplit(set_password_url(user)).path, follow=True).redirect_chain[-1][0], {}
    shown = client.get(url).content.decode()
    for field in ("new_password1", "new_password2"):
        assert f'<label for="id_{field}">' in shown
    assert '<div class="muted"><ul><li>' in shown and "&lt;ul&gt;" not in shown
    refused = client.post(url, {**data, "new_password1": "eleven-char", "new_password2": "eleven-char"})
    assert refused.status_code == 200
    assert '<ul class="errorlist" role="alert"><li>Det här lösenordet är för kort' in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD) == (page == "password page")


def test_the_admin_refuses_a_weak_password_for_a_new_user(db):
    root = actions.create_user("root", PASSWORD, is_superuser=True)
    client = Client()
    client.force_login(root)
    response = client.post("/admin/accounts/user/add/", {"username": "dora", "password1": "short-pw",
                                                         "password2": "short-pw", "usable_password": "true"})
    assert response.status_code == 200
    assert not User.objects.filter(username="dora").exists()


def test_the_demo_refuses_a_weak_password_before_loading_anything(db):
    with pytest.raises(CommandError, match="--password rejected"):
        call_command("demo", password="glapp-demo", no_serve=True, responses=0)
    assert not User.objects.filter(username="anna").exists()


def test_the_demo_password_passes_the_rules():
    from glapp.demo.loader import password_problems
    from glapp.demo.management.commands.demo import DEFAULT_PASSWORD

    assert password_problems(DEFAULT_PASSWORD) == []
