"""Domain events.

Two kinds, for two jobs:
- `send_on_commit`: sent only after the transaction that caused it commits. Receivers (text
  analysis, webhooks) subscribe with `@receiver(domain_event)`, filter on `name` and enqueue
  tasks rather than do heavy work inline.
- `send_in_transaction`: sent at once, inside the writer's transaction, for derived data that
  must commit or roll back with the write (rollups). Receivers must be fast and must not
  swallow errors: an exception rolls the write back, which is the point.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

domain_event = Signal()  # kwargs: name, organization_id, payload
in_transaction_event = Signal()  # kwargs: name, organization_id, payload
log = logging.getLogger("glapp.events")


def send_on_commit(name: str, organization_id: int, payload: dict) -> None:
    def _send() -> None:
        log.debug("event %s org=%s", name, organization_id)
        domain_event.send(sender=None, name=name, organization_id=organization_id, payload=payload)

    transaction.on_commit(_send)


def send_in_transaction(name: str, organization_id: int, payload: dict) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name} must be sent inside the transaction that made the change")
    in_transaction_event.send(sender=None, name=name, organization_id=organization_id, payload=payload)
