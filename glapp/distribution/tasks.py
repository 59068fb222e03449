"""Background sending. Thin and safe to run twice or concurrently: every send is claimed with a
conditional UPDATE first (see dispatch.py), so a repeated or parallel run never sends twice."""

from django_tasks import task

from glapp.core import task_queues
from glapp.distribution import dispatch


# Its own queue: invitations are due now, and never wait behind a backlog of analyses.
@task(queue_name=task_queues.TIME_CRITICAL)
def dispatch_due_invitations() -> dict:
    return dispatch.dispatch_due_invitations()


# Queued by `glapp worker` every GLAPP_DISPATCH_EVERY seconds (--dispatch-every).
PERIODIC_TASKS = [dispatch_due_invitations]
