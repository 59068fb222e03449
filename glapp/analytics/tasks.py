"""Background rollup work. Thin: each task calls an action."""

from django_tasks import task

from glapp.analytics import actions


@task()
def rebuild_rollups(organization_id: int) -> dict:
    """Recount an organization's rollups (one transaction; see `actions.rebuild_rollups`)."""
    return {"responses": actions.rebuild_rollups(organization_id)}
