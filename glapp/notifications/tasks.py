"""Background work of the notifications app: thin wrappers over idempotent actions."""

from django_tasks import task

from glapp.core import task_queues


# After each commit that wrote an "immediate" notification, and every dispatch tick (a task lost
# in a crash after the commit is made good by the next tick).
@task(queue_name=task_queues.TIME_CRITICAL)
def send_immediate() -> dict:
    from glapp.notifications import emails

    return emails.send_immediate()


# Every dispatch tick: a digest is due once its hour (or the morning) has come; between those
# moments the run is one indexed query that finds nothing.
@task()
def send_digests() -> dict:
    from glapp.notifications import emails

    return emails.send_digests()


PERIODIC_TASKS = [send_immediate, send_digests]
