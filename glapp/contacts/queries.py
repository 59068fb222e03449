"""Reads for customers."""

from django.db.models import Count, FloatField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from glapp.contacts.models import ContactPolicy, Customer

VALUE_ATTRIBUTE = "annual_value"  # a customer's worth, a number in the customer's attributes


def segment_shares(organization_id: int, basis: str = "customers") -> dict[str, float]:
    """Each segment's share of the customer register ("" for customers without a segment):
    by head count, or (basis="value") by the sum of the customers' `annual_value` attribute."""
    customers = Customer.objects.for_org(organization_id).values_list("segment").order_by()
    if basis == "value":
        value = Cast(KeyTextTransform(VALUE_ATTRIBUTE, "attributes"), FloatField())
        rows = customers.annotate(total=Sum(value)).values_list("segment", "total")
    else:
        rows = customers.annotate(total=Count("id")).values_list("segment", "total")
    totals = {segment: float(total) for segment, total in rows if total and total > 0}
    whole = sum(totals.values())
    return {segment: t / whole for segment, t in totals.items()} if whole else {}


def customer_by_external_id(organization_id: int, external_id: str) -> Customer | None:
    return Customer.objects.for_org(organization_id).filter(external_id=external_id).first()


def contact_policy(organization_id: int) -> ContactPolicy:
    """The organization's contact policy; the defaults (unsaved) when none was stored yet."""
    policy = ContactPolicy.objects.for_org(organization_id).first()
    return policy or ContactPolicy(organization_id=organization_id)
