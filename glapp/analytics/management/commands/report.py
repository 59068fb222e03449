"""`glapp report`: the metrics API's table at the command line (same query, same numbers)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from glapp.accounts.lookups import organization_by_slug
from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.analytics import metrics, queries
from glapp.analytics.rollup_keys import INVITATIONS
from glapp.core import stats
from glapp.core.errors import ValidationFailed
from glapp.surveys import question_types as qt

CHOICES = (qt.SINGLE, qt.MULTI)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _change(d: stats.Difference | None, significant: bool) -> str:
    if d is None or d.delta is None:
        return ""
    arrow = ("▲ " if d.delta > 0 else "▼ ") if significant else ""
    return f"{arrow}{d.delta:+.1f} (p={d.p_value:.3f})" if d.p_value is not None else f"{d.delta:+.1f}"


class Command(BaseCommand):
    help = ("Print a metric with its interval, n and the significance of its change, grouped by up to "
            "two dimensions and a time bucket. Same query and numbers as GET /api/v1/metrics.")

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--metric", help=f"one of: {', '.join(metrics.METRICS)} (default: nps, or the "
                                             "question's kind with --question)")
        parser.add_argument("--by", action="append", default=[], dest="group_by",
                            help=f"group by ({', '.join(queries.GROUPS)}, meta.<key>); repeat for two")
        parser.add_argument("--bucket", choices=queries.BUCKETS, help="time bucket")
        parser.add_argument("--from", dest="date_from", type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_date, help="last day (inclusive), YYYY-MM-DD")
        parser.add_argument("--compare-from", type=_date, help="comparison period start (default: previous period)")
        parser.add_argument("--compare-to", type=_date)
        parser.add_argument("--no-compare", action="store_true", help="no comparison period")
        parser.add_argument("--touchpoint", action="append", default=[], help="touchpoint code (repeatable)")
        parser.add_argument("--stage", action="append", default=[], help="stage code (repeatable)")
        parser.add_argument("--unit", help="unit code: that unit and everything below it")
        parser.add_argument("--segment", action="append", default=[], help="segment (repeatable)")
        parser.add_argument("--channel", action="append", default=[], help="channel (repeatable)")
        parser.add_argument("--language", action="append", default=[], help="language (repeatable)")
        parser.add_argument("--survey", action="append", default=[], help="survey code (repeatable)")
        parser.add_argument("--survey-kind", choices=("transactional", "relationship"))
        parser.add_argument("--question", help="one question's own figure, or a choice question's distribution: "
                                               "survey_code.question_key (or the key, when one survey has it)")
        parser.add_argument("--meta", action="append", default=[], help="key:value on a rolled-up metadata key")
        parser.add_argument("--weight", choices=queries.WEIGHTS, help="post-stratify to the customer register")

    def handle(self, *args, **opts):
        org = organization_by_slug(opts["org"])
        meta = []
        for item in opts["meta"]:
            key, sep, value = item.partition(":")
            if not sep:
                raise CommandError(f"--meta {item!r}: expected key:value")
            meta.append((key, value))
        access = Access(org, Role.ADMIN)
        try:
            if opts["question"] and queries.question_type(access, opts["question"], opts["survey"]) in CHOICES:
                return self._print_choices(access, opts)
            metric = queries.metric_for(access, opts["metric"], opts["question"], opts["survey"])
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
        q = queries.MetricQuery(
            metric=metric, group_by=tuple(opts["group_by"]), bucket=opts["bucket"],
            date_from=opts["date_from"], date_to=opts["date_to"], compare=not opts["no_compare"],
            compare_from=opts["compare_from"], compare_to=opts["compare_to"], touchpoint=tuple(opts["touchpoint"]),
            stage=tuple(opts["stage"]), unit=opts["unit"], segment=tuple(opts["segment"]),
            channel=tuple(opts["channel"]), language=tuple(opts["language"]), survey=tuple(opts["survey"]),
            survey_kind=opts["survey_kind"], question=opts["question"], meta=tuple(meta), weight=opts["weight"],
        )
        try:
            table = queries.metric_table(access, q)
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
        self._print(table)
        if not table.total.n:
            self._offer_data_period(access, "--from", "--to")

    def _offer_data_period(self, access: Access, *flags: str) -> None:
        span = queries.data_span(access)
        if span:
            self.stdout.write(f"No answers in this period. The responses cover {span[0]} – {span[1]}: "
                              f"{flags[0]} {span[0]} {flags[1]} {span[1]}")

    def _print_choices(self, access: Access, opts: dict) -> None:
        q = queries.MetricQuery(
            date_from=opts["date_from"], date_to=opts["date_to"], touchpoint=tuple(opts["touchpoint"]),
            stage=tuple(opts["stage"]), unit=opts["unit"], segment=tuple(opts["segment"]),
            channel=tuple(opts["channel"]), language=tuple(opts["language"]), survey=tuple(opts["survey"]),
            question=opts["question"])
        try:
            dist = queries.choice_distribution(access, q)
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
        out = Table(title=f"{dist.question.name} ({dist.question.code}) · {dist.date_from} – {dist.date_to}",
                    title_justify="left")
        out.add_column("option")
        out.add_column("share %", justify="right")
        out.add_column("95 % interval", justify="right")
        out.add_column("respondents", justify="right")
        for o in dist.options:
            e = o.estimate
            interval = f"{_number(e.low)} … {_number(e.high)}" if e.n else ""
            out.add_row(o.name, _number(e.value), interval, f"{o.count:,}")
        console = Console(file=self.stdout._out, width=160)
        console.print(out)
        multi = "several options each; " if dist.kind == qt.MULTI else ""
        console.print(f"Of {dist.respondents:,} respondents who answered ({multi}shares of them).")
        console.print(f"Interval: {stats.METHODS[stats.WILSON]}")
        if not dist.respondents:
            self._offer_data_period(access, "--from", "--to")

    def _print(self, table: queries.MetricTable) -> None:
        q = table.query
        period = f"{table.date_from} – {table.date_to}"
        if table.compare_from:
            period += f", compared with {table.compare_from} – {table.compare_to}"
        out = Table(title=f"{table.metric.label_en} · {period}", title_justify="left")
        for dim in q.group_by:
            out.add_column(dim)
        if q.bucket:
            out.add_column(q.bucket)
        out.add_column("value", justify="right")
        out.add_column("95 % interval", justify="right")
        out.add_column("n", justify="right")
        out.add_column("change" if q.bucket or table.compare_from else "", justify="right")
        if q.group_by and not q.bucket:
            out.add_column("vs rest", justify="right")
        for c in table.cells:
            value = _number(c.estimate.value)
            if c.estimate.is_small:
                value = f"[dim]{value}*[/]"
            row = [m.name for m in c.members]
            if q.bucket:
                row.append(c.bucket.isoformat())
            change = _change(c.change, c.change_significant)
            row += [value, f"{_number(c.estimate.low)} … {_number(c.estimate.high)}", f"{c.estimate.n:,}",
                    f"{change} ~" if c.provisional and change else change]
            if q.group_by and not q.bucket:
                row.append(_change(c.vs_rest, c.vs_rest_significant))
            out.add_row(*row)
        console = Console(file=self.stdout._out, width=160)
        console.print(out)
        t = table.total
        of = f" from {t.respondents:,} respondents" if t.respondents else ""
        console.print(f"All: {_number(t.value)} ({_number(t.low)} … {_number(t.high)}), n = {t.n:,}{of}"
                      + (f", change {_change(table.total_change, table.total_change_significant)}"
                         if table.total_change else ""))
        console.print(f"Interval: {stats.METHODS.get(t.method, t.method)}")
        if t.method.startswith(stats.CLUSTERED):
            console.print(stats.CLUSTER_NOTE)
        counted = "delivered invitations" if table.metric.source == INVITATIONS else "answers"
        console.print(f"* fewer than {stats.MIN_N} {counted}. ▲▼ significant after Benjamini–Hochberg (q = 0.05).")
        if table.settled_until is not None and (table.total_provisional or any(c.provisional for c in table.cells)):
            console.print(f"~ includes days after {table.settled_until.isoformat()}, whose figures are still coming "
                          "in: the change is not tested.")
