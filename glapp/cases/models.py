"""Alert rules, the cases they open, and what an organization decides about working them.

A rule is evaluated once per response (`Evaluation` is the marker), in the transaction that
completes the response or stores its comment's analysis; a match is an `AlertMatch`, and a match
that opens a case attaches the response to the customer's open case or to a new one
(`CaseResponse`: a response belongs to one case at most, which is what keeps twenty concurrent
retries of one response to one case). Everything a case goes through is a `CaseActivity`.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class AlertRule(OrgScopedModel):
    """Who needs attention: conditions (`cases/conditions.py`, a JSON tree) and what to do."""

    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict)
    open_case = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Whom to tell: people (user ids) and units (their queue's handlers). Plain ids in JSON: a
    # person or unit removed later is simply skipped.
    notify_users = models.JSONField(default=list, blank=True)
    notify_units = models.JSONField(default=list, blank=True)
    webhook = models.BooleanField(default=False, help_text=_("Publish alert.triggered to subscribed webhooks."))
    # A promoter rule: thank the customer and ask for a public review or a referral (needs their
    # marketing consent and a review page for their unit; at most one ask per customer per
    # `SlaPolicy.promoter_ask_months`).
    ask_promoter = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "active"], name="alertrule_org_active")]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """A response's rules were evaluated: written once, in the transaction that evaluates them,
    so a retry, a re-import or a second analysis finds it and evaluates nothing again.
    `awaiting_analysis`: rules on the comment's topics or sentiment still wait for its analysis."""

    response = models.OneToOneField("responses.Response", primary_key=True, on_delete=models.CASCADE,
                                    related_name="+")
    organization_id = models.BigIntegerField()
    awaiting_analysis = models.BooleanField(default=False)
    evaluated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organization_id", "evaluated_at"], name="evaluation_awaiting",
                                condition=models.Q(awaiting_analysis=True))]


class SlaPolicy(OrgScopedModel):
    """How fast cases are worked (one row per organization): hours to first contact and to
    resolution per priority, counted in office hours (the contact policy's office hours and time
    zone, the unit's country's public holidays) or in calendar hours."""

    class Clock(models.TextChoices):
        OFFICE = "office", _("Office hours")
        CALENDAR = "calendar", _("Calendar hours (24/7)")

    class Assignment(models.TextChoices):
        QUEUE = "queue", _("Leave in the unit's queue")
        ROUND_ROBIN = "round_robin", _("Round-robin among the unit's handlers")
        LEAST_LOADED = "least_loaded", _("The handler with the fewest open cases")

    clock = models.CharField(max_length=16, choices=Clock.choices, default=Clock.OFFICE)
    country = models.CharField(max_length=2, default="SE", help_text=_("Public holidays of this country, "
                                                                       "unless a unit says otherwise."))
    # {priority: hours}; keys are Priority values as strings (JSON).
    first_contact_hours = models.JSONField(default=dict)
    resolve_hours = models.JSONField(default=dict)
    # Customers whose case is urgent whatever the rule says (a condition tree on the response and
    # customer, e.g. annual value above a threshold); empty: none.
    high_value = models.JSONField(default=dict, blank=True)
    assignment = models.CharField(max_length=16, choices=Assignment.choices, default=Assignment.QUEUE)
    merge_window_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("A customer's new response joins their case opened within this many days."))
    import_case_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Imported responses open cases only when submitted within this many days."))
    promoter_ask_months = models.PositiveSmallIntegerField(
        default=6, help_text=_("A customer is asked for a review or referral at most once in this many months."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="slapolicy_one_per_org")]

    DEFAULT_FIRST_CONTACT = {Priority.LOW: 72, Priority.NORMAL: 24, Priority.HIGH: 8, Priority.URGENT: 4}
    DEFAULT_RESOLVE = {Priority.LOW: 240, Priority.NORMAL: 72, Priority.HIGH: 40, Priority.URGENT: 24}

    def hours_to_first_contact(self, priority: int) -> float:
        return float((self.first_contact_hours or {}).get(str(priority), self.DEFAULT_FIRST_CONTACT[priority]))

    def hours_to_resolve(self, priority: int) -> float:
        return float((self.resolve_hours or {}).get(str(priority), self.DEFAULT_RESOLVE[priority]))


class UnitCaseSettings(OrgScopedModel):
    """A unit's part in case work: its calendar's country, whom a breach is escalated to, and the
    review page promoters of this unit are asked to visit."""

    unit = models.OneToOneField("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, blank=True, default="", help_text=_("Empty: the organization's."))
    escalation_contact = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    review_url = models.URLField(max_length=500, blank=True, default="")


class RootCause(OrgScopedModel):
    """Why the customer was unhappy, from the organization's own list (seeded with common causes)."""

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="rootcause_code_unique")]

    def __str__(self) -> str:
        return self.name


