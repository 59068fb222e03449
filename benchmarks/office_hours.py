"""SLA due times counted in office hours: how many per second, against plain elapsed time.

    .venv/bin/python benchmarks/office_hours.py [--cases 20000] [--repeat 3]

Every case gets a due time when it opens and every case list shows a countdown, so both must
cost next to nothing. `--cases` cases opened at random moments over two years (nights,
weekends, Swedish holidays, both clock changes), each with an SLA of 4, 8, 24 or 48 office
hours, on the default calendar (08:00–17:00 Monday–Friday, Europe/Stockholm, Swedish public
holidays and de facto days off). Timed, median of `--repeat`:

- cold: a new calendar and empty holiday caches for each run (a process's first cases);
- warm: the same calendar again (its days already worked out, as in a running server);
- countdown: `office_seconds_between(now, due)` for every case;
- baseline, same run: `start + timedelta(hours=…)`, the due time in calendar hours.

Last line: due_per_s=<cold> warm_per_s=<warm> countdown_per_s=<…> baseline_per_s=<…>
cold_ms=<time for all cases, cold>
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from glapp.cases import office_hours  # noqa: E402
from glapp.cases.office_hours import OfficeCalendar  # noqa: E402

SLA_HOURS = (4, 8, 24, 48)


def cases(count: int, seed: int = 7) -> list[tuple[dt.datetime, float]]:
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    span = 2 * 365 * 86400
    return [(start + dt.timedelta(seconds=rng.randrange(span)), rng.choice(SLA_HOURS)) for _ in range(count)]


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = cases(args.cases)
    n = len(work)

    def cold():
        office_hours.holiday_dates.cache_clear()
        calendar = OfficeCalendar()
        for start, hours in work:
            calendar.add_office_hours(start, hours)

    warm_calendar = OfficeCalendar()
    dues = [warm_calendar.add_office_hours(start, hours) for start, hours in work]

    def warm():
        for start, hours in work:
            warm_calendar.add_office_hours(start, hours)

    def countdown():
        for (start, _), due in zip(work, dues, strict=True):
            warm_calendar.office_seconds_between(start, due)

    def baseline():
        for start, hours in work:
            start + dt.timedelta(hours=hours)  # the baseline's whole work

    cold_s, warm_s, countdown_s, baseline_s = (timed(fn, args.repeat) for fn in (cold, warm, countdown, baseline))
    print(f"{n:,} due times, SLAs of {', '.join(map(str, SLA_HOURS))} office hours, random starts over 2025–2026")
    print(f"cold (new calendar, empty caches): {cold_s * 1000:8.1f} ms  {n / cold_s:>12,.0f} due times/s")
    print(f"warm (a running server):           {warm_s * 1000:8.1f} ms  {n / warm_s:>12,.0f} due times/s")
    print(f"countdowns (office seconds left):  {countdown_s * 1000:8.1f} ms  {n / countdown_s:>12,.0f} /s")
    print(f"baseline (start + timedelta):      {baseline_s * 1000:8.1f} ms  {n / baseline_s:>12,.0f} /s "
          f"(office hours cost {cold_s / baseline_s:.0f}x cold, {warm_s / baseline_s:.0f}x warm)")
    print(f"due_per_s={n / cold_s:.0f} warm_per_s={n / warm_s:.0f} countdown_per_s={n / countdown_s:.0f} "
          f"baseline_per_s={n / baseline_s:.0f} cold_ms={cold_s * 1000:.1f}")


if __name__ == "__main__":
    main()
