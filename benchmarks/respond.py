"""Respondent submissions through the real server, and invitation throughput.

    python benchmarks/respond.py [--duration 20] [--concurrency 12] [--invitations 5000]

1. Submissions. Starts `glapp serve --workers 2` on a fresh SQLite database in a temporary
   directory (migrated; one organization, a touchpoint, a published survey of three questions:
   NPS, an open "why" and CSAT; one invitation per respondent). `wrk` (installed with apt-get when
   missing) then plays respondents: each POSTs its answers to its own `/r/<token>/`, one question
   per request, as the no-JavaScript form does (NPS first, which creates the response through the
   ingest path; then the comment and CSAT, each added to it). A submission is one such POST,
   answered with the redirect to the next question. Same-run baseline: `GET /api/v1/health` (no
   auth, one `SELECT 1`) under the same load, the ceiling of server + framework on this machine.
   Afterwards the database is checked: every accepted POST stored exactly one answer.

2. Invitations, in this process (its own fresh SQLite database): N touchpoint events for N
   customers through `distribution.actions.record_events` in batches of 1,000, as
   `POST /api/v1/events/bulk` stores them (customer upsert, contact rules, event, invitation and
   contact log, one transaction per batch), then each invitation's e-mail rendered to bytes
   (`channels.email.build_email`: piped question, links, unsubscribe headers, text + HTML).
   Same-run baseline: `bulk_create` of the same number of bare invitation rows plus building a
   fixed two-part e-mail of the same size with the standard library, i.e. storing and formatting
   with no rules, templates or piping at all.

Prints a summary and, last, `submit_rps=<n> submit_p99_ms=<n> invitations_per_s=<n>`.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.api_load import REPORT_LUA, bench_env, ensure_wrk, run_wrk, start_server, stop_server  # noqa: E402

PYTHON = sys.executable

# Tokens are predictable here (`<run><thread>x<n>`) so wrk's Lua needs no token list; in the
# product they are random.
SETUP = """
import datetime as dt
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.utils import timezone
from glapp.contacts.models import Customer
from glapp.distribution.models import Invitation
from glapp.journeys.actions import create_journey
from glapp.journeys.models import Touchpoint
from glapp.surveys.actions import QuestionSpec, create_survey
from tests.factories import make_org

org = make_org("bench")
create_journey(org, "Resan", [("Kontakt", ["Kundtjänst"])], code="resan")
touchpoint = Touchpoint.objects.for_org(org).get(name="Kundtjänst")
survey = create_survey(org, name="Efter samtalet", code="samtal", touchpoint=touchpoint, languages=["sv"], questions=[
    QuestionSpec("nps", "nps", {"sv": "Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?"},
                 required=True),
    QuestionSpec("why", "text", {"sv": "Berätta gärna varför."}),
    QuestionSpec("csat", "csat", {"sv": "Hur nöjd eller missnöjd är du med samtalet?"}),
])
now = timezone.now()
threads, per_thread = THREADS, PER_THREAD
customers = Customer.objects.bulk_create(
    Customer(organization=org, external_id=f"C{i}", first_name="Anna", language="sv")
    for i in range(2 * threads * per_thread))
invitations, i = [], 0
for run in ("w", "m"):
    for thread in range(1, threads + 1):
        for n in range(per_thread):
            invitations.append(Invitation(
                organization=org, survey=survey, customer=customers[i],
                touchpoint=touchpoint, channel="email", language="sv", token=f"{run}{thread}x{n}",
                context={"agent": "Bo"}, status="sent", scheduled_for=now, sent_at=now,
                expires_at=now + dt.timedelta(days=14)))
            i += 1
Invitation.objects.bulk_create(invitations, batch_size=2000)
print("ready")
"""

SUBMIT_LUA = r"""
local counter = 0
local threads = {}
local comments = {
  "Snabbt och trevligt bemötande", "Fick vänta länge i telefonkön men till slut löste det sig",
  "Bra men fakturan var fel", "Hon var hjälpsam och tydlig", "Jag fick aldrig svar på min fråga",
}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(thread_no * 7919)
end

