import re

import pytest
from django.test import Client

from glapp.accounts.queries import access_for
from glapp.analytics.queries import nps_by_touchpoint, total_nps
from tests.factories import make_user
from tests.web.helpers import add_responses, days_ago, login

pytestmark = pytest.mark.django_db


def value_of(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_nps_per_touchpoint_in_journey_order(org):
    # Phone support: 10, 9, 3 → (2 − 1) / 3 = 33.3; web checkout: 8, 2 → (0 − 1) / 2 = −50.
    add_responses(org, {"nps": 10}, {"nps": 9}, {"nps": 3},
                  {"nps": 8, "touchpoint": "web-checkout"}, {"nps": 2, "touchpoint": "web-checkout"})
    user = make_user(org, "anna")
    rows = nps_by_touchpoint(access_for(user))
    assert [(r.stage, r.touchpoint, r.n) for r in rows] == [("Buy", "Web checkout", 2),
                                                            ("Contact", "Phone support", 3)]
    assert rows[0].value == pytest.approx(-50.0)
    assert rows[1].value == pytest.approx(100 / 3)
    assert total_nps(rows).value == pytest.approx(100 * (2 - 2) / 5)


def test_overview_page_shows_values_and_counts(client, org):
    add_responses(org, {"nps": 10}, {"nps": 9}, {"nps": 3},
                  {"nps": 8, "touchpoint": "web-checkout"}, {"nps": 2, "touchpoint": "web-checkout"})
    login(client, make_user(org, "anna"))
    html = client.get("/").text
    assert value_of(html, "nps-phone-support") == "33"
    assert value_of(html, "nps-web-checkout") == "−50"  # a true minus, as on the journey map
    assert value_of(html, "n-phone-support").startswith("3 svar")
    assert "Webbkassan" not in html and "Web checkout" in html
    assert html.index("Web checkout") < html.index("Phone support")  # journey order, not alphabetical
    assert "indikativt" in html  # n < 30 is marked


def test_touchpoint_without_responses_is_shown_empty(client, org):
    add_responses(org, {"nps": 10})
    login(client, make_user(org, "anna"))
    html = client.get("/").text
    assert "Web checkout" in html
    assert value_of(html, "n-web-checkout").startswith("0 svar")


def test_default_period_is_twelve_months_and_quick_choices_narrow_it(client, org):
    add_responses(org, {"nps": 10, "submitted_at": days_ago(5)}, {"nps": 0, "submitted_at": days_ago(60)},
                  {"nps": 0, "submitted_at": days_ago(400)})
    login(client, make_user(org, "anna"))
    assert value_of(client.get("/").text, "nps-phone-support") == "0"  # 10 and 0; the 400-day one is out
    assert value_of(client.get("/?period=30d").text, "nps-phone-support") == "100"
    assert value_of(client.get("/?period=all").text, "n-phone-support").startswith("3 svar")


def test_custom_dates_and_unit_filter(client, org):
    add_responses(org, {"nps": 10, "unit": "acme-north-store", "submitted_at": "2026-03-10T12:00:00+01:00"},
                  {"nps": 0, "unit": "acme-south-store", "submitted_at": "2026-03-11T12:00:00+01:00"},
                  {"nps": 0, "unit": "acme-north-store", "submitted_at": "2026-04-01T12:00:00+02:00"})
    login(client, make_user(org, "anna"))
    html = client.get("/?date_from=2026-03-01&date_to=2026-03-31").text
    assert value_of(html, "n-phone-support").startswith("2 svar")
    html = client.get("/?date_from=2026-03-01&date_to=2026-03-31&unit=acme-north").text
    assert value_of(html, "nps-phone-support") == "100"
    # A day is a local day: 23:30 Stockholm on the 31st is still March.
    add_responses(org, {"nps": 9, "submitted_at": "2026-03-31T23:30:00+02:00"})
    html = client.get("/?date_from=2026-03-01&date_to=2026-03-31&unit=").text
    assert value_of(html, "n-phone-support").startswith("3 svar")


def test_bad_filters_explain_themselves(client, org):
    login(client, make_user(org, "anna"))
    html = client.get("/?date_from=2026-05-01&date_to=2026-04-01&unit=nope").text
    assert "Slutdatumet ligger före startdatumet." in html
    assert "Kontrollera filtren ovan." in html


def test_empty_organization_shows_empty_state(client, org):
    login(client, make_user(org, "anna"))
    html = client.get("/").text
    assert "Inga svar under perioden." in html


def test_overview_is_one_aggregate_query_regardless_of_size(client, org, django_assert_max_num_queries):
    login(client, make_user(org, "anna"))
    add_responses(org, *[{"nps": i % 11} for i in range(40)])
    client.get("/")
    with django_assert_max_num_queries(8):
        client.get("/")


def test_overview_in_english(org):
    client = login(Client(), make_user(org, "emma", language="en"))
    html = client.get("/").text
    assert "<h1>Overview</h1>" in html
    assert "Last 12 months" in html


def test_bar_widths_are_css_numbers_in_swedish(client, org):
    # 1 promoter, 1 passive, 1 detractor: thirds. A Swedish decimal comma would void the CSS.
    add_responses(org, {"nps": 10}, {"nps": 7}, {"nps": 0})
    login(client, make_user(org, "anna"))
    html = client.get("/").text
    assert 'class="seg promoter" style="width: 33.33%"' in html
    assert "33,33%" not in html


def test_the_unit_filter_of_someone_limited_to_a_unit_names_it(client, org):
    login(client, make_user(org, "stina", unit_code="acme-north"))
    form = client.get("/").context["form"]
    assert form.fields["unit"].choices[0] == ("", "Hela North")
    assert [code for code, _ in form.fields["unit"].choices[1:]] == ["acme-north", "acme-north-store"]
    login(client, make_user(org, "anna"))
    assert client.get("/").context["form"].fields["unit"].choices[0] == ("", "Alla enheter")


def test_someone_limited_to_a_unit_gets_cards_only_where_their_units_have_responses(client, org):
    add_responses(org, {"nps": 10, "unit": "acme-north-store"},
                  {"nps": 3, "unit": "acme-south-store", "touchpoint": "web-checkout"})
    login(client, make_user(org, "stina", unit_code="acme-north"))
    html = client.get("/").text
    assert 'data-testid="nps-phone-support"' in html and 'data-testid="n-web-checkout"' not in html
    assert "Web checkout" in html.split('data-testid="quiet-touchpoints"')[1].split("</p>")[0]
    login(client, make_user(org, "anna"))  # the whole organization: every card, none named as quiet
    html = client.get("/").text
    assert 'data-testid="n-web-checkout"' in html and "quiet-touchpoints" not in html
