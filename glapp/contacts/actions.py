"""Writes for customers: the register as touchpoint events describe it, opt-outs and bounces."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from glapp.contacts.models import ContactPolicy, Customer

CONTACT_FIELDS = ("first_name", "email", "phone", "language", "preferred_channel")
CONSENT_FIELDS = ("consent_email", "consent_sms")


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


def upsert_customer(organization_id: int, data: CustomerData, lock: bool = True) -> Customer:
    """Create the customer or update the contact data the event carries, and return the row,
    locked for the rest of the caller's transaction (so two events of one customer are judged
    one after the other against the contact rules).

    Consent flags change only when given. A new e-mail address or phone number clears its
    bounce mark: the bounced address is no longer the one we would use.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("upsert_customer must run inside the transaction that uses the customer")
    rows = Customer.objects.for_org(organization_id).filter(external_id=data.external_id)
    rows = rows.select_for_update() if lock else rows
    customer = rows.first()
    if customer is None:
        # INSERT … ON CONFLICT DO NOTHING: two first events of a new customer at the same moment
        # both end up with the one row (the second waits for the first's lock, then updates it).
        fresh = Customer(organization_id=organization_id, external_id=data.external_id)
        for name in CONTACT_FIELDS + CONSENT_FIELDS:
            value = getattr(data, name)
            if value is not None:
                setattr(fresh, name, value)
        Customer.objects.bulk_create([fresh], ignore_conflicts=True)
        customer = rows.get()
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
    if changed:
        customer.save(update_fields=changed)
    return customer


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
