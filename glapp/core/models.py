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
