"""Surveys, their questions and frozen published versions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel
from glapp.surveys import question_types as qt


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
    scale_max = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Top of a rating scale.")
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey_id", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.key}"

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
