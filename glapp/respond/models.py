"""A respondent's way through a survey (`RespondentSession`) and the widget's displays (`Display`,
the denominator of the widget's response rate)."""

from django.db import models

from glapp.core.models import OrgScopedModel
from glapp.responses.models import session_response_id
from glapp.surveys.models import TOKEN_MAX_LENGTH, new_token


class RespondentSession(OrgScopedModel):
    """One respondent's way through one survey: from an invitation link, the public link or the
    widget. The response is created with the first answer (external id `response_external_id`)
    and completed answer by answer, so a respondent who stops halfway still counts, and can resume."""

    token = models.CharField(max_length=TOKEN_MAX_LENGTH, unique=True, default=new_token)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="sessions")
    # RESTRICT, not PROTECT: deleting a survey deletes its versions and sessions together.
    survey_version = models.ForeignKey("surveys.SurveyVersion", on_delete=models.RESTRICT, related_name="+")
    customer = models.ForeignKey("contacts.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    touchpoint = models.ForeignKey("journeys.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=16, default="link")
    language = models.CharField(max_length=8, default="sv")
    # What we already know (piped into the wording, stored as response metadata): first_name,
    # agent, store, product, campaign, visit date …
    context = models.JSONField(default=dict, blank=True)
    display = models.ForeignKey("Display", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered = models.JSONField(default=dict, blank=True, help_text="Answers so far, by question key.")
    last_answer_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "surveys_respondentsession"  # made when the respondent pages belonged to surveys
        indexes = [models.Index(fields=["organization", "created_at"], name="session_org_started"),  # retention
                   # Unfinished sessions by when they expire: their partial responses go to the alert rules.
                   models.Index(fields=["expires_at"], name="session_unfinished_expiry",
                                condition=models.Q(completed_at__isnull=True))]

    @property
    def response_external_id(self) -> str:
        return session_response_id(self.token)




class Display(OrgScopedModel):
    """The widget showed a survey (the denominator of the widget's response rate)."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="displays")
    event = models.CharField(max_length=80, blank=True, default="")
    page = models.CharField(max_length=500, blank=True, default="")
    visitor = models.CharField(max_length=64, blank=True, default="", help_text="Hashed, anonymous.")
    # The survey's touchpoint when shown, so the display's response-rate counts stay in one cell
    # if the survey is later moved; and when its respondent first answered (set once).
    touchpoint = models.ForeignKey("journeys.Touchpoint", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    # The nonce of the single-use display token it was counted with (display_tokens.py): unique,
    # so a token posted again finds its display instead of counting another. Empty before tokens.
    nonce = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)

    class Meta:
        db_table = "surveys_display"  # made when the widget belonged to surveys; the name stays
        indexes = [models.Index(fields=["survey", "created_at"], name="display_survey_time")]
