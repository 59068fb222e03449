"""Settings → Organization: name, languages, the customers' time zone and office hours, for
owners and admins of the whole organization; everyone else sees them read-only. Reporting days
stay the installation's."""

import datetime as dt

import pytest

from glapp.accounts.models import Organization, Role
from glapp.contacts.queries import contact_policy
from tests.factories import make_user
from tests.web.helpers import login

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    data = {"name": "Acme Nordic", "default_language": "en", "languages": ["sv", "en"],
            "time_zone": "Europe/Helsinki", "office_hours_start": "07:30", "office_hours_end": "16:00",
            "office_days": ["1", "2", "3", "4"]}
    data.update(overrides)
    return data


def test_an_owner_changes_name_languages_time_zone_and_office_hours(client, org, settings):
    login(client, make_user(org, "owner", Role.OWNER))
    assert client.post("/settings/organization/", form()).status_code == 302
    org.refresh_from_db()
    assert (org.name, org.slug, org.default_language, org.languages) == ("Acme Nordic", "acme", "en", ["en", "sv"])
    policy = contact_policy(org.id)
    assert (policy.time_zone, policy.office_hours_start, policy.office_hours_end, policy.office_days) == (
        "Europe/Helsinki", dt.time(7, 30), dt.time(16, 0), [1, 2, 3, 4])
    page = client.get("/settings/organization/").content.decode()
    assert settings.TIME_ZONE in page  # says reports keep the installation's days


@pytest.mark.parametrize(("field", "value"), [("time_zone", "Mars/Olympus"), ("office_hours_end", "06:00"),
                                              ("name", ""), ("default_language", "xx")])
def test_bad_settings_are_named_and_nothing_changes(client, org, field, value):
    login(client, make_user(org, "admin", Role.ADMIN))
    page = client.post("/settings/organization/", form(**{field: value}))
    assert page.status_code == 200 and field in page.context["form"].errors
    assert Organization.objects.get(pk=org.pk).name == org.name


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CASE_HANDLER])
def test_read_only_roles_see_the_settings_disabled_and_cannot_save(client, org, role):
    login(client, make_user(org, "reader", role))
    page = client.get("/settings/organization/").content.decode()
    assert 'name="name"' in page and "disabled" in page and 'type="submit" class="btn-primary"' not in page
    assert client.post("/settings/organization/", form()).status_code == 403


def test_a_unit_limited_admin_cannot_change_the_organization(client, org):
    login(client, make_user(org, "regional", Role.ADMIN, unit_code="acme-north"))
    assert client.post("/settings/organization/", form()).status_code == 403


def test_getting_started_lists_the_steps_a_new_organization_takes(client, org):
    login(client, make_user(org, "owner", Role.OWNER))
    page = client.get("/settings/").content.decode()
    for url in ("/settings/organization/", "/settings/units/", "/settings/journeys/", "/settings/people/",
                "/settings/api-keys/", "/data/import/", "/journey/"):
        assert f'href="{url}"' in page, url
    login(client, make_user(org, "viewer", Role.VIEWER))
    page = client.get("/settings/").content.decode()
    assert 'href="/settings/people/"' not in page and 'href="/data/import/"' not in page.split("checklist")[1]
