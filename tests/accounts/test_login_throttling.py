"""Login throttling (django-axes, counted in the cache): a wrong password repeated from one
address locks that username there for the cool-off, with a page that says when to try again."""

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from glapp.core.ratelimit import client_ip
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]


def attempt(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_sixty_wrong_passwords_then_the_right_one_is_refused(org):
    make_user(org, "anna")
    client = Client()
    statuses = [attempt(client, "anna", f"wrong-guess-{i}").status_code for i in range(60)]
    assert statuses[:9] == [200] * 9  # the form again, with its error
    assert set(statuses[9:]) == {429}  # the tenth wrong password locks
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert "Försök igen om 15 minuter" in response.text
    assert re.search(r"kl\. \d\d:\d\d", response.text)


def test_lockout_page_in_english_says_when_to_try_again(org):
    make_user(org, "anna", language="en")
    client = Client()
    client.cookies["django_language"] = "en"
    for i in range(10):
        attempt(client, "anna", f"wrong-guess-{i}")
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 15 minutes, at" in response.text


def test_after_the_cool_off_the_right_password_signs_in(org, settings):
    import datetime as dt

    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=1)
    make_user(org, "anna")
    client = Client()
    for i in range(10):
        attempt(client, "anna", f"wrong-guess-{i}")
    assert attempt(client, "anna", PASSWORD).status_code == 429
    time.sleep(1.1)  # the counters' time to live in the cache, not a timing assertion
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lockout_is_per_username_and_address(org):
    """Typing a colleague's name ten times does not lock them out from everywhere."""
    make_user(org, "anna")
    make_user(org, "bert")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(10):
        attempt(attacker, "anna", f"wrong-guess-{i}")
    assert attempt(attacker, "anna", PASSWORD).status_code == 429

    anna_at_office = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(anna_at_office, "anna", PASSWORD).status_code == 302
    bert_same_address = Client(REMOTE_ADDR="203.0.113.9")
    assert attempt(bert_same_address, "bert", PASSWORD).status_code == 302


def test_a_success_resets_the_count(org):
    make_user(org, "anna")
    client = Client()
    for i in range(9):
        attempt(client, "anna", f"wrong-guess-{i}")
    assert attempt(client, "anna", PASSWORD).status_code == 302
    client.post("/logout/")
    for i in range(9):
        assert attempt(client, "anna", f"wrong-guess-{i}").status_code == 200
    assert attempt(client, "anna", PASSWORD).status_code == 302


def test_a_failed_attempt_writes_nothing_to_the_database(org):
    make_user(org, "anna")
    client = Client()
    attempt(client, "anna", "wrong-guess-0")  # the first one too
    for locked in (False, True):
        with CaptureQueriesContext(connection) as queries:
            for i in range(12 if not locked else 3):
                attempt(client, "anna", f"wrong-guess-{i}")
        writes = [q["sql"] for q in queries.captured_queries
                  if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}]
        assert writes == []


def test_the_admin_site_signs_in_through_the_throttled_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/accounts/user/"
    # The admin's own password form is never offered, so it cannot be used to go around.
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302


def test_the_client_address_comes_from_the_proxies_only_when_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.GLAPP_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # a client's own header means nothing without a proxy
    settings.GLAPP_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, not what the client prepended
    settings.GLAPP_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: not to be trusted
