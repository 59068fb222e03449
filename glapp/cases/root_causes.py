"""The root causes an organization starts with: the usual reasons behind a detractor in
telecom, retail, banking and utilities. Each organization edits its own list."""

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from glapp.cases.models import RootCause

SEED = (
    ("price_terms", gettext_noop("Price or terms")),
    ("billing", gettext_noop("Billing")),
    ("delivery", gettext_noop("Delivery")),
    ("product_fault", gettext_noop("Product fault")),
    ("technical", gettext_noop("Technical problem")),
    ("staff", gettext_noop("Staff")),
    ("waiting_time", gettext_noop("Waiting time")),
    ("information", gettext_noop("Information")),
    ("accessibility", gettext_noop("Availability and opening hours")),
    ("other", gettext_noop("Other")),
)


def seed_root_causes(organization_id: int) -> None:
    """Add the seed causes the organization lacks (by code), named in its default language; a
    cause someone renamed or switched off stays as they left it."""
    from glapp.accounts.models import Organization

    language = Organization.objects.filter(pk=organization_id).values_list("default_language", flat=True).first()
    have = set(RootCause.objects.for_org(organization_id).values_list("code", flat=True))
    with translation.override(language or "sv"):
        RootCause.objects.bulk_create([
            RootCause(organization_id=organization_id, code=code, name=gettext(name), position=i)
            for i, (code, name) in enumerate(SEED) if code not in have])
