"""Reads for analytics, always scoped by an `Access` (organization + unit subtree).

Everything here reads rollups, never raw responses: a query picks the smallest rollup grain
that holds the dimensions it groups and filters by, sums counts in SQL, and hands the count
vectors to `stats` for values, intervals and tests. The web pages, the API and `glapp report`
all call `metric_table`, so they cannot disagree.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db.models import F, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone
from django.utils.translation import get_language, get_language_info

from glapp.accounts.models import Unit
from glapp.accounts.queries import Access, units_of
from glapp.analytics import metrics
from glapp.analytics.actions import meta_keys
from glapp.analytics.models import Rollup
from glapp.analytics.rollup_keys import (
    CHOICE,
    CLUSTER_SCORES,
    GRAINS,
    INVITATIONS,
    MOMENTS,
    RESPONSES,
    VALUES,
    VECTOR,
    Grain,
    NotRolledUp,
    smallest_grain,
)
from glapp.core import stats
from glapp.core.errors import FieldError, ValidationFailed
from glapp.journeys.queries import touchpoints_of
from glapp.responses.models import Channel
from glapp.surveys import question_types as qt
from glapp.surveys.queries import question_labels, survey_labels

COUNT_FIELDS = ("n", *(f"c{i}" for i in range(VALUES)), *MOMENTS)
EMPTY_COUNTS = (0,) * VECTOR
BUCKETS = ("day", "week", "month", "quarter")
# What a user may group by; "meta.<key>" for a rolled-up metadata key.
GROUPS = ("touchpoint", "stage", "unit", "channel", "segment", "language", "survey", "question")
MAX_GROUPS = 2
DEFAULT_DAYS = 90
WEIGHTS = ("segment", "segment_value")  # segment shares of customers, or of customer value

# Group (or filter) dimension → the rollup column it is read from.
_COLUMN = {"touchpoint": "touchpoint", "stage": "touchpoint", "unit": "unit", "channel": "channel",
           "segment": "segment", "language": "language", "survey": "survey", "survey_kind": "survey",
           "question": "question"}
# Rolled up in every grain's rows (each row is one question's, or every question's pooled).
_NOT_A_GRAIN_DIMENSION = {"question"}
ROLLED_QUESTION_TYPES = (*CLUSTER_SCORES, qt.SINGLE, qt.MULTI)
POOLED = Q()  # every row of a source: its questions' rows and the correction rows (rollup_keys)
_TRUNC = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


@dataclass(frozen=True)
class MetricQuery:
    metric: str = "nps"
    group_by: tuple[str, ...] = ()
    bucket: str | None = None  # None: one figure per group for the whole period
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    compare: bool = True  # against the previous period (or, with a bucket, the previous bucket)
    compare_from: dt.date | None = None  # an explicit comparison period instead of the previous one
    compare_to: dt.date | None = None
    # Filters: codes, as a user types them.
    touchpoint: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    unit: str | None = None  # a unit and everything below it
    channel: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    survey: tuple[str, ...] = ()
    survey_kind: str | None = None  # transactional | relationship
    # One question's own figure ("survey.key", or the key alone when one survey has it); None:
    # every question of the metric's kind pooled, with intervals over respondents.
    question: str | None = None
    meta: tuple[tuple[str, str], ...] = ()  # (key, value) on rolled-up metadata keys
    weight: str | None = None  # post-stratify segments to their share of customers ("segment") or value


@dataclass(frozen=True)
class Member:
    """One value of a grouping dimension: its code (what filters take) and its display name."""

    code: str
    name: str
    order: tuple = ()


@dataclass
class Cell:
    members: tuple[Member, ...]
    bucket: dt.date | None
    counts: tuple[int, ...]
    estimate: stats.Estimate
    previous: stats.Estimate | None = None
    change: stats.Difference | None = None
    change_significant: bool = False  # after Benjamini–Hochberg across the table
    vs_rest: stats.Difference | None = None
    vs_rest_significant: bool = False
    provisional: bool = False  # its period has days whose figure is still settling: no change is flagged

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.members)

    @property
    def direction(self) -> int:
        """+1 better, −1 worse, 0 no significant change (for trend arrows)."""
        if not self.change_significant or self.change is None or not self.change.delta:
            return 0
        return 1 if self.change.delta > 0 else -1


@dataclass
class MetricTable:
    query: MetricQuery
    metric: metrics.MetricDef
    method: str
    date_from: dt.date
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    grain: str
    cells: list[Cell] = field(default_factory=list)
    total: stats.Estimate | None = None
    total_previous: stats.Estimate | None = None
    total_change: stats.Difference | None = None
    settled_until: dt.date | None = None  # for a metric that settles: later days may still change
    total_provisional: bool = False

    @property
    def total_change_significant(self) -> bool:
        return bool(self.total_change and self.total_change.significant and not self.total_provisional)

    @property
    def buckets(self) -> list[dt.date]:
        return sorted({c.bucket for c in self.cells if c.bucket is not None})

    def series(self) -> dict[tuple[str, ...], list[Cell]]:
        """Cells by group key, each list in bucket order (for trend charts)."""
        out: dict[tuple[str, ...], list[Cell]] = {}
        for cell in self.cells:
            out.setdefault(cell.key, []).append(cell)
        return out


def _bad(field_name: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([FieldError(field_name, message, code)])


def today() -> dt.date:
    return timezone.localdate()


def bucket_start(day: dt.date, bucket: str | None) -> dt.date:
    if bucket == "week":
        return day - dt.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day


def _month_start(start: dt.date, months: int) -> dt.date:
    """The first day of the month `months` away from `start`'s."""
    month = start.month + months
    return dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def bucket_end(start: dt.date, bucket: str | None) -> dt.date:
    """The last day of the bucket that starts on `start`."""
    if bucket == "week":
        return start + dt.timedelta(days=6)
    if bucket in ("month", "quarter"):
        return _month_start(start, 1 if bucket == "month" else 3) - dt.timedelta(days=1)
    return start


