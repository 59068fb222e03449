"""`glapp demo`: load Exempelbolaget AB with a year of realistic responses, then serve it."""

import datetime as dt
import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from glapp.demo import company as co
from glapp.demo import listening, loader
from glapp.demo.csvfile import write_csv
from glapp.demo.generator import DemoGenerator

DEFAULT_PASSWORD = "glapp-demo-login"  # noqa: S105 - a published demo password, shown on screen on purpose


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--end must be a date like 2026-06-30, not {value!r}") from None


class Reporter:
    """A rich progress bar in a terminal; a line per 10 % when output goes to a file or a pipe."""

    def __init__(self, console: Console, total: int, label: str):
        self.console, self.total, self.label, self.done, self.next_mark = console, total, label, 0, 0.1
        self.progress = None
        if console.is_terminal:
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                                     console=console)
            self.task = self.progress.add_task(label, total=total)

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def advance(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress.update(self.task, advance=n)
        elif self.total and self.done / self.total >= self.next_mark - 1e-9:
            self.console.print(f"{self.label}: {self.done:,} / {self.total:,}", highlight=False)
            while self.done / self.total >= self.next_mark - 1e-9:
                self.next_mark += 0.1


def pending_migrations() -> bool:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = ("Create the demo organization Exempelbolaget AB with a year of realistic, deterministic responses "
            "(with three known effects to discover), create demo users, then start the server.")

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=50_000, help="How many responses (default: %(default)s)")
        parser.add_argument("--seed", type=int, default=42, help="Random seed; same seed + end = same data")
        parser.add_argument("--end", type=_date, default=None,
                            help="Last day of the year of data, YYYY-MM-DD (default: yesterday, UTC)")
        parser.add_argument("--customers", type=int, default=None,
                            help="Size of the customer pool (default: 40%% of responses, at least 1,000)")
        parser.add_argument("--csv", metavar="PATH", default=None,
                            help="Write the responses to a CSV file in glapp's import format instead of loading")
        parser.add_argument("--reset", action="store_true", help="Delete the demo organization and create it anew")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help="Password for the demo users (default: %(default)s)")
        parser.add_argument("--no-serve", action="store_true", help="Load only; do not start the server")
        parser.add_argument("--skip-analysis", action="store_true",
                            help="Do not analyze the comments now (the background worker still will)")
        parser.add_argument("--skip-listening", action="store_true",
                            help="Do not create the customers' contact data and invitation history")
        parser.add_argument("--bind", default=os.environ.get("GLAPP_BIND", "127.0.0.1:8000"),
                            help="Where the server listens afterwards (default: %(default)s)")

    def handle(self, *args, **opts):
        out = getattr(self.stdout, "_out", self.stdout)
        console = Console(file=out, highlight=False, soft_wrap=True)
        # Yesterday, not today: a day of responses spread over 24 hours would otherwise put
        # some of today's after the present moment. The installation's day from Django's clock,
        # as everywhere else (the UTC date is yesterday locally until 01:00 or 02:00).
        today = timezone.localdate()
        end = opts["end"] or today - dt.timedelta(days=1)
        if end > today:
            raise CommandError("--end is in the future; responses cannot be submitted after today.")
        if opts["responses"] < 0 or (opts["customers"] is not None and opts["customers"] < 1):
            raise CommandError("--responses must be 0 or more and --customers at least 1.")
        refused = loader.password_problems(opts["password"])
        if refused:
            raise CommandError("--password rejected: " + " ".join(refused))
        gen = DemoGenerator(opts["seed"], opts["responses"], end, customers=opts["customers"])

        if opts["csv"]:
            self._write_csv(console, gen, opts["csv"])
            return

        if pending_migrations():
            console.print("Preparing the database (migrations)…")
            call_command("migrate", interactive=False, verbosity=0)

        org = loader.find_demo_org()
        if org is not None and opts["reset"]:
            console.print(f"Deleting the existing demo organization {co.ORG_NAME}…")
            loader.delete_demo_org(org)
            org = None
        if org is not None:
            if loader.foreign_demo_responses(org, opts["seed"]):
                raise CommandError(f"{co.ORG_NAME} already holds demo data made with another seed (or other "
                                   "responses). Run `glapp demo --reset` to start over.")
            stored, _ = loader.counts(org)
            console.print(f"{co.ORG_NAME} already exists with {stored:,} responses. Loading again only adds "
                          "responses that are missing (each has a fixed id); use --reset to start over.")
        else:
            org = loader.create_demo_org()
            console.print(f"Created {co.ORG_NAME}: {len(co.REGIONS)} regions, {len(co.STORES)} stores, "
                          f"{len(co.STAGES)} journey stages, {len(co.SURVEYS)} surveys.")
        users = loader.ensure_users(org, opts["password"])

        started = time.perf_counter()
        with Reporter(console, gen.responses, "Loading responses") as reporter:
            result = loader.load_responses(org, gen, progress=reporter.advance)
        seconds = time.perf_counter() - started
        _, customers = loader.counts(org)

        console.print()
        console.print(f"[bold]{co.ORG_NAME}[/bold]: {result.created:,} responses added, "
                      f"{result.existing:,} already there; {customers:,} customers.")
        console.print(f"Took {seconds:.1f} s ({(result.created + result.existing) / max(seconds, 1e-9):,.0f} "
                      "responses/s).")
        if not opts["skip_listening"]:
            self._listening(console, org, gen)
        if not opts["skip_analysis"]:
            self._analyze(console, org)
        self._print_effects(console, gen)
        console.print()
        console.print(f"[bold]Log in at http://{opts['bind']}/[/bold]  (password for every demo user: "
                      f"[bold]{opts['password']}[/bold])")
        for outcome in users:
            u = outcome.user
            note = "  [red](not changed: the username belongs to another organization)[/red]" \
                if outcome.status == "skipped" else ""
            console.print(f"  {u.username:<16} {u.role:<13} {u.description}{note}")

        if not opts["no_serve"]:
            console.print()
            call_command("serve", bind=opts["bind"])

    def _write_csv(self, console: Console, gen: DemoGenerator, path: str) -> None:
        started = time.perf_counter()
        with Reporter(console, gen.responses, f"Writing {path}") as reporter:
            rows = write_csv(gen, path, progress=reporter.advance)
        seconds = time.perf_counter() - started
        console.print(f"Wrote {rows:,} responses to {path} in {seconds:.1f} s "
                      f"({rows / max(seconds, 1e-9):,.0f} responses/s); customer pool {gen.customers:,}.")
        self._print_effects(console, gen)

    def _listening(self, console: Console, org, gen: DemoGenerator) -> None:
        """Contact data and 90 days of invitations, reminders and skips that agree with the responses."""
        started = time.perf_counter()
        console.print("Creating the invitation history (last 90 days)…")
        result = listening.generate_listening(org, gen.seed, gen.effects.end)
        if result.existing:
            console.print("The invitation history is already there.")
            return
        console.print(f"Invitation history: {result.events:,} touchpoint events, {result.invitations:,} invitations "
                      f"({result.responded:,} answered), {result.skipped:,} not invited; "
                      f"{result.customers_updated:,} customers with contact data; "
                      f"{time.perf_counter() - started:.1f} s.")

    def _analyze(self, console: Console, org) -> None:
        """Comments analyzed before the first page view, on every core (the worker would get there too)."""
        import os

        from glapp.textanalytics import actions as text_actions
        from glapp.textanalytics.queries import pending_count

        started = time.perf_counter()
        with Reporter(console, pending_count(org.id), "Analyzing comments") as reporter:
            done = text_actions.analyze_pending(org.id, progress=reporter.advance, workers=min(2, os.cpu_count() or 1))
        console.print(f"Analyzed {done:,} comments in {time.perf_counter() - started:.1f} s.")

    def _print_effects(self, console: Console, gen: DemoGenerator) -> None:
        e = gen.effects
        console.print(f"Data from {e.start} to {e.end} (seed {gen.seed}). Known effects (see docs/demo.md):")
        for line in e.describe():
            console.print(f"  • {line}")
