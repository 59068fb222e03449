"""The journey map page: numbers from metric_table, arrows only when significant, unit scoping,
escaping, HTMX fragments and a bounded number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from glapp.accounts.models import Role
from glapp.journeys.models import Touchpoint
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Survey
from tests.factories import make_survey, make_user
from tests.web.helpers import add_responses, days_ago, login

pytestmark = pytest.mark.django_db

NPS_TEXT = {"sv": "Rekommendera?", "en": "Recommend?"}


def many(n: int, score: int, *, ago: float = 5, **extra) -> list[dict]:
    return [{"nps": score, "submitted_at": days_ago(ago + i % 20 / 10), **extra} for i in range(n)]


@pytest.fixture
def surveys(org):
    """A web checkout survey and a relationship survey next to the factory's phone survey."""
    make_survey(org, "web", touchpoint=Touchpoint.objects.get(organization=org, code="web-checkout"))
    create_survey(org, name="Relation", code="relation", kind=Survey.Kind.RELATIONSHIP,
                  questions=[QuestionSpec("nps", qt.NPS, NPS_TEXT, required=True)])
    return org


def card(html: str, code: str) -> str:
    match = re.search(rf'<li class="tp jcard[^"]*" data-testid="tp-{code}">(.*?)</li>', html, re.S)
    assert match, code
    return match.group(1)