def previous_bucket(start: dt.date, bucket: str) -> dt.date:
    if bucket == "day":
        return start - dt.timedelta(days=1)
    if bucket == "week":
        return start - dt.timedelta(days=7)
    return _month_start(start, -1 if bucket == "month" else -3)


def resolve_period(q: MetricQuery) -> tuple[dt.date, dt.date, dt.date | None, dt.date | None]:
    date_to = q.date_to or today()
    date_from = q.date_from or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise _bad("date_from", "must not be after date_to")
    if not q.compare or q.bucket:
        return date_from, date_to, None, None
    if q.compare_from or q.compare_to:
        if not (q.compare_from and q.compare_to) or q.compare_from > q.compare_to:
            raise _bad("compare_from", "give both compare_from and compare_to, in order")
        return date_from, date_to, q.compare_from, q.compare_to
    # A chosen period of whole months is compared with as many months before (February with
    # January, not with the 28 days before it); the default rolling period with as many days.
    try:
        months = whole_months(date_from, date_to) if q.date_from else None
        if months:
            return date_from, date_to, _month_start(date_from, -months), date_from - dt.timedelta(days=1)
        length = (date_to - date_from).days + 1
        return date_from, date_to, date_from - dt.timedelta(days=length), date_from - dt.timedelta(days=1)
    except (OverflowError, ValueError):  # a period reaching back to the year 1 has nothing before it
        return date_from, date_to, None, None


