"""Webhook delivery: N queued events for one endpoint delivered by real `glapp worker` processes
to a receiver on loopback, against the same number of bare signed POSTs from one httpx client.

    python benchmarks/webhooks.py [--events 20000] [--workers 2] [--batch 100]

A fresh SQLite database in a temporary directory (the benchmark servers' settings, as
api_load.py), one organization with one endpoint subscribed to `case.created`. The events are
written to the outbox as the receiver of `case.changed` writes them (in transactions of 1000),
then the workers (`glapp worker --queue-name time_critical`) are started and the endpoint woken;
the clock runs from the wake until the receiver has every message. The receiver (a threading
http.server with keep-alive, in this process) checks every 50th signature with the
standardwebhooks package and counts each webhook-id once.

The baseline is the same number of POSTs of the same bodies, signed the same way, from one kept-
alive httpx client in a process of its own straight to the same receiver: what sending one after
another costs without glapp's outbox, claims, task runs and result writes (glapp's workers send
in parallel, so the ratio may exceed 1). The last line is `webhooks_per_s=<n> baseline_per_s=<n>
ratio=<n>` (glapp over the baseline). `run(events, workers)` returns the same figures as a dict,
for scripts that run several benchmarks.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


class Counting:
    """A loopback receiver that answers 204 and counts distinct webhook-ids."""

    def __init__(self):
        self.ids: set[str] = set()
        self.requests = 0
        self.bad = 0
        self.secret = ""
        counting = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                counting.requests += 1
                webhook_id = self.headers.get("webhook-id", "")
                if counting.secret and counting.requests % 50 == 0:
                    from standardwebhooks import Webhook

                    try:
                        Webhook(counting.secret).verify(body, dict(self.headers.items()))
                    except Exception:
                        counting.bad += 1
                counting.ids.add(webhook_id)
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def reset(self) -> None:
        self.ids, self.requests, self.bad = set(), 0, 0


def setup(tmpdir: Path, batch: int) -> dict:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from api_load import bench_env

    env = {**bench_env(tmpdir), "GLAPP_WEBHOOKS_ALLOW_PRIVATE": "1", "GLAPP_WEBHOOK_BATCH": str(batch)}
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return env


def queue_events(organization_id: int, endpoint_id: int, count: int) -> list[tuple[str, str]]:
    """`count` case.created messages for the endpoint, as the receiver writes them; returns
    (webhook-id, body) of each, for the baseline."""
    from django.db import transaction

    from glapp.webhooks import actions, payloads
    from glapp.webhooks.models import Message

    for start in range(0, count, 1000):
        with transaction.atomic():
            items = [payloads.given_item({"id": n, "status": "open", "unit": "bench-north-store", "priority": "high"},
                                         None, personal=False) for n in range(start, min(count, start + 1000))]
            actions.publish(organization_id, "case.created", [(endpoint_id, False)], items)
    return list(Message.objects.order_by("id").values_list("msg_id", "payload"))


def baseline(env: dict, tmpdir: Path, url: str, secret: str, bodies: list[tuple[str, str]]) -> float:
    """The bare signed POSTs, from a process of their own as the workers are (a sender in the
    receiver's process would share its interpreter lock)."""
    path = tmpdir / "bodies.json"
    path.write_text(json.dumps(bodies))
    out = subprocess.run([PYTHON, str(Path(__file__).resolve()), "--send-bare", url, secret, str(path)], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def send_bare(url: str, secret: str, path: str) -> float:
    import httpx
    from standardwebhooks import Webhook

    bodies = json.loads(Path(path).read_text())
    signing = Webhook(secret)
    started = time.perf_counter()
    with httpx.Client() as client:
        for msg_id, body in bodies:
            data = body.encode()
            at = datetime.datetime.now(datetime.UTC)
            headers = {"content-type": "application/json", "webhook-id": msg_id,
                       "webhook-timestamp": str(int(at.timestamp())),
                       "webhook-signature": signing.sign(msg_id, at, data)}
            assert client.post(url, content=data, headers=headers).status_code == 204
    return len(bodies) / (time.perf_counter() - started)


def deliver_with_workers(env: dict, tmpdir: Path, endpoint_id: int, receiver: Counting, count: int,
                         workers: int) -> float:
    from glapp.webhooks import tasks

    logs = [open(tmpdir / f"worker-{n}.log", "w") for n in range(workers)]  # noqa: SIM115
    procs = [subprocess.Popen([PYTHON, "-m", "glapp.cli.main", "worker", "--queue-name", "time_critical",
                               "--interval", "0.05", "--skip-checks", "--dispatch-every", "0",
                               "--housekeeping-every", "0"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL) for log in logs]
    try:
        deadline = time.monotonic() + 60
        while not all((tmpdir / f"worker-{n}.log").read_text().count("processing") for n in range(workers)):
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start:\n" + (tmpdir / "worker-0.log").read_text()[-2000:])
            time.sleep(0.1)
        time.sleep(1)  # past their start-up recovery
        started = time.perf_counter()
        tasks.wake(endpoint_id)
        deadline = time.monotonic() + 600
        while len(receiver.ids) < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit(f"{len(receiver.ids)} of {count} delivered:\n"
                                 + (tmpdir / "worker-0.log").read_text()[-2000:])
            time.sleep(0.02)
        return count / (time.perf_counter() - started)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()


def run(events: int = 20_000, workers: int = 2, batch: int = 100) -> dict:
    tmpdir = Path(tempfile.mkdtemp(prefix="glapp-webhooks-"))
    receiver = Counting()
    try:
        env = setup(tmpdir, batch)
        from glapp.accounts.actions import AuditActor
        from glapp.webhooks import actions
        from tests.factories import make_org

        org = make_org("bench")
        endpoint = actions.create_endpoint(org.pk, receiver.url, ["case.created"], actor=AuditActor.command())
        receiver.secret = endpoint.secret
        bodies = queue_events(org.pk, endpoint.pk, events)
        base = baseline(env, tmpdir, receiver.url, endpoint.secret, bodies)
        receiver.reset()
        rate = deliver_with_workers(env, tmpdir, endpoint.pk, receiver, events, workers)
        if receiver.bad:
            raise SystemExit(f"{receiver.bad} signatures did not verify")
        return {"webhooks_per_s": round(rate, 1), "baseline_per_s": round(base, 1), "ratio": round(rate / base, 3),
                "repeats": receiver.requests - len(receiver.ids)}
    finally:
        receiver.server.shutdown()
        shutil.rmtree(tmpdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100, help="deliveries a task run claims (GLAPP_WEBHOOK_BATCH)")
    parser.add_argument("--send-bare", nargs=3, metavar=("URL", "SECRET", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send_bare:
        print(send_bare(*args.send_bare))
        return
    found = run(args.events, args.workers, args.batch)
    print(f"{args.events} events, {args.workers} workers: {found['webhooks_per_s']}/s delivered "
          f"(bare signed POSTs from one client: {found['baseline_per_s']}/s; sent twice: {found['repeats']})")
    print(" ".join(f"{k}={v}" for k, v in found.items()))


if __name__ == "__main__":
    main()
