"""The trend page: a chart with interval bands per bucket, a breakdown table, filters, unit
scoping, escaping and a bounded number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.journeys.models import Touchpoint
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Survey
from tests.factories import make_survey, make_user
from tests.web.helpers import add_responses, login

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> str:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()).isoformat()


def month_start(months_back: int) -> dt.date:
    today = timezone.localdate().replace(day=1)
    month = today.month - months_back
    return dt.date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def in_month(months_back: int, n: int, score: int, **extra) -> list[dict]:
    start = month_start(months_back) + dt.timedelta(days=2)
    return [{"nps": score, "submitted_at": at(start + dt.timedelta(days=i % 20)), **extra} for i in range(n)]


def rows(html: str) -> list[tuple[str, str]]:
    """(row header, value) per breakdown row."""
    body = html.split('data-testid="breakdown"')[1].split("</table>")[0]
    return [(re.sub(r"<[^>]+>", "", name).strip(), value) for name, value in
            re.findall(r'<th scope="row">(.*?)</th>\s*<td class="num"><span class="fig-value">([^<]*)<', body, re.S)]


@pytest.fixture
def data(org):
    make_survey(org, "web", touchpoint=Touchpoint.objects.get(organization=org, code="web-checkout"))
    # Phone: 40 promoters two months ago, 40 detractors last month; web: 10 passives last month (thin).
    add_responses(org, *in_month(2, 40, 10, unit="acme-north-store"), *in_month(1, 40, 0, unit="acme-south-store"),
                  *in_month(1, 10, 8, survey="web", unit="acme-north-store"))
    return org


def test_default_is_nps_per_month_over_twelve_months_with_a_chart(client, data):
    login(client, make_user(data, "anna"))
    html = client.get("/trends/").text
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count('class="point') == 2  # two months with answers
    assert 'class="band"' in svg
    table = rows(html)
    assert [v for _, v in table] == ["100", "−80"]  # (0 − 40) / 50 last month: the web passives count too
    assert text_of(html, "method")
    # Last month against the one before: a significant fall.
    assert "▼" in html.split('data-testid="breakdown"')[1]


def text_of(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def test_breakdown_by_touchpoint_with_vs_rest_and_small_groups_greyed(client, data):
    login(client, make_user(data, "anna"))
    html = client.get("/trends/?group_by=touchpoint").text
    assert rows(html) == [("Web checkout för få svar", "0"), ("Phone support", "0")]
    assert "mot övriga" in html  # the vs-rest column
    assert 'class="is-small"' in html
    assert html.count('class="point small"') == 1  # the thin web month is hollow in the chart


def test_filters_and_metric_choice(client, data):
    login(client, make_user(data, "anna"))
    html = client.get("/trends/?touchpoint=web-checkout&bucket=quarter").text
    assert '<p class="n">n = 10' in html
    html = client.get("/trends/?unit=acme-north").text
    assert [v for _, v in rows(html)] == ["100", "0"]
    html = client.get("/trends/?metric=ces").text
    assert 'value="ces" selected' in html
    html = client.get("/trends/?metric=nope").text
    assert 'role="alert"' in html


def test_unit_limited_user_cannot_pick_another_unit(client, data):
    login(client, make_user(data, "stina", Role.VIEWER, unit_code="acme-south"))
    html = client.get("/trends/").text
    assert [v for _, v in rows(html)] == ["−100"]  # only the south store's month
    assert "acme-north" not in html
    html = client.get("/trends/?unit=acme-north").text
    assert 'role="alert"' in html and "<svg" not in html
    html = client.get("/trends/?group_by=unit").text
    assert [name for name, _ in rows(html)] == ["South store"]


def test_hostile_segment_and_touchpoint_names_are_escaped(client, org):
    Touchpoint.objects.filter(organization=org, code="phone-support").update(name='<img src=x onerror="alert(1)">')
    add_responses(org, *in_month(1, 3, 9, customer={"external_id": "E-1", "segment": "<script>x()</script>"}))
    login(client, make_user(org, "anna"))
    for group in ("segment", "touchpoint"):
        html = client.get(f"/trends/?group_by={group}").text
        assert "<script>x()</script>" not in html and '<img src=x onerror="alert(1)">' not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in client.get("/trends/?group_by=segment").text


def test_query_count_does_not_grow_with_groups(client, data):
    login(client, make_user(data, "anna"))

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    queries("/trends/?group_by=unit")  # the first request also settles the session
    before = queries("/trends/?group_by=unit")
    add_responses(data, *in_month(3, 30, 9, unit="acme-south"), *in_month(4, 30, 6, unit="acme-north"))
    assert queries("/trends/?group_by=unit") == before <= 30


def test_touchpoint_breakdown_leaves_out_relationship_surveys(client, data):
    create_survey(data, name="Relation", code="relation", kind=Survey.Kind.RELATIONSHIP,
                  questions=[QuestionSpec("nps", qt.NPS, {"sv": "Rekommendera?", "en": "Recommend?"}, required=True)])
    add_responses(data, *in_month(1, 5, 0, survey="relation"))
    login(client, make_user(data, "anna"))
    html = client.get("/trends/?group_by=touchpoint").text
    assert [name for name, _ in rows(html)] == ["Web checkout för få svar", "Phone support"]
    assert "bara transaktionsenkäter" in html
    assert [v for _, v in rows(client.get("/trends/").text)] == ["100", "−82"]  # (0 − 45) / 55 with them


def test_answers_without_a_touchpoint_are_their_own_group(client, org):
    make_survey(org, "loose")  # a transactional survey on no touchpoint, like the demo's relationship survey
    add_responses(org, *in_month(1, 3, 9), *in_month(1, 3, 0, survey="loose"))
    login(client, make_user(org, "anna"))
    assert client.get("/trends/?group_by=touchpoint").status_code == 200


def test_weighting_changes_the_figure_and_names_the_method(client, org):
    from glapp.contacts.models import Customer

    add_responses(org, *in_month(1, 40, 10, segment="private"), *in_month(1, 40, 0, segment="business"))
    Customer.objects.filter(organization=org).delete()
    Customer.objects.bulk_create([Customer(organization=org, external_id=f"k{i}", segment=s)
                                  for i, s in enumerate(["private"] * 3 + ["business"])])
    login(client, make_user(org, "anna"))
    plain = client.get("/trends/", {"bucket": "quarter"}).content.decode()
    weighted = client.get("/trends/", {"bucket": "quarter", "weight": "segment"}).content.decode()
    assert "Efterstratifierad" not in plain and "Efterstratifierad" in weighted  # the method, in Swedish
    assert plain != weighted


def test_response_rates_say_when_recent_invitations_can_still_be_answered(org, client):
    from django.db import transaction

    from glapp.analytics.actions import add_rate_changes
    from glapp.analytics.rate_counting import DELIVERED, RESPONDED, RateChange

    now = timezone.now()
    changes = [RateChange(at=now - dt.timedelta(days=days), survey_id=1, touchpoint_id=None, unit_id=None,
                          channel="sms", language="sv", segment="", metadata={}, before=None, after=state)
               for days in (2, 40) for state in (RESPONDED, DELIVERED, DELIVERED)]
    with transaction.atomic():
        add_rate_changes(org.id, changes)
    login(client, make_user(org, "anna"))
    html = client.get("/trends/", {"metric": "response_rate", "bucket": "week"}).content.decode()
    assert 'data-testid="settling"' in html and "kan fortfarande besvaras" in html  # the UI speaks Swedish
    assert "färre än 30 levererade inbjudningar" in html
    assert 'data-testid="settling"' not in client.get("/trends/", {"metric": "nps"}).content.decode()


def test_buckets_and_comparisons_that_the_data_only_partly_cover_say_so(client, data):
    """The data begin on the third day of the month two months back: that month's bucket is
    marked as partly covered, and a comparison period that the data start inside is named with
    the day they start, so a change against a few days is not read as one against the period."""
    login(client, make_user(data, "anna"))
    html = client.get("/trends/").text
    partial = [name for name, _ in rows(html) if "bara en del av perioden" in name]
    assert len(partial) == 1 and "data-from" not in html  # the first month; the year before has no data at all
    start = month_start(1)
    html = client.get("/trends/", {"date_from": start.isoformat(),
                                   "date_to": (month_start(0) - dt.timedelta(days=1)).isoformat()}).text
    note = html.split('data-testid="data-from"')[1].split("</p>")[0]
    assert (month_start(2) + dt.timedelta(days=2)).strftime("%Y") in note and "täcks bara delvis" in note


def test_month_labels_follow_the_language():
    """Swedish writes month abbreviations in lower case; Django's "M" would give "Okt", "Maj"."""
    from django.utils import translation

    from glapp.web.journey import bucket_label

    with translation.override("sv"):
        assert bucket_label(dt.date(2026, 10, 1), "month") == "okt 2026"
    with translation.override("en"):
        assert bucket_label(dt.date(2026, 10, 1), "month") == "Oct 2026"


