"""Ingestion benchmark: file import and sustained API writes, each against a same-run baseline.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--duration 20] [--concurrency 12]

1. Import: glapp imports N demo responses from CSV into a fresh SQLite database (the same
   code path as `glapp import`), and the baseline reads the same file with csv.reader and
   inserts it with sqlite3.executemany into a bare table with the same columns and PRAGMAs.
2. API: `glapp serve --workers 2` on a fresh SQLite database; wrk drives sustained
   POST /api/v1/responses with unique payloads, and the same load on GET /api/v1/health is the
   framework-ceiling baseline.

Goals: import_ratio ≤ 3; api_rps ≥ 300 with api_p99_ms ≤ 100. The last line is machine-readable:
    import_ratio=<glapp time / bare time> api_rps=<n> api_p99_ms=<n>
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load
import import_speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="responses to import (default 1,000,000)")
    parser.add_argument("--csv", help="import this file instead of generating the demo file")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sustained API load")
    parser.add_argument("--concurrency", type=int, default=12, help="open connections for the API load")
    args = parser.parse_args()

    print(f"== import of {args.rows:,} responses from CSV into SQLite", flush=True)
    imp = import_speed.run(args.rows, args.csv)
    print(f"glapp import:  {imp['glapp_seconds']:8.2f} s  {imp['glapp_rows_per_second']:>10,.0f} rows/s")
    print(f"bare baseline: {imp['baseline_seconds']:8.2f} s  {imp['baseline_rows_per_second']:>10,.0f} rows/s")
    print(f"schema floor:  {imp['schema_floor_seconds']:8.2f} s  (stored rows replayed into glapp's own tables "
          f"with executemany: {imp['schema_floor_ratio']:.2f}x bare; a reference, not the baseline)")
    print(f"one-table floor:{imp['one_table_floor_seconds']:7.2f} s  (one indexed row per response and a rollup "
          f"in SQL, nothing validated: {imp['one_table_floor_ratio']:.2f}x bare; a reference)")
    print(f"stored {imp['responses_stored']:,} responses and {imp['answers_stored']:,} answers")

    print(f"== POST /api/v1/responses, {args.duration:.0f} s, {args.concurrency} connections, 2 workers", flush=True)
    api = api_load.run(duration=args.duration, concurrency=args.concurrency)
    a, b = api["api"], api["baseline_health"]
    print(f"POST responses: {a['rps']} rps, p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms, errors {a['errors']}")
    print(f"GET health (baseline): {b['rps']} rps, p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms")
    print(f"POST/health throughput ratio: {api['ratio_to_baseline']}; "
          f"rows stored match successful POSTs: {api['stored_ok']}")
    if not api["stored_ok"] or a["errors"]:
        print(api["server_log_tail"], file=sys.stderr)
    print(f"import_ratio={imp['import_ratio']:.2f} api_rps={api['api_rps']} api_p99_ms={api['api_p99_ms']}")


if __name__ == "__main__":
    main()
