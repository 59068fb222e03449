"""The delivery task (on the time-critical queue) and the sweep that the worker queues with the
invitation dispatch. Thin: the work is in delivery.py and actions.py."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from glapp.core import task_queues
from glapp.webhooks import delivery, queries
from glapp.webhooks.actions import WAKE_STALE
from glapp.webhooks.models import Endpoint


@task(queue_name=task_queues.TIME_CRITICAL)
def deliver_webhooks(endpoint_id: int) -> dict:
    return delivery.run(endpoint_id, wake)


@task(queue_name=task_queues.TIME_CRITICAL)
def sweep_webhooks() -> list[int]:
    """Wake every endpoint with deliveries due and no task waiting: messages committed by a
    process that died before it queued their task, and retries of a run that never queued its
    successor."""
    return [endpoint_id for endpoint_id in queries.endpoints_with_due() if wake(endpoint_id)]


def wake(endpoint_id: int, at: dt.datetime | None = None) -> bool:
    """Queue the endpoint's delivery task to run at `at` (now by default) unless one waits that
    runs by then; True if queued. After the commit of what it should deliver: a task waiting has
    not started yet, so it will find it. The endpoint's `wake_at` and the task's row commit
    together, so there is never one without the other."""
    now = timezone.now()
    at = max(at or now, now)
    if at > now and not deliver_webhooks.get_backend().supports_defer:
        return False  # a backend that cannot wait: the sweep queues it once it is due
    stale = now - WAKE_STALE
    endpoint = Endpoint.objects.filter(pk=endpoint_id, active=True)
    if endpoint.filter(wake_at__lte=at, wake_at__gte=stale).exists():  # the common case under load: a read
        return False
    with transaction.atomic():
        if not endpoint.filter(Q(wake_at__isnull=True) | Q(wake_at__gt=at) | Q(wake_at__lt=stale)).update(wake_at=at):
            return False
        queued = deliver_webhooks.using(run_after=at) if at > now else deliver_webhooks
        queued.enqueue(endpoint_id)
    return True


def wake_after_commit(endpoint_ids) -> None:
    ids = sorted(set(endpoint_ids))
    transaction.on_commit(lambda: [wake(endpoint_id) for endpoint_id in ids])


# Queued by `glapp worker` with the invitation dispatch (every GLAPP_DISPATCH_EVERY seconds).
PERIODIC_TASKS = [sweep_webhooks]
