"""Domain events, sent only after the transaction that caused them commits.

Receivers (rollups, text analysis, webhooks) subscribe with `@receiver(domain_event)` and
filter on `name`; they should enqueue tasks rather than do heavy work inline.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

domain_event = Signal()  # kwargs: name, organization_id, payload
log = logging.getLogger("glapp.events")


def send_on_commit(name: str, organization_id: int, payload: dict) -> None:
    def _send() -> None:
        log.debug("event %s org=%s", name, organization_id)
        domain_event.send(sender=None, name=name, organization_id=organization_id, payload=payload)

    transaction.on_commit(_send)
