"""/api/v1/metrics: CX metrics with their intervals and the significance of their changes.

A thin handler over `queries.metric_table`, the same computation the journey map, the trend
charts and `glapp report` use.
"""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from glapp.accounts.api_auth import readers
from glapp.accounts.queries import Access
from glapp.analytics import metrics, queries
from glapp.core import stats
from glapp.core.errors import FieldError, ValidationFailed
from glapp.core.schemas import Problem

router = Router(tags=["metrics"])

# The period every metrics operation takes, as query parameters `from` and `to`.
FirstDay = Annotated[dt.date | None, Field(alias="from", description="First day, inclusive; default: "
                                                                    f"{queries.DEFAULT_DAYS} days before `to`.")]
LastDay = Annotated[dt.date | None, Field(alias="to", description="Last day, inclusive; default: today.")]


class ResponseFilters(Schema):
    """Which responses a figure counts: the filters every metrics operation takes. A query schema
    nests it where the filters stand in its parameters; ninja flattens it into plain query
    parameters (`touchpoint`, not `filters.touchpoint`), so each operation keeps its own order."""

    touchpoint: list[str] = Field([], description="Touchpoint codes.")
    stage: list[str] = Field([], description="Stage codes.")
    unit: str | None = Field(None, description="Unit code: that unit and everything below it.")
    channel: list[str] = []
    segment: list[str] = []
    language: list[str] = []
    survey: list[str] = Field([], description="Survey codes.")

    def query_args(self) -> dict:
        """These filters as `queries.MetricQuery`'s keyword arguments."""
        return {"touchpoint": tuple(self.touchpoint), "stage": tuple(self.stage), "unit": self.unit,
                "channel": tuple(self.channel), "segment": tuple(self.segment),
                "language": tuple(self.language), "survey": tuple(self.survey)}


class MetricsQuery(Schema):
    metric: str | None = Field(None, description="One of: " + ", ".join(metrics.METRICS) + ". Default: nps, or "
                                                 "with `question`, its kind's first (csat for a csat question).")
    group_by: list[str] = Field(
        [], description=f"Up to {queries.MAX_GROUPS} of: {', '.join(queries.GROUPS)}, or meta.<key> for a "
                        "metadata key the organization rolls up. Repeat the parameter for two.")
    bucket: str | None = Field(None, description="Time bucket: day, week, month or quarter. Each bucket is "
                                                 "compared with the one before it.")
    date_from: FirstDay = None
    date_to: LastDay = None
    compare: bool = Field(True, description="Test the change against the comparison period (without a bucket).")
    compare_from: dt.date | None = Field(None, description="Comparison period start; default: the period of "
                                                           "equal length just before `from` (as many calendar "
                                                           "months when the period is whole months).")
    compare_to: dt.date | None = None
    filters: ResponseFilters  # no default: ninja fills it from the query string, empty or not
    survey_kind: str | None = Field(None, description="transactional or relationship.")
    question: str | None = Field(None, description="One question's own figure: survey_code.question_key, or the "
                                                   "question key alone when only one survey (of those filtered) "
                                                   "has it. It must be of the metric's kind (a csat question for "
                                                   "csat and csat_mean). Without it, every question of that kind "
                                                   "is pooled, with intervals over respondents.")
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
    n: int = Field(..., description="Answers (for response_rate: delivered invitations).")
    respondents: int | None = Field(None, description="When fewer than n (pooled questions, several answers a "
                                                      "respondent): the respondents who gave them.")
    n_effective: float | None = Field(None, description="When set: as many independent answers as the interval "
                                                        "rests on (pooled answers of fewer respondents, or "
                                                        "weighting).")
    small: bool = Field(..., description=f"Fewer than {stats.MIN_N} answers (or effective answers; for "
                                         "response_rate: delivered invitations): too thin to read.")


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
    data_period: Period | None = Field(None, description="The first and last day with responses you may see, "
                                                         "whatever the period asked: when `total.n` is 0, the "
                                                         "period to ask instead (null: no responses at all).")
    rows: list[RowOut]


