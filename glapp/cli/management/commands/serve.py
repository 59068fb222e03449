"""`glapp serve`: the production web server (gunicorn), also used for the local demo."""

import argparse
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from glapp.accounts.actions import SETUP_TOKEN_HOURS, issue_setup_token
from glapp.accounts.queries import installation_is_empty
from glapp.cli.gunicorn_conf import TASK_WORKER_ENV
from glapp.core import links


def pending_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


class Command(BaseCommand):
    help = "Serve the web app and API with gunicorn (static files included, via WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("GLAPP_BIND", "127.0.0.1:8000"),
                            help="Address to listen on, HOST:PORT or unix:PATH (default: %(default)s; env GLAPP_BIND)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GLAPP_WORKERS", "2")),
                            help="Worker processes (default: %(default)s; env GLAPP_WORKERS)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GLAPP_THREADS", "4")),
                            help="Threads per worker (default: %(default)s; env GLAPP_THREADS)")
        parser.add_argument("--access-log", action="store_true", help="Log every request to stdout")
        parser.add_argument("--migrate", action="store_true",
                            help="Apply pending database migrations before starting")
        parser.add_argument("--task-worker", action=argparse.BooleanOptionalAction, default=None,
                            help="Also run one background worker (`glapp worker`) for imports, analysis and "
                                 "invitations, started and stopped with the server (default: on in local "
                                 "demo mode; a deployment runs `glapp worker` under its own supervisor)")

    def handle(self, *args, bind, workers, threads, access_log, migrate, task_worker, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1")
        warning = links.unset_warning()
        if warning:  # said first: it matters before the first invitation goes out
            self.stderr.write(f"Warning: {warning}")
        if migrate:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"The database has {len(pending)} unapplied migration(s) ({', '.join(pending[:3])}"
                f"{', …' if len(pending) > 3 else ''}). Run `glapp migrate` first, or pass --migrate."
            )
        url = f"http://{bind}/" if not bind.startswith("unix:") else bind
        if installation_is_empty():
            # Nobody can sign in yet: the first-run page creates the organization, and only with
            # this token, so whoever reaches the server first cannot take it over.
            self.stdout.write(f"No organization yet. Open {url.rstrip('/')}/setup/ and give this one-time setup "
                              f"token (valid {SETUP_TOKEN_HOURS} hours; `glapp setup-token` prints a new one):\n"
                              f"  {issue_setup_token()}")
        # Gunicorn forks workers from this process image; hand over without an open connection.
        connections.close_all()

        argv = [sys.executable, "-m", "gunicorn", "--config", "python:glapp.cli.gunicorn_conf",
                "--bind", bind, "--workers", str(workers), "--threads", str(threads)]
        if access_log:
            argv += ["--access-logfile", "-"]
        mode = " (demo mode)" if settings.DEMO else ""
        with_tasks = settings.DEMO if task_worker is None else task_worker
        # Read by the gunicorn config's hooks, which start the task worker once the server is up.
        os.environ[TASK_WORKER_ENV] = "1" if with_tasks else ""
        tasks = " and a background task worker" if with_tasks else ""
        self.stdout.write(f"glapp serving on {url}{mode} with {workers} worker(s) × {threads} thread(s){tasks}; "
                          "press Ctrl+C to stop.")
        self.stdout.flush()
        # exec, not a child process: signals (Ctrl+C, SIGTERM from a supervisor) reach gunicorn
        # directly and it shuts its workers down gracefully.
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell involved
