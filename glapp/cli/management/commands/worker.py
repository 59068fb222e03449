"""`glapp worker`: process background tasks from the database queue, and schedule housekeeping.

Every task runs under a lease (core/task_leases.py), so one whose worker was killed runs again;
the time-critical queue has a loop of its own, so analyses never delay an invitation."""

import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks.exceptions import InvalidTaskBackendError
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from glapp.cases.tasks import HOUSEKEEPING_TASKS as CASE_HOUSEKEEPING
from glapp.cases.tasks import PERIODIC_TASKS as CASE_PERIODIC
from glapp.core import task_leases, task_queues
from glapp.distribution.tasks import PERIODIC_TASKS as DISPATCH_TASKS
from glapp.notifications.tasks import PERIODIC_TASKS as NOTIFICATION_PERIODIC
from glapp.privacy.tasks import HOUSEKEEPING_TASKS as PRIVACY_HOUSEKEEPING
from glapp.responses.tasks import HOUSEKEEPING_TASKS as RESPONSE_HOUSEKEEPING
from glapp.textanalytics.tasks import HOUSEKEEPING_TASKS as TEXT_HOUSEKEEPING
from glapp.webhooks.tasks import PERIODIC_TASKS as WEBHOOK_TASKS

HOUSEKEEPING_TASKS = [*RESPONSE_HOUSEKEEPING, *TEXT_HOUSEKEEPING, *PRIVACY_HOUSEKEEPING, *CASE_HOUSEKEEPING]
# Every dispatch tick, on the time-critical queue: invitations due, case due times passed.
# The webhook sweep rides along: it finds deliveries whose task was never queued.
TICK_TASKS = [*DISPATCH_TASKS, *CASE_PERIODIC, *WEBHOOK_TASKS, *NOTIFICATION_PERIODIC]


def enqueue_housekeeping(backend_name: str, tasks=None) -> list[str]:
    """Queue each housekeeping task that is not already waiting; return the ones queued.

    Several workers may do this at once; at worst a task runs twice, which they all tolerate.
    """
    queued = []
    for housekeeping_task in HOUSEKEEPING_TASKS if tasks is None else tasks:
        waiting = DBTaskResult.objects.filter(
            backend_name=backend_name, task_path=housekeeping_task.module_path, status=TaskResultStatus.READY
        ).exists()
        if not waiting:
            housekeeping_task.using(backend=backend_name).enqueue()
            queued.append(housekeeping_task.name)
    return queued


class LeasedWorker(Worker):
    """django-tasks-db's worker loop, holding a lease on each task while it runs it."""

    def __init__(self, *, lease_seconds: float, **options):
        super().__init__(**options)
        self.lease_seconds = lease_seconds

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            with task_leases.held(db_task_result.pk, self.worker_id, self.lease_seconds):
                super().run_task(db_task_result)
                # Still busy until the lease is released: a SIGTERM now stops the loop after it
                # rather than exiting in the middle of the release's transaction.
                self.running_task = True
        finally:
            self.running_task = False


def split_queues(queue_names: list[str]) -> tuple[list[str], list[str], bool]:
    """The main loop's queues and the queues it leaves out, and whether the time-critical queue
    gets a loop of its own (when it is one of several queues this worker processes)."""
    if "*" in queue_names:
        return ["*"], [task_queues.TIME_CRITICAL], True
    if task_queues.TIME_CRITICAL in queue_names and len(queue_names) > 1:
        return [q for q in queue_names if q != task_queues.TIME_CRITICAL], [], True
    return queue_names, [], False


