"""Metrics speed: NPS by touchpoint × month from rollups, against pandas on the raw rows.

    .venv/bin/python benchmarks/metrics.py [--responses 10000000] [--repeat 30] [--keep DIR]

1. Load: `glapp demo --responses N` into a fresh SQLite database, through the one ingest path
   (validation, responses, answers, and the rollups maintained in the same transactions). The
   time spent inside rollup maintenance is measured on its own: rollup_rps = N / that time.
2. glapp: `metric_table` for NPS by touchpoint × month over the demo's 12 months, with 95 %
   intervals and each month's change test against the month before (Benjamini–Hochberg across
   the table), exactly what the API and the trend page compute. Run --repeat times; p50.
3. Baseline: the same table computed from the raw rows with pandas: read every NPS answer
   with its response's touchpoint and time from the same database (`pandas.read_sql`), bucket
   by local month, count promoters/passives/detractors per touchpoint × month, and compute the
   same intervals and change tests with the same `stats` functions. Timed twice: including the
   read (what a dashboard without rollups pays per view) and on rows already in memory.
   speedup_vs_pandas uses the in-memory figure, the stricter of the two.

Goals: p50 ≤ 50 ms; ≥ 100x faster than pandas; rollup maintenance ≥ 5,000 responses/s.
Last line: p50_ms=<x> speedup_vs_pandas=<y> rollup_rps=<z>
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_speed  # noqa: E402  (shares the fresh-database setup)


def load_demo(responses: int, end: dt.date) -> tuple[float, float]:
    """Returns (load seconds, seconds spent maintaining rollups)."""
    from django.core.management import call_command

    from glapp.analytics import actions

    spent = [0.0]
    original = actions.add_responses

    def timed(organization_id, rows):
        started = time.perf_counter()
        try:
            return original(organization_id, rows)
        finally:
            spent[0] += time.perf_counter() - started

    actions.add_responses = timed  # the receiver looks it up at call time
    try:
        started = time.perf_counter()
        call_command("demo", "--responses", str(responses), "--end", end.isoformat(), "--no-serve",
                     "--skip-analysis", stdout=io.StringIO())
        return time.perf_counter() - started, spent[0]
    finally:
        actions.add_responses = original


def the_query(end: dt.date):
    from glapp.analytics.queries import MetricQuery

    start = (end - dt.timedelta(days=364)).replace(day=1)
    return MetricQuery("nps", ("touchpoint",), bucket="month", date_from=start, date_to=end)


def time_rollups(access, q, repeat: int) -> tuple[list[float], object]:
    from django.db import reset_queries

    from glapp.analytics.queries import metric_table

    table = metric_table(access, q)  # warm: imports, connection, page cache
    times = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        table = metric_table(access, q)
        times.append(time.perf_counter() - started)
    return times, table


def raw_frame(org_id: int):
    import pandas as pd
    from django.db import connection

    sql = """
        SELECT r.touchpoint_id AS touchpoint, r.submitted_at AS submitted_at, a.number AS score
        FROM responses_answer a JOIN responses_response r ON r.id = a.response_id
        WHERE r.organization_id = %s AND a.question_type = 'nps'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id])
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=["touchpoint", "submitted_at", "score"])
    frame["touchpoint"] = frame["touchpoint"].fillna(0).astype("int64")  # the relationship survey has none
    return frame


