"""Rollups: incrementally maintained counts that dashboards and the metrics API read.

Derived data: every row can be rebuilt from responses (`glapp rollups rebuild`), so ids of
surveys, touchpoints and units are plain integers (0 = none) rather than foreign keys; that keeps
the unique key free of NULLs, which an upsert needs to find its row.
"""

from django.db import models

from glapp.analytics.rollup_keys import META_SLOTS, OPTION_LENGTH
from glapp.core.models import OrgScopedModel


class Rollup(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    source = models.CharField(max_length=12, help_text="nps, ces, csat, lba, emotion or responses")
    grain = models.PositiveSmallIntegerField()
    day = models.DateField()
    survey = models.IntegerField(default=0)
    touchpoint = models.IntegerField(default=0)
    unit = models.IntegerField(default=0)
    channel = models.CharField(max_length=16, default="")
    language = models.CharField(max_length=8, default="")
    segment = models.CharField(max_length=80, default="")
    d1 = models.CharField(max_length=120, default="")
    d2 = models.CharField(max_length=120, default="")
    d3 = models.CharField(max_length=120, default="")
    d4 = models.CharField(max_length=120, default="")
    # 0: every question of the source pooled; else one question's own figure (see rollup_keys).
    question = models.IntegerField(default=0, db_default=0)
    option = models.CharField(max_length=OPTION_LENGTH, default="", db_default="", help_text="a choice option's code")
    n = models.IntegerField(default=0)
    c0 = models.IntegerField(default=0)
    c1 = models.IntegerField(default=0)
    c2 = models.IntegerField(default=0)
    c3 = models.IntegerField(default=0)
    c4 = models.IntegerField(default=0)
    c5 = models.IntegerField(default=0)
    c6 = models.IntegerField(default=0)
    c7 = models.IntegerField(default=0)
    c8 = models.IntegerField(default=0)
    c9 = models.IntegerField(default=0)
    c10 = models.IntegerField(default=0)
    # Per-respondent sums of pooled rows (rollup_keys.MOMENTS); squares of sums outgrow 32 bits.
    # Database defaults too, so a writer that predates a column still inserts.
    respondents = models.IntegerField(default=0, db_default=0)
    m_sq = models.BigIntegerField(default=0, db_default=0)
    y1_sq = models.BigIntegerField(default=0, db_default=0)
    y1_m = models.BigIntegerField(default=0, db_default=0)
    y2_sq = models.BigIntegerField(default=0, db_default=0)
    y2_m = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        # One index does both jobs: the upsert's conflict target and, through its leading
        # (organization, source, grain, day) columns, every metrics query's range scan.
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "grain", "day", "survey", "touchpoint", "unit", "channel",
                        "language", "segment", "d1", "d2", "d3", "d4", "question", "option"],
                name="rollup_cell_unique",
            )
        ]


class RollupDimension(OrgScopedModel):
    """A metadata key (campaign, product, agent, …) the organization rolls up, in slot d1..d4."""

    key = models.CharField(max_length=80)
    slot = models.PositiveSmallIntegerField(help_text=f"1..{META_SLOTS}")

    class Meta:
        ordering = ["slot"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="rollup_dimension_key_unique"),
            models.UniqueConstraint(fields=["organization", "slot"], name="rollup_dimension_slot_unique"),
        ]

    def __str__(self) -> str:
        return self.key
