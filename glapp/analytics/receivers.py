"""Rollups key cells by plain ids of touchpoints and units. When one is deleted (only the admin
can), responses, invitations and widget displays lose the reference (SET_NULL), and a later move
of an invitation already counted would land in another cell than its first count. So the
organization's rollups are recounted in the background once the deletion commits: once per
organization and transaction, however many rows it deleted."""

from django.db import transaction


def on_dimension_deleted(sender, instance, **kwargs) -> None:
    from glapp.analytics.tasks import rebuild_rollups

    organization_id = instance.organization_id
    # Django keeps the transaction's pending callbacks (and drops those of a rolled-back
    # savepoint), so one already queued for this organization is found there.
    queued = transaction.get_connection().run_on_commit
    if any(getattr(entry[1], "recounts_organization", None) == organization_id for entry in queued):
        return

    def enqueue() -> None:
        rebuild_rollups.enqueue(organization_id)

    enqueue.recounts_organization = organization_id
    transaction.on_commit(enqueue)