def to_metric_query(params: MetricsQuery, access: Access) -> queries.MetricQuery:
    meta = []
    for item in params.meta:
        key, sep, value = item.partition(":")
        if not sep or not key:
            raise ValidationFailed([FieldError("meta", f"'{item[:80]}' is not key:value", "invalid")])
        meta.append((key, value))
    return queries.MetricQuery(
        metric=queries.metric_for(access, params.metric, params.question, params.filters.survey),
        group_by=tuple(params.group_by), bucket=params.bucket, date_from=params.date_from,
        date_to=params.date_to, compare=params.compare, compare_from=params.compare_from,
        compare_to=params.compare_to, **params.filters.query_args(), survey_kind=params.survey_kind,
        question=params.question, meta=tuple(meta), weight=params.weight,
    )


def estimate_out(e: stats.Estimate | None) -> dict | None:
    if e is None:
        return None
    return {"value": e.value, "low": e.low, "high": e.high, "n": e.n, "respondents": e.respondents,
            "n_effective": e.n_effective, "small": e.is_small}


def change_out(d: stats.Difference | None, significant: bool) -> dict | None:
    if d is None:
        return None
    return {"delta": d.delta, "low": d.low, "high": d.high, "p_value": d.p_value, "significant": significant}


def period_out(span: tuple[dt.date, dt.date] | None) -> dict | None:
    return {"from": span[0], "to": span[1]} if span else None


def table_out(table: queries.MetricTable, data_period: tuple[dt.date, dt.date] | None = None) -> dict:
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
        "data_period": period_out(data_period),
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
    table = queries.metric_table(access, to_metric_query(params, access))
    return table_out(table, queries.data_span(access))


class ChoicesQuery(Schema):
    question: str = Field(..., description="The choice question: survey_code.question_key, or the key alone when "
                                           "one survey (of those filtered) has it.")
    date_from: FirstDay = None
    date_to: LastDay = None
    filters: ResponseFilters  # as in MetricsQuery


class OptionOut(Schema):
    code: str
    name: str
    count: int = Field(..., description="Respondents who chose it.")
    share: EstimateOut = Field(..., description="Its share of the respondents who answered the question, in "
                                                "percent, with a Wilson interval; n is those respondents.")


class ChoicesOut(Schema):
    question: Member
    kind: str = Field(..., description="single_choice (the shares add up to 100 %) or multi_choice (each "
                                       "option is its own share of the respondents).")
    period: Period
    respondents: int = Field(..., description="Respondents who answered the question in the period.")
    method: MethodInfo
    data_period: Period | None = Field(None, description="As in /metrics: the days with responses you may see.")
    options: list[OptionOut]


@router.get("/metrics/choices", auth=readers(), response={200: ChoicesOut, 401: Problem, 403: Problem, 422: Problem},
            by_alias=True, summary="How respondents chose in a choice question, each option with its interval",
            operation_id="get_choice_distribution")
def get_choice_distribution(request: HttpRequest, params: Query[ChoicesQuery]):
    """From rollups (scope `responses:read`), with the filters of /metrics. Options are listed in
    the question's order, those nobody chose too, then any the answers hold that the question no
    longer offers."""
    access: Access = request.access
    q = queries.MetricQuery(date_from=params.date_from, date_to=params.date_to, **params.filters.query_args(),
                            question=params.question)
    dist = queries.choice_distribution(access, q)
    return {
        "question": {"code": dist.question.code, "name": dist.question.name},
        "kind": dist.kind,
        "period": {"from": dist.date_from, "to": dist.date_to},
        "respondents": dist.respondents,
        "method": {"code": stats.WILSON, "description": stats.METHODS[stats.WILSON]},
        "data_period": period_out(queries.data_span(access)),
        "options": [{"code": o.code, "name": o.name, "count": o.count, "share": estimate_out(o.estimate)}
                    for o in dist.options],
    }
