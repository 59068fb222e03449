"""Surveys, their questions and frozen published versions."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel
from glapp.surveys import question_types as qt

TOKEN_MAX_LENGTH = 43  # the longest token a link may carry (the token columns' size)


def new_token() -> str:
    """An unguessable URL token (respondent links, public survey links)."""
    return secrets.token_urlsafe(18)


class Survey(OrgScopedModel):
    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", _("Transactional")
        RELATIONSHIP = "relationship", _("Relationship")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=80, help_text="Stable key used by imports and the API.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    languages = models.JSONField(default=list, help_text="Language codes the texts are written in.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_version = models.ForeignKey(
        "SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The anonymous public link (/s/<token>/) and the widget address this survey by this token.
    public_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # What the respondent sees after the last answer; promoters may get a next step (review, referral).
    thank_you = models.JSONField(default=dict, blank=True, help_text='Per-language text: {"sv": "...", "en": "..."}')
    promoter_link = models.URLField(blank=True, default="", help_text="Offered to promoters (NPS 9–10).")
    promoter_link_label = models.JSONField(default=dict, blank=True, help_text="Per-language link text.")
    # Invitations: how long after a touchpoint event to ask, when to remind (once), when to stop.
    invitation_delay_minutes = models.PositiveIntegerField(default=60)
    reminder_after_days = models.PositiveSmallIntegerField(null=True, blank=True, default=3,
                                                           help_text="Empty: never remind.")
    expires_after_days = models.PositiveSmallIntegerField(default=14)
    # Widget: show after this site event (empty: the widget does not show this survey).
    widget_event = models.CharField(max_length=80, blank=True, default="")
    widget_delay_seconds = models.PositiveSmallIntegerField(default=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="survey_code_unique")]

    def __str__(self) -> str:
        return self.name


class Question(OrgScopedModel):
    """A question of a survey. `key` is stable across versions; its type never changes."""

    TYPE_CHOICES = [
        (qt.NPS, "NPS 0–10"),
        (qt.CES, "CES 1–7"),
        (qt.CSAT, "CSAT 1–5"),
        (qt.LBA, "LBA 0–10"),
        (qt.EMOTION, _("Emotion")),
        (qt.RATING, _("Rating")),
        (qt.SINGLE, _("Single choice")),
        (qt.MULTI, _("Multiple choice")),
        (qt.TEXT, _("Open text")),
    ]

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=80)
    type = models.CharField(max_length=16, choices=TYPE_CHOICES)
    position = models.PositiveSmallIntegerField(default=0)
    texts = models.JSONField(default=dict, help_text='Per-language wording: {"sv": "...", "en": "..."}')
    options = models.JSONField(default=list, blank=True, help_text="Option codes for choice questions.")
    option_texts = models.JSONField(default=dict, blank=True,
                                    help_text='Option labels per language: {"sv": {"price": "Priset"}, …}')
    scale_max = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Top of a rating scale.")
    required = models.BooleanField(default=False)
    # Skip logic: shown only when an earlier answer matches, e.g. {"question": "nps", "max": 6}
    # (a follow-up for detractors) or {"question": "reason", "in": ["price"]}. Empty: always shown.
    show_if = models.JSONField(default=dict, blank=True)
    # Set once, in the transaction that stores the question's first answer: from then on its type
    # and existence are fixed. A flag rather than a lookup of answers, which have no index by
    # question (every index costs on each of millions of inserts).
    answered = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["survey_id", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.key}"

    def save(self, *args, **kwargs):
        # A full save of a loaded question (the builder, the admin) must not write back an
        # `answered` read before a first answer committed: only `actions.mark_answered` sets it.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "answered"]
        super().save(*args, **kwargs)

    def text(self, language: str) -> str:
        return self.texts.get(language) or next(iter(self.texts.values()), self.key)


class SurveyVersion(OrgScopedModel):
    """A frozen copy of a survey's definition, so every response knows what was asked."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")]
