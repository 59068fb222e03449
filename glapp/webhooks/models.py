"""Endpoints, the outbox of messages, one delivery per (endpoint, message) and each attempt's log.

A message is written in the transaction of the event it tells of, so it commits with the
response or case or not at all; its `msg_id` is the `webhook-id` of every attempt, so a receiver
can drop a repeat. A delivery is the state of one message on its way to one endpoint."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel

EVENT_TYPES = (
    ("response.created", _("A response was stored")),
    ("response.completed", _("A response is complete")),
    ("case.created", _("A case was opened")),
    ("case.updated", _("A case changed")),
    ("case.closed", _("A case was closed")),
    ("alert.triggered", _("An alert rule matched")),
)
TEST_EVENT = "webhook.test"


class Endpoint(OrgScopedModel):
    """A URL of the organization's that hears the event types it subscribes to."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    # Comma-separated, so the receivers' one read per event needs no JSON decoding on either database.
    event_types = models.CharField(max_length=300, default="")
    # Whole, since glapp signs with it (docs/webhooks.md); shown once, when made or rotated.
    secret = models.CharField(max_length=100)
    # The secret before the last rotation, also signed with until `previous_secret_until`, so a
    # receiver has time to switch.
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    personal_data = models.BooleanField(default=False, help_text="Comments unredacted and customer ids in payloads.")
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    consecutive_failures = models.IntegerField(default=0)  # attempts since the last success
    failing_since = models.DateTimeField(null=True, blank=True)  # first failure since the last success
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # When the queued delivery task of this endpoint will run (None: none waits); an event queues
    # one only when none waits (actions.wake).
    wake_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The receivers' one read per event: the organization's active endpoints.
        indexes = [models.Index(fields=["organization", "active"], name="webhook_endpoint_org")]

    @property
    def types(self) -> list[str]:
        return [t for t in self.event_types.split(",") if t]


class Message(OrgScopedModel):
    """One event as webhooks publish it. `payload` is the body endpoints without personal data
    get (comments redacted, no customer ids); `personal_payload`, kept only when an endpoint
    subscribed may receive personal data, is the unredacted body."""

    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    payload = models.TextField()
    personal_payload = models.TextField(blank=True, default="")
    # Whom it concerns, so erasure, export and retention find it (the id, not a copy of it).
    customer_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "created_at"], name="webhook_message_org_time"),
            models.Index(fields=["organization", "customer_id"], name="webhook_message_customer"),
        ]


class Delivery(models.Model):
    """One message's way to one endpoint."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="")  # the run that claimed it
    last_status = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "message"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["endpoint", "state", "next_attempt_at"], name="webhook_delivery_due")]


class Attempt(models.Model):
    """One try to deliver: what the endpoint answered, for the delivery log."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField()
    status_code = models.IntegerField(null=True, blank=True)  # None: no answer (refused, timeout, connection)
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.IntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["endpoint", "at"], name="webhook_attempt_log"),
                   models.Index(fields=["organization", "at"], name="webhook_attempt_org_time")]
