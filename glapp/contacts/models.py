"""Customers: who answered, in which language, with what consent."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel


class Customer(OrgScopedModel):
    external_id = models.CharField(max_length=200, help_text=_("The customer's id in the organization's systems."))
    # The unit that owns the customer: a unit-limited member or API key sees (and may change) only
    # customers of its subtree. Set once, when the customer is created, to the unit of the event or
    # response that created it; empty: the whole organization's (only those without a unit limit
    # see it). Later events elsewhere never move it, so a key cannot widen its own reach.
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_name = models.CharField(max_length=120, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    segment = models.CharField(max_length=80, blank=True, default="")
    region = models.CharField(max_length=80, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    consent_email = models.BooleanField(default=False)
    consent_sms = models.BooleanField(default=False)
    # Consent to be asked for a review or a referral: marketing, which consent to surveys is not.
    consent_marketing = models.BooleanField(default=False, db_default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The channel the customer asked for; empty: email when possible, else SMS.
    preferred_channel = models.CharField(max_length=8, blank=True, default="", db_default="",
                                         choices=[("email", _("Email")), ("sms", _("SMS"))])
    # A hard bounce: the address is not used again until the customer record gets a new one.
    email_bounced_at = models.DateTimeField(null=True, blank=True)
    phone_bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="customer_external_id_unique")
        ]

    def __str__(self) -> str:
        return self.external_id


def weekdays() -> list[int]:
    return [1, 2, 3, 4, 5]


class ContactPolicy(OrgScopedModel):
    """An organization's rules against survey fatigue (one row per organization)."""

    min_days_between_invitations = models.PositiveSmallIntegerField(
        default=30, help_text=_("At most one invitation per customer in this many days, across all surveys."))
    relationship_min_months = models.PositiveSmallIntegerField(
        default=6, help_text=_("A customer gets a relationship survey at most this often."))
    quiet_hours_start = models.TimeField(default=dt.time(21, 0), help_text=_("No invitation is sent from …"))
    quiet_hours_end = models.TimeField(default=dt.time(8, 0), help_text=_("… until (local time)."))
    time_zone = models.CharField(max_length=64, default="Europe/Stockholm")
    # When the organization answers its customers (local time in `time_zone`): what SLAs on
    # cases count. Weekdays as ISO numbers, Monday = 1.
    office_hours_start = models.TimeField(default=dt.time(8, 0))
    office_hours_end = models.TimeField(default=dt.time(17, 0))
    office_days = models.JSONField(default=weekdays)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="contact_policy_one_per_org")]


class Tombstone(OrgScopedModel):
    """An erased customer's identifier (external id, e-mail or phone), kept only as a keyed hash
    (`contacts/tombstones.py`): enough to refuse a later import, API response or touchpoint event
    that would bring the person back or contact them again, never enough to say who they were."""

    class Kind(models.TextChoices):
        EXTERNAL_ID = "external_id", _("Customer id")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    digest = models.CharField(max_length=64, help_text=_("HMAC-SHA256 of the normalised identifier."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "digest"], name="tombstone_digest_unique")]
