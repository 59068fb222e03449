"""The cost of one analysis task for a few new comments, in a large organization.

    python benchmarks/analysis_task.py [--db sqlite|postgres] [--base 500000] [--code DIR] [--repeat 3]

On a copy of the soak benchmark's cached base (`--base` analysed responses, see
benchmarks/soak.py), each repetition stores one response with a comment through the ingest path
and times the analysis of its response range (`analyze_pending` with the range, what a task for
one arrival runs). `--code DIR` runs the timing with another checkout's `glapp` (e.g. a
`git archive` of an earlier commit), for a before/after on the same data in the same run. Last
line: `task_s=<median seconds> base=<n>`.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.soak import prepare_database  # noqa: E402

TIME = r"""
import statistics, sys, time
import django
django.setup()
from glapp.accounts.models import Organization
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.validation import clean_response
from glapp.textanalytics.actions import analyze_pending
from tests.factories import response_payload

org = Organization.objects.get(slug="bench")
catalog = Catalog.load(org.id)
times = []
for n in range(int(sys.argv[1])):
    payload = response_payload(external_id=f"task-{n}-{time.time()}", answers={"nps": 3, "comment": "Kön var lång."})
    [response] = ingest_responses(org.id, [clean_response(payload, catalog)], "api")
    started = time.perf_counter()
    assert analyze_pending(org.id, first_response_id=response.id, last_response_id=response.id) == 1
    times.append(time.perf_counter() - started)
print(" ".join(f"{t:.3f}" for t in times))
print(statistics.median(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--base", type=int, default=500_000)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose glapp is timed (default: this one)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="glapp-analysis-task-") as tmp:
        env, _ = prepare_database(args.db, args.base, Path(tmp))
        env["PYTHONPATH"] = str(args.code.resolve())
        out = subprocess.run([sys.executable, "-c", TIME, str(args.repeat)], env=env, cwd=args.code, check=True,
                             stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()
    print(f"runs (s): {out[-2]}")
    print(f"task_s={float(out[-1]):.3f} base={args.base}")


if __name__ == "__main__":
    main()
