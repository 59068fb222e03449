"""The bell on every signed-in page, its polling fragment, the list, marking read, the settings
page; a person sees only their own notifications, and hostile text stays inert."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from glapp.accounts.models import Role
from glapp.cases import actions
from glapp.notifications.models import Delivery, Kind, Notification, Preference
from tests.notifications.helpers import assign_on_open, open_case, person

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bell_count(html: str) -> int:
    match = re.search(r'class="bell-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_the_bell_shows_the_unread_count_on_every_page_and_polls_for_changes(org):
    north = person(org, "north", unit_code="acme-north-store")
    open_case(org, external_id="R-1", customer="C-1")
    open_case(org, external_id="R-2", customer="C-2")
    client = signed_in(north)
    for url in ("/", "/responses/", "/notifications/", "/notifications/settings/"):
        page = client.get(url).content.decode()
        assert 'data-testid="bell"' in page and bell_count(page) == 2, url
        assert 'hx-get="/notifications/bell/?shown=2"' in page and 'hx-trigger="every 30s"' in page
    assert client.get("/notifications/bell/?shown=2").status_code == 204  # unchanged: nothing to swap
    open_case(org, external_id="R-3", customer="C-3")
    fragment = client.get("/notifications/bell/?shown=2")
    assert fragment.status_code == 200 and bell_count(fragment.content.decode()) == 3
    assert "<html" not in fragment.content.decode()


def test_the_bell_costs_one_count(org):
    north = person(org, "north", unit_code="acme-north-store")
    client = signed_in(north)
    client.get("/notifications/bell/?shown=5")
    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/bell/?shown=0")
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()


def test_the_list_is_newest_first_and_opening_one_marks_it_read_and_goes_to_the_case(org):
    assign_on_open(org)
    owner = person(org, "owner", unit_code="acme-north-store")
    boss = person(org, "boss", role=Role.ADMIN)
    case = open_case(org)
    actions.add_note(case, "note", actor_id=boss.id)
    client = signed_in(owner)
    page = client.get("/notifications/").content.decode()
    first, second = Notification.objects.order_by("-id")
    assert page.index(f'data-notification="{first.pk}"') < page.index(f'data-notification="{second.pk}"')
    assert f"Case #{case.id}" in page or f"Ärende #{case.id}" in page
    opened = client.post(f"/notifications/{second.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.id}/"
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.read_at and not first.read_at
    assert client.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert bell_count(client.get("/notifications/").content.decode()) == 0


def test_an_alert_without_a_case_links_to_the_response(org):
    whole = person(org, "whole", role=Role.ANALYST)
    open_case(org, open_case=False, notify_users=[whole.id])
    n = Notification.objects.get()
    assert n.case_id is None and n.response_id
    opened = signed_in(whole).post(f"/notifications/{n.pk}/open/")
    assert opened["Location"] == f"/responses/{n.response_id}/"


def test_someone_elses_notification_is_not_found_and_not_marked(org):
    north = person(org, "north", unit_code="acme-north-store")
    other = person(org, "other", role=Role.ADMIN)
    open_case(org)
    n = Notification.objects.get(user=north)
    assert signed_in(other).post(f"/notifications/{n.pk}/open/").status_code == 404
    assert "data-notification" not in signed_in(other).get("/notifications/").content.decode()
    n.refresh_from_db()
    assert n.read_at is None


def test_opening_is_a_post(org):
    north = person(org, "north", unit_code="acme-north-store")
    open_case(org)
    n = Notification.objects.get()
    assert signed_in(north).get(f"/notifications/{n.pk}/open/").status_code == 405


def test_hostile_text_is_inert_on_the_page(org):
    """What a customer or a colleague wrote is never in a notification; what the page shows of
    the case (its title, the unit code) is escaped."""
    assign_on_open(org)
    owner = person(org, "owner", unit_code="acme-north-store")
    boss = person(org, "boss", role=Role.ADMIN)
    case = open_case(org)
    case.title = "<script>alert(1)</script>"
    case.save()
    actions.add_note(case, "<img src=x onerror=alert(2)>", actor_id=boss.id)
    page = signed_in(owner).get("/notifications/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script: CSP script-src 'self'


def test_the_settings_page_saves_each_kinds_choice(org):
    north = person(org, "north", unit_code="acme-north-store")
    client = signed_in(north)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="assigned"' in page and 'value="immediate" selected' in page
    form = {kind: Delivery.DAILY for kind in Kind.values} | {"queue": Delivery.OFF}
    assert client.post("/notifications/settings/", form).status_code == 302
    assert dict(Preference.objects.filter(user=north).values_list("kind", "delivery"))["queue"] == "off"
    bad = client.post("/notifications/settings/", form | {"queue": "weekly"})
    assert bad.status_code == 200 and Preference.objects.get(user=north, kind="queue").delivery == "off"


def test_a_person_without_an_organization_sees_no_bell(db):
    from glapp.accounts.actions import create_user
    from tests.factories import PASSWORD

    lonely = create_user("lonely", PASSWORD)
    page = signed_in(lonely).get("/notifications/")
    assert page.status_code == 403 and 'data-testid="bell"' not in page.content.decode()
