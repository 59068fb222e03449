"""metric_table: the numbers behind the API, the CLI and the dashboards, checked against
hand counts and against stats applied to an independent recount."""

import datetime as dt

import pytest

from glapp.accounts.models import Role
from glapp.accounts.queries import access_for
from glapp.analytics import metrics
from glapp.analytics.actions import rebuild_rollups, set_rollup_dimensions
from glapp.analytics.queries import MetricQuery, metric_table
from glapp.contacts.models import Customer
from glapp.core import stats
from glapp.core.errors import ValidationFailed
from tests.factories import make_user
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db

MARCH = dict(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


def at(day: int, month: int = 3) -> str:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC).isoformat()


def scores(*values, month=3, **extra):
    return [{"nps": v, "submitted_at": at(1 + i % 28, month), **extra} for i, v in enumerate(values)]


@pytest.fixture
def anna(org):
    return access_for(make_user(org, "anna"))


def cell_by(table, *codes):
    [cell] = [c for c in table.cells if c.key == codes]
    return cell


def test_nps_by_touchpoint_matches_hand_counts_and_stats(org, anna):
    add_responses(org, *scores(10, 10, 9, 8, 7, 6, 0))
    add_responses(org, *scores(10, 3, touchpoint="web-checkout"))
    table = metric_table(anna, MetricQuery("nps", ("touchpoint",), compare=False, **MARCH))
    phone = cell_by(table, "phone-support")
    assert phone.estimate == stats.nps_estimate(3, 2, 2)
    assert phone.estimate.value == pytest.approx(100 * (3 - 2) / 7)
    assert phone.counts[0] == 7
    assert cell_by(table, "web-checkout").estimate == stats.nps_estimate(1, 0, 1)
    assert table.total == stats.nps_estimate(4, 2, 3)
    assert [c.key for c in table.cells] == [("web-checkout",), ("phone-support",)]  # journey order
    assert table.method == stats.METHODS[table.total.method]


def test_stage_groups_sum_their_touchpoints(org, anna):
    add_responses(org, *scores(10, 0), *scores(9, touchpoint="web-checkout"))
    table = metric_table(anna, MetricQuery("nps", ("stage",), compare=False, **MARCH))
    assert {c.key: c.estimate.n for c in table.cells} == {("buy",): 1, ("contact",): 2}


def test_week_53_is_one_bucket_across_the_new_year(org, anna):
    """2020 ends in ISO week 53 (Monday 28 December to Sunday 3 January): its days in both years
    are one weekly bucket, and the first week of 2021 is compared with it."""
    week_53 = [dt.date(2020, 12, 28), dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date(2021, 1, 3)]
    add_responses(org, *[{"nps": 10, "submitted_at": f"{day}T12:00:00+01:00"} for day in week_53 * 10],
                  *[{"nps": 0, "submitted_at": f"{dt.date(2021, 1, 4 + i % 7)}T12:00:00+01:00"} for i in range(40)])
    table = metric_table(anna, MetricQuery("nps", (), bucket="week", date_from=dt.date(2020, 12, 28),
                                           date_to=dt.date(2021, 1, 10)))
    assert [(c.bucket, c.estimate.n) for c in table.cells] == [(dt.date(2020, 12, 28), 40), (dt.date(2021, 1, 4), 40)]
    assert table.cells[1].change == stats.nps_difference((0, 0, 40), (40, 0, 0))


def test_months_compare_with_the_month_before(org, anna):
    add_responses(org, *scores(*[0] * 40, month=2), *scores(*[10] * 40, month=3))
    table = metric_table(anna, MetricQuery("nps", ("touchpoint",), bucket="month",
                                           date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 3, 31)))
    feb = cell_by_bucket(table, dt.date(2026, 2, 1))
    mar = cell_by_bucket(table, dt.date(2026, 3, 1))
    assert feb.change is None  # nothing in January
    assert mar.change == stats.nps_difference((40, 0, 0), (0, 0, 40))
    assert mar.change_significant and mar.direction == 1


def cell_by_bucket(table, bucket):
    [cell] = [c for c in table.cells if c.bucket == bucket]
    return cell