def pandas_table(frame, q, tz: str):
    """The same table from raw rows: bucket, count, then the same stats per cell."""
    import pandas as pd

    from glapp.core import stats

    at = pd.to_datetime(frame["submitted_at"], utc=True).dt.tz_convert(tz)
    day = at.dt.date
    keep = (day >= q.date_from) & (day <= q.date_to)
    f = frame.loc[keep]
    month = at[keep].dt.tz_localize(None).dt.to_period("M")
    category = pd.cut(f["score"], bins=[-1, 6, 8, 10], labels=["d", "p", "r"])
    counts = pd.crosstab([f["touchpoint"], month], category)
    cells = {}
    for (tp, period), row in counts.iterrows():
        cells[(tp, period)] = (int(row.get("r", 0)), int(row.get("p", 0)), int(row.get("d", 0)))
    results = []
    tests = []
    for (tp, period), (r, p, d) in cells.items():
        est = stats.nps_estimate(r, p, d)
        before = cells.get((tp, period - 1))
        change = stats.nps_difference((r, p, d), before) if before else None
        results.append((tp, period, est, change))
        if change is not None:
            tests.append(change.p_value)
    stats.benjamini_hochberg(tests)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=10_000_000, help="demo responses (default 10,000,000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of the rollup query")
    parser.add_argument("--pandas-repeat", type=int, default=3, help="timed runs of the pandas baseline")
    parser.add_argument("--keep", help="use (and keep) this directory for the database; a loaded one is reused")
    args = parser.parse_args()

    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="glapp-metrics-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("GLAPP_TIME_ZONE", "Europe/Stockholm")
    import_speed.setup_django(data_dir)

    from django.conf import settings

    from glapp.accounts.models import Role
    from glapp.accounts.queries import Access
    from glapp.demo import loader
    from glapp.responses.models import Response

    end = dt.date(2026, 6, 30)  # a fixed story: the same data every run
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    org = loader.find_demo_org() if args.keep else None
    if org is not None and Response.objects.filter(organization=org).count() == args.responses:
        print(f"== reusing {args.responses:,} demo responses in {data_dir}", flush=True)
        load_seconds = rollup_seconds = None
    else:
        print(f"== loading {args.responses:,} demo responses into {data_dir}", flush=True)
        load_seconds, rollup_seconds = load_demo(args.responses, end)
        org = loader.find_demo_org()
        print(f"load: {load_seconds:8.1f} s ({args.responses / load_seconds:,.0f} responses/s), of which "
              f"rollups {rollup_seconds:.1f} s", flush=True)

    from glapp.analytics.models import Rollup

    access = Access(org, Role.ADMIN)
    q = the_query(end)
    rollup_rows = Rollup.objects.filter(organization=org).count()
    grain_rows = Rollup.objects.filter(organization=org, grain=1, source="nps").count()
    print(f"rollup rows: {rollup_rows:,} in all grains; {grain_rows:,} NPS rows in the grain the query reads")

    print(f"== rollups: NPS by touchpoint × month, {args.repeat} runs", flush=True)
    times, table = time_rollups(access, q, args.repeat)
    p50 = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * .95) - 1)]
    print(f"glapp: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, {len(table.cells)} cells, "
          f"{sum(c.change_significant for c in table.cells)} significant changes")

    print("== pandas on raw rows", flush=True)
    with_read, in_memory = [], []
    for _ in range(args.pandas_repeat):
        started = time.perf_counter()
        frame = raw_frame(org.id)
        loaded = time.perf_counter()
        results = pandas_table(frame, q, settings.TIME_ZONE)
        done = time.perf_counter()
        with_read.append(done - started)
        in_memory.append(done - loaded)
        del frame
    check = {(tp, period.start_time.date()): est.n for tp, period, est, _ in results}
    ours = {(table_tp, c.bucket): c.estimate.n for c in table.cells for table_tp in [_tp_id(c, org)]}
    if check != ours:
        raise SystemExit(f"pandas and rollups disagree on n per cell: {len(check)} vs {len(ours)} cells")
    pandas_read, pandas_mem = statistics.median(with_read), statistics.median(in_memory)
    print(f"pandas: {pandas_read:.2f} s with the read, {pandas_mem:.2f} s on rows in memory "
          f"({len(results)} cells; same n per cell as the rollups)")
    speedup = pandas_mem / p50
    rollup_rps = args.responses / rollup_seconds if rollup_seconds else float("nan")
    print(f"speedup: {pandas_read / p50:,.0f}x against pandas with the read, {speedup:,.0f}x in memory")
    print(f"p50_ms={p50 * 1000:.2f} speedup_vs_pandas={speedup:.0f} rollup_rps={rollup_rps:.0f}")


def _tp_id(cell, org) -> int:
    from glapp.journeys.models import Touchpoint

    code = cell.members[0].code
    if not code:
        return 0
    cache = _tp_id.__dict__.setdefault("cache", {})
    if code not in cache:
        cache[code] = Touchpoint.objects.filter(organization=org, code=code).values_list("id", flat=True).first()
    return cache[code]


if __name__ == "__main__":
    main()
