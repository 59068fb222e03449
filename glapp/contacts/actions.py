"""Writes for customers: the register as touchpoint events describe it, opt-outs and bounces."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from glapp.contacts import tombstones
from glapp.contacts.models import ContactPolicy, Customer, Tombstone
from glapp.core import bulk

CONTACT_FIELDS = ("first_name", "email", "phone", "language", "preferred_channel")
CONSENT_FIELDS = ("consent_email", "consent_sms", "consent_marketing")
LOOKUP_CHUNK = 900  # stays below SQLite's bound-parameter limit on any build


@dataclass
class CustomerData:
    """What an event says about its customer; None means "not given, leave as is"."""

    external_id: str
    first_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    preferred_channel: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_marketing: bool | None = None
    unit_id: int | None = None  # the owning unit of a customer this creates; never changes an existing one


def apply_customer_data(customer: Customer, data: CustomerData) -> list[str]:
    """Set what `data` gives on the (unsaved) customer; return the names of the fields changed."""
    changed = []
    for name in CONTACT_FIELDS + CONSENT_FIELDS:
        value = getattr(data, name)
        if value is None or getattr(customer, name) == value:
            continue
        setattr(customer, name, value)
        changed.append(name)
        if name == "email" and customer.email_bounced_at:
            customer.email_bounced_at = None
            changed.append("email_bounced_at")
        if name == "phone" and customer.phone_bounced_at:
            customer.phone_bounced_at = None
            changed.append("phone_bounced_at")
    return changed


def lock_customers(organization_id: int, datas: Sequence[CustomerData],
                   created: set[str] | None = None) -> dict[str, Customer]:
    """The customers a batch of events names (external id → row), created where missing with
    the first data given for each, and locked for the rest of the caller's transaction. The
    external ids of the rows this call inserted are added to `created` when it is given.

    Contact data of existing customers is not applied here: the caller applies each event's
    data in order (`apply_customer_data`) and saves what changed. New rows are inserted sorted
    by external id with ON CONFLICT DO NOTHING (a concurrent batch creating the same customer
    waits for ours, then finds the row), and every row is locked in id order
    (`select_for_update` on PostgreSQL; SQLite serialises writers), so two batches sharing
    customers queue instead of deadlocking.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_customers must run inside the transaction that uses the customers")
    first: dict[str, CustomerData] = {}
    for data in datas:
        first.setdefault(data.external_id, data)
    ids = _customer_ids(organization_id, list(first))
    missing = sorted(ext for ext in first if ext not in ids)
    inserted_at = None
    if missing:
        inserted_at = _insert_missing(organization_id, [first[ext] for ext in missing])
        ids.update(_customer_ids(organization_id, missing))
    locked: dict[str, Customer] = {}
    ordered = sorted(ids.values())
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        rows = Customer.objects.for_org(organization_id).filter(pk__in=ordered[start:start + LOOKUP_CHUNK])
        for customer in rows.select_for_update().order_by("id"):
            locked[customer.external_id] = customer
    if created is not None and inserted_at is not None:
        # Ours are the rows stamped with our insert's time: a concurrent batch that created the
        # same customer first (our ON CONFLICT then did nothing) stamped it with its own.
        created.update(ext for ext in missing if ext in locked and locked[ext].created_at == inserted_at)
    return locked


def _customer_ids(organization_id: int, external_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(external_ids), LOOKUP_CHUNK):
        chunk = external_ids[start:start + LOOKUP_CHUNK]
        rows = Customer.objects.for_org(organization_id).filter(external_id__in=chunk)
        found.update(rows.values_list("external_id", "id"))
    return found


INSERT_FIELDS = ("organization", "external_id", "created_at", "segment", "region", "attributes", "unit",
                 *CONTACT_FIELDS, *CONSENT_FIELDS)


