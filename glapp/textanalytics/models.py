"""What text analysis stores: one analysis per comment, its topic mentions, the organization's
topics (built-in taxonomy copied in, then editable), analysts' tags and corrections, and the
per-organization learned models.

Analyses are derived data: each records the pipeline version that produced it, and a newer
version (another analyzer, an edited topic, a better learned model) re-analyzes in the
background. Comment text in an analysis is always the redacted text.
"""

from django.conf import settings
from django.db import models

from glapp.core.models import OrgScopedModel


class CommentAnalysis(OrgScopedModel):
    answer = models.OneToOneField("responses.Answer", on_delete=models.CASCADE, related_name="analysis")
    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="+", db_index=False)
    language = models.CharField(max_length=8)
    redacted_text = models.TextField()
    pii_kinds = models.JSONField(default=list, blank=True, help_text="Kinds of personal data found and removed.")
    sentiment = models.FloatField()
    sentiment_label = models.CharField(max_length=8)
    sentiment_source = models.CharField(max_length=8, default="builtin", help_text="builtin, learned or analyst")
    clauses = models.JSONField(default=list, blank=True)
    emotions = models.JSONField(default=list, blank=True)
    key_phrases = models.JSONField(default=list, blank=True)
    version = models.CharField(max_length=64)
    analyzed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organization", "response"], name="analysis_org_response"),
                   models.Index(fields=["organization", "version"], name="analysis_org_version")]


class TopicMention(models.Model):
    """A topic found in a comment, with the sentiment of the clause it was found in."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    analysis = models.ForeignKey(CommentAnalysis, on_delete=models.CASCADE, related_name="mentions")
    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="+", db_index=False)
    topic = models.CharField(max_length=80)
    sentiment = models.FloatField()
    spans = models.JSONField(default=list, blank=True, help_text="[[start, end], …] in the redacted text")
    source = models.CharField(max_length=8, default="query", help_text="query, model or tag")

    class Meta:
        indexes = [models.Index(fields=["organization", "topic", "response"], name="mention_org_topic")]


class Topic(OrgScopedModel):
    code = models.SlugField(max_length=80)
    name_sv = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    query = models.TextField(help_text="Words, stems*, \"phrases\", AND/OR/NOT, parentheses, proximity.")
    builtin = models.BooleanField(default=False, help_text="Copied from glapp's taxonomy; still editable.")
    active = models.BooleanField(default=True)
    classifier = models.BinaryField(null=True, blank=True, help_text="Learned from analysts' tags.")
    classifier_f1 = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_sv"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="topic_code_unique")]

    def __str__(self) -> str:
        return self.code


class TopicTag(OrgScopedModel):
    """An analyst says: this comment is (or, with applies=False, is not) about this topic."""

    answer = models.ForeignKey("responses.Answer", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tags")
    applies = models.BooleanField(default=True)
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "topic"], name="topic_tag_unique")]


class SentimentCorrection(OrgScopedModel):
    """An analyst's correction of a comment's sentiment; it wins over any model and trains them."""

    answer = models.OneToOneField("responses.Answer", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=8)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")


ALL_LANGUAGES = "*"  # a learned model's language when one model serves every language it was trained on


class LearnedModel(OrgScopedModel):
    """A per-organization sentiment model learned from the organization's own comments."""

    kind = models.CharField(max_length=16, default="sentiment")
    language = models.CharField(max_length=8)
    model = models.BinaryField()
    trained_on = models.PositiveIntegerField(default=0)
    builtin_f1 = models.FloatField(help_text="Built-in analyzer's macro-F1 on the held-out comments.")
    learned_f1 = models.FloatField(help_text="This model's macro-F1 on the same held-out comments.")
    in_use = models.BooleanField(default=False, help_text="Only when it beats the built-in analyzer.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "language"],
                                               name="learned_model_unique")]


class PendingAnalysis(models.Model):
    """Responses whose comments arrived and wait for their organization's next drain (one task
    that analyzes every waiting range: many small arrivals, few tasks). Deleted once analyzed."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    first_response_id = models.BigIntegerField()
    last_response_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "id"], name="pending_analysis_org")]


class AnalysisDrain(models.Model):
    """Whether the organization's drain is queued and not yet started: an arrival queues one only
    when none waits, so there is at most one waiting drain per organization."""

    organization = models.OneToOneField("accounts.Organization", primary_key=True, on_delete=models.CASCADE,
                                        related_name="+")
    queued_at = models.DateTimeField(null=True, blank=True)


class CatchUpMark(models.Model):
    """How far the housekeeping's catch-up of never-analyzed comments has looked for an
    organization, so that each run reads only the answers stored since, not the organization.

    Every text answer with an id up to `checked_through` had an analysis when a run read it (or
    got one from that run). `seen_max` is the highest answer id at `seen_at`; once `seen_at` is
    older than the catch-up's grace, every answer up to it belongs to a response the run does not
    leave out as just stored, and the mark may move up to it (answers are never written to later)."""

    organization = models.OneToOneField("accounts.Organization", primary_key=True, on_delete=models.CASCADE,
                                        related_name="+")
    checked_through = models.BigIntegerField(default=0)
    seen_max = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)
