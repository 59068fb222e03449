"""API ingest under sustained load: POST /api/v1/responses against the real server.

    python benchmarks/api_load.py [--duration 20] [--concurrency 12] [--warmup 3]

Starts `glapp serve --workers 2` on a fresh SQLite database in a temporary directory (migrated,
one organization with units, a journey, an NPS survey and an API key; GLAPP_DEMO=1, log level
WARNING), then drives it with `wrk` (installed with apt-get when missing): a Lua script makes
every request a realistic, unique response (its own external_id, scores, a comment, a customer,
metadata). Same-run baseline: `GET /api/v1/health` (no auth, one `SELECT 1`) under the same
load shows the ceiling of server + framework on this machine.

Rate limits are ON, as in production: every request, the health checks too, goes through the
API's limiter (`api/throttle.py`, `core/ratelimit.py`), which counts it in the cache against the
API key's windows (`GLAPP_API_RATE_LIMIT`; calls without a key against the client address's,
`GLAPP_API_ANON_RATE_LIMIT`). Only the limits are raised, in the server's environment
(`BENCH_RATE_LIMITS`), above what one key and one address send here (the default, 100/s per key,
would refuse most of the load): the run measures what the limiter costs, not its refusals.

After the run the database is checked: stored responses must equal the 201s wrk counted.
Prints a summary and, last, `api_rps=<n> api_p99_ms=<n> health_rps=<n> health_p99_ms=<n>
ratio=<n>` (ratio: POST responses/s over health requests/s of the same run, the figure that
compares between machines and between runs on a busy one). `run(duration, concurrency)`
returns the numbers as a dict for benchmarks/ingest.py.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from glapp.accounts.actions import create_api_key
from tests.factories import make_org
org = make_org("bench")
_, key = create_api_key(org, "load test", ["responses:write", "responses:read"])
print(key)
"""

# wrk runs one Lua state per thread; `setup` hands each its number so external ids never collide.
POST_LUA = r"""
local counter = 0
local threads = {}
IDEMPOTENCY = false
-- `thread_no` is a global that setup() sets in each thread's own Lua state.
local comments = {
  "Snabbt och trevligt bemötande", "Fick vänta länge i telefonkön, men till slut löste det sig",
  "Bra, men fakturan var fel", "Personalen i butiken var hjälpsam", "Appen krånglade vid inloggningen",
  "Allt fungerade som det skulle", "Dyrt jämfört med andra", "Leveransen kom en dag för sent",
}
local units = {"bench-north-store", "bench-south-store", "bench-north", "bench-south"}
local channels = {"email", "sms", "web", "app"}
local reasons = {"price", "service"}
local agents = {"Anna", "Bo", "Cecilia", "David", "Eva"}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(thread_no * 7919 + os.time())
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"survey":"nps","external_id":"RUN-%d-%d","submitted_at":"2026-05-%02dT%02d:%02d:00+02:00",' ..
    '"unit":"%s","channel":"%s","language":"sv","customer":{"external_id":"C-%d","segment":"private"},' ..
    '"metadata":{"campaign":"spring","agent":"%s"},' ..
    '"answers":{"nps":%d,"ces":%d,"reason":"%s","comment":"%s"}}',
    thread_no, counter, math.random(1, 28), math.random(8, 20), math.random(0, 59),
    units[math.random(#units)], channels[math.random(#channels)], math.random(1, 50000),
    agents[math.random(#agents)], math.random(0, 10), math.random(1, 7), reasons[math.random(#reasons)],
    comments[math.random(#comments)])
  local headers = nil
  if IDEMPOTENCY then
    -- A headers table replaces wrk's defaults (the -H ones), so copy them first.
    headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Idempotency-Key"] = string.format("RUN-%d-%d", thread_no, counter)
  end
  return wrk.format("POST", "/api/v1/responses", headers, body)
end
"""

REPORT_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing; installing it with apt-get …", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is required: apt-get install wrk")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 180.0) -> None:
    # Generous: on a busy machine two workers and the task worker take a minute to import Django.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url} within {timeout:.0f}s")


