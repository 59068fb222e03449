"""Reads for customers."""

from django.db.models import Count

from glapp.contacts.models import Customer


def segment_shares(organization_id: int) -> dict[str, float]:
    """Each segment's share of the customer register ("" for customers without a segment)."""
    counts = dict(Customer.objects.for_org(organization_id).values_list("segment").annotate(n=Count("id"))
                  .order_by().values_list("segment", "n"))
    total = sum(counts.values())
    return {segment: n / total for segment, n in counts.items()} if total else {}