def whole_months(date_from: dt.date, date_to: dt.date) -> int | None:
    """How many calendar months the period is, if it is whole months (first day to last day)."""
    if date_from.day != 1 or date_to != bucket_end(date_to.replace(day=1), "month"):
        return None
    return (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1


@dataclass
class QueryContext:
    """Names and ids an organization's query needs, loaded once per query."""

    touchpoints: dict[int, tuple]  # id → (code, name, stage code, stage name, order)
    units: dict[int, tuple]  # id → (code, name, path)
    surveys: dict[int, tuple]  # id → (code, name, kind, answer window in days)
    slots: dict[str, str]  # metadata key → rollup column (d1..d4)
    # id → (code "survey.key", text, type, survey id, key, order, options, option texts)
    questions: dict[int, tuple] = field(default_factory=dict)

    @classmethod
    def load(cls, access: Access) -> "QueryContext":
        tps = {}
        for i, tp in enumerate(touchpoints_of(access.organization)):
            tps[tp.id] = (tp.code, tp.name, tp.stage.code, tp.stage.name, (tp.stage.journey.name, tp.stage.position, i))
        units = {u.id: (u.code, u.name, u.path) for u in units_of(
            Access(access.organization, access.role))}
        surveys = {row[0]: row[1:] for row in survey_labels(access.organization)}
        slots = {key: f"d{slot}" for slot, key in enumerate(meta_keys(access.organization_id), start=1) if key}
        questions = {}
        for i, (pk, survey_id, key, qtype, texts, options, option_texts) in enumerate(
                question_labels(access.organization, ROLLED_QUESTION_TYPES)):
            survey = surveys.get(survey_id, ("", "", "", 0))
            questions[pk] = (f"{survey[0]}.{key}", localized(texts, key), qtype, survey_id, key, (survey[1], i),
                             list(options or []), option_texts or {})
        return cls(tps, units, surveys, slots, questions)


def localized(texts: dict | None, fallback: str) -> str:
    """A question's (or option's) words in the UI language, else in any language it has."""
    texts = texts if isinstance(texts, dict) else {}
    language = (get_language() or "").split("-")[0]
    text = texts.get(language) or next((t for t in texts.values() if t), "")
    return str(text).strip() or fallback


def _dimension_column(dim: str, ctx: QueryContext) -> str:
    if dim.startswith("meta."):
        key = dim[5:]
        if key not in ctx.slots:
            raise _bad("group_by", f"metadata key '{key[:80]}' is not rolled up; rolled-up keys: "
                       f"{', '.join(ctx.slots) or 'none'}", "not_rolled_up")
        return ctx.slots[key]
    if dim not in _COLUMN:
        raise _bad("group_by", f"cannot group by '{dim[:80]}'; choose from {', '.join(GROUPS)} or meta.<key>")
    return _COLUMN[dim]


def _codes_to_ids(codes: Sequence[str], mapping: dict[int, tuple], field_name: str, index: int = 0) -> list[int]:
    by_code: dict[str, list[int]] = {}
    for pk, row in mapping.items():
        by_code.setdefault(row[index], []).append(pk)
    ids = []
    for code in codes:
        if code not in by_code:
            raise _bad(field_name, f"unknown code '{code[:80]}'", "unknown")
        ids.extend(by_code[code])
    return ids


def _where(access: Access, q: MetricQuery, ctx: QueryContext) -> tuple[Q, set[str]]:
    """The filter on rollup rows and the dimensions it needs the grain to keep."""
    where = Q()
    needed: set[str] = set()
    if q.touchpoint:
        where &= Q(touchpoint__in=_codes_to_ids(q.touchpoint, ctx.touchpoints, "touchpoint"))
        needed.add("touchpoint")
    if q.stage:
        where &= Q(touchpoint__in=_codes_to_ids(q.stage, ctx.touchpoints, "stage", index=2))
        needed.add("touchpoint")
    if q.survey:
        where &= Q(survey__in=_codes_to_ids(q.survey, ctx.surveys, "survey"))
        needed.add("survey")
    if q.survey_kind:
        where &= Q(survey__in=[pk for pk, s in ctx.surveys.items() if s[2] == q.survey_kind])
        needed.add("survey")
    for name in ("channel", "segment", "language"):
        values = getattr(q, name)
        if values:
            where &= Q(**{f"{name}__in": list(values)})
            needed.add(name)
    for key, value in q.meta:
        column = _dimension_column(f"meta.{key}", ctx)
        where &= Q(**{column: value})
        needed.add(column)
    if q.unit or not access.whole_organization:
        where &= _unit_where(access, q.unit, ctx.units)
        needed.add("unit")
    return where, needed


def _question_where(q: MetricQuery, ctx: QueryContext) -> Q:
    """One question's rows, every question's own rows (grouped by question), or else the pooled ones."""
    if q.question:
        return Q(question=question_id(q.question, ctx, metrics.METRICS[q.metric].source, q.survey))
    if "question" in q.group_by:
        if metrics.METRICS[q.metric].source not in CLUSTER_SCORES:
            raise _bad("group_by", f"{q.metric} is not asked by question", "not_by_question")
        return Q(question__gt=0)
    return POOLED


def question_id(code: str, ctx: QueryContext, source: str, surveys: Sequence[str] = ()) -> int:
    """The id of the question a user names ("survey.key", or its key when the surveys in view
    have one such question), checked against the kind of answers the figure reads."""
    if source not in CLUSTER_SCORES and source != CHOICE:
        raise _bad("question", "this metric is not asked by question", "not_by_question")
    found = [pk for pk, row in ctx.questions.items()
             if (row[0] == code or row[4] == code) and (not surveys or ctx.surveys.get(row[3], ("",))[0] in surveys)]
    if not found:
        raise _bad("question", f"unknown question '{code[:80]}'", "unknown")
    if len(found) > 1:
        raise _bad("question", f"'{code[:80]}' is a question of several surveys; name one as survey.key, e.g. "
                   f"{ctx.questions[found[0]][0]}", "ambiguous")
    qtype = ctx.questions[found[0]][2]
    if (source == CHOICE and qtype not in (qt.SINGLE, qt.MULTI)) or (source != CHOICE and qtype != source):
        wanted = "a choice" if source == CHOICE else f"a {source}"
        raise _bad("question", f"'{code[:80]}' is a {qtype} question; this figure reads {wanted} question",
                   "wrong_type")
    return found[0]


def _unit_where(access: Access, unit: str | None, units: dict[int, tuple]) -> Q:
    """The unit subtree: the user's own limit, narrowed (never widened) by the unit they picked."""
    path = access.unit_path
    if unit:
        picked = [u for u in units.values() if u[0] == unit]
        if not picked or not (access.whole_organization or Unit.in_subtree(picked[0][2], path)):
            raise _bad("unit", f"no unit with code '{unit[:80]}'", "unknown")
        path = picked[0][2]
    return Q(unit__in=[pk for pk, u in units.items() if Unit.in_subtree(u[2], path)])


def _sum_counts(rows, columns: Sequence[str], by_bucket: bool) -> dict[tuple, list[int]]:
    """Rows of grouped sums → {(bucket, *column values): counts}."""
    out = {}
    for row in rows:
        if not row["n"]:
            continue  # an aggregate over no rows
        key = (row["bucket"] if by_bucket else None, *(row[c] for c in columns))
        out[key] = [row[f] or 0 for f in COUNT_FIELDS]
    return out


def _fetch(access: Access, source: str, grain: int, where: Q, columns: Sequence[str], bucket: str | None,
           date_from: dt.date, date_to: dt.date, questions: Q = POOLED) -> dict[tuple, list[int]]:
    """Summed counts of the rows `where` picks: every question of the source pooled, unless
    `questions` picks one question's rows or every question's own (`_question_where`)."""
    qs = Rollup.objects.filter(where, questions, organization_id=access.organization_id, source=source, grain=grain,
                               day__gte=date_from, day__lte=date_to)
    values = list(columns)
    if bucket == "day":
        qs = qs.annotate(bucket=F("day"))
        values.append("bucket")
    elif bucket:
        qs = qs.annotate(bucket=_TRUNC[bucket]("day"))
        values.append("bucket")
    sums = {f: Sum(f) for f in COUNT_FIELDS}
    rows = qs.values(*values).annotate(**sums).order_by() if values else [qs.aggregate(**sums)]
    return _sum_counts(rows, columns, bool(bucket))


def _members(dim: str, raw, ctx: QueryContext) -> Member:
    if dim in ("touchpoint", "stage"):
        tp = ctx.touchpoints.get(raw)
        if tp is None:
            return Member("", "—", ("\uffff",))  # after every journey
        return Member(tp[0], tp[1], tp[4]) if dim == "touchpoint" else Member(tp[2], tp[3], tp[4][:2])
    if dim == "unit":
        unit = ctx.units.get(raw)
        return Member(unit[0], unit[1], (unit[2],)) if unit else Member("", "—", ("~",))
    if dim == "survey":
        s = ctx.surveys.get(raw)
        return Member(s[0], s[1], (s[1],)) if s else Member("", "—", ("~",))
    if dim == "question":
        question = ctx.questions.get(raw)
        return Member(question[0], question[1], question[5]) if question else Member("", "—", ("~",))
    code = str(raw)
    if dim == "channel" and code:
        name = str(CHANNEL_LABELS.get(code, code))
    elif dim == "language" and code:
        name = _language_name(code)
    else:  # segments and metadata are the organization's own words
        name = code or "—"
    return Member(code, name, (code == "", name))


CHANNEL_LABELS = dict(Channel.choices)


def _language_name(code: str) -> str:
    """A language by its name in the active UI language ("svenska", "Swedish"), as the
    responses list shows it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _regroup(raw: dict[tuple, list[int]], dims: Sequence[str], ctx: QueryContext) -> dict[tuple, list[int]]:
    """Column values → members (a stage sums its touchpoints), summing counts that merge."""
    out: dict[tuple, list[int]] = {}
    for (bucket, *values), counts in raw.items():
        key = (bucket, *(_members(d, v, ctx) for d, v in zip(dims, values, strict=True)))
        acc = out.get(key)
        if acc is None:
            out[key] = list(counts)
        else:
            for i, c in enumerate(counts):
                acc[i] += c
    return out


def _estimate(metric: str, counts: Sequence[int]) -> stats.Estimate:
    """The metric of a rollup vector (n, c0..c10, MOMENTS), over respondents where they pooled answers."""
    return metrics.evaluate(metric, counts[1:1 + VALUES], respondents=_respondents(metric, counts))


def _respondents(metric: str, counts: Sequence[int]) -> "metrics.Respondents | None":
    if len(counts) <= 1 + VALUES:
        return None
    return metrics.Respondents.of(metric, counts[1:1 + VALUES], counts[1 + VALUES:])


def _weighted(metric: str, by_segment: dict[str, list[int]], targets: dict[str, float]) -> stats.Estimate:
    strata = [(_estimate(metric, counts), targets.get(seg, 0.0)) for seg, counts in by_segment.items()]
    return stats.poststratified([(e, w) for e, w in strata if w > 0 and e.n > 0])


def _add(a: list[int] | None, b: Sequence[int]) -> list[int]:
    return list(b) if a is None else [x + y for x, y in zip(a, b, strict=True)]


def metric_table(access: Access, q: MetricQuery, context: "QueryContext | None" = None) -> MetricTable:
    """The one computation behind the metrics API, `glapp report`, the journey map and charts.

    A page that asks several tables of one organization passes one `QueryContext.load(access)`
    so names and ids are read once."""
    metric = _checked_metric(q)
    date_from, date_to, cmp_from, cmp_to = resolve_period(q)
    ctx = context or QueryContext.load(access)
    plan = _plan(access, q, ctx)
    table = MetricTable(q, metric, stats.METHODS.get(_estimate(q.metric, EMPTY_COUNTS).method, ""),
                        date_from, date_to, cmp_from, cmp_to, plan.grain.name)
    current, previous, first_bucket = _read_counts(access, table, plan, ctx)
    weighting = _Weighting(q.metric, segment_targets(access, q.weight) if q.weight else None, plan.dims,
                           len(q.group_by))
    cur, prev = weighting.by_segment(current), weighting.by_segment(previous)
    overall = _add_cells(table, cur, prev, weighting, first_bucket)
    total_counts = _add_total(table, overall, prev, weighting)
    if metric.settles_days:
        _mark_provisional(table, ctx)
    if "question" in q.group_by:
        _pool_total(access, table, ctx)
    elif q.group_by and not q.bucket and weighting.targets is None:
        _test_against_rest(table, total_counts)
    _control_false_discoveries(table.cells)
    table.cells.sort(key=lambda c: (tuple(m.order for m in c.members), c.bucket or dt.date.min))
    return table


def _pool_total(access: Access, table: MetricTable, ctx: QueryContext) -> None:
    """By question, the total pools the questions' answers from the pooled rows (the sum of the
    question cells would count a respondent of two questions as two people). No group is tested
    against the rest: the other questions were answered by the same respondents."""
    q = table.query
    pooled = metric_table(access, replace(q, group_by=(), bucket=None, question=None,
                                          compare=q.compare and not q.bucket), ctx)
    table.total, table.total_previous, table.total_change = pooled.total, pooled.total_previous, pooled.total_change


def _checked_metric(q: MetricQuery) -> metrics.MetricDef:
    """The query's metric, once its choices (metric, groups, bucket, weight) are known ones."""
    if q.metric not in metrics.METRICS:
        raise _bad("metric", f"unknown metric '{q.metric[:40]}'; choose from {', '.join(metrics.METRICS)}")
    if len(q.group_by) > MAX_GROUPS or len(set(q.group_by)) != len(q.group_by):
        raise _bad("group_by", f"group by at most {MAX_GROUPS} different dimensions")
    if q.bucket and q.bucket not in BUCKETS:
        raise _bad("bucket", f"choose from {', '.join(BUCKETS)}")
    if q.weight and q.weight not in WEIGHTS:
        raise _bad("weight", f"choose from {', '.join(WEIGHTS)}")
    return metrics.METRICS[q.metric]