class Case(OrgScopedModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.IN_PROGRESS)

    customer = models.ForeignKey("contacts.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    # The response's unit, and the queue it sits in: that unit or the nearest above it with a
    # case handler (None: the organization's queue).
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    queue = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    title = models.CharField(max_length=200, blank=True, default="")
    # No consent to be contacted: the case is kept for analysis (root cause, figures), never worked
    # as a contact, and has no due times.
    analysis_only = models.BooleanField(default=False)
    first_contact_due_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True)
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # The due time that counts now (`next_due`), kept by save() so the inbox sorts on an index.
    due_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.ForeignKey(RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.TextField(blank=True, default="")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The inbox: open cases by due time, in a unit subtree or of one owner.
            models.Index(fields=["organization", "status", "due_at"], name="case_org_status_due"),
            models.Index(fields=["organization", "owner", "status"], name="case_org_owner"),
            models.Index(fields=["organization", "customer", "created_at"], name="case_org_customer"),
            # The inbox's version (queries.latest_change): its polling asks for the newest change.
            models.Index(fields=["organization", "updated_at"], name="case_org_updated"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def save(self, *args, **kwargs):
        self.due_at = self.next_due()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "due_at", "updated_at"}
        super().save(*args, **kwargs)

    def next_due(self) -> dt.datetime | None:
        """The due time that counts now: first contact until the customer was contacted."""
        if self.analysis_only or not self.is_open:
            return None
        return self.first_contact_due_at if self.first_contacted_at is None else self.resolve_due_at


class CaseResponse(models.Model):
    """A response in a case. The response is unique: one response, one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    response = models.OneToOneField("responses.Response", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()


class AlertMatch(OrgScopedModel):
    """A rule matched a response (once per rule and response), and what came of it."""

    class Outcome(models.TextChoices):
        CASE = "case", _("Opened or joined a case")
        NOTIFIED = "notified", _("Notified only")
        HISTORIC = "historic", _("Too old to open a case")

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "response"], name="alertmatch_once")]


class CaseActivity(OrgScopedModel):
    """One line of a case's timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Opened")
        RESPONSE_ADDED = "response_added", _("Response added")
        NOTE = "note", _("Note")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY = "priority", _("Priority changed")
        EMAIL = "email", _("E-mail to the customer")
        CALL = "call", _("Phone call")
        VIEWED = "viewed", _("Viewed")
        BREACHED = "breached", _("Due time passed")
        MERGED = "merged", _("Merged")
        SPLIT = "split", _("Split")
        FOLLOW_UP_SENT = "follow_up_sent", _("Follow-up sent")
        FOLLOW_UP_ANSWERED = "follow_up_answered", _("Follow-up answered")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    text = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"], name="caseactivity_case_time")]


class SendingStatus(models.TextChoices):
    """Where a message to a customer is: claimed before it is sent and marked after, so a crash in
    between leaves it "uncertain", never sent twice (case e-mails, promoter asks)."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCERTAIN = "uncertain", _("Unknown (interrupted while sending)")


class ReplyTemplate(OrgScopedModel):
    """A ready answer for case e-mails, with placeholders filled from the case ({first_name},
    {case}, {unit}, {handler}; `[optional parts]` dropped when a value is unknown)."""

    name = models.CharField(max_length=120)
    language = models.CharField(max_length=8, default="sv")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]


class CaseEmail(OrgScopedModel):
    """An e-mail to the customer from a case: written in the transaction that records it on the
    timeline, sent by the time-critical queue (claimed first, like invitations, so a crash between
    claim and send leaves it "uncertain", never sent twice)."""

    Status = SendingStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emails")
    activity = models.OneToOneField(CaseActivity, on_delete=models.CASCADE, related_name="email")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    message_id = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="caseemail_status")]


class FollowUp(OrgScopedModel):
    """The one follow-up question a resolved case's customer gets ("did you get help?" and NPS),
    and what they answered: the recovery figures count these, not what handlers believe."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="follow_up")
    invitation_id = models.BigIntegerField(null=True, blank=True, help_text="The invitation sent (none: why not).")
    skipped = models.CharField(max_length=40, blank=True, default="", help_text="Why no invitation went out.")
    response = models.OneToOneField("responses.Response", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    helped = models.CharField(max_length=8, blank=True, default="", help_text="yes, partly or no")
    nps = models.SmallIntegerField(null=True, blank=True)
    prior_nps = models.SmallIntegerField(null=True, blank=True, help_text="The lowest NPS of the case's responses.")
    answered_at = models.DateTimeField(null=True, blank=True)

    @property
    def recovered(self) -> bool | None:
        """A detractor before, a passive or promoter now; None until both are known."""
        if self.nps is None or self.prior_nps is None or self.prior_nps > 6:
            return None
        return self.nps >= 7


class PromoterAsk(OrgScopedModel):
    """A thank-you and an ask for a public review or a referral, sent to a promoter. Its link goes
    through glapp (`/go/<token>/`), which counts the first click and redirects only to the review
    page stored here (copied from the unit's settings when the ask was made)."""

    Status = SendingStatus

    customer = models.ForeignKey("contacts.Customer", null=True, on_delete=models.SET_NULL, related_name="+")
    response = models.OneToOneField("responses.Response", null=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(AlertRule, null=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    touchpoint = models.ForeignKey("journeys.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    token = models.CharField(max_length=64, unique=True)
    review_url = models.URLField(max_length=500)
    to = models.EmailField()
    language = models.CharField(max_length=8, default="sv")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    clicks = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["organization", "customer", "created_at"], name="promoterask_customer"),
                   models.Index(fields=["status", "created_at"], name="promoterask_status")]
