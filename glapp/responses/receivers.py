"""Import jobs keep a copy of their importer's unit path: a unit move rewrites it. The API's
per-process catalog forgets an organization's names when one of them changes. An import whose
task failed without the import recording it (its worker kept dying) is marked failed."""

from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from glapp.core import events
from glapp.responses import catalog_cache
from glapp.responses.actions import fail_unfinished_import, follow_unit_move


def on_unit_moved(event: events.UnitMoved) -> None:
    follow_unit_move(event.organization_id, event.old_path, event.new_path)


def on_task_finished(sender, task_result, **kwargs) -> None:
    from glapp.responses.tasks import import_file

    if task_result.status == TaskResultStatus.FAILED and task_result.task.module_path == import_file.module_path:
        fail_unfinished_import(task_result.args[0], task_result.errors[-1].traceback if task_result.errors else "")


def connect() -> None:
    catalog_cache.connect()
    events.UnitMoved.connect(on_unit_moved)
    task_finished.connect(on_task_finished, dispatch_uid="glapp.responses.import_task_finished")
