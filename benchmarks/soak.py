"""Soak: sustained API ingest with the worker running, against a large organization.

    python benchmarks/soak.py [--db sqlite|postgres] [--duration 300] [--rate 150] [--events 5]
                              [--base 1000000] [--threads 64] [--settle 120]

A database already holding `--base` analysed responses of one organization (built once with bulk
SQL, see `build_base`, and cached under var/soak/ keyed by its parameters and the migrations;
PostgreSQL: a template database next to DATABASE_URL's, copied for each run) gets, for
`--duration` seconds, `POST /api/v1/responses` at `--rate` a second (half with a comment) and
`POST /api/v1/events` at `--events` a second to a touchpoint whose survey invites at once, from
an open-loop schedule (requests go out when due, however slowly earlier ones were answered).
Real `glapp serve --workers 2` and `glapp worker` processes; the worker's invitation sender runs
every 30 s as in production. After the load, up to `--settle` seconds for the worker to finish.

From the database: the analysis lag (response stored → its comment's analysis stored, p95; a
comment still unanalysed counts with its age at the end), the invitation delay (event stored →
invitation sent, max; one unsent counts with its age), lost (acknowledged but not stored) and
doubled (a response, analysis or invitation stored twice). Also printed: the replies' p50/p99
and the CPU seconds the server, the worker, the client and the rest of the machine (the database
server) used during the load, to tell a slow server from a saturated machine. Last line:
`analysis_lag_p95_s=<t> invitation_delay_max_s=<t> lost=<n> doubled=<n>`.
PostgreSQL: DATABASE_URL names the server and a database name `<name>`; the benchmark keeps its
base as `<name>_soakbase_<key>` and runs on a copy, `<name>_soakrun` (replaced on each run).
"""

import argparse
import hashlib
import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.api_load import bench_env, free_port, stop_server, wait_for  # noqa: E402

PYTHON = sys.executable
# Requests still unsent this long after the schedule's end are dropped (reported as not sent):
# a server that cannot keep up is the finding, not a reason to run on for ever.
OVERRUN = 30.0
TEMPLATE = 2000  # responses ingested and analysed the ordinary way, then copied to make the base
COMMENTS = [
    "Snabbt och trevligt bemötande", "Fick vänta länge i telefonkön, men till slut löste det sig",
    "Bra, men fakturan var fel", "Personalen i butiken var hjälpsam", "Appen krånglade vid inloggningen",
    "Allt fungerade som det skulle", "Dyrt jämfört med andra", "Leveransen kom en dag för sent",
]

