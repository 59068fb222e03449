"""Operator-level lookups for CLI commands: the operator names an organization explicitly by slug,
so these reads are scoped by that choice rather than by a user's membership."""

from django.core.management.base import CommandError

from glapp.accounts.models import Organization, Unit


def organization_by_slug(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
        raise CommandError(f"No organization with slug {slug!r} (known: {known}).") from None


def unit_by_code(org: Organization, code: str) -> Unit:
    try:
        return Unit.objects.for_org(org).get(code=code)
    except Unit.DoesNotExist:
        raise CommandError(f"No unit with code {code!r} in {org.slug!r}.") from None
