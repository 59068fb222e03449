"""Installation-wide housekeeping tasks.

Tasks are thin and idempotent: they call an action and return a JSON-serialisable summary, so
any backend (immediate, the database queue, a distributed queue) can run and retry them.
"""

from django_tasks import task

from glapp.core import housekeeping


@task()
def prune_idempotency_records() -> int:
    return housekeeping.prune_idempotency_records()


# Run periodically by `glapp worker` (see --housekeeping-every); each must be safe to run twice.
HOUSEKEEPING_TASKS = [prune_idempotency_records]
