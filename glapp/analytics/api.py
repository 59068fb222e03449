"""/api/v1/metrics: CX metrics with their intervals and the significance of their changes.

A thin handler over `queries.metric_table`, the same computation the journey map, the trend
charts and `glapp report` use.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from glapp.accounts.api_auth import readers
from glapp.accounts.queries import Access
from glapp.analytics import metrics, queries
from glapp.core import stats
from glapp.core.errors import FieldError, ValidationFailed
from glapp.core.schemas import Problem

router = Router(tags=["metrics"])


class MetricsQuery(Schema):
    metric: str = Field("nps", description="One of: " + ", ".join(metrics.METRICS) + ".")
    group_by: list[str] = Field(
        [], description=f"Up to {queries.MAX_GROUPS} of: {', '.join(queries.GROUPS)}, or meta.<key> for a "
                        "metadata key the organization rolls up. Repeat the parameter for two.")
    bucket: str | None = Field(None, description="Time bucket: day, week, month or quarter. Each bucket is "
                                                 "compared with the one before it.")
    date_from: dt.date | None = Field(None, alias="from", description="First day, inclusive; default: "
                                                                       f"{queries.DEFAULT_DAYS} days before `to`.")
    date_to: dt.date | None = Field(None, alias="to", description="Last day, inclusive; default: today.")
    compare: bool = Field(True, description="Test the change against the comparison period (without a bucket).")
    compare_from: dt.date | None = Field(None, description="Comparison period start; default: the period of "
                                                           "equal length just before `from` (as many calendar "
                                                           "months when the period is whole months).")
    compare_to: dt.date | None = None
    touchpoint: list[str] = Field([], description="Touchpoint codes.")
    stage: list[str] = Field([], description="Stage codes.")
    unit: str | None = Field(None, description="Unit code: that unit and everything below it.")
    channel: list[str] = []
    segment: list[str] = []
    language: list[str] = []
    survey: list[str] = Field([], description="Survey codes.")
    survey_kind: str | None = Field(None, description="transactional or relationship.")
    meta: list[str] = Field([], description="key:value on a rolled-up metadata key, e.g. campaign:superkampanj.")
    weight: str | None = Field(None, description="segment: weight each segment to its share of the customer "
                                                 "register (post-stratification); segment_value: to its share "
                                                 "of customer value (the customers' annual_value attribute). "
                                                 "The interval widens to match.")


class Member(Schema):
    code: str
    name: str


class ChangeOut(Schema):
    delta: float | None = Field(None, description="This minus the comparison, in the metric's unit.")
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    significant: bool = Field(..., description="After Benjamini–Hochberg across the table (q = 0.05), and "
                                               "only when both sides reach the minimum sample.")


class EstimateOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    n: int
    small: bool = Field(..., description=f"Fewer than {stats.MIN_N} answers (for response_rate: delivered "
                                         "invitations): too thin to read.")


class RowOut(EstimateOut):
    group: dict[str, Member]
    bucket: dt.date | None = None
    previous: EstimateOut | None = None
    change: ChangeOut | None = None
    vs_rest: ChangeOut | None = Field(None, description="This group against all other groups together.")
    provisional: bool = Field(False, description="Its period includes days whose figure is still settling "
                                                 "(see `settled_until`): the change is shown but never "
                                                 "marked significant.")


class Period(Schema):
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")


class MetricInfo(Schema):
    code: str
    label: str
    unit: str
    higher_is_better: bool


class MethodInfo(Schema):
    code: str
    description: str


class MetricsOut(Schema):
    metric: MetricInfo
    method: MethodInfo
    period: Period
    comparison: Period | None
    group_by: list[str]
    bucket: str | None
    weight: str | None
    total: EstimateOut
    total_previous: EstimateOut | None = None
    total_change: ChangeOut | None = None
    settled_until: dt.date | None = Field(None, description="For a metric whose recent days still change "
                                                            "(response_rate: invitations can be answered until "
                                                            "their survey's answer window closes), the last "
                                                            "settled day; null when every figure is final.")
    total_provisional: bool = False
    rows: list[RowOut]


def to_metric_query(params: MetricsQuery) -> queries.MetricQuery:
    meta = []
    for item in params.meta:
        key, sep, value = item.partition(":")
        if not sep or not key:
            raise ValidationFailed([FieldError("meta", f"'{item[:80]}' is not key:value", "invalid")])
        meta.append((key, value))
    return queries.MetricQuery(
        metric=params.metric, group_by=tuple(params.group_by), bucket=params.bucket, date_from=params.date_from,
        date_to=params.date_to, compare=params.compare, compare_from=params.compare_from,
        compare_to=params.compare_to, touchpoint=tuple(params.touchpoint), stage=tuple(params.stage),
        unit=params.unit, channel=tuple(params.channel), segment=tuple(params.segment),
        language=tuple(params.language), survey=tuple(params.survey), survey_kind=params.survey_kind,
        meta=tuple(meta), weight=params.weight,
    )


def estimate_out(e: stats.Estimate | None) -> dict | None:
    if e is None:
        return None
    return {"value": e.value, "low": e.low, "high": e.high, "n": e.n, "small": e.is_small}


def change_out(d: stats.Difference | None, significant: bool) -> dict | None:
    if d is None:
        return None
    return {"delta": d.delta, "low": d.low, "high": d.high, "p_value": d.p_value, "significant": significant}


def table_out(table: queries.MetricTable) -> dict:
    m = table.metric
    code = table.total.method if table.total else ""
    return {
        "metric": {"code": m.code, "label": m.label_en, "unit": m.unit, "higher_is_better": m.higher_is_better},
        "method": {"code": code, "description": stats.METHODS.get(code, "")},
        "period": {"from": table.date_from, "to": table.date_to},
        "comparison": {"from": table.compare_from, "to": table.compare_to} if table.compare_from else None,
        "group_by": list(table.query.group_by),
        "bucket": table.query.bucket,
        "weight": table.query.weight,
        "total": estimate_out(table.total),
        "total_previous": estimate_out(table.total_previous),
        "total_change": change_out(table.total_change, table.total_change_significant),
        "settled_until": table.settled_until,
        "total_provisional": table.total_provisional,
        "rows": [
            {
                **estimate_out(c.estimate),
                "group": {dim: {"code": m.code, "name": m.name}
                          for dim, m in zip(table.query.group_by, c.members, strict=True)},
                "bucket": c.bucket,
                "previous": estimate_out(c.previous),
                "change": change_out(c.change, c.change_significant),
                "vs_rest": change_out(c.vs_rest, c.vs_rest_significant),
                "provisional": c.provisional,
            }
            for c in table.cells
        ],
    }


@router.get("/metrics", auth=readers(), response={200: MetricsOut, 401: Problem, 403: Problem, 422: Problem},
            by_alias=True, summary="A metric with intervals, by up to two dimensions and time",
            operation_id="get_metrics")
def get_metrics(request: HttpRequest, params: Query[MetricsQuery]):
    """Computed from rollups (scope `responses:read`), never from raw responses. Each row carries
    the value, its interval (the method is named in `method`), n, whether n is too small to read,
    and the change against the comparison period (or, with a bucket, the previous bucket) with its
    p-value; `significant` is decided after false-discovery control across all rows. Groups
    without a row had no answers."""
    access: Access = request.access
    return table_out(queries.metric_table(access, to_metric_query(params)))