@dataclass
class _Plan:
    """What a query reads: the rollup columns it groups by and the dimension each stands for,
    the filter on rollup rows (codes resolved to ids, the access's unit subtree) and the grain."""

    columns: list[str]
    dims: list[str]
    where: Q
    grain: Grain
    questions: Q  # which question rows: one question's, each question's own, or the pooled ones


def _plan(access: Access, q: MetricQuery, ctx: QueryContext) -> _Plan:
    columns = [_dimension_column(d, ctx) for d in q.group_by]
    where, needed = _where(access, q, ctx)
    dims = list(q.group_by)
    if q.weight and "segment" not in columns:
        columns.append("segment")
        dims.append("segment")
    try:
        grain = smallest_grain({*needed, *columns} - _NOT_A_GRAIN_DIMENSION)
    except NotRolledUp as exc:
        raise _bad("group_by", f"this combination is not rolled up ({exc})", "not_rolled_up") from None
    return _Plan(columns, dims, where, grain, _question_where(q, ctx))


def _read_counts(access: Access, table: MetricTable, plan: _Plan,
                 ctx: QueryContext) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]], dt.date | None]:
    """The summed count vectors of the period and of the comparison period, by bucket and group
    members (touchpoints merged into stages), and the first bucket of the period."""
    q, source = table.query, table.metric.source
    fetch_from, fetch_where, first_bucket = table.date_from, plan.where, None
    if q.bucket:
        # One query reads the period and, before it, the whole previous bucket (only as the first
        # bucket's comparison); the first bucket's days before `date_from` are left out, so a
        # period cut inside a bucket counts what it covers, as it does without buckets.
        first_bucket = bucket_start(table.date_from, q.bucket)
        fetch_from = previous_bucket(first_bucket, q.bucket)
        if first_bucket < table.date_from:
            fetch_where = plan.where & ~Q(day__gte=first_bucket, day__lt=table.date_from)
    current = _regroup(_fetch(access, source, plan.grain.code, fetch_where, plan.columns, q.bucket, fetch_from,
                              table.date_to, plan.questions), plan.dims, ctx)
    previous = {}
    if table.compare_from:
        previous = _regroup(_fetch(access, source, plan.grain.code, plan.where, plan.columns, None,
                                   table.compare_from, table.compare_to, plan.questions), plan.dims, ctx)
    return current, previous, first_bucket