def test_week_labels_are_iso_weeks_of_their_iso_year():
    """The week starting 28 December 2026 is week 53 of 2026 although it ends in 2027, and the
    next is week 1 of 2027; the week starting 29 December 2025 is already week 1 of 2026."""
    from django.utils import translation

    from glapp.web.journey import bucket_label

    with translation.override("sv"):
        assert [bucket_label(dt.date(2026, 12, 28), "week"), bucket_label(dt.date(2027, 1, 4), "week"),
                bucket_label(dt.date(2025, 12, 29), "week")] == ["v53 2026", "v1 2027", "v1 2026"]


def test_a_group_left_out_of_the_chart_is_named_with_its_figures(client, org):
    """Eight lines at most: a ninth, smaller group (here the one with the worst NPS) is named
    under the chart with its value, interval and n, not just counted."""
    big = [in_month(1, 20, 9, customer={"external_id": f"C-{g}", "segment": f"grupp-{g}"}) for g in range(8)]
    small = in_month(1, 5, 0, customer={"external_id": "C-small", "segment": "mindre grupp"})
    add_responses(org, *[p for group in big for p in group], *small)
    login(client, make_user(org, "anna"))
    html = client.get("/trends/?group_by=segment").text
    assert len(rows(html)) == 9
    note = re.search(r'data-testid="not-drawn">(.*?)</span>\.', html, re.S).group(1)
    assert "1 mindre grupp, i tabellen" in note
    assert re.search(r"mindre grupp −100 \(−\d+ – −?\d+\), n = 5", re.sub(r"<[^>]+>", "", note))
    assert "mindre grupp" not in re.search(r"<svg .*?</svg>", html, re.S).group(0)