def _insert_missing(organization_id: int, datas: list[CustomerData]) -> dt.datetime:
    """Insert the customers not there yet (a concurrent batch's are skipped), one executemany;
    returns the creation time it stamped on the rows it inserted."""
    inserted_at = timezone.now()
    now = connection.ops.adapt_datetimefield_value(inserted_at)
    empty = connection.ops.adapt_json_value({}, None)
    defaults = {name: Customer._meta.get_field(name).get_default() for name in CONTACT_FIELDS + CONSENT_FIELDS}
    rows = []
    for data in datas:
        values = [getattr(data, name) for name in CONTACT_FIELDS + CONSENT_FIELDS]
        rows.append((organization_id, data.external_id, now, "", "", empty, data.unit_id,
                     *(defaults[name] if value is None else value
                       for name, value in zip(CONTACT_FIELDS + CONSENT_FIELDS, values, strict=True))))
    bulk.insert_rows(Customer, INSERT_FIELDS, rows, ignore_conflicts=True)
    return inserted_at


def unsubscribe(customer: Customer, when: dt.datetime) -> bool:
    """Opt the customer out of every survey; False if they already were."""
    updated = Customer.objects.filter(pk=customer.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=when)
    if updated:
        customer.unsubscribed_at = when
    return bool(updated)


def mark_bounced(customer: Customer, channel: str, when: dt.datetime) -> bool:
    """A hard bounce: the address is not used again until the register holds a new one."""
    field = {"email": "email_bounced_at", "sms": "phone_bounced_at"}.get(channel)
    if field is None:
        return False
    updated = Customer.objects.filter(pk=customer.pk, **{f"{field}__isnull": True}).update(**{field: when})
    if updated:
        setattr(customer, field, when)
    return bool(updated)


def mark_address_bounced(organization_id: int, channel: str, address: str, when: dt.datetime) -> int:
    """A bounce reported for an address rather than a message: every customer using it."""
    if channel == "email":
        rows = Customer.objects.for_org(organization_id).filter(email__iexact=address, email_bounced_at__isnull=True)
        return rows.update(email_bounced_at=when)
    rows = Customer.objects.for_org(organization_id).filter(phone=address, phone_bounced_at__isnull=True)
    return rows.update(phone_bounced_at=when)


def ensure_contact_policy(organization_id: int) -> ContactPolicy:
    """The organization's contact policy, created with the defaults the first time it is needed."""
    policy, _created = ContactPolicy.objects.get_or_create(organization_id=organization_id)
    return policy


def update_contact_policy(policy: ContactPolicy, **values) -> ContactPolicy:
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def bury(organization_id: int, external_id: str, email: str = "", phone: str = "") -> int:
    """Leave a tombstone for an erased customer's identifiers (keyed hashes only); returns how
    many were new. A second erasure of the same person adds nothing."""
    made = 0
    for kind, value in ((tombstones.EXTERNAL_ID, external_id), (tombstones.EMAIL, email),
                        (tombstones.PHONE, phone)):
        digest = tombstones.digest(organization_id, kind, value)
        if digest:
            _row, created = Tombstone.objects.get_or_create(organization_id=organization_id, digest=digest,
                                                            defaults={"kind": kind})
            made += created
    return made


def delete_customers(organization_id: int, customer_ids: Sequence[int]) -> int:
    """Remove customers from the register (erasure: the callers have removed what refers to them)."""
    deleted, _by_model = Customer.objects.for_org(organization_id).filter(pk__in=list(customer_ids)).delete()
    return deleted


def forget_contact_data(organization_id: int, customer_ids: Sequence[int]) -> int:
    """Retention: clear the customers' name, addresses (and their bounces), region and attributes.
    The id in the organization's systems stays, and so does an opt-out: a customer who comes back
    is recognised, and not asked again if they said no. Returns the customers changed."""
    return Customer.objects.for_org(organization_id).filter(pk__in=list(customer_ids)).update(
        first_name="", email="", phone="", region="", attributes={}, email_bounced_at=None, phone_bounced_at=None)


def lock_customer(organization_id: int, customer_id: int) -> None:
    """Hold the customer's row until the caller's transaction ends, so two writers deciding about
    one customer (two responses each opening a case) go one after the other."""
    list(Customer.objects.for_org(organization_id).select_for_update().filter(pk=customer_id).values_list("id"))