@dataclass
class _Weighting:
    """Counts kept by segment within each cell, so a weighted query can post-stratify them to
    the segments' targets; an unweighted one keeps a single pseudo-segment ""."""

    metric: str
    targets: dict[str, float] | None
    dims: list[str]
    n_groups: int

    def by_segment(self, table: dict[tuple, list[int]]) -> dict[tuple, dict[str, list[int]]]:
        """{(bucket, *group members): {segment: counts}}."""
        segment_at = self.dims.index("segment") if self.targets is not None else -1  # its own place if grouped
        out: dict[tuple, dict[str, list[int]]] = {}
        for (bucket, *members), counts in table.items():
            key = (bucket, *members[:self.n_groups])
            seg = members[segment_at].code if self.targets is not None else ""
            strata = out.setdefault(key, {})
            strata[seg] = _add(strata.get(seg), counts)
        return out

    def evaluate(self, strata: dict[str, list[int]]) -> tuple[stats.Estimate, list[int]]:
        total = _total(strata)
        if self.targets is None:
            return _estimate(self.metric, total), total
        return _weighted(self.metric, strata, self.targets), total


def _add_cells(table: MetricTable, cur: dict, prev: dict, weighting: _Weighting,
               first_bucket: dt.date | None) -> dict[str, list[int]]:
    """A cell per group (and bucket) with its change against the bucket before or the comparison
    period; returns the counts of all cells by segment, for the total."""
    q = table.query
    overall: dict[str, list[int]] = {}
    for key, strata in cur.items():
        bucket, *members = key
        if q.bucket and bucket < first_bucket:
            continue  # only fetched as the first bucket's comparison
        for seg, counts in strata.items():
            overall[seg] = _add(overall.get(seg), counts)
        estimate, counts = weighting.evaluate(strata)
        cell = Cell(tuple(members), bucket, tuple(counts), estimate)
        if q.bucket:
            before = cur.get((previous_bucket(bucket, q.bucket), *members))
        else:
            before = prev.get((None, *members)) if table.compare_from else None
        if before is not None:
            cell.previous, _ = weighting.evaluate(before)
            cell.change = _difference(q.metric, estimate, counts, cell.previous, _total(before), weighting.targets)
        table.cells.append(cell)
    return overall