# Run in a subprocess with the benchmark's environment: migrate, the organization, its API key,
# the survey that invites at once; with BASE > 0 also the base rows. Prints the API key last.
SETUP = r"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from benchmarks.soak import build_base, prepare_org
print(prepare_org(BASE, TEMPLATE))
"""


def prepare_org(base: int, template: int) -> str:
    """The organization (with the analysed base when `base`), an API key, and a survey on the
    "phone-support" touchpoint that invites at once, at any hour. Returns the key."""
    from glapp.accounts.actions import create_api_key
    from glapp.accounts.models import Organization
    from glapp.contacts.models import ContactPolicy
    from glapp.surveys.models import Survey
    from tests.factories import make_org

    org = Organization.objects.filter(slug="bench").first() or make_org("bench")
    if base:
        build_base(org.id, base, template)
    Survey.objects.filter(organization=org).update(invitation_delay_minutes=0)
    # No quiet hours: the benchmark measures the worker, not the contact policy's night.
    import datetime as dt

    ContactPolicy.objects.update_or_create(organization=org, defaults={"quiet_hours_start": dt.time(0),
                                                                       "quiet_hours_end": dt.time(0)})
    _, key = create_api_key(org, "soak", ["responses:write", "responses:read"])
    return key


def build_base(organization_id: int, base: int, template: int) -> None:
    """`template` responses (half with a comment) through the ingest path, analysed by the
    pipeline; then copied with INSERT … SELECT until the organization holds `base` responses:
    every column as the product wrote it, ids and external ids offset per copy."""
    from django.db import connection, transaction

    from glapp.responses.actions import ingest_responses
    from glapp.responses.catalog import Catalog
    from glapp.responses.models import Answer, Response
    from glapp.responses.validation import clean_response
    from glapp.textanalytics.actions import analyze_pending
    from glapp.textanalytics.models import CommentAnalysis
    from tests.factories import response_payload

    catalog = Catalog.load(organization_id)
    cleaned = []
    for n in range(template):
        answers = {"nps": n % 11, "ces": 1 + n % 7, "reason": ("price", "service")[n % 2]}
        if n % 2:
            answers["comment"] = f"{COMMENTS[n % len(COMMENTS)]} ({n})"
        cleaned.append(clean_response(response_payload(external_id=f"base-{n}", answers=answers,
                                                       customer={"external_id": f"C-{n % 5000}"}), catalog))
    ingest_responses(organization_id, cleaned, "api")
    analyze_pending(organization_id)
    copies = -(-base // template) - 1
    offsets = {}
    for model in (Response, Answer, CommentAnalysis):
        offsets[model] = model.objects.order_by("-id").values_list("id", flat=True).first()
    shift = {  # column → the model whose id offset it takes
        Response: {"id": Response},
        Answer: {"id": Answer, "response_id": Response},
        CommentAnalysis: {"id": CommentAnalysis, "answer_id": Answer, "response_id": Response},
    }
    qn = connection.ops.quote_name
    per_statement = 50
    for start in range(1, copies + 1, per_statement):
        stop = min(copies, start + per_statement - 1)
        if connection.vendor == "postgresql":
            series = f"generate_series({start}, {stop}) AS k(n)"
            prefix = ""
        else:
            series = "k"
            prefix = f"WITH RECURSIVE k(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM k WHERE n < {stop}) "
        with transaction.atomic():
            for model, columns in shift.items():
                names, values = [], []
                for field in model._meta.concrete_fields:
                    column = field.column
                    names.append(qn(column))
                    if column in columns:
                        values.append(f"t.{qn(column)} + k.n * {offsets[columns[column]]}")
                    elif model is Response and column == "external_id":
                        values.append(f"t.{qn(column)} || '-' || k.n")
                    else:
                        values.append(f"t.{qn(column)}")
                sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(names)}) {prefix}"
                       f"SELECT {', '.join(values)} FROM {qn(model._meta.db_table)} t, {series} "
                       f"WHERE t.id <= {offsets[model]}")
                with connection.cursor() as cursor:
                    cursor.execute(sql)
        print(f"base: {stop + 1} of {copies + 1} copies", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in offsets:
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {qn(table)}))")
        cursor.execute("ANALYZE")


# --- Databases -------------------------------------------------------------------------------


def base_key(db: str, base: int) -> str:
    migrations = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "glapp").glob("*/migrations/0*.py"))
    digest = hashlib.sha256(json.dumps([db, base, TEMPLATE, migrations]).encode()).hexdigest()[:10]
    return f"{base}_{digest}"


def run_setup(env: dict, base: int) -> str:
    script = SETUP.replace("BASE", str(base)).replace("TEMPLATE", str(TEMPLATE))
    out = subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return out.stdout.strip().splitlines()[-1]


def pg_admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def prepare_database(db: str, base: int, tmpdir: Path) -> tuple[dict, str]:
    """The environment for the server and worker, on a fresh copy of the cached base; and the key."""
    env = bench_env(tmpdir)
    key = base_key(db, base)
    if db == "sqlite":
        cached = ROOT / "var" / "soak" / f"base-{key}.sqlite3"
        if not cached.exists():
            cached.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix="glapp-soak-base-") as build:
                build_env = bench_env(Path(build))
                run_setup(build_env, base)
                shutil.copy(Path(build) / "glapp.sqlite3", cached)
        shutil.copy(cached, tmpdir / "glapp.sqlite3")
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            raise SystemExit("--db postgres needs DATABASE_URL=postgres://…/<name> (see the docstring)")
        name = urlsplit(url).path.lstrip("/")
        template = f"{name}_soakbase_{key}"
        import psycopg

        try:
            pg_admin(url, f'CREATE DATABASE "{template}"')
            created = True
        except psycopg.errors.DuplicateDatabase:
            created = False
        if created:
            try:
                run_setup({**bench_env(tmpdir), "DATABASE_URL": urlsplit(url)._replace(path=f"/{template}").geturl()},
                          base)
            except BaseException:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{template}"')
                raise
        run = f"{name}_soakrun"
        pg_admin(url, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)', f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
        env["DATABASE_URL"] = urlsplit(url)._replace(path=f"/{run}").geturl()
    return env, run_setup(env, 0)


def start_server(env: dict, tmpdir: Path) -> tuple[subprocess.Popen, str]:
    """`glapp serve --workers 2` on a free loopback port (given a minute to start: the machine
    may be busy), logging to tmpdir/server.log."""
    port = free_port()
    with open(tmpdir / "server.log", "w") as log:
        server = subprocess.Popen([PYTHON, "-m", "glapp.cli.main", "serve", "--workers", "2", "--bind",
                                   f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health", timeout=120)
    except BaseException:
        stop_server(server)
        raise
    return server, base


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and every live descendant (the
    server's forked workers, the worker's loops), from /proc: where the machine's time went."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree = {pid}
    for _ in range(4):  # a few generations deep is all glapp's processes have
        tree |= {p for p, (parent, _) in stats.items() if parent in tree}
    return sum(stats[p][1] for p in tree if p in stats)


def machine_cpu_seconds() -> float:
    """CPU seconds every process of the machine used so far (/proc/stat, all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0


# --- Load ------------------------------------------------------------------------------------


class Load:
    """Open-loop: request i of a stream is due at start + i / rate; threads take the next due one."""

    def __init__(self, base_url: str, api_key: str, duration: float, threads: int = 16):
        self.url = urlsplit(base_url)
        self.key = api_key
        self.duration = duration
        self.threads = threads
        self.acknowledged: dict[str, list] = {"responses": [], "events": []}
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []  # seconds from sending a request to its reply, every request
        self.lock = threading.Lock()

    def run(self, streams: list[tuple[str, float]]) -> None:
        self.start = time.monotonic() + 0.5
        counters = {name: itertools.count() for name, _ in streams}
        rates = dict(streams)
        # One schedule for all streams: the next due request of any stream goes next.
        due = [(self.start, name) for name, rate in streams if rate > 0]
        sent = dict.fromkeys(counters, 0)

        def next_request():
            with self.lock:
                if not due:
                    return None
                due.sort()
                at, name = due[0]
                if at > self.start + self.duration or time.monotonic() > self.start + self.duration + OVERRUN:
                    due.clear()  # the schedule's end; or the server fell so far behind that the rest is dropped
                    return None
                n = next(counters[name])
                sent[name] += 1
                due[0] = (self.start + (n + 1) / rates[name], name)
                return at, name, n

        def worker():
            conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
            while (job := next_request()) is not None:
                at, name, n = job
                time.sleep(max(0.0, at - time.monotonic()))
                path, body, ident = self.request(name, n)
                sent_at = time.monotonic()
                try:
                    conn.request("POST", path, body=body, headers={
                        "Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
                    reply = conn.getresponse()
                    reply.read()
                    status = reply.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
                    status = "error"
                with self.lock:
                    self.latencies.append(time.monotonic() - sent_at)
                    if status in (201, 202):
                        self.acknowledged[name].append(ident)
                    else:
                        self.errors[f"{name} {status}"] = self.errors.get(f"{name} {status}", 0) + 1
            conn.close()

        pool = [threading.Thread(target=worker, daemon=True) for _ in range(self.threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        self.sent = sent

    @staticmethod
    def request(name: str, n: int) -> tuple[str, bytes, str]:
        if name == "responses":
            ident = f"soak-{n}"
            answers = {"nps": n % 11, "ces": 1 + n % 7, "reason": ("price", "service")[n % 2]}
            if n % 2 == 0:
                answers["comment"] = f"{COMMENTS[n % len(COMMENTS)]} (soak {n})"
            body = {"survey": "nps", "external_id": ident, "submitted_at": "2026-05-03T10:15:00+02:00",
                    "channel": "email", "language": "sv", "customer": {"external_id": f"S-{n % 20000}"},
                    "answers": answers}
            return "/api/v1/responses", json.dumps(body).encode(), ident
        ident = f"soak-event-{n}"
        body = {"id": ident, "touchpoint": "phone-support", "interaction": "call",
                "customer": {"external_id": f"E-{n}", "first_name": "Anna", "email": f"e{n}@example.se",
                             "consent_email": True}}
        return "/api/v1/events", json.dumps(body).encode(), ident


# --- Measurement -----------------------------------------------------------------------------

MEASURE = r"""
import json, sys
import django
django.setup()
from benchmarks.soak import measure
print(json.dumps(measure(json.load(open(sys.argv[1])))))
"""


def measure(acknowledged: dict) -> dict:
    """Lag, delay, lost and doubled, from the database (run in the benchmark's environment)."""
    from django.db.models import Count
    from django.utils import timezone

    from glapp.distribution.models import Invitation, TouchpointEvent
    from glapp.responses.models import Answer, Response
    from glapp.textanalytics.models import CommentAnalysis

    now = timezone.now()
    responses = Response.objects.filter(external_id__startswith="soak-")
    stored = set(responses.values_list("external_id", flat=True))
    comments = Answer.objects.filter(response__external_id__startswith="soak-", question_type="text").exclude(text="")
    created = dict(comments.values_list("id", "response__created_at"))
    analyzed = dict(CommentAnalysis.objects.filter(answer_id__in=list(created)).values_list("answer_id", "analyzed_at"))
    lags = sorted(((analyzed.get(a) or now) - at).total_seconds() for a, at in created.items())
    events = TouchpointEvent.objects.filter(external_id__startswith="soak-event-")
    received = dict(events.values_list("id", "created_at"))
    sent = {}
    for event_id, sent_at, status in Invitation.objects.filter(event_id__in=list(received)).values_list(
            "event_id", "sent_at", "status"):
        sent[event_id] = sent_at if status == "sent" else None
    delays = sorted(((sent.get(e) or now) - at).total_seconds() for e, at in received.items())
    doubled = (
        responses.values("external_id").annotate(n=Count("id")).filter(n__gt=1).count()
        + CommentAnalysis.objects.values("answer_id").annotate(n=Count("id")).filter(n__gt=1).count()
        + Invitation.objects.filter(event_id__in=list(received)).values("event_id").annotate(
            n=Count("id")).filter(n__gt=1).count())

    def pct(values, p):
        return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0

    return {
        "acknowledged": len(acknowledged["responses"]), "stored": len(stored),
        "lost": len(set(acknowledged["responses"]) - stored)
        + len(set(acknowledged["events"]) - set(events.values_list("external_id", flat=True))),
        "doubled": doubled, "comments": len(created), "unanalysed": len(created) - len(analyzed),
        "lag_p50_s": pct(lags, 0.5), "lag_p95_s": pct(lags, 0.95), "lag_max_s": lags[-1] if lags else 0.0,
        "events": len(received), "invited": len(sent), "unsent": sum(1 for e in received if not sent.get(e)),
        "delay_p50_s": pct(delays, 0.5), "delay_max_s": delays[-1] if delays else 0.0,
    }


def run_measure(env: dict, tmpdir: Path, load: Load) -> dict:
    path = tmpdir / "acknowledged.json"
    path.write_text(json.dumps(load.acknowledged))
    out = subprocess.run([PYTHON, "-c", MEASURE, str(path)], env=env, cwd=ROOT, check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--rate", type=float, default=150.0, help="responses a second (half with a comment)")
    parser.add_argument("--events", type=float, default=5.0, help="touchpoint events a second")
    parser.add_argument("--base", type=int, default=1_000_000, help="analysed responses already stored")
    parser.add_argument("--threads", type=int, default=64,
                        help="client connections; enough that replies slower than the schedule do not hold it back")
    parser.add_argument("--settle", type=float, default=120.0,
                        help="seconds the worker gets after the load to finish (at most)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="glapp-soak-") as tmp:
        tmpdir = Path(tmp)
        started = time.monotonic()
        env, api_key = prepare_database(args.db, args.base, tmpdir)
        print(f"database ready in {time.monotonic() - started:.0f} s ({args.db}, base {args.base:,})", flush=True)
        server, base_url = start_server(env, tmpdir)
        with open(tmpdir / "worker.log", "w") as worker_log:
            worker = subprocess.Popen([PYTHON, "-m", "glapp.cli.main", "worker", "--skip-checks"], env=env, cwd=ROOT,
                                      stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            load = Load(base_url, api_key, args.duration, threads=args.threads)
            cpu_before = {"server": cpu_seconds(server.pid), "worker": cpu_seconds(worker.pid),
                          "client": time.process_time(), "machine": machine_cpu_seconds()}
            load.run([("responses", args.rate), ("events", args.events)])
            elapsed = time.monotonic() - load.start
            cpu = {"server": cpu_seconds(server.pid), "worker": cpu_seconds(worker.pid), "client": time.process_time(),
                   "machine": machine_cpu_seconds()}
            used = {name: cpu[name] - cpu_before[name] for name in cpu}
            used["other (database server, other work)"] = used.pop("machine") - sum(used.values())
            print("CPU seconds during the load: " + ", ".join(f"{name} {t:.0f}" for name, t in used.items())
                  + f" (of {os.cpu_count() * elapsed:.0f} on {os.cpu_count()} cores)", flush=True)
            scheduled = {name: int(args.duration * rate) + 1
                         for name, rate in (("responses", args.rate), ("events", args.events))}
            print(f"load: {load.sent} sent of {scheduled} scheduled in {elapsed:.0f} s, acknowledged "
                  f"{ {k: len(v) for k, v in load.acknowledged.items()} }, errors {load.errors}; reply "
                  f"p50 {percentile(load.latencies, 50) * 1000:.0f} ms, "
                  f"p99 {percentile(load.latencies, 99) * 1000:.0f} ms", flush=True)
            deadline = time.monotonic() + args.settle
            while True:
                result = run_measure(env, tmpdir, load)
                if (result["unanalysed"] == 0 and result["unsent"] == 0) or time.monotonic() > deadline:
                    break
                time.sleep(5)
        finally:
            stop_server(server)
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        print(json.dumps(result, indent=1))
        if result["unanalysed"] or result["unsent"]:
            print("worker log (tail):\n" + (tmpdir / "worker.log").read_text()[-2000:], file=sys.stderr)
        print(f"analysis_lag_p95_s={result['lag_p95_s']:.1f} invitation_delay_max_s={result['delay_max_s']:.1f} "
              f"lost={result['lost']} doubled={result['doubled']}")


if __name__ == "__main__":
    main()