def test_period_comparison_defaults_to_the_previous_period_of_equal_length(org, anna):
    add_responses(org, *scores(*[8] * 35, month=2), *scores(*[8] * 35, month=3))
    table = metric_table(anna, MetricQuery("nps", ("touchpoint",), date_from=dt.date(2026, 3, 2),
                                           date_to=dt.date(2026, 3, 31)))
    assert (table.compare_from, table.compare_to) == (dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    cell = cell_by(table, "phone-support")
    assert cell.previous.n == 35 + 2 and cell.change.delta == 0  # February and the two answers of 1 March
    assert not cell.change_significant


@pytest.mark.parametrize(("date_from", "date_to", "compare_from", "compare_to"), [
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),  # not Jan 29 – Feb 28
    (dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2026, 1, 1), dt.date(2026, 1, 31)),  # not Jan 4 – Jan 31
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),  # a quarter
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 12, 31)),  # a (leap) year
])
def test_whole_calendar_months_compare_with_as_many_months_before(org, anna, date_from, date_to, compare_from,
                                                                   compare_to):
    table = metric_table(anna, MetricQuery("nps", ("touchpoint",), date_from=date_from, date_to=date_to))
    assert (table.compare_from, table.compare_to) == (compare_from, compare_to)


def test_thin_numbers_never_get_an_arrow(org, anna):
    add_responses(org, *scores(*[0] * 10, month=2), *scores(*[10] * 10, month=3))
    table = metric_table(anna, MetricQuery("nps", ("touchpoint",), bucket="month",
                                           date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 3, 31)))
    march = cell_by_bucket(table, dt.date(2026, 3, 1))
    assert march.change.p_value < 0.05  # a real difference in the counts …
    assert march.estimate.is_small and not march.change_significant  # … but too thin to flag


def test_false_discovery_control_across_groups(org, anna):
    # Two segments with a real change, and one barely "significant" on its own among many tests:
    # the adjusted decision must match scipy's BH on the same p-values.
    add_responses(org, *scores(*[6] * 40, month=2, segment="a"), *scores(*[10] * 40, month=3, segment="a"))
    add_responses(org, *scores(*([9] * 20 + [0] * 20), month=2, segment="b"),
                  *scores(*([9] * 27 + [0] * 13), month=3, segment="b"))
    for seg in "cdefgh":
        add_responses(org, *scores(*[8] * 40, month=2, segment=seg), *scores(*[8] * 40, month=3, segment=seg))
    table = metric_table(anna, MetricQuery("nps", ("segment",), date_from=dt.date(2026, 3, 1),
                                           date_to=dt.date(2026, 3, 28), compare_from=dt.date(2026, 2, 1),
                                           compare_to=dt.date(2026, 2, 28)))
    ps = [c.change.p_value for c in table.cells]
    expected = stats.benjamini_hochberg(ps)
    assert [c.change_significant for c in table.cells] == expected
    assert cell_by(table, "a").change_significant


def test_vs_rest_compares_a_group_with_all_others(org, anna):
    add_responses(org, *scores(*[0] * 40, segment="business"), *scores(*[10] * 60, segment="private"))
    table = metric_table(anna, MetricQuery("nps", ("segment",), compare=False, **MARCH))
    business = cell_by(table, "business")
    assert business.vs_rest == stats.nps_difference((0, 0, 40), (60, 0, 0))
    assert business.vs_rest_significant


def test_unit_limited_users_see_only_their_subtree(org):
    add_responses(org, *scores(10, 10, unit="acme-north-store"), *scores(0, unit="acme-south-store"), *scores(5))
    north = access_for(make_user(org, "stina", Role.VIEWER, unit_code="acme-north"))
    table = metric_table(north, MetricQuery("nps", ("unit",), compare=False, **MARCH))
    assert {c.key: c.estimate.n for c in table.cells} == {("acme-north-store",): 2}
    assert table.total.n == 2
    with pytest.raises(ValidationFailed):
        metric_table(north, MetricQuery("nps", unit="acme-south", **MARCH))


def test_other_organizations_are_invisible(org, other_org, anna):
    add_responses(other_org, *scores(0, 0, 0))
    add_responses(org, *scores(10))
    assert metric_table(anna, MetricQuery("nps", compare=False, **MARCH)).total.n == 1


