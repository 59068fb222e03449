"""The journey map and the trend page: filter forms, and the shapes their templates read.

Every number comes from `analytics.queries.metric_table` (the same computation as the API and
`glapp report`); this module only picks the queries a page needs and turns estimates into the
strings, arrows and shares a template can show without logic of its own.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from itertools import groupby

from django import forms
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from glapp.accounts.queries import Access
from glapp.analytics import metrics
from glapp.analytics.queries import (
    Cell,
    MetricQuery,
    MetricTable,
    QueryContext,
    bucket_end,
    first_day,
    metric_table,
    question_type,
    questions_to_choose,
    today,
)
from glapp.analytics.rollup_keys import INVITATIONS, VALUES
from glapp.core import stats
from glapp.core.forms import DateInput, period_dates, unit_filter_choices
from glapp.core.numbers import number
from glapp.journeys.queries import touchpoints_of
from glapp.web.charts import Point, Series, color, line_chart

# Translated names of the metrics (metrics.METRICS carries English labels only).
METRIC_LABELS = {
    "nps": _("NPS"),
    "nes": _("Net Emotion Score"),
    "csat": _("CSAT, share satisfied (4–5)"),
    "csat_mean": _("CSAT, mean (1–5)"),
    "ces": _("CES, mean effort score (1–7)"),
    "ces_low_effort": _("CES, share low effort (5–7)"),
    "lba": _("Likely to buy again (9–10)"),
    "lba_mean": _("Likelihood to buy again, mean (0–10)"),
    "response_rate": _("Response rate (answered / delivered invitations)"),
}
BUCKET_CHOICES = [("week", _("Week")), ("month", _("Month")), ("quarter", _("Quarter"))]
GROUP_CHOICES = [("", _("Nothing (all together)")), ("touchpoint", _("Touchpoint")), ("stage", _("Stage")),
                 ("unit", _("Unit")), ("segment", _("Segment")), ("channel", _("Channel")),
                 ("language", _("Language")), ("question", _("Question"))]
# A question's own figure when its kind does not match the metric chosen: its kind's first metric.
QUESTION_METRIC = {metrics.METRICS[code].source: code for code in reversed(metrics.METRICS)}
QUESTION_KINDS = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "lba": "LBA", "emotion": _("Emotion")}
WEIGHT_CHOICES = [("", _("None: every answer counts once")),
                  ("segment", _("Segments as in the customer register")),
                  ("segment_value", _("Segments by customer value"))]
CHART_SERIES = 8  # more lines than this do not read; the table lists every group
JOURNEY_EXTRAS = ("ces", "csat")  # CES mean and CSAT top-2-box, where a touchpoint asks them


def describe_method(table: MetricTable) -> str:
    """The interval method in the UI language (stats describes it in English), with its level."""
    level = round(100 * (table.total.confidence if table.total is not None else 0.95))
    method = gettext(table.method) if table.method else "—"  # the English sentences are msgids in the catalogue
    text = gettext("%(level)s %% intervals. %(method)s") % {"level": level, "method": method}
    if table.total is not None and table.total.method.startswith(stats.CLUSTERED):
        text += " " + gettext(stats.CLUSTER_NOTE)
    return text


def scored_questions(access: Access) -> list[tuple[str, str, str]]:
    """(code, "Survey › question", kind) of every question with figures of its own."""
    return questions_to_choose(access, tuple(QUESTION_KINDS))


def _question_choices(questions) -> list[tuple[str, str]]:
    return [("", _("All questions together")),
            *[(code, f"{label} ({QUESTION_KINDS.get(kind, kind)})") for code, label, kind in questions]]


def metric_label(code: str) -> str:
    label = METRIC_LABELS.get(code)
    if label is not None:
        return str(label)
    metric = metrics.METRICS.get(code)
    return metric.label_en if metric else code


def group_name(members) -> str:
    return " · ".join(m.name for m in members)


# --- Number formatting ------------------------------------------------------------------------

def _decimals(metric) -> int:
    return {"points": 0, "percent": 0}.get(metric.unit, 2)


def fmt(metric, value: float | None, signed: bool = False) -> str:
    return number(value, _decimals(metric), signed)


def fmt_delta(metric, value: float | None) -> str:
    """A change: signed, in points for NPS and percentage points for shares."""
    return fmt(metric, value, signed=True)


def suffix(metric) -> str:
    return " %" if metric.unit == "percent" else ""


@dataclass
class Figure:
    """One estimate as the page shows it: value, interval, n, change and arrow."""

    value: str
    low: str
    high: str
    n: int
    small: bool
    unit: str  # " %" or ""
    previous: str = ""
    previous_n: int = 0  # a comparison on a handful of answers should look like one
    delta: str = ""
    delta_low: str = ""
    delta_high: str = ""
    respondents: int | None = None  # fewer than n: pooled answers, several a respondent
    arrow: str = ""  # "▲" / "▼" only for a significant change
    trend: str = ""  # "better" / "worse" for the arrow's colour
    sign: str = ""  # "pos" / "neg" for NPS-like values

    @property
    def empty(self) -> bool:
        return self.n == 0


def figure(metric, estimate, previous=None, change=None, significant: bool = False) -> Figure:
    n = estimate.n if estimate is not None else 0
    value = estimate.value if n else None
    fig = Figure(
        value=fmt(metric, value), low=fmt(metric, estimate.low if n else None),
        high=fmt(metric, estimate.high if n else None), n=n, small=bool(n and estimate.is_small),
        unit=suffix(metric), respondents=estimate.respondents if n else None,
        sign=("pos" if value >= 0 else "neg") if value is not None and metric.unit == "points" else "",
    )
    if previous is not None and previous.n:
        fig.previous = fmt(metric, previous.value)
        fig.previous_n = previous.n
    if change is not None and change.delta is not None:
        fig.delta = fmt_delta(metric, change.delta)
        fig.delta_low = fmt_delta(metric, change.low)
        fig.delta_high = fmt_delta(metric, change.high)
        if significant and change.delta:
            up = change.delta > 0
            fig.arrow = "▲" if up else "▼"
            fig.trend = "better" if up == metric.higher_is_better else "worse"
    return fig


def cell_figure(metric, cell: Cell | None) -> Figure:
    if cell is None:
        return figure(metric, None)
    return figure(metric, cell.estimate, cell.previous, cell.change, cell.change_significant)


def table_figure(table: MetricTable) -> Figure:
    significant = table.total_change_significant
    return figure(table.metric, table.total, table.total_previous, table.total_change, significant)


# --- Forms ------------------------------------------------------------------------------------

class _ScopedForm(forms.Form):
    """Unit and segment choices come from the caller's scoped reads: never another unit's code."""

    unit = forms.ChoiceField(label=_("Unit"), required=False)
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, data, *, units, segments):
        super().__init__(data)
        self.fields["unit"].choices = unit_filter_choices(units)
        self.fields["segment"].choices = [("", _("All segments")), *[(s, s) for s in segments if s]]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"unit": data.get("unit") or None, "segment": (data["segment"],) if data.get("segment") else ()}


class JourneyForm(_ScopedForm):
    compare_from = forms.DateField(label=_("Compare from"), required=False, widget=DateInput())
    compare_to = forms.DateField(label=_("Compare to"), required=False, widget=DateInput())
    question = forms.ChoiceField(label=_("Question"), required=False)

    def __init__(self, data, *, units, segments, questions=()):
        super().__init__(data, units=units, segments=segments)
        self.fields["question"].choices = _question_choices(questions)

    def clean(self):
        data = super().clean()
        start, end = data.get("compare_from"), data.get("compare_to")
        if bool(start) != bool(end):
            self.add_error("compare_to", _("Give both comparison dates, or neither."))
        elif start and end and start > end:
            self.add_error("compare_to", _("The end date is before the start date."))
        return data

    def query(self, **changes) -> MetricQuery:
        data = self.cleaned_data
        return MetricQuery(date_from=data.get("date_from"), date_to=data.get("date_to"),
                           compare_from=data.get("compare_from"), compare_to=data.get("compare_to"),
                           question=data.get("question") or None, **self.filters(), **changes)


class TrendForm(_ScopedForm):
    metric = forms.ChoiceField(label=_("Metric"), required=False)
    question = forms.ChoiceField(label=_("Question"), required=False)
    bucket = forms.ChoiceField(label=_("Per"), choices=BUCKET_CHOICES, required=False)
    group_by = forms.ChoiceField(label=_("Break down by"), choices=GROUP_CHOICES, required=False)
    touchpoint = forms.ChoiceField(label=_("Touchpoint"), required=False)
    weight = forms.ChoiceField(label=_("Weighting"), required=False, choices=WEIGHT_CHOICES)

    FIELD_ORDER = ("metric", "question", "bucket", "group_by", "date_from", "date_to", "unit", "segment", "touchpoint",
                   "weight")

    def __init__(self, data, *, units, segments, touchpoints, questions=()):
        # A bound form shows what it was given; without a choice, show the defaults the page uses.
        data = data.copy()
        for name, default in (("metric", "nps"), ("bucket", "month")):
            if not data.get(name):
                data[name] = default
        super().__init__(data, units=units, segments=segments)
        self.fields["metric"].choices = [(code, metric_label(code)) for code in metrics.METRICS]
        self.fields["touchpoint"].choices = [("", _("All touchpoints")),
                                             *[(t.code, f"{t.stage.name} › {t.name}") for t in touchpoints]]
        self.fields["question"].choices = _question_choices(questions)
        self.question_kinds = {code: kind for code, _label, kind in questions}

    def clean(self):
        data = super().clean()
        if data.get("group_by") == "question" and data.get("question"):
            self.add_error("question", _("Break down by question, or choose one question: not both."))
        kind = self.question_kinds.get(data.get("question") or "")
        metric = metrics.METRICS.get(data.get("metric") or "")
        if kind and metric and metric.source != kind:
            # A question's own figure: its kind's metric (CSAT for a CSAT question), shown as chosen.
            data["metric"] = self.data["metric"] = QUESTION_METRIC[kind]
        return data

    def ordered_fields(self):
        return [self[name] for name in self.FIELD_ORDER]

    def query(self, today: dt.date) -> MetricQuery:
        data = self.cleaned_data
        default_from, default_to = period_dates("12m", today)
        group_by = data.get("group_by") or ""
        return MetricQuery(
            metric=data.get("metric") or "nps", bucket=data.get("bucket") or "month",
            question=data.get("question") or None,
            group_by=(group_by,) if group_by else (),
            # Relationship surveys belong to no touchpoint: a touchpoint breakdown is of transactional ones.
            survey_kind="transactional" if group_by in ("touchpoint", "stage") else None,
            date_from=data.get("date_from") or default_from, date_to=data.get("date_to") or default_to,
            touchpoint=(data["touchpoint"],) if data.get("touchpoint") else (), weight=data.get("weight") or None,
            **self.filters())


# --- The journey map --------------------------------------------------------------------------

@dataclass
class Extra:
    """A second metric on a touchpoint card (CES, CSAT) with its own interval method."""

    figure: Figure
    label: str
    method: str
    testid: str


@dataclass
class TouchpointCard:
    code: str
    name: str
    nps: Figure
    detractor_share: float | None = None  # % of all transactional detractors in the period
    promoter_share: float | None = None
    extras: list[Extra] = field(default_factory=list)

    @property
    def significant(self) -> bool:
        return bool(self.nps.arrow or any(e.figure.arrow for e in self.extras))


@dataclass
class StageColumn:
    code: str
    name: str
    cards: list[TouchpointCard] = field(default_factory=list)


@dataclass
class JourneyColumns:
    name: str
    stages: list[StageColumn] = field(default_factory=list)


@dataclass
class JourneyMap:
    journeys: list[JourneyColumns]
    transactional: Figure
    relationship: Figure
    method: str
    date_from: dt.date
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    loose: TouchpointCard | None = None  # answers on transactional surveys without a touchpoint
    empty: bool = False  # nothing answered in the period (the page may offer the period the data cover)


def _nps(counts) -> stats.Nps:
    return stats.nps_of_counts(counts[1:1 + VALUES])  # counts[0] is n, then c0..c10, then MOMENTS


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def journey_map(access: Access, q: MetricQuery) -> JourneyMap:
    """NPS per touchpoint (transactional surveys) with CES and CSAT where asked, the shares of
    all detractors and promoters each touchpoint creates, and relationship vs transactional NPS."""
    ctx = QueryContext.load(access)  # names and ids once for the page's four tables
    kind = question_type(access, q.question, q.survey, ctx) if q.question else None

    def asked(metric: str) -> MetricQuery:
        """The query of one metric: of the question chosen if it is of that kind, else pooled."""
        return replace(q, metric=metric, question=q.question if kind == metrics.METRICS[metric].source else None)

    nps = metric_table(access, replace(asked("nps"), group_by=("touchpoint",), survey_kind="transactional"), ctx)
    relationship = metric_table(access, replace(asked("nps"), group_by=(), survey_kind="relationship"), ctx)
    extra = []
    for code in JOURNEY_EXTRAS:
        if code in metrics.METRICS:
            table = metric_table(access, replace(asked(code), group_by=("touchpoint",)), ctx)
            extra.append((code, table, {c.key[0]: c for c in table.cells if c.estimate.n}))

    all_detractors = sum(_nps(c.counts).detractors for c in nps.cells)
    all_promoters = sum(_nps(c.counts).promoters for c in nps.cells)
    by_code = {c.key[0]: c for c in nps.cells}

    def card(code: str, name: str) -> TouchpointCard:
        cell = by_code.get(code)
        result = TouchpointCard(code, name, cell_figure(nps.metric, cell))
        if cell is not None:
            split = _nps(cell.counts)
            result.detractor_share = _share(split.detractors, all_detractors)
            result.promoter_share = _share(split.promoters, all_promoters)
        for metric_code, table, cells in extra:
            if code in cells:
                result.extras.append(Extra(cell_figure(table.metric, cells[code]), metric_code.upper(),
                                           describe_method(table), f"{metric_code}-{code}"))
        return result

    journeys = []
    tps = list(touchpoints_of(access.organization))
    for journey_name, in_journey in groupby(tps, key=lambda t: t.stage.journey.name):
        column = JourneyColumns(journey_name)
        for _key, in_stage in groupby(in_journey, key=lambda t: t.stage_id):
            in_stage = list(in_stage)
            stage = StageColumn(in_stage[0].stage.code, in_stage[0].stage.name)
            stage.cards = [card(t.code, t.name) for t in in_stage]
            column.stages.append(stage)
        journeys.append(column)
    loose = card("", gettext("Without a touchpoint")) if "" in by_code else None
    empty = not (nps.total.n or relationship.total.n or any(t.total.n for _c, t, _cells in extra))
    return JourneyMap(journeys, table_figure(nps), table_figure(relationship), describe_method(nps),
                      nps.date_from, nps.date_to, nps.compare_from, nps.compare_to, loose, empty)


# --- The trend page ---------------------------------------------------------------------------

@dataclass
class TrendRow:
    name: str
    figure: Figure
    bucket: dt.date | None = None
    color: str = ""  # the row's line colour in the chart, if it has one
    vs_rest: str = ""
    vs_rest_arrow: str = ""
    vs_rest_trend: str = ""
    partial: bool = False  # the bucket is only partly inside the data (period ends, data start, today)


@dataclass
class TrendPage:
    metric_code: str
    metric_label: str
    chart: str
    rows: list[TrendRow]
    total: Figure
    method: str
    grouped: bool
    bucket: str
    date_from: dt.date
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    # Groups in the table but not drawn in the chart (more lines do not read): named under the
    # chart with their figures, since the smallest group may well be the one that matters.
    hidden: list[TrendRow] = field(default_factory=list)
    transactional_only: bool = False
    counts_invitations: bool = False  # n is delivered invitations (response rate), not answers
    settled_until: dt.date | None = None  # set when later days are still settling and the page shows some
    # Set when the organization's data starts inside the comparison period, so a change compares
    # with only part of it (e.g. a year against the few days before the data begins).
    data_from: dt.date | None = None
    empty: bool = False  # nothing in the period (the page may offer the period the data cover)


def bucket_label(day: dt.date, bucket: str) -> str:
    if bucket == "week":
        year, week, _day = day.isocalendar()
        return gettext("w%(week)s %(year)s") % {"week": week, "year": year}
    if bucket == "quarter":
        return gettext("Q%(quarter)s %(year)s") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}
    # Swedish writes month abbreviations in lower case ("okt 2026"); Django's "M" capitalises them.
    return formats.date_format(day, "b Y" if (get_language() or "").startswith("sv") else "M Y")


def _y_range(metric) -> tuple[float, float] | None:
    return {"points": (-100.0, 100.0), "percent": (0.0, 100.0)}.get(metric.unit)


def trend_page(access: Access, q: MetricQuery) -> TrendPage:
    """A line per group over the buckets (with interval bands), and a table: per group over the
    whole period (change vs the previous period, and vs the rest) or, ungrouped, per bucket
    (change vs the previous bucket)."""
    ctx = QueryContext.load(access)
    over_time = metric_table(access, q, ctx)
    metric = over_time.metric
    label = metric_label(q.metric)
    grouped = bool(q.group_by)
    period = metric_table(access, replace(q, bucket=None), ctx) if grouped else None

    series = over_time.series()
    if grouped:
        # The largest groups get a line; the order follows the table (journey / name order).
        sizes = {c.key: c.estimate.n for c in period.cells}
        keep = set(sorted(series, key=lambda k: -sizes.get(k, 0))[:CHART_SERIES])
    else:
        keep = set(series)
    colours = {}
    drawn = []
    for key, cells in series.items():
        if key not in keep:
            continue
        colours[key] = color(len(drawn))
        name = group_name(cells[0].members) or label
        drawn.append(Series(name, [Point(c.bucket, c.estimate.value if c.estimate.n else None,
                                         c.estimate.low, c.estimate.high, c.estimate.n, c.estimate.is_small)
                                   for c in cells]))

    def point_label(s: Series, p: Point) -> str:
        text = f"{s.name}, {bucket_label(p.x, q.bucket)}: {fmt(metric, p.value)}{suffix(metric)}"
        if p.low is not None and p.high is not None:
            text += f" ({fmt(metric, p.low)} – {fmt(metric, p.high)})"
        text += f", n = {p.n}"
        return text + (f" — {gettext('too few answers to read')}" if p.small else "")

    desc = gettext("%(metric)s per %(bucket)s from %(start)s to %(end)s. %(method)s") % {
        "metric": label, "bucket": dict(BUCKET_CHOICES)[q.bucket].lower(),
        "start": formats.date_format(over_time.date_from), "end": formats.date_format(over_time.date_to),
        "method": describe_method(over_time)}
    chart = line_chart(drawn, title=label, desc=desc, chart_id="trend-chart", y_range=_y_range(metric),
                       x_label=lambda d: bucket_label(d, q.bucket), y_format=lambda v: fmt(metric, v),
                       point_label=point_label)

    rows, hidden = [], []
    data_from = first_day(access, metric.source)  # bucket coverage, and the comparison period's
    if grouped:
        for cell in period.cells:
            row = TrendRow(group_name(cell.members), cell_figure(metric, cell),
                           color=colours.get(cell.key, ""))
            if cell.vs_rest is not None and cell.vs_rest.delta is not None:
                row.vs_rest = fmt_delta(metric, cell.vs_rest.delta)
                if cell.vs_rest_significant and cell.vs_rest.delta:
                    up = cell.vs_rest.delta > 0
                    row.vs_rest_arrow = "▲" if up else "▼"
                    row.vs_rest_trend = "better" if up == metric.higher_is_better else "worse"
            rows.append(row)
            if cell.key in series and cell.key not in keep:
                hidden.append(row)
        total_table = period
    else:
        covered_from = max(over_time.date_from, data_from or over_time.date_from)
        covered_to = min(over_time.date_to, today())
        for cell in over_time.cells:
            partial = cell.bucket < covered_from or bucket_end(cell.bucket, q.bucket) > covered_to
            rows.append(TrendRow(bucket_label(cell.bucket, q.bucket), cell_figure(metric, cell), bucket=cell.bucket,
                                 partial=partial))
        # The whole period against the one before it.
        total_table = metric_table(access, replace(q, bucket=None), ctx)
    cmp_from, cmp_to = total_table.compare_from, total_table.compare_to
    partly_compared = data_from if cmp_from and data_from and cmp_from < data_from <= cmp_to else None
    chart = mark_safe(chart)  # noqa: S308 -- line_chart escapes every text it draws
    return TrendPage(q.metric, label, chart, rows, table_figure(total_table), describe_method(over_time), grouped,
                     q.bucket,
                     total_table.date_from, total_table.date_to, total_table.compare_from, total_table.compare_to,
                     hidden=hidden,
                     transactional_only=q.survey_kind == "transactional",
                     counts_invitations=metric.source == INVITATIONS,
                     settled_until=total_table.settled_until if total_table.total_provisional else None,
                     data_from=partly_compared, empty=not total_table.total.n)
