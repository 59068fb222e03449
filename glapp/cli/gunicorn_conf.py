"""Gunicorn defaults for `glapp serve`; command-line flags given by `serve` take precedence.

It lives with the command that starts gunicorn: the two share the task-worker switch below."""

import os
import subprocess
import sys

wsgi_app = "glapp.config.wsgi:application"
# Load the app once in the master, then fork: workers start fast and share the imported code.
# Database connections are opened lazily per worker, so nothing is shared across the fork.
preload_app = True
timeout = int(os.environ.get("GLAPP_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak in any dependency cannot grow without bound.
# Rarely, though: a recycled worker is missing for about a second, and at API ingest rates
# (hundreds of requests a second) every 2000 requests made those gaps the slowest 1 %.
max_requests = 100_000
max_requests_jitter = 10_000
# Heartbeat files on tmpfs: a worker blocked on disk I/O is not mistaken for a dead one.
# Gunicorn creates them with mkstemp (private, unpredictable names), so a shared dir is safe.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# Trust X-Forwarded-* only from the reverse proxy the operator names.
forwarded_allow_ips = os.environ.get("GLAPP_FORWARDED_ALLOW_IPS", "127.0.0.1")
errorlog = "-"
accesslog = None
# When an operator turns the access log on, it must not carry respondent tokens or personal data.
logger_class = "glapp.cli.gunicorn_logging.ScrubbedLogger"
# The runtime control socket lives at one per-user path, so two servers (a demo next to a test
# run) would collide on it; glapp is managed by signals, as a process supervisor expects.
control_socket_disable = True

# `glapp serve --task-worker` (the default in local demo mode): one `glapp worker` beside the web
# server, so a web import or a re-analysis started in the browser actually runs. The master
# starts it when it is ready and stops it on exit, so it never outlives the server.
TASK_WORKER_ENV = "GLAPP_SERVE_TASK_WORKER"
_task_worker: subprocess.Popen | None = None


def when_ready(server) -> None:
    global _task_worker
    if os.environ.get(TASK_WORKER_ENV) == "1" and _task_worker is None:
        _task_worker = subprocess.Popen([sys.executable, "-m", "glapp.cli.main", "worker"])
        server.log.info("Started the background task worker (pid %s)", _task_worker.pid)


def on_exit(server) -> None:
    if _task_worker is not None and _task_worker.poll() is None:
        _task_worker.terminate()
        try:
            _task_worker.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            _task_worker.kill()
