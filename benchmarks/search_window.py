"""A comment search that finds nothing on a large organization, one page of the API's list.

    .venv/bin/python benchmarks/search_window.py [--responses 600000] [--repeat 3] [--keep DIR]

`GET /api/v1/responses?q=<200 characters>&has_comment=true` reads comments, which no index
narrows. glapp reads at most GLAPP_SEARCH_WINDOW (20,000) responses a page and hands back a cursor
to go on; the same-run baseline is the same query with the window larger than the organization
(what every page did before: read every comment to fill a page that stays empty).

Last line: window_ms=<x> baseline_ms=<y> speedup=<y / x>
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_speed  # noqa: E402  (shares the demo database's setup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="use (and keep) this directory for the database; a loaded one is reused")
    args = parser.parse_args()

    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="glapp-search-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    org = import_speed.demo_org(data_dir, args.responses)
    from django.conf import settings

    from glapp.accounts.queries import Access
    from glapp.responses.queries import ResponseFilter, page_of_responses

    access = Access(organization=org, role="admin")
    query = ("ingen kommentar säger detta " * 8)[:200]
    search = ResponseFilter(has_comment=True, q=query)

    def page() -> tuple[int, bool]:
        rows, cursor = page_of_responses(access, search, None, 100)
        return len(rows), cursor is not None

    def timed(window: int) -> tuple[float, tuple]:
        settings.GLAPP_SEARCH_WINDOW = window
        result = page()  # warm the page cache: both sides read a warm database
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = page()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000, result

    window = settings.GLAPP_SEARCH_WINDOW
    window_ms, found = timed(window)
    base_ms, base_found = timed(args.responses * 10)
    print(f"{args.responses:,} responses; a 200-character search, one page of 100")
    print(f"  window of {window:,}: {window_ms:,.0f} ms (rows, has next cursor: {found})")
    print(f"  whole organization: {base_ms:,.0f} ms (rows, has next cursor: {base_found})")
    print(f"window_ms={window_ms:.1f} baseline_ms={base_ms:.1f} speedup={base_ms / max(window_ms, 1e-9):.1f}")


if __name__ == "__main__":
    main()
