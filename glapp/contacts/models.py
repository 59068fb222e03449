"""Customers: who answered, in which language, with what consent."""

from django.db import models

from glapp.core.models import OrgScopedModel


class Customer(OrgScopedModel):
    external_id = models.CharField(max_length=200, help_text="The customer's id in the organization's systems.")
    first_name = models.CharField(max_length=120, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    segment = models.CharField(max_length=80, blank=True, default="")
    region = models.CharField(max_length=80, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    consent_email = models.BooleanField(default=False)
    consent_sms = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="customer_external_id_unique")
        ]

    def __str__(self) -> str:
        return self.external_id