def text_of(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def test_map_shows_nps_intervals_shares_and_relationship_beside_transactional(client, surveys):
    org = surveys
    # Phone: 30 × 10, 10 × 0 → NPS 50; web: 20 × 0, 20 × 8 → −50; relationship: 30 × 9, 10 × 7 → 75.
    add_responses(org, *many(30, 10), *many(10, 0), *many(20, 0, survey="web"), *many(20, 8, survey="web"),
                  *many(30, 9, survey="relation"), *many(10, 7, survey="relation"))
    login(client, make_user(org, "anna"))
    html = client.get("/journey/").text
    assert text_of(html, "nps-phone-support") == "50"
    assert text_of(html, "nps-web-checkout") == "−50"
    assert text_of(html, "nps-relationship") == "75"
    assert text_of(html, "nps-transactional") == "0"  # (30 − 30) / 80
    # 10 of the 30 detractors were created at the phone, 20 at the web checkout; every promoter at the phone.
    phone, web = card(html, "phone-support"), card(html, "web-checkout")
    assert "33 % av alla kritiker" in phone and "100 % av alla ambassadörer" in phone
    assert "67 % av alla kritiker" in web and "0 % av alla ambassadörer" in web
    assert html.index('data-testid="tp-web-checkout"') < html.index('data-testid="tp-phone-support"')
    # The interval is shown, and its method is stated both as help text and in the tooltip.
    assert re.search(r'class="fig-ci">−?\d+ – \d+<', phone)
    method = text_of(html, "method")
    assert method and method in re.search(r'<span class="fig[^"]*"\s+title="([^"]*)"', phone).group(1)
    assert "Benjamini–Hochberg" in html


def test_ces_is_shown_where_the_touchpoint_asks_it(client, surveys):
    org = surveys
    add_responses(org, *[{"answers": {"nps": 9, "ces": 6}, "submitted_at": days_ago(4)} for _ in range(40)],
                  *many(40, 9, survey="web"))
    login(client, make_user(org, "anna"))
    html = client.get("/journey/").text
    assert 'data-testid="ces-phone-support"' in card(html, "phone-support")
    assert text_of(html, "ces-phone-support").startswith("6")
    assert "ces-web-checkout" not in html  # the web survey's answers here carry no CES


def test_arrow_only_for_a_significant_change(client, surveys):
    org = surveys
    # Phone collapses from all promoters (days 100–120 ago) to mostly detractors; web stays the same.
    add_responses(org, *many(60, 10, ago=110), *many(50, 0), *many(10, 10),
                  *many(40, 9, ago=110, survey="web"), *many(40, 0, ago=110, survey="web"),
                  *many(40, 9, survey="web"), *many(40, 0, survey="web"))
    login(client, make_user(org, "anna"))
    html = client.get("/journey/").text
    assert text_of(html, "arrow-nps-phone-support") == "▼"
    assert 'class="arrow worse"' in card(html, "phone-support")
    assert "arrow" not in card(html, "web-checkout").replace("aria", "")


def test_small_samples_are_greyed_and_never_get_an_arrow(client, surveys):
    org = surveys
    add_responses(org, *many(8, 10, ago=110), *many(8, 0))
    login(client, make_user(org, "anna"))
    phone = card(client.get("/journey/").text, "phone-support")
    assert "För få svar" in phone
    assert 'class="fig is-small"' in phone
    assert "data-testid=\"arrow-" not in phone


def test_explicit_periods_filter_and_the_url_is_shareable(client, surveys):
    org = surveys
    add_responses(org, *many(40, 10, ago=200), *many(40, 0, ago=20))
    login(client, make_user(org, "anna"))
    old = (days_ago(230)[:10], days_ago(150)[:10])
    html = client.get(f"/journey/?date_from={old[0]}&date_to={old[1]}").text
    assert text_of(html, "nps-phone-support") == "100"
    # The form shows what it used, so copying the URL (or the form) gives the same map.
    assert f'value="{old[0]}"' in html
    html = client.get(f"/journey/?compare_from={old[0]}&compare_to={old[1]}").text
    assert text_of(html, "nps-phone-support") == "−100"
    assert text_of(html, "arrow-nps-phone-support") == "▼"


def test_htmx_gets_the_results_fragment(client, surveys):
    add_responses(surveys, *many(5, 9))
    login(client, make_user(surveys, "anna"))
    response = client.get("/journey/", headers={"HX-Request": "true"})
    assert "<html" not in response.text and 'data-testid="tp-phone-support"' in response.text
    assert "HX-Request" in response["Vary"]


def test_unit_limited_user_sees_only_their_units(client, surveys):
    org = surveys
    add_responses(org, *many(40, 10, unit="acme-north-store"), *many(40, 0, unit="acme-south-store"))
    login(client, make_user(org, "stina", Role.VIEWER, unit_code="acme-north"))
    html = client.get("/journey/").text
    assert text_of(html, "nps-phone-support") == "100"
    assert re.search(r'data-testid="tp-phone-support">.*?n = 40<', html, re.S)
    options = re.findall(r'<option value="([^"]*)"', html.split('name="unit"')[1].split("</select>")[0])
    assert options == ["", "acme-north", "acme-north-store"]
    # No relationship answers for their units: the empty figure says why, for them only.
    assert 'data-testid="relationship-scope"' in html
    login(client, make_user(org, "anna", Role.VIEWER))
    assert 'data-testid="relationship-scope"' not in client.get("/journey/").text
    login(client, make_user(org, "stina2", Role.VIEWER, unit_code="acme-north"))
    # Asking for another unit's numbers is refused, not silently widened.
    html = client.get("/journey/?unit=acme-south").text
    assert 'role="alert"' in html and "nps-phone-support" not in html


def test_hostile_names_are_escaped(client, surveys):
    org = surveys
    Touchpoint.objects.filter(organization=org, code="phone-support").update(name="<script>alert(1)</script>")
    add_responses(org, *[{"nps": 9, "customer": {"external_id": f"X-{i}", "segment": "<b>vip</b>"}}
                         for i in range(3)])
    login(client, make_user(org, "anna"))
    html = client.get("/journey/").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>vip</b>" not in html and "&lt;b&gt;vip&lt;/b&gt;" in html  # a segment choice
    html = client.get("/journey/", {"segment": "<b>vip</b>"}).text
    assert text_of(html, "nps-phone-support") == "100"


def test_query_count_does_not_grow_with_touchpoints_or_responses(client, surveys):
    org = surveys
    user = make_user(org, "anna")
    login(client, user)
    add_responses(org, *many(3, 9))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/journey/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request also settles the session
    few = queries()
    from glapp.journeys.actions import create_journey

    create_journey(org, "Second", [("After", ["Renewal", "Cancel", "Upgrade"])], code="second")
    for code in ("renewal", "cancel", "upgrade"):
        make_survey(org, code, touchpoint=Touchpoint.objects.get(organization=org, code=code))
        add_responses(org, *many(40, 7, survey=code, unit="acme-south-store"))
    assert queries() == few
    assert few <= 40


def test_numbers_are_rounded_signed_and_localized():
    from django.utils import translation

    from glapp.analytics.metrics import METRICS
    from glapp.web.journey import fmt, fmt_delta

    with translation.override("sv"):
        assert fmt(METRICS["nps"], 81.8) == "82"
        assert fmt(METRICS["nps"], -81.8) == "−82"
        assert fmt(METRICS["nps"], -0.4) == "0"
        assert fmt_delta(METRICS["nps"], 0.2) == "0"
        assert fmt_delta(METRICS["nps"], 3.5) == "+4"
        assert fmt(METRICS["ces"], 5.126) == "5,13"
        assert fmt_delta(METRICS["ces"], -0.004) == "0,00"
        assert fmt(METRICS["csat"], 76.4) == "76"
    with translation.override("en"):
        assert fmt(METRICS["ces"], 5.126) == "5.13"


def test_the_change_reads_as_the_metrics_change_not_the_ns(client, surveys):
    """"n = 40 · before 0, n = 50 (+50)" read as if n had changed by 50: the change is NPS's."""
    org = surveys
    add_responses(org, *many(30, 10), *many(10, 0), *many(25, 10, ago=120), *many(25, 0, ago=120))
    login(client, make_user(org, "anna"))
    phone = card(client.get("/journey/").text, "phone-support")
    assert "n = 40 · " in phone
    assert "NPS +50 mot tidigare (var 0, n = 50)" in phone
    assert "(+50)" not in phone
    login(client, make_user(org, "eric", language="en"))
    assert "NPS +50 vs before (was 0, n = 50)" in card(client.get("/journey/").text, "phone-support")