def _add_total(table: MetricTable, overall: dict[str, list[int]], prev: dict,
               weighting: _Weighting) -> list[int] | None:
    """The figure over all cells and its change; returns its counts (None when nothing was counted)."""
    metric = table.query.metric
    table.total, total_counts = weighting.evaluate(overall) if overall else (_estimate(metric, EMPTY_COUNTS), None)
    if overall:
        table.method = stats.METHODS.get(table.total.method, table.method)  # weighting changes the method
    if table.compare_from:
        prev_all: dict[str, list[int]] = {}
        for strata in prev.values():
            for seg, counts in strata.items():
                prev_all[seg] = _add(prev_all.get(seg), counts)
        if prev_all:
            table.total_previous, _ = weighting.evaluate(prev_all)
            table.total_change = _difference(metric, table.total, total_counts, table.total_previous,
                                             _total(prev_all), weighting.targets)
    return total_counts


def _mark_provisional(table: MetricTable, ctx: QueryContext) -> None:
    """A change test against a settled period would report the figures still coming in as a real
    drop (for response rates: answers not yet given), so those periods are marked provisional
    and never flagged."""
    q = table.query
    table.settled_until = today() - dt.timedelta(days=_settling_days(table.metric, q, ctx))
    latest = max(table.date_to, table.compare_to) if table.compare_to else table.date_to  # either side may settle
    for cell in table.cells:
        end = min(bucket_end(cell.bucket, q.bucket), table.date_to) if q.bucket else latest
        cell.provisional = end > table.settled_until
    table.total_provisional = latest > table.settled_until


def _test_against_rest(table: MetricTable, total_counts: list[int] | None) -> None:
    """Each group against all the others together (only unbucketed, unweighted tables)."""
    for cell in table.cells:
        rest = [t - c for t, c in zip(total_counts, cell.counts, strict=True)]
        if rest[0] > 0 and cell.counts[0] > 0:
            metric = table.query.metric
            cell.vs_rest = metrics.compare(metric, cell.counts[1:1 + VALUES], rest[1:1 + VALUES],
                                           respondents_a=_respondents(metric, cell.counts),
                                           respondents_b=_respondents(metric, rest))


def _settling_days(metric: metrics.MetricDef, q: MetricQuery, ctx: QueryContext) -> int:
    """How long the metric's recent days keep changing: for response rates, the longest answer
    window among the surveys the query reads (an invitation can be answered until it closes)."""
    surveys = [s for s in ctx.surveys.values()
               if (not q.survey or s[0] in q.survey) and (not q.survey_kind or s[2] == q.survey_kind)]
    return max([metric.settles_days, *(s[3] for s in surveys)])


def _total(strata: dict[str, list[int]]) -> list[int]:
    total = None
    for counts in strata.values():
        total = _add(total, counts)
    return total or list(EMPTY_COUNTS)


def _difference(metric, estimate, counts, previous, previous_counts, targets) -> stats.Difference | None:
    """A change is only tested when both sides are thick enough to read."""
    if estimate.n == 0 or previous.n == 0:
        return None
    if targets is not None:
        return stats.estimate_difference(estimate, previous)
    return metrics.compare(metric, counts[1:1 + VALUES], previous_counts[1:1 + VALUES],
                           respondents_a=_respondents(metric, counts),
                           respondents_b=_respondents(metric, previous_counts))


def _control_false_discoveries(cells: list[Cell]) -> None:
    """A table scans many groups at once: flag a change (or a gap to the rest) only when it
    survives Benjamini–Hochberg across the table, and never on numbers too thin to read."""
    for attr, flag in (("change", "change_significant"), ("vs_rest", "vs_rest_significant")):
        tested = [c for c in cells if getattr(c, attr) is not None and getattr(c, attr).p_value is not None
                  and not (attr == "change" and c.provisional)]
        rejected = stats.benjamini_hochberg([getattr(c, attr).p_value for c in tested])
        for cell, reject in zip(tested, rejected, strict=True):
            thick = not cell.estimate.is_small and (attr != "change" or not cell.previous.is_small)
            setattr(cell, flag, bool(reject and thick))


