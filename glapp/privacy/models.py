"""An organization's retention periods: how long each kind of personal data is kept before the
nightly retention run (privacy/retention.py) anonymises or deletes it. Empty: kept."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from glapp.core.models import OrgScopedModel

MIN_DAYS, MAX_DAYS = 1, 3650  # a day at least (the run is daily), ten years at most

PERIOD_VALIDATORS = [
    MinValueValidator(MIN_DAYS, _("At least %(limit_value)s day.")),
    MaxValueValidator(MAX_DAYS, _("At most %(limit_value)s days (ten years); leave it empty to keep.")),
]


def _period(label, help_text):
    return models.PositiveIntegerField(label, null=True, blank=True, validators=PERIOD_VALIDATORS,
                                       help_text=help_text)


class RetentionPolicy(OrgScopedModel):
    """One row per organization (none: everything is kept, as before retention existed)."""

    raw_comments_days = _period(
        _("Raw comments and originals"),
        _("Comments as written are replaced by their redacted text (names, phone numbers, personnummer and "
          "the like removed); uploaded import files, their rejected rows and stored API request bodies are "
          "deleted."))
    contact_data_days = _period(
        _("Contact data"),
        _("Customers not heard from (no response, event or invitation) for this long lose their name, e-mail, "
          "phone, region and attributes; their id in your systems and their opt-out stay."))
    contact_history_days = _period(
        _("Invitation and contact history"),
        _("Invitations, touchpoint events, contact history and respondent sessions are deleted; response "
          "rates already counted stay."))
    identifiable_responses_days = _period(
        _("Identifiable responses"),
        _("Responses are unlinked from their customer and their comments (text, key phrases) and personal "
          "metadata deleted; scores, topics and sentiment stay, so figures do not change."))
    # When the last complete run ended: the daily run skips an organization done within the day.
    applied_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="retention_policy_one_per_org")]

    KINDS = ("raw_comments", "contact_data", "contact_history", "identifiable_responses")

    def days(self, kind: str) -> int | None:
        return getattr(self, f"{kind}_days")

    @property
    def any_set(self) -> bool:
        return any(self.days(k) for k in self.KINDS)
