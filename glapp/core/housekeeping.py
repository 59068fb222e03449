"""Housekeeping writes: removing rows whose purpose has expired.

These run for the whole installation rather than for one organization, which is why they live
here and not in a tenant-scoped `actions.py`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from glapp.responses.models import IdempotencyRecord

# Small batches keep each write transaction short, so a large backlog never holds SQLite's
# single write lock long enough to stall API ingestion.
BATCH_SIZE = 1000


def prune_idempotency_records(now: datetime | None = None, ttl_hours: int | None = None) -> int:
    """Delete stored Idempotency-Key outcomes older than the replay window; return how many."""
    ttl = settings.GLAPP_IDEMPOTENCY_TTL_HOURS if ttl_hours is None else ttl_hours
    cutoff = (now or timezone.now()) - timedelta(hours=ttl)
    expired = IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("pk")
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(expired.values_list("pk", flat=True)[:BATCH_SIZE])
            if not ids:
                return deleted
            count, _ = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += count