def test_filters_and_metadata_dimensions(org, anna):
    set_rollup_dimensions(org.id, ["campaign"])
    add_responses(org, *scores(0, 0, metadata={"campaign": "spring"}), *scores(10, metadata={"campaign": "x"}))
    table = metric_table(anna, MetricQuery("nps", ("meta.campaign",), compare=False, **MARCH))
    assert {c.key: c.estimate.n for c in table.cells} == {("spring",): 2, ("x",): 1}
    only = metric_table(anna, MetricQuery("nps", meta=(("campaign", "spring"),), compare=False, **MARCH))
    assert only.total.n == 2
    with pytest.raises(ValidationFailed) as exc:
        metric_table(anna, MetricQuery("nps", ("meta.agent",), **MARCH))
    assert exc.value.errors[0].code == "not_rolled_up"


def test_keys_selected_later_count_after_a_rebuild(org, anna):
    add_responses(org, *scores(0, metadata={"agent": "Bo"}))
    set_rollup_dimensions(org.id, ["agent"])
    rebuild_rollups(org.id)
    table = metric_table(anna, MetricQuery("nps", ("meta.agent",), compare=False, **MARCH))
    assert [c.key for c in table.cells] == [("Bo",)]


def test_other_metrics_read_their_own_answers(org, anna):
    add_responses(org, *[{"answers": {"nps": 9, "ces": v}, "submitted_at": at(3)} for v in (7, 6, 2)])
    ces = metric_table(anna, MetricQuery("ces", compare=False, **MARCH)).total
    assert ces == metrics.evaluate("ces", [0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0])
    assert ces.value == pytest.approx(5.0)
    low_effort = metric_table(anna, MetricQuery("ces_low_effort", compare=False, **MARCH)).total
    assert low_effort.value == pytest.approx(200 / 3)


def test_segment_weighting_moves_the_estimate_to_the_register_shares(org, anna):
    # Respondents: 80 private (all promoters), 20 business (all detractors): NPS +60 unweighted.
    add_responses(org, *scores(*[10] * 80, segment="private"), *scores(*[0] * 20, segment="business"))
    # The register is half and half, so the weighted NPS is 0.5·100 + 0.5·(−100) = 0.
    Customer.objects.filter(organization=org).delete()
    Customer.objects.bulk_create([Customer(organization=org, external_id=f"k{i}", segment=s)
                                  for i, s in enumerate(["private", "business"] * 50)])
    plain = metric_table(anna, MetricQuery("nps", compare=False, **MARCH)).total
    weighted = metric_table(anna, MetricQuery("nps", compare=False, weight="segment", **MARCH)).total
    assert plain.value == pytest.approx(60)
    assert weighted.value == pytest.approx(0, abs=1e-9)
    assert weighted.high - weighted.low > 0
    # Grouped by segment too: each group is its own single stratum, the total is still weighted.
    by_segment = metric_table(anna, MetricQuery("nps", ("segment",), compare=False, weight="segment", **MARCH))
    assert {c.key: c.estimate.value for c in by_segment.cells} == {("private",): 100, ("business",): -100}
    assert by_segment.total.value == pytest.approx(0, abs=1e-9)


def test_bad_requests_name_the_field(anna):
    for q, field in [(MetricQuery("nope"), "metric"), (MetricQuery(group_by=("a", "b", "c")), "group_by"),
                     (MetricQuery(group_by=("colour",)), "group_by"), (MetricQuery(bucket="year"), "bucket"),
                     (MetricQuery(touchpoint=("nowhere",)), "touchpoint"),
                     (MetricQuery(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1)), "date_from")]:
        with pytest.raises(ValidationFailed) as exc:
            metric_table(anna, q)
        assert exc.value.errors[0].field == field


def test_a_table_costs_a_fixed_number_of_queries(org, anna, django_assert_max_num_queries):
    add_responses(org, *scores(*range(11)), *scores(*range(11), month=2))
    with django_assert_max_num_queries(8):
        metric_table(anna, MetricQuery("nps", ("touchpoint", "segment"), bucket="week",
                                       date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 3, 31)))