def segment_targets(access: Access, weight: str) -> dict[str, float]:
    """Each segment's share of the customer register, by head count or by customer value (the
    weighting target). An empty register weights nothing: the caller gets no estimate."""
    from glapp.contacts.queries import segment_shares

    targets = segment_shares(access.organization_id, "value" if weight == "segment_value" else "customers")
    if not targets:
        raise _bad("weight", "the customer register has no segments (or no values) to weight by", "no_targets")
    return targets


# --- Shapes the overview and the journey map use ---------------------------------------------

@dataclass(frozen=True)
class TouchpointNps:
    journey: str
    stage: str
    touchpoint: str
    touchpoint_code: str
    nps: stats.Nps

    @property
    def value(self) -> float | None:
        return self.nps.value

    @property
    def n(self) -> int:
        return self.nps.n


def nps_by_touchpoint(access: Access, date_from: dt.date | None = None, date_to: dt.date | None = None,
                      unit: str | None = None) -> list[TouchpointNps]:
    """NPS per touchpoint in journey order, from rollups.

    Every touchpoint of the organization gets a row, with n = 0 when nobody answered, so an
    empty touchpoint is visible rather than silently missing. Answers on responses with no
    touchpoint come last, under an empty touchpoint code.
    """
    where, needed = Q(), {"touchpoint"}
    if unit or not access.whole_organization:
        units = {u.id: (u.code, u.name, u.path) for u in units_of(Access(access.organization, access.role))}
        where = _unit_where(access, unit, units)
        needed.add("unit")
    grain = smallest_grain(needed)
    start = date_from or dt.date(1900, 1, 1)
    end = date_to or dt.date(9999, 12, 31)
    raw = _fetch(access, "nps", grain.code, where, ["touchpoint"], None, start, end)
    by_tp = {}
    for (_, tp_id), counts in raw.items():
        by_tp[tp_id] = stats.nps_of_counts(counts[1:1 + VALUES])
    rows = [
        TouchpointNps(tp.stage.journey.name, tp.stage.name, tp.name, tp.code, by_tp.pop(tp.id, stats.nps(0, 0, 0)))
        for tp in touchpoints_of(access.organization)
    ]
    loose = by_tp.pop(0, None)
    if loose is not None:
        rows.append(TouchpointNps("", "", "", "", loose))
    return rows


def total_nps(rows: list[TouchpointNps]) -> stats.Nps:
    total = stats.nps(0, 0, 0)
    for row in rows:
        total = total + row.nps
    return total


def with_defaults(q: MetricQuery, **changes) -> MetricQuery:
    return replace(q, **changes)


def responses_per_survey(access: Access) -> dict[int, int]:
    """Responses per survey id, from the rollups (a few rows per survey and day), never by
    counting raw responses. Unit-limited people count only their units' responses."""
    grain = GRAINS[0] if access.whole_organization else GRAINS[1]
    rows = Rollup.objects.filter(organization_id=access.organization_id, source=RESPONSES, grain=grain.code)
    if not access.whole_organization:
        rows = rows.filter(unit__in=units_of(access).values("id"))
    return dict(rows.values_list("survey").annotate(n=Sum("n")).values_list("survey", "n"))


@dataclass(frozen=True)
class InvitationFigures:
    """What became of invitations (or widget displays) that went out, from the response-rate
    rollups; `response_rate` is the metric itself, as the metrics API and the trend page show it."""

    went_out: int  # sent, or refused while being sent
    answered: int  # at least one answer (a partial answer counts)
    delivered: int  # went out and did not bounce (an answer proves delivery)
    bounced: int
    response_rate: stats.Estimate  # answered / delivered, with its interval

    @classmethod
    def none(cls) -> "InvitationFigures":
        return cls(0, 0, 0, 0, _estimate("response_rate", EMPTY_COUNTS))


def invitation_figures(access: Access, group_by: str, date_from: dt.date | None = None,
                       date_to: dt.date | None = None, *, survey_id: int | None = None,
                       touchpoint_id: int | None = None, channels: Sequence[str] = ()) -> dict:
    """`InvitationFigures` per survey or touchpoint (keyed by id; None: without one) or channel
    (keyed by code), for invitations that went out on these local days (all days when not
    given). A page that lists invitations reads its response rates here, never from the rows, so
    they are the metric's. `channels` narrows to some (the invitations page leaves out the
    widget's displays, which are counted as its invitations on the channel "widget")."""
    column = _COLUMN[group_by]
    where, needed = Q(), {"survey", column}
    if survey_id:
        where &= Q(survey=survey_id)
    if touchpoint_id:
        where &= Q(touchpoint=touchpoint_id)
        needed.add("touchpoint")
    if channels:
        where &= Q(channel__in=list(channels))
        needed.add("channel")
    if access.unit_path:
        units = {u.id: (u.code, u.name, u.path) for u in units_of(Access(access.organization, access.role))}
        where &= _unit_where(access, None, units)
        needed.add("unit")
    raw = _fetch(access, INVITATIONS, smallest_grain(needed).code, where, [column], None,
                 date_from or dt.date(1900, 1, 1), date_to or dt.date(9999, 12, 31))
    out = {}
    for (_, key), counts in raw.items():
        went_out, answered, not_answered, bounced = counts[:4]  # n, then the slots of rate_counting.STATES
        out[key if group_by == "channel" else key or None] = InvitationFigures(
            went_out, answered, answered + not_answered, bounced, _estimate("response_rate", counts))
    return out


