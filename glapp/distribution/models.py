"""Touchpoint events, the invitations they trigger, and each customer's contact history."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel
from glapp.surveys.models import TOKEN_MAX_LENGTH, new_token


class TouchpointEvent(OrgScopedModel):
    """Customer X had interaction Y at touchpoint Z (from POST /api/v1/events)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        INVITED = "invited", _("Invitation scheduled")
        SKIPPED = "skipped", _("Skipped")

    external_id = models.CharField(max_length=200, null=True, blank=True,
                                   help_text="The sender's id for this event; makes re-sends no-ops.")
    customer = models.ForeignKey("contacts.Customer", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey("journeys.Touchpoint", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interaction = models.CharField(max_length=120, blank=True, default="", help_text="e.g. call, delivery, order")
    occurred_at = models.DateTimeField()
    metadata = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="event_external_id_unique")
        ]
        # Retention's pages (privacy/retention.py) walk what was recorded before a cutoff.
        indexes = [models.Index(fields=["organization", "created_at"], name="event_org_recorded")]


class Invitation(OrgScopedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain")  # claimed, then the worker died: never resent
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        LINK = "link", _("Link")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey("contacts.Customer", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(TouchpointEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="invitations")
    touchpoint = models.ForeignKey("journeys.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The event asked for this channel: it is the only one the invitation may go by (checked
    # again at send time); otherwise the dispatcher may switch, e.g. from a bounced e-mail to SMS.
    channel_requested = models.BooleanField(default=False, db_default=False)
    language = models.CharField(max_length=8, default="sv")
    # The customer's segment when invited: response rates are counted by it, and a customer who
    # changes segment later must not move an invitation already counted from one cell to another.
    segment = models.CharField(max_length=80, blank=True, default="", db_default="")
    # The respondent link is /r/<token>/; the respondent session takes the same token.
    token = models.CharField(max_length=TOKEN_MAX_LENGTH, unique=True, default=new_token)
    context = models.JSONField(default=dict, blank=True, help_text="Piping values and response metadata.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_for = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True, default="")
    error = models.TextField(blank=True, default="")
    # Sending bookkeeping: when a worker claimed it (a claim older than the sweep timeout with no
    # outcome becomes `uncertain`), how many tries so far, and when the one reminder is due.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reminder_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # An event triggers a survey at most once, however often the trigger runs.
            models.UniqueConstraint(fields=["event", "survey"], name="invitation_event_survey_unique"),
        ]
        indexes = [
            models.Index(fields=["organization", "customer", "created_at"], name="invitation_customer_time"),
            models.Index(fields=["status", "scheduled_for"], name="invitation_due"),
            models.Index(fields=["organization", "message_id"], name="invitation_message_id"),
            models.Index(fields=["reminder_due_at"], name="invitation_reminder_due"),
            models.Index(fields=["organization", "created_at"], name="invitation_org_recorded"),  # retention
        ]


# What each reason code (distribution/rules.py) means, for people reading the history.
REASON_LABELS = {
    "frequency_cap": _("Invited too recently (contact policy: days between invitations)"),
    "relationship_interval": _("Had a relationship survey too recently"),
    "opted_out": _("Opted out of surveys"),
    "no_consent": _("No consent to e-mail or SMS"),
    "no_address": _("No address for the consented channel"),
    "bounced": _("The address bounced"),
    "no_channel": _("No usable channel"),
    "no_active_survey": _("No active survey at the touchpoint"),
    "survey_not_published": _("The survey is not published"),
    "survey_closed": _("The survey was closed"),
    "already_answered": _("Already answered before it was sent"),
    "too_late": _("Too late: the link would already have expired"),
    "quiet_hours": _("Quiet hours"),
    "erased": _("The customer was erased"),
}


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


class ContactLog(OrgScopedModel):
    """A customer's contact history: what was sent, and why something was not."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Invitation scheduled")
        SKIPPED = "skipped", _("Not invited")
        DEFERRED = "deferred", _("Deferred")
        SENT = "sent", _("Sent")
        REMINDED = "reminded", _("Reminder sent")
        FAILED = "failed", _("Sending failed")
        BOUNCED = "bounced", _("Bounced")
        OPENED = "opened", _("Opened")
        RESPONDED = "responded", _("Responded")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    customer = models.ForeignKey("contacts.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=40, blank=True, default="", help_text="Skip reason code, e.g. frequency_cap")
    detail = models.CharField(max_length=500, blank=True, default="")
    survey = models.ForeignKey("surveys.Survey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event = models.ForeignKey(TouchpointEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="log")
    channel = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["organization", "customer", "created_at"], name="contactlog_customer_time"),
                   models.Index(fields=["organization", "created_at"], name="contactlog_org_recorded")]  # retention

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)

    @property
    def channel_label(self) -> str:
        return Invitation.Channel(self.channel).label if self.channel in Invitation.Channel.values else self.channel

    @property
    def detail_times(self) -> list[dt.datetime]:
        """The times a scheduled or deferred entry records (ISO 8601 in `detail`), so a page
        can show them in local time; empty for other entries."""
        if self.kind not in (self.Kind.SCHEDULED, self.Kind.DEFERRED):
            return []
        try:
            return [dt.datetime.fromisoformat(part.strip()) for part in self.detail.split("→")]
        except ValueError:
            return []