def run_wrk(wrk: str, url: str, script: Path, duration: float, concurrency: int, key: str,
            threads: int | None = None) -> dict:
    threads = threads or max(1, min(2, concurrency))
    cmd = [wrk, f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--latency",
           "-H", f"Authorization: Bearer {key}", "-H", "Content-Type: application/json", "-s", str(script), url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "requests": raw["requests"],
        "ok": raw["requests"] - raw["status"],
        "rps": round((raw["requests"] - errors) / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": errors,
        "error_kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
    }


# The rate limits stay on (every request is counted, as in production), set above what one key
# and one address can send here, so the run measures their cost rather than their refusals.
BENCH_RATE_LIMITS = {"GLAPP_API_RATE_LIMIT": "100000000/min,10000000/s",
                     "GLAPP_API_ANON_RATE_LIMIT": "100000000/min,10000000/s"}


def bench_env(tmpdir: Path) -> dict:
    """The environment of a benchmark server: a fresh SQLite database in `tmpdir`, demo mode,
    quiet logs, rate limits counted but not reached, and nothing inherited that would point it
    elsewhere."""
    env = {**os.environ, "GLAPP_DATA_DIR": str(tmpdir), "GLAPP_DEMO": "1", "GLAPP_LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "glapp.config.settings", "PYTHONPATH": str(ROOT), **BENCH_RATE_LIMITS}
    for name in ("DATABASE_URL", "GLAPP_TESTING", "GLAPP_DEBUG"):
        env.pop(name, None)
    return env


def start_server(env: dict, tmpdir: Path, workers: int, threads: int | None = None) -> tuple[subprocess.Popen, str]:
    """`glapp serve` on a free loopback port, logging to tmpdir/server.log; returns it and its base URL
    once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "glapp.cli.main", "serve", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         *(["--threads", str(threads)] if threads else [])],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmpdir / "server.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health")
    except BaseException:
        stop_server(server)
        raise
    return server, base


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # the gunicorn master and its workers, all ours
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def run(duration: float = 20.0, concurrency: int = 12, warmup: float = 3.0, workers: int = 2,
        threads: int | None = None, idempotency: bool = False) -> dict:
    """Numbers for one run; `idempotency` adds a unique Idempotency-Key to every POST."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="glapp-api-load-") as tmp:
        tmpdir = Path(tmp)
        env = bench_env(tmpdir)
        key = subprocess.run([PYTHON, "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
        lua = POST_LUA.replace("IDEMPOTENCY = false", f"IDEMPOTENCY = {str(idempotency).lower()}")
        post_script = tmpdir / "post.lua"
        post_script.write_text(lua.replace("RUN-", "load-") + REPORT_LUA)
        warm_script = tmpdir / "warm.lua"  # other external ids, so the measured run creates every response
        warm_script.write_text(lua.replace("RUN-", "warm-") + REPORT_LUA)
        get_script = tmpdir / "get.lua"
        get_script.write_text(REPORT_LUA)

        server, base = start_server(env, tmpdir, workers, threads)
        try:
            run_wrk(wrk, f"{base}/api/v1/health", get_script, warmup, concurrency, key)
            warm = run_wrk(wrk, f"{base}/api/v1/responses", warm_script, warmup, concurrency, key)
            baseline = run_wrk(wrk, f"{base}/api/v1/health", get_script, duration, concurrency, key)
            api = run_wrk(wrk, f"{base}/api/v1/responses", post_script, duration, concurrency, key)
        finally:
            stop_server(server)
        with sqlite3.connect(tmpdir / "glapp.sqlite3") as db:
            stored = db.execute("SELECT COUNT(*) FROM responses_response").fetchone()[0]
        log_tail = (tmpdir / "server.log").read_text()[-2000:]
    expected = warm["ok"] + api["ok"]
    # wrk stops counting at the deadline; up to one request per connection per run is still
    # answered (and stored) after that.
    stored_ok = expected <= stored <= expected + 2 * concurrency
    return {
        "duration_s": duration, "concurrency": concurrency, "workers": workers, "idempotency": idempotency,
        "api": api, "baseline_health": baseline,
        "stored": stored, "stored_expected": expected, "stored_ok": stored_ok,
        "api_rps": api["rps"], "api_p99_ms": api["p99_ms"],
        "ratio_to_baseline": round(api["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
        "server_log_tail": log_tail if api["errors"] or not stored_ok else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="Threads per worker (default: serve's)")
    parser.add_argument("--idempotency", action="store_true", help="Send a unique Idempotency-Key with every POST")
    args = parser.parse_args()
    result = run(args.duration, args.concurrency, args.warmup, args.workers, args.threads, args.idempotency)
    api, base = result["api"], result["baseline_health"]
    print(f"POST /api/v1/responses: {api['rps']} rps, p50 {api['p50_ms']} ms, p95 {api['p95_ms']} ms, "
          f"p99 {api['p99_ms']} ms, max {api['max_ms']} ms, errors {api['errors']} "
          f"({result['concurrency']} connections, {result['workers']} workers, {result['duration_s']:.0f} s"
          f"{', with Idempotency-Key' if result['idempotency'] else ''})")
    print(f"GET /api/v1/health (baseline): {base['rps']} rps, p50 {base['p50_ms']} ms, p99 {base['p99_ms']} ms, "
          f"errors {base['errors']}")
    print(f"stored responses: {result['stored']} (wrk counted {result['stored_expected']} created, plus those in "
          f"flight at the deadline); "
          f"ingest/baseline throughput ratio {result['ratio_to_baseline']}")
    if result["server_log_tail"]:
        print("server log (tail):\n" + result["server_log_tail"], file=sys.stderr)
    print(f"api_rps={api['rps']} api_p99_ms={api['p99_ms']} health_rps={base['rps']} "
          f"health_p99_ms={base['p99_ms']} ratio={result['ratio_to_baseline']}")
    if api["errors"] or not result["stored_ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
