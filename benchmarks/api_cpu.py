"""CPU per API request, in one process: POST /api/v1/responses against GET /api/v1/health.

    python benchmarks/api_cpu.py [--requests 200] [--blocks 5] [--profile 40]

The same server code as `api_load.py` (the same settings, a fresh SQLite database in a temporary
directory, one organization from the test factories, an API key, rate limits on but raised out of
reach, log level WARNING) driven through Django's test client, so no HTTP server, no wrk and no
other process take part. It measures CPU time of this process (`time.process_time`), not wall
time, so other work on a busy machine barely moves it: the figure to compare before and after a
change to the request path when `api_load.py`'s throughput swings with the machine's load. Not a
throughput figure: HTTP parsing, the gunicorn workers and the task worker are left out.

Requests are realistic and unique, as api_load's Lua script makes them (a new external id, a
customer of 50,000, a comment, metadata). POSTs and health checks run in alternating blocks; the
medians per block are printed, last as `post_cpu_ms=<n> health_cpu_ms=<n> ratio=<n>` (health
over POST: what the throughput ratio would be if a request cost only its CPU here), and
`post_lock_cpu_ms`: the CPU of a POST spent holding the write lock (`core/writelock.py`), which
every writer of every server process takes in turn on SQLite: 1000 / it is the most POSTs a
second any number of processes can store.
`--profile N` then profiles one more block of POSTs and prints the N functions of glapp, ninja
and pydantic with the most cumulative time.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMENTS = ["Snabbt och trevligt bemötande", "Fick vänta länge i telefonkön, men till slut löste det sig",
            "Bra, men fakturan var fel", "Personalen i butiken var hjälpsam", "Appen krånglade vid inloggningen"]
UNITS = ["bench-north-store", "bench-south-store", "bench-north", "bench-south"]


def setup(tmpdir: Path):
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from api_load import bench_env  # the server's environment, so both benchmarks run one configuration

    os.environ.clear()
    os.environ.update(bench_env(tmpdir))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.test import Client

    from glapp.accounts.actions import create_api_key
    from tests.factories import make_org

    _, key = create_api_key(make_org("bench"), "load test", ["responses:write", "responses:read"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per block")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print this many functions of a profiled block")
    args = parser.parse_args()
    tmpdir = Path(tempfile.mkdtemp(prefix="glapp-api-cpu-"))
    try:
        client = setup(tmpdir)
        rng = random.Random(1)
        sent = 0

        def post():
            nonlocal sent
            sent += 1
            body = {"survey": "nps", "external_id": f"cpu-{sent}",
                    "submitted_at": f"2026-05-{rng.randint(1, 28):02d}T{rng.randint(8, 20):02d}:00:00+02:00",
                    "unit": rng.choice(UNITS), "channel": "email", "language": "sv",
                    "customer": {"external_id": f"C-{rng.randint(1, 50000)}", "segment": "private"},
                    "metadata": {"campaign": "spring", "agent": "Anna"},
                    "answers": {"nps": rng.randint(0, 10), "ces": rng.randint(1, 7), "reason": "price",
                                "comment": rng.choice(COMMENTS)}}
            resp = client.post("/api/v1/responses", json.dumps(body), content_type="application/json")
            assert resp.status_code == 201, resp.content

        def health():
            assert client.get("/api/v1/health").status_code == 200

        import contextlib

        from glapp.core import writelock

        held = []
        taken = writelock.serialized

        @contextlib.contextmanager
        def timed_turn():
            with taken():
                started = time.process_time()
                try:
                    yield
                finally:
                    held.append(time.process_time() - started)

        writelock.serialized = timed_turn
        for _ in range(50):  # caches, the catalog, the first customers
            post()
            health()
        posts, healths, locks = [], [], []
        for _ in range(args.blocks):
            for run, seen in ((post, posts), (health, healths)):
                held.clear()
                started = time.process_time()
                for _ in range(args.requests):
                    run()
                seen.append((time.process_time() - started) / args.requests * 1000)
                if run is post:
                    locks.append(sum(held) / args.requests * 1000)
        p, h = statistics.median(posts), statistics.median(healths)
        print(f"POST /api/v1/responses: {p:.2f} ms CPU a request (blocks: {', '.join(f'{x:.2f}' for x in posts)})")
        print(f"GET /api/v1/health: {h:.2f} ms CPU a request (blocks: {', '.join(f'{x:.2f}' for x in healths)})")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(lambda: [post() for _ in range(args.requests)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats("glapp|ninja|pydantic", args.profile)
        print(f"POST holding the write lock: {statistics.median(locks):.2f} ms CPU a request")
        print(f"post_cpu_ms={p:.3f} health_cpu_ms={h:.3f} ratio={h / p:.3f} "
              f"post_lock_cpu_ms={statistics.median(locks):.3f}")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()
