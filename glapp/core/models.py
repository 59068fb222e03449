"""Base classes every tenant-owned model builds on.

Tenancy is enforced by construction: each tenant-owned row carries `organization`, and
`OrgQuerySet.for_org()` is the only way `queries.py` modules start a read.
"""

from django.db import models


class OrgQuerySet(models.QuerySet):
    def for_org(self, organization) -> "OrgQuerySet":
        org_id = getattr(organization, "pk", organization)
        if org_id is None:
            raise ValueError("An organization is required to read tenant data.")
        return self.filter(organization_id=org_id)


class OrgScopedModel(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


class TaskLease(models.Model):
    """A running background task's lease (`core/task_leases.py`): the worker running the task
    renews `expires_at` while it runs; once it has passed, the worker is presumed dead and the
    task is queued again. Our own table beside django-tasks-db's, keyed by its task row."""

    task = models.OneToOneField("django_tasks_database.DBTaskResult", primary_key=True, on_delete=models.CASCADE,
                                related_name="+")
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
