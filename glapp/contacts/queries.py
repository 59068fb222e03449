"""Reads for customers."""

from django.db.models import Count, FloatField, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from glapp.contacts import tombstones
from glapp.contacts.models import ContactPolicy, Customer, Tombstone
from glapp.core import bulk

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


LOOKUP_CHUNK = 900  # stays below SQLite's bound-parameter limit on any build


def has_tombstones(organization_id: int) -> bool:
    """Whether anyone of the organization was erased: the writers' fast path skips hashing when not.
    Asked on every API write, so plain SQL (the ORM's query costs more than the lookup), and
    never cached: an erasure refuses the person from the next request on, in every process."""
    return bulk.exists(Tombstone, {"organization": organization_id})


def erased_among(organization_id: int, people: list[tuple[str | None, str | None, str | None]]) -> set[int]:
    """The indexes of `people` ((external id, e-mail, phone), any may be empty) of whom any
    identifier belongs to an erased customer (`Tombstone`)."""
    if not people or not has_tombstones(organization_id):
        return set()
    identifiers, owners = [], []
    for index, (external_id, email, phone) in enumerate(people):
        for kind, value in ((tombstones.EXTERNAL_ID, external_id), (tombstones.EMAIL, email),
                            (tombstones.PHONE, phone)):
            identifiers.append((kind, value))
            owners.append(index)
    by_digest = tombstones.candidate_digests(organization_id, identifiers)
    digests = list(by_digest)
    found: set[int] = set()
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start:start + LOOKUP_CHUNK]
        for digest in Tombstone.objects.for_org(organization_id).filter(digest__in=chunk).values_list(
                "digest", flat=True):
            found.add(owners[by_digest[digest]])
    return found


def is_erased(organization_id: int, external_id: str | None = None, email: str | None = None,
              phone: str | None = None) -> bool:
    return bool(erased_among(organization_id, [(external_id, email, phone)]))


def find_customers(organization_id: int, *, external_id: str = "", email: str = "", phone: str = "") -> list[Customer]:
    """The customers one person is known as: the one with this external id, or every one with
    this e-mail (any case) or phone number (spaces, dashes and 00/+ forms alike). One identifier
    is used, the first given."""
    rows = Customer.objects.for_org(organization_id).order_by("id")
    if (external_id or "").strip():
        return list(rows.filter(external_id=external_id.strip()))
    if (email or "").strip():
        return list(rows.filter(email__iexact=email.strip()))
    wanted = tombstones.normalise(tombstones.PHONE, phone)
    if not wanted:
        return []
    ids = [pk for pk, number in rows.exclude(phone="").values_list("id", "phone").iterator(chunk_size=5000)
           if tombstones.normalise(tombstones.PHONE, number) == wanted]
    return list(rows.filter(pk__in=ids))


# --- Retention (glapp.privacy orchestrates) -----------------------------------------------------

CONTACT_FIELDS = ("first_name", "email", "phone", "region")  # what retention's contact-data period clears


def customers_with_contact_data(organization_id: int, created_before) -> QuerySet:
    """Customers made before `created_before` that still hold a name, an address, a region or attributes."""
    held = Q(attributes__isnull=False) & ~Q(attributes={})
    for name in CONTACT_FIELDS:
        held |= ~Q(**{name: ""})
    return Customer.objects.for_org(organization_id).filter(created_at__lt=created_before).filter(held)


def identifiers_of(organization_id: int, customer_ids) -> list[str]:
    """The external ids, e-mail addresses and phone numbers of these customers (non-empty ones)."""
    rows = Customer.objects.for_org(organization_id).filter(pk__in=list(customer_ids)).values_list(
        "external_id", "email", "phone")
    return [value for row in rows for value in row if value]
