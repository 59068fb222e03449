"""What each person is told about cases and alerts (the bell), and how they want to hear it.

A `Notification` is written in the transaction of the change it is about (`case.changed`,
`alert.triggered`), one per recipient. Its title is built from codes and numbers only: what a
case says (comments, notes, customer data) is read from the case under the reader's rights when
the notification is shown, never copied here or into an e-mail.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to me")
    QUEUE = "queue", _("New case in my queue")
    BREACHED = "breached", _("Due time passed / escalated")
    ACTIVITY = "activity", _("Activity on my case")
    ALERT = "alert", _("Alert rule matched")


class Delivery(models.TextChoices):
    OFF = "off", _("Off")
    IN_APP = "in_app", _("In glapp only")
    IMMEDIATE = "immediate", _("E-mail at once")
    HOURLY = "hourly", _("Hourly e-mail digest")
    DAILY = "daily", _("Daily e-mail digest")


# Time-critical news reaches people at once; the rest waits for the morning's digest.
DEFAULT_DELIVERY = {
    Kind.ASSIGNED: Delivery.IMMEDIATE,
    Kind.BREACHED: Delivery.IMMEDIATE,
    Kind.QUEUE: Delivery.DAILY,
    Kind.ACTIVITY: Delivery.DAILY,
    Kind.ALERT: Delivery.DAILY,
}
DIGESTS = (Delivery.HOURLY, Delivery.DAILY)


class EmailState(models.TextChoices):
    NONE = "none", _("No e-mail")
    PENDING = "pending", _("Waiting to be e-mailed")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("E-mailed")
    FAILED = "failed", _("Failed")
    UNCERTAIN = "uncertain", _("Unknown (interrupted while sending)")


class Notification(OrgScopedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey("responses.Response", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    rule_id = models.BigIntegerField(null=True, blank=True)
    # Codes and numbers only ("#42 · P3 · north-store"): no comment text, no customer data.
    title = models.CharField(max_length=200)
    # What happened, as codes: {"change": "note", "priority": 3, "status": "new", "unit": "…"}.
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The person's choice for this kind when it was written.
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    email_state = models.CharField(max_length=16, choices=EmailState.choices, default=EmailState.NONE)
    # A claim (a random token) is taken before an e-mail is sent, so two workers never both send
    # it and a crash between claim and send leaves it "uncertain", never sent twice.
    email_claim = models.CharField(max_length=32, blank=True, default="")
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True, default="")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The bell: one indexed count of a person's unread notifications.
            models.Index(fields=["user", "organization"], name="notification_unread",
                         condition=Q(read_at__isnull=True)),
            # The list, newest first.
            models.Index(fields=["user", "organization", "-created_at"], name="notification_list"),
            # The sender: only rows that still wait for (or are in) an e-mail.
            models.Index(fields=["email_state", "delivery", "created_at"], name="notification_outbox",
                         condition=Q(email_state__in=["pending", "sending"])),
            # Retention: an organization's old notifications by date.
            models.Index(fields=["organization", "created_at"], name="notification_org_time"),
        ]


class Preference(OrgScopedModel):
    """A person's choice for one kind of notification in one organization (none: the default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user", "kind"],
                                               name="notification_preference_once")]