def test_a_bucketed_table_reads_the_rollups_once(org, anna):
    """The period and the bucket before it (the first bucket's comparison) come in one query,
    also when the period starts inside a bucket."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from glapp.analytics.models import Rollup
    from glapp.analytics.queries import QueryContext

    add_responses(org, *scores(*range(11)), *scores(*range(11), month=2))
    context = QueryContext.load(anna)
    with CaptureQueriesContext(connection) as queries:
        metric_table(anna, MetricQuery("nps", ("touchpoint",), bucket="month", date_from=dt.date(2026, 2, 10),
                                       date_to=dt.date(2026, 3, 31)), context)
    assert sum(Rollup._meta.db_table in q["sql"] for q in queries.captured_queries) == 1


def test_the_default_period_compares_with_as_many_days_even_when_it_is_whole_months():
    """The last 90 days up to 31 March are 1 January – 31 March; the page says "compared with the
    90 days before", so the month rule is only for periods someone chose."""
    from glapp.analytics.queries import resolve_period

    assert resolve_period(MetricQuery("nps", date_to=dt.date(2026, 3, 31))) == (
        dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2025, 10, 3), dt.date(2025, 12, 31))
    # The calendar's ends: no error (a 500 before), at worst no comparison.
    assert resolve_period(MetricQuery("nps", date_from=dt.date(9999, 12, 1), date_to=dt.date(9999, 12, 31)))[:2] == (
        dt.date(9999, 12, 1), dt.date(9999, 12, 31))
    assert resolve_period(MetricQuery("nps", date_from=dt.date(1, 1, 1), date_to=dt.date(1, 1, 31)))[2:] == (
        None, None)


def test_value_weighting_uses_the_customers_annual_value(org, anna):
    add_responses(org, *scores(*[10] * 50, segment="private"), *scores(*[0] * 50, segment="business"))
    Customer.objects.filter(organization=org).delete()
    Customer.objects.bulk_create(
        [Customer(organization=org, external_id=f"p{i}", segment="private", attributes={"annual_value": 1000})
         for i in range(9)]
        + [Customer(organization=org, external_id="b0", segment="business", attributes={"annual_value": 3000}),
           Customer(organization=org, external_id="x0", segment="business", attributes={})])  # no value: counts 0
    by_heads = metric_table(anna, MetricQuery("nps", compare=False, weight="segment", **MARCH)).total
    by_value = metric_table(anna, MetricQuery("nps", compare=False, weight="segment_value", **MARCH)).total
    assert by_heads.value == pytest.approx(100 * (9 - 2) / 11)  # 9 : 2 customers
    assert by_value.value == pytest.approx(0.75 * 100 - 0.25 * 100)  # 9,000 : 3,000 SEK
    assert by_value.method.startswith("poststratified:")


def test_weighting_without_a_register_is_refused(org, anna):
    add_responses(org, *scores(10))
    Customer.objects.filter(organization=org).delete()
    with pytest.raises(ValidationFailed) as exc:
        metric_table(anna, MetricQuery("nps", weight="segment", **MARCH))
    assert exc.value.errors[0].field == "weight"


def test_a_bucket_cut_by_the_period_counts_only_the_days_inside_it(org, anna):
    """A trend from 15 March by month: March's point holds 15–31 March, as the period's total does,
    and is compared with the whole of February."""
    add_responses(org, *scores(0, 0, month=2), {"nps": 0, "submitted_at": at(5)}, {"nps": 10, "submitted_at": at(20)})
    table = metric_table(anna, MetricQuery("nps", (), bucket="month", date_from=dt.date(2026, 3, 15),
                                           date_to=dt.date(2026, 3, 31)))
    [march] = table.cells
    assert (march.bucket, march.estimate.n, march.estimate.value) == (dt.date(2026, 3, 1), 1, 100)
    assert (table.total.n, table.total.value) == (1, 100)
    assert march.previous.n == 2 and march.previous.value == -100
    unbucketed = metric_table(anna, MetricQuery("nps", (), date_from=dt.date(2026, 3, 15),
                                                date_to=dt.date(2026, 3, 31)))
    assert (unbucketed.total.n, unbucketed.total.value) == (table.total.n, table.total.value)