def first_day(access: Access, source: str) -> dt.date | None:
    """The first day the organization has counts of this source (what the unit-limited may see
    can start later; this is the organization's start, so a page can say when data begins)."""
    return (Rollup.objects.filter(organization_id=access.organization_id, source=source, grain=GRAINS[0].code)
            .aggregate(first=Min("day"))["first"])


# --- Choice questions -------------------------------------------------------------------------

@dataclass(frozen=True)
class OptionShare:
    code: str
    name: str
    count: int  # respondents who chose it
    estimate: stats.Estimate  # its share of the respondents who answered, with a Wilson interval


@dataclass
class ChoiceDistribution:
    """How the respondents who answered a choice question chose, option by option. For a multiple
    choice question every option is its own yes/no share of them, so the shares add up to more
    than 100 %; each interval is that option's own."""

    question: Member
    kind: str  # single_choice | multi_choice
    respondents: int
    options: list[OptionShare]
    date_from: dt.date
    date_to: dt.date


def choice_distribution(access: Access, q: MetricQuery, context: "QueryContext | None" = None) -> ChoiceDistribution:
    """The distribution of one choice question (`q.question`) over the query's period and
    filters, from the choice rollups: the question's options in their order (those no respondent
    chose too), then any the data hold that the question no longer offers."""
    if not q.question:
        raise _bad("question", "name the choice question", "required")
    ctx = context or QueryContext.load(access)
    date_from, date_to, _cmp_from, _cmp_to = resolve_period(replace(q, compare=False, bucket=None))
    where, needed = _where(access, q, ctx)
    pk = question_id(q.question, ctx, CHOICE, q.survey)
    code, text, kind, _survey, _key, order, options, option_texts = ctx.questions[pk]
    raw = _fetch(access, CHOICE, smallest_grain(needed).code, where, ["option"], None, date_from, date_to,
                 Q(question=pk))
    counts = {option: vec[0] for (_bucket, option), vec in raw.items()}
    # A multiple choice question counts its respondents apart; a single choice one's are its options'.
    respondents = counts.pop("", 0) if kind == qt.MULTI else sum(counts.values())
    names = option_texts.get((get_language() or "").split("-")[0]) or next(iter(option_texts.values()), {})
    shown = [*options, *sorted(o for o in counts if o not in options)]
    return ChoiceDistribution(
        Member(code, text, order), kind, respondents,
        [OptionShare(o, str((names or {}).get(o) or o), counts.get(o, 0),
                     stats.proportion_estimate(min(counts.get(o, 0), respondents), respondents))
         for o in shown],
        date_from, date_to)


def data_span(access: Access, source: str = RESPONSES) -> tuple[dt.date, dt.date] | None:
    """The first and last day with data of this source that the access may see (None: none), so a
    page whose period holds nothing can offer the period the data cover."""
    rows = Rollup.objects.filter(organization_id=access.organization_id, source=source, n__gt=0)
    if access.whole_organization:
        rows = rows.filter(grain=GRAINS[0].code)
    else:
        rows = rows.filter(grain=GRAINS[1].code, unit__in=units_of(access).values("id"))
    span = rows.aggregate(first=Min("day"), last=Max("day"))
    return (span["first"], span["last"]) if span["first"] else None


# A question's own figure when none is named: the first metric read from its kind of answers.
DEFAULT_METRIC = {source: next(code for code, m in metrics.METRICS.items() if m.source == source)
                  for source in CLUSTER_SCORES}


def question_type(access: Access, code: str, surveys: Sequence[str] = (), context: "QueryContext | None" = None) -> str:
    """The type of the question a user names (as `MetricQuery.question` takes it)."""
    ctx = context or QueryContext.load(access)
    found = [row for row in ctx.questions.values()
             if (row[0] == code or row[4] == code) and (not surveys or ctx.surveys.get(row[3], ("",))[0] in surveys)]
    if len(found) != 1:
        question_id(code, ctx, CHOICE, surveys)  # raises the unknown / ambiguous error
    return found[0][2]


def metric_for(access: Access, metric: str | None, question: str | None, surveys: Sequence[str] = ()) -> str:
    """The metric a query asks for: the one named, else the question's kind's (csat for a CSAT
    question), else NPS."""
    if metric:
        return metric
    if question:
        return DEFAULT_METRIC.get(question_type(access, question, surveys), "nps")
    return "nps"


def questions_to_choose(access: Access, kinds: Sequence[str] = ROLLED_QUESTION_TYPES) -> list[tuple[str, str, str]]:
    """(code, "Survey › question", type) of the questions whose own figures a page can ask for."""
    surveys = {row[0]: row[1:] for row in survey_labels(access.organization)}
    out = []
    for _pk, survey_id, key, qtype, texts, _options, _option_texts in question_labels(access.organization, kinds):
        survey = surveys.get(survey_id)
        if survey:
            out.append((f"{survey[0]}.{key}", f"{survey[1]} › {localized(texts, key)}", qtype))
    return out
