"""Before and after: run benchmarks on an older commit and on this tree, alternating, and print
each figure's median per side and the change.

    .venv/bin/python benchmarks/compare.py --base 0d602fb              # the five below, 3 runs each
    .venv/bin/python benchmarks/compare.py --base HEAD~3 --runs 5 metrics text_speed
    .venv/bin/python benchmarks/compare.py --base 0d602fb import         # the import's seconds

The older commit is checked out into a temporary git worktree (removed afterwards), and both sides
run with this tree's virtualenv, so only the code differs. Runs alternate (before, after, before …)
so a machine that slows down mid-way slows both sides alike. Each benchmark's last line of
`name=value` pairs (or JSON object) is what is compared. Run it on a quiet machine: on a busy one a single
version's figures vary by more than the changes worth finding.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BENCHMARKS = {
    "ingest": ["benchmarks/ingest.py", "--rows", "200000"],
    # Seconds, not only the ratio: the ratio's bare baseline varies by ±15 % between runs by itself.
    "import": ["benchmarks/import_speed.py", "--rows", "200000", "--json"],
    "metrics": ["benchmarks/metrics.py", "--responses", "100000"],
    "text_speed": ["benchmarks/text_speed.py"],
    "respond": ["benchmarks/respond.py"],
    "api_load": ["benchmarks/api_load.py"],
}


def figures(line: str) -> dict[str, float]:
    """The numbers of a `name=value …` line, or of a JSON object's numeric fields."""
    if line.startswith("{"):
        fields = json.loads(line).items()
        return {k: float(v) for k, v in fields if isinstance(v, int | float) and not isinstance(v, bool)}
    return {name: float(value) for name, value in re.findall(r"(\w+)=(-?[\d.]+)", line)}


def run(tree: Path, args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, *args], cwd=tree, capture_output=True, text=True, check=False)
    lines = [line for line in out.stdout.strip().splitlines() if "=" in line or line.startswith("{")]
    if out.returncode or not lines:
        raise SystemExit(f"{' '.join(args)} failed in {tree}:\n{out.stderr[-2000:]}")
    return figures(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with (any git revision)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side and benchmark (default 3)")
    parser.add_argument("names", nargs="*", default=[n for n in BENCHMARKS if n != "import"],
                        help=f"some of: {', '.join(BENCHMARKS)} (default: all but import, which ingest includes)")
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="glapp-compare-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base], cwd=ROOT, check=True)
        try:
            # Translations are compiled, not committed: the older tree needs its own.
            subprocess.run([Path(sys.executable).with_name("django-admin"), "compilemessages", "-v", "0"],
                           cwd=base / "glapp", check=False, capture_output=True)
            for name in args.names:
                seen: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
                for i in range(args.runs):
                    for side, tree in (("before", base), ("after", ROOT)):
                        started = time.monotonic()
                        result = run(tree, BENCHMARKS[name])
                        seen[side].append(result)
                        print(f"{name} {side} run {i + 1} ({time.monotonic() - started:.0f} s): "
                              + " ".join(f"{k}={v:g}" for k, v in result.items()), flush=True)
                for key in seen["before"][0]:
                    before = statistics.median(r[key] for r in seen["before"] if key in r)
                    after = statistics.median(r[key] for r in seen["after"] if key in r)
                    change = f"{100 * (after - before) / before:+.1f} %" if before else "n/a"
                    print(f"{name}.{key}: before {before:g} after {after:g} change {change}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
