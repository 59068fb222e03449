"""`glapp worker`: process background tasks from the database queue, and schedule housekeeping."""

import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, TaskResultStatus, task_backends
from django_tasks.exceptions import InvalidTaskBackendError
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from glapp.distribution.tasks import PERIODIC_TASKS as DISPATCH_TASKS
from glapp.responses.tasks import HOUSEKEEPING_TASKS as RESPONSE_HOUSEKEEPING
from glapp.textanalytics.tasks import HOUSEKEEPING_TASKS as TEXT_HOUSEKEEPING

HOUSEKEEPING_TASKS = [*RESPONSE_HOUSEKEEPING, *TEXT_HOUSEKEEPING]


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


class Command(BaseCommand):
    help = "Process background tasks from the database queue until stopped (or once, with --batch)."

    def add_arguments(self, parser):
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS,
                            help="Task backend alias from settings.TASKS (default: %(default)s)")
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME,
                            help="Queues to process, comma-separated, or '*' for all (default: %(default)s)")
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

    def handle(self, *args, backend, queue_name, interval, batch, max_tasks, housekeeping_every, dispatch_every,
               **options):
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
        if not batch and housekeeping_every > 0:
            self._start_housekeeping(backend, housekeeping_every, verbosity)
        if not batch and dispatch_every > 0:
            self._start_housekeeping(backend, dispatch_every, verbosity, DISPATCH_TASKS, "invitation dispatch")
        call_command(
            "db_worker", backend_name=backend, queue_name=queue_name, interval=interval, batch=batch,
            max_tasks=max_tasks, reload=False, startup_delay=not batch, verbosity=verbosity,
            stdout=self.stdout, stderr=self.stderr,
        )

    def _start_housekeeping(self, backend: str, every: float, verbosity: int, tasks=None,
                            what: str = "housekeeping") -> None:
        if verbosity:
            self.stdout.write(f"glapp worker: queueing {what} every {every:g}s.")

        def loop() -> None:
            while True:
                try:
                    queued = enqueue_housekeeping(backend, tasks)
                except Exception as exc:  # a locked or briefly unreachable DB must not end the loop
                    self.stderr.write(f"glapp worker: could not queue {what}: {exc}")
                else:
                    if queued and verbosity > 1:
                        self.stdout.write(f"glapp worker: queued {', '.join(queued)}")
                finally:
                    connections.close_all()  # this thread's own connections; it sleeps for long
                time.sleep(every)

        threading.Thread(target=loop, name=f"glapp-{what.replace(' ', '-')}", daemon=True).start()
