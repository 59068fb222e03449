"""Responses and their answers, plus the records that make ingestion idempotent."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEB = "web", _("Web")
    LINK = "link", _("Link")
    WIDGET = "widget", _("Widget")
    APP = "app", _("App")
    PHONE = "phone", _("Phone")
    STORE = "store", _("In store")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    API = "api", "API"
    IMPORT = "import", _("Import")
    SURVEY = "survey", _("Survey page")
    DEMO = "demo", _("Demo")


class Response(OrgScopedModel):
    # Index diet: every index costs on each of millions of inserts. Foreign keys that the
    # composite indexes below already lead with, or that are only used when a survey,
    # version, touchpoint or unit is deleted (rare, admin-time), get no index of their own.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="responses", db_index=False)
    survey_version = models.ForeignKey(
        "surveys.SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "contacts.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses",
        db_index=False,
    )
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses", db_index=False
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.OTHER)
    language = models.CharField(max_length=8, blank=True, default="")
    segment = models.CharField(max_length=80, blank=True, default="", help_text="Customer segment when answered.")
    submitted_at = models.DateTimeField()
    external_id = models.CharField(
        max_length=200, null=True, blank=True, help_text="The sender's id for this response; makes re-sends no-ops."
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    metadata = models.JSONField(default=dict, blank=True, help_text="campaign, product, agent, store, …")
    has_comment = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="response_external_id_unique")
        ]
        indexes = [
            models.Index(fields=["organization", "submitted_at"], name="response_org_time"),
            models.Index(fields=["organization", "touchpoint", "submitted_at"], name="response_org_tp_time"),
        ]


class Answer(models.Model):
    """One answer. `question_type` is copied from the question so metrics need no join."""

    # The unique (response, question) index serves lookups by response; by-question reads
    # (analytics) go through rollups, so neither FK needs an index of its own.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey("surveys.Question", on_delete=models.PROTECT, related_name="answers",
                                 db_index=False)
    question_type = models.CharField(max_length=16)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, default="")
    choices = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_unique")]


class IdempotencyRecord(OrgScopedModel):
    """The stored outcome of a request made with an Idempotency-Key, replayed on retry."""

    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # Text, not JSON: PostgreSQL's jsonb reorders keys, and a replay must be byte-identical.
    body = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="idempotency_key_unique")]


class ImportSource(OrgScopedModel):
    """A named kind of file (e.g. "Kundtjänst-export") and its saved column mapping."""

    name = models.CharField(max_length=120)
    mapping = models.JSONField(default=dict)
    defaults = models.JSONField(default=dict, blank=True, help_text="Values for fields the file lacks.")
    # How the file's cells are read (importing/options.py): date format, the source's time zone,
    # value mappings per column ("First Payment" → first-payment, "Very satisfied" → 5).
    options = models.JSONField(default=dict, blank=True, help_text="Date format, time zone, value mappings.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="import_source_unique")]

    def __str__(self) -> str:
        return self.name


class ImportJob(OrgScopedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(ImportSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{line, field, message}], capped.")
    error_count = models.PositiveIntegerField(default=0, help_text="Every error found, also those past the cap.")
    # The length of the job's error file (every rejected row, importing/errorfile.py) as of its
    # last committed chunk: 0 while it has none; a resumed run cuts the file back to it.
    error_file_size = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The importer's unit limit when the job was made ("" = the whole organization): rows are
    # confined to it as the API confines a unit-limited key, and only members whose own limit
    # covers it see the job (its rejected rows repeat the file's cells).
    unit_path = models.CharField(max_length=500, blank=True, default="")
    # Whether alert rules may open cases for this job's rows: "recent" (submitted within the SLA
    # policy's import window), "all" or "none". History rarely needs a call back.
    open_cases = models.CharField(max_length=8, default="recent", db_default="recent",
                                  choices=[("recent", _("Recent rows only")), ("all", _("All rows")),
                                           ("none", _("None"))])
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the run read, for the dry run's page: the date format used (and whether it was
    # detected), each mapped column's source values with what they become and their counts, and
    # the touchpoints, units and surveys the file names that do not exist (importing/summary.py).
    summary = models.JSONField(default=dict, blank=True)


def session_response_id(token: str) -> str:
    """The external id of a respondent session's response (respond), found by its invitation's token
    (distribution): derived from the token, never the token itself.
    External ids are shown to every API reader and written into exports, while the token is the
    respondent's key to the session (answering, resuming, unsubscribing). A hash needs no key, so
    it never changes (a keyed one would split a session's answers when the key is rotated), and
    it cannot be turned back into the token or guessed to plant a response ahead of a session."""
    return "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]