class Command(BaseCommand):
    help = "Process background tasks from the database queue until stopped (or once, with --batch)."

    def add_arguments(self, parser):
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS,
                            help="Task backend alias from settings.TASKS (default: %(default)s)")
        parser.add_argument("--queue-name", default="*",
                            help=f"Queues to process, comma-separated, or '*' for all (default: %(default)s). "
                                 f"Queues: {', '.join(task_queues.ALL)}; {task_queues.TIME_CRITICAL} runs in a "
                                 "loop of its own when it is one of several")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait between polls when the queue is empty (default: %(default)s)")
        parser.add_argument("--batch", action="store_true", help="Process what is queued now, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after running this many tasks")
        parser.add_argument("--dispatch-every", type=float, default=settings.GLAPP_DISPATCH_EVERY, metavar="SECONDS",
                            help="Queue the sending of due survey invitations this often; 0 turns it off "
                                 "(default: %(default)s, GLAPP_DISPATCH_EVERY; never in --batch mode)")
        parser.add_argument("--housekeeping-every", type=float, default=3600.0, metavar="SECONDS",
                            help="Queue housekeeping (e.g. expired idempotency keys) this often; 0 turns it off "
                                 "(default: %(default)s; never in --batch mode)")
        parser.add_argument("--lease", type=float, default=None, metavar="SECONDS",
                            help="A task whose worker has not renewed its lease for this long is run again "
                                 f"(default: GLAPP_TASK_LEASE_SECONDS, {settings.GLAPP_TASK_LEASE_SECONDS:g})")

    def handle(self, *args, backend, queue_name, interval, batch, max_tasks, housekeeping_every, dispatch_every,
               lease, **options):
        try:
            backend_obj = task_backends[backend]
        except InvalidTaskBackendError as exc:
            raise CommandError(f"Unknown task backend {backend!r}: {exc}") from exc
        if not isinstance(backend_obj, DatabaseBackend):
            # Other backends run tasks elsewhere (immediately, or in their own queue's workers).
            raise CommandError(
                f"The {backend!r} task backend is {type(backend_obj).__name__}; `glapp worker` processes the "
                "database queue (django_tasks_db.DatabaseBackend) only."
            )
        verbosity = options["verbosity"]
        if verbosity:
            mode = "queued tasks, then exit" if batch else f"tasks, polling every {interval:g}s when idle"
            self.stdout.write(f"glapp worker: processing {mode} (backend {backend!r}, queue {queue_name!r}).")
        lease = lease if lease is not None else settings.GLAPP_TASK_LEASE_SECONDS
        if lease <= 0:
            raise CommandError("--lease must be more than 0 seconds.")
        max_attempts = settings.GLAPP_TASK_MAX_ATTEMPTS

        def recover() -> list:
            found = task_leases.recover_expired(backend, seconds=lease, max_attempts=max_attempts)
            return [*found.requeued, *found.failed]

        # Tasks whose worker died are found at start (a restarted worker picks up its own) and then
        # every third of a lease; in --batch mode once, before the queue is run.
        self._every(0 if batch else lease / 3, "recovery of tasks whose worker stopped", recover, verbosity)
        if not batch and housekeeping_every > 0:
            self._every(housekeeping_every, "housekeeping", lambda: enqueue_housekeeping(backend), verbosity)
        if not batch and dispatch_every > 0:
            self._every(dispatch_every, "invitation dispatch, case due times and the webhook sweep",
                        lambda: enqueue_housekeeping(backend, TICK_TASKS), verbosity)
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        worker_id = get_random_string(32)
        options = {"interval": interval, "backend_name": backend, "lease_seconds": lease}
        queues, excluded, own_loop = split_queues(queue_name.split(","))
        side = None
        if batch or not own_loop:
            # One loop over everything (tests, cron-style runs): the time-critical queue included.
            queues, excluded = queue_name.split(","), []
        else:
            side = LeasedWorker(queue_names=[task_queues.TIME_CRITICAL], batch=False, startup_delay=False,
                                max_tasks=None, worker_id=f"{worker_id}-{task_queues.TIME_CRITICAL}",
                                excluded_queue_names=[], **options)
            threading.Thread(target=side.run, name="glapp-time-critical", daemon=True).start()
        worker = LeasedWorker(queue_names=queues, excluded_queue_names=excluded, batch=batch,
                              startup_delay=not batch, max_tasks=max_tasks, worker_id=worker_id, **options)
        worker.configure_signals()
        try:
            worker.run()
        finally:
            if side is not None:
                side.running = False  # finishes the task it is running, if any, then stops
                while side.running_task:
                    time.sleep(0.1)

    def _every(self, seconds: float, what: str, action, verbosity: int) -> None:
        """Run `action` now, in this thread, and then every `seconds` in a thread of its own (0:
        only now); it returns what it did, reported at verbosity 2. The first run ends before the
        worker claims anything: a restarted worker recovers its dead predecessor's tasks first, so
        they go to the queue in their priority rather than behind whatever was queued meanwhile."""
        if verbosity and seconds:
            self.stdout.write(f"glapp worker: {what} every {seconds:g}s.")

        def once() -> None:
            try:
                done = action()
            except Exception as exc:  # a locked or briefly unreachable DB must not end the loop
                self.stderr.write(f"glapp worker: {what} failed: {exc}")
            else:
                if done and verbosity > 1:
                    self.stdout.write(f"glapp worker: {what}: {', '.join(map(str, done))}")

        once()
        if not seconds:
            return

        def loop() -> None:
            while True:
                time.sleep(seconds)
                try:
                    once()
                finally:
                    connections.close_all()  # this thread's own connections; it sleeps for long

        threading.Thread(target=loop, name=f"glapp-{what.split()[0]}", daemon=True).start()
