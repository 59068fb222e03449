"""Swedish UI: the 403/404/500 pages, the contact policy's help texts and the names of the
groups in a trend breakdown (channels and languages as the responses list names them)."""

import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.views.defaults import server_error

from glapp.accounts.models import Role
from glapp.contacts.models import ContactPolicy, Customer
from tests.factories import make_user
from tests.web.helpers import add_responses, login

pytestmark = pytest.mark.django_db


def sv(text: str) -> str:
    with translation.override("sv"):
        return gettext(text)


def test_error_pages_are_only_used_without_debug():
    assert settings.DEBUG is False  # pytest-django runs tests with DEBUG off, as in production


def test_a_missing_object_inside_the_app_keeps_the_main_navigation(client, org):
    login(client, make_user(org, "anna", language="sv"))
    response = client.get("/data/import/jobs/999999/")
    assert response.status_code == 404
    assert sv("Page not found") in response.text
    assert "Översikt" in response.text  # the main navigation of a member's page


@pytest.mark.parametrize(("path", "status", "message", "frame", "django_text"), [
    ("/no-such-page/", 404, "Page not found", ["Logga ut"], "The requested resource was not found"),
    # Analysts may not manage the contact policy; the page they came from had the navigation.
    ("/invitations/policy/", 403, "You do not have access to this page", ["Logga ut", "Översikt"], "403 Forbidden"),
])
def test_error_pages_are_translated_in_the_apps_frame(client, org, path, status, message, frame, django_text):
    login(client, make_user(org, "anna", Role.ANALYST, language="sv"))
    response = client.get(path)
    assert response.status_code == status
    assert f"{status}.html" in [t.name for t in response.templates]
    html = response.text
    assert '<html lang="sv">' in html
    assert sv(message) in html and sv("Go to the overview") in html and 'href="/"' in html
    assert all(text in html for text in frame)  # the app's frame, in Swedish
    assert django_text not in html  # not Django's bare page


def test_the_500_page_needs_no_request_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with translation.override("sv"), django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert sv("Something went wrong") in html and 'href="/"' in html
    with translation.override("sv"):
        assert gettext("Go to the overview") in html


def test_contact_policy_help_texts_are_translatable(client, org):
    for name in ("min_days_between_invitations", "relationship_min_months", "quiet_hours_start", "quiet_hours_end"):
        assert isinstance(ContactPolicy._meta.get_field(name).help_text, Promise), name
    assert isinstance(Customer._meta.get_field("external_id").help_text, Promise)
    login(client, make_user(org, "olle", Role.ADMIN, language="sv"))
    html = client.get("/invitations/policy/").text
    for text in ("At most one invitation per customer in this many days, across all surveys.",
                 "A customer gets a relationship survey at most this often.",
                 "No invitation is sent from …", "… until (local time)."):
        assert sv(text) in html


def breakdown_names(html: str) -> list[str]:
    body = html.split('data-testid="breakdown"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row">(.*?)</th>', body, re.S)
    return [re.sub(r"<[^>]+>", "", re.sub(r'<span class="small-n">.*?</span>', "", n)).strip() for n in names]


def test_trend_breakdowns_name_channels_and_languages_like_the_responses_list(client, org):
    add_responses(org, *[{"nps": 9, "channel": "email", "language": "sv"} for _ in range(3)],
                  *[{"nps": 3, "channel": "store", "language": "en"} for _ in range(3)])
    login(client, make_user(org, "anna", language="sv"))
    channels = breakdown_names(client.get("/trends/?group_by=channel").text)
    assert sorted(channels) == sorted([sv("Email"), sv("In store")])
    assert "email" not in channels and "store" not in channels
    responses = client.get("/responses/").text
    for name in channels:  # the same words the responses list shows on each response
        assert f'<li class="chip">{name}</li>' in responses
    languages = breakdown_names(client.get("/trends/?group_by=language").text)
    assert sorted(languages) == ["Engelska", "Svenska"]
    # Segments are the organization's own words: shown as they are, here and in the list.
    assert breakdown_names(client.get("/trends/?group_by=segment").text) == ["private"]


def test_chart_lines_use_the_same_names(client, org):
    add_responses(org, *[{"nps": 9, "channel": "store"} for _ in range(3)])
    login(client, make_user(org, "anna", language="en"))
    html = client.get("/trends/?group_by=channel").text
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert "In store" in svg and ">store<" not in svg