request = function()
  -- Respondent k of this thread sends its three answers as requests 3k, 3k+1, 3k+2 (in order:
  -- the thread has one connection).
  local respondent = math.floor(counter / 3)
  local step = counter % 3
  counter = counter + 1
  local body
  if step == 0 then
    body = "question=nps&answer=" .. math.random(0, 10)
  elseif step == 1 then
    body = "question=why&answer=" .. comments[math.random(#comments)]:gsub(" ", "+")
  else
    body = "question=csat&answer=" .. math.random(1, 5)
  end
  return wrk.format("POST", string.format("/r/RUN%dx%d/", thread_no, respondent),
                    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def submissions(duration: float, concurrency: int, warmup: float, workers: int) -> dict:
    wrk = ensure_wrk()
    # One connection per wrk thread: a thread's requests then go out one after another, so each
    # respondent's answers arrive in order, as from a browser.
    threads = concurrency
    # Enough respondents per wrk thread for the longest run at well above the goal rate.
    per_thread = int(max(duration, warmup) * 1500 / 3 / threads) + 500
    with tempfile.TemporaryDirectory(prefix="glapp-respond-") as tmp:
        tmpdir = Path(tmp)
        env = bench_env(tmpdir)
        setup = SETUP.replace("THREADS", str(threads)).replace("PER_THREAD", str(per_thread))
        done = subprocess.run([PYTHON, "-c", setup], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"setup failed:\n{done.stderr[-3000:]}")
        scripts = {}
        for run in ("w", "m"):
            scripts[run] = tmpdir / f"submit-{run}.lua"
            scripts[run].write_text(SUBMIT_LUA.replace("RUN", run) + REPORT_LUA)
        get_script = tmpdir / "get.lua"
        get_script.write_text(REPORT_LUA)

        server, base = start_server(env, tmpdir, workers)
        try:
            run_wrk(wrk, f"{base}/api/v1/health", get_script, warmup, concurrency, "-")
            warm = run_wrk(wrk, base, scripts["w"], warmup, concurrency, "-", threads)
            baseline = run_wrk(wrk, f"{base}/api/v1/health", get_script, duration, concurrency, "-")
            submit = run_wrk(wrk, base, scripts["m"], duration, concurrency, "-", threads)
        finally:
            stop_server(server)
        with sqlite3.connect(tmpdir / "glapp.sqlite3") as db:
            answers = db.execute("SELECT COUNT(*) FROM responses_answer").fetchone()[0]
            responses = db.execute("SELECT COUNT(*) FROM responses_response").fetchone()[0]
            sessions = db.execute("SELECT COUNT(*) FROM surveys_respondentsession").fetchone()[0]
        log_tail = (tmpdir / "server.log").read_text()[-2000:]
    accepted = warm["ok"] + submit["ok"]
    # wrk stops counting at the deadline; up to one request per connection per run is still
    # answered (and stored) after that.
    exactly_once = accepted <= answers <= accepted + 2 * concurrency
    return {"submit": submit, "baseline": baseline, "answers": answers, "accepted": accepted,
            "responses": responses, "sessions": sessions, "exactly_once": exactly_once,
            "log_tail": log_tail if submit["errors"] or not exactly_once else ""}


INVITE_SETUP_SURVEY = ("Hur troligt är det att du skulle rekommendera oss[ efter ditt samtal med {agent}]"
                       " till en vän eller kollega?")


def invitations(count: int) -> dict:
    """Queue (events → rules → invitations) and render `count` invitations; and the baseline."""
    tmp = tempfile.mkdtemp(prefix="glapp-invite-")
    os.environ.update({"GLAPP_DATA_DIR": tmp, "GLAPP_DEMO": "1", "GLAPP_LOG_LEVEL": "WARNING",
                       "DJANGO_SETTINGS_MODULE": "glapp.config.settings"})
    for name in ("DATABASE_URL", "GLAPP_TESTING", "GLAPP_DEBUG"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from email.message import EmailMessage

    from django.core.management import call_command
    from django.utils import timezone

    from glapp.contacts.actions import CustomerData
    from glapp.distribution.actions import record_events
    from glapp.distribution.channels.email import build_email
    from glapp.distribution.models import Invitation
    from glapp.distribution.validation import CleanEvent
    from glapp.journeys.actions import create_journey
    from glapp.journeys.models import Touchpoint
    from glapp.surveys.actions import QuestionSpec, create_survey
    from tests.factories import make_org

    call_command("migrate", interactive=False, verbosity=0)
    org = make_org("invite-bench")
    create_journey(org, "Resan", [("Kontakt", ["Kundtjänst"])], code="resan")
    touchpoint = Touchpoint.objects.for_org(org).get(name="Kundtjänst")
    create_survey(org, name="Efter samtalet", code="samtal", touchpoint=touchpoint, languages=["sv"], questions=[
        QuestionSpec("nps", "nps", {"sv": INVITE_SETUP_SURVEY}, required=True),
        QuestionSpec("why", "text", {"sv": "Berätta gärna varför."}),
    ])
    # Daytime on a weekday: no quiet-hours deferral muddles the count.
    now = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    events = [CleanEvent(
        customer=CustomerData(external_id=f"K{i}", first_name="Anna", email=f"k{i}@example.se", language="sv",
                              consent_email=True),
        touchpoint_id=touchpoint.id, occurred_at=now, external_id=f"E{i}", interaction="call",
        metadata={"agent": "Bo"}) for i in range(count)]

    started = time.perf_counter()
    invited = 0
    for start in range(0, count, 1000):
        for result in record_events(org.id, events[start:start + 1000], now=now):
            invited += len(result.invitations)
    queued_s = time.perf_counter() - started
    started = time.perf_counter()
    size = 0
    # Loaded as the dispatcher loads an invitation to send (dispatch._load): no query per e-mail.
    rows = Invitation.objects.for_org(org).select_related("customer", "survey__current_version", "organization")
    for invitation in rows.iterator(2000):
        size += len(build_email(invitation).message().as_bytes())
    render_s = time.perf_counter() - started

    # Baseline: the same number of bare rows and fixed e-mails, no rules, no templates.
    first = Invitation.objects.for_org(org).first()
    started = time.perf_counter()
    Invitation.objects.bulk_create(
        (Invitation(organization=org, survey_id=first.survey_id, customer_id=first.customer_id, channel="email",
                    language="sv", token=f"base{i}", scheduled_for=now) for i in range(count)), batch_size=1000)
    base_store_s = time.perf_counter() - started
    started = time.perf_counter()
    body = "x" * (size // max(invited, 1) // 2)
    for i in range(count):
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = "Hej", "noreply@example.se", f"k{i}@example.se"
        msg.set_content(body)
        msg.add_alternative(f"<p>{body}</p>", subtype="html")
        msg.as_bytes()
    base_render_s = time.perf_counter() - started
    return {"count": count, "invited": invited, "queued_s": queued_s, "render_s": render_s,
            "bytes_per_mail": size // max(invited, 1), "base_store_s": base_store_s, "base_render_s": base_render_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--invitations", type=int, default=5000, help="Events (one invitation each) to queue")
    args = parser.parse_args()

    sub = submissions(args.duration, args.concurrency, args.warmup, args.workers)
    s, b = sub["submit"], sub["baseline"]
    print(f"POST /r/<token>/ (one answer each): {s['rps']} rps, p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
          f"p99 {s['p99_ms']} ms, max {s['max_ms']} ms, errors {s['errors']} ({args.concurrency} connections, "
          f"{args.workers} workers, {args.duration:.0f} s)")
    print(f"GET /api/v1/health (baseline): {b['rps']} rps, p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms; "
          f"submissions/baseline throughput ratio {s['rps'] / b['rps']:.3f}")
    print(f"stored: {sub['answers']} answers for {sub['accepted']} accepted POSTs (plus those in flight at the "
          f"deadline), {sub['responses']} responses, {sub['sessions']} sessions; exactly once: {sub['exactly_once']}")
    if s["errors"]:
        print(f"wrk errors by kind (status = HTTP 4xx/5xx): {s['error_kinds']}", file=sys.stderr)
    if sub["log_tail"]:
        print("server log (tail):\n" + sub["log_tail"], file=sys.stderr)

    inv = invitations(args.invitations)
    per_s = inv["invited"] / (inv["queued_s"] + inv["render_s"])
    base_per_s = inv["count"] / (inv["base_store_s"] + inv["base_render_s"])
    print(f"invitations: {inv['invited']} of {inv['count']} events invited; queued in {inv['queued_s']:.2f} s "
          f"({inv['invited'] / inv['queued_s']:.0f}/s), rendered in {inv['render_s']:.2f} s "
          f"({inv['invited'] / inv['render_s']:.0f}/s, {inv['bytes_per_mail']} bytes each)")
    print(f"baseline (bare rows + fixed e-mails): {base_per_s:.0f}/s; invitations/baseline ratio "
          f"{per_s / base_per_s:.3f}")
    print(f"submit_rps={s['rps']} submit_p99_ms={s['p99_ms']} invitations_per_s={per_s:.0f}")
    if s["errors"] or not sub["exactly_once"] or inv["invited"] != inv["count"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
