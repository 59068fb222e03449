"""Background work for privacy. Thin: the task calls the action."""

from django_tasks import task

from glapp.privacy import retention


@task()
def apply_retention() -> dict:
    """Periodic: apply each organization's retention periods, at most once a day per organization
    (a rerun the same day, or after a crash, does only what is left)."""
    return {str(organization_id): counts for organization_id, counts in retention.apply_due().items()}


# Queued with the installation's housekeeping by `glapp worker`; each is safe to run twice.
HOUSEKEEPING_TASKS = [apply_retention]
