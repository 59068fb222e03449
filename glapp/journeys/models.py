"""The customer journey: Journey → Stage → Touchpoint."""

from django.db import models

from glapp.core.models import OrgScopedModel


class Journey(OrgScopedModel):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=80)
    description = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="journey_code_unique")]

    def __str__(self) -> str:
        return self.name


class Stage(OrgScopedModel):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["journey_id", "position"]
        constraints = [models.UniqueConstraint(fields=["journey", "code"], name="stage_code_unique")]

    def __str__(self) -> str:
        return self.name


class Touchpoint(OrgScopedModel):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=80, help_text="Stable key used by imports, events and the API.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage__position", "position"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="touchpoint_code_unique")]

    def __str__(self) -> str:
        return self.name
