"""Background sending. Thin and safe to run twice or concurrently: every send is claimed with a
conditional UPDATE first (see dispatch.py), so a repeated or parallel run never sends twice."""

from django_tasks import task

from glapp.distribution import dispatch


@task()
def dispatch_due_invitations() -> dict:
    return dispatch.dispatch_due_invitations()


# Queued by `glapp worker` every GLAPP_DISPATCH_EVERY seconds (--dispatch-every).
PERIODIC_TASKS = [dispatch_due_invitations]
