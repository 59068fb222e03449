"""Forms for the invitation pages."""

import datetime as dt
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.contacts.models import ContactPolicy
from glapp.distribution.models import Invitation

PERIODS = [("30", _("Last 30 days")), ("90", _("Last 90 days")), ("365", _("Last 12 months")), ("", _("All time"))]


class RatesForm(forms.Form):
    group = forms.ChoiceField(label=_("Rates by"), required=False, initial="survey", choices=[
        ("survey", _("Survey")), ("channel", _("Channel")), ("touchpoint", _("Touchpoint"))])
    period = forms.ChoiceField(label=_("Period"), required=False, initial="30", choices=PERIODS)
    survey = forms.TypedChoiceField(label=_("Survey"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All")), *Invitation.Channel.choices])
    touchpoint = forms.TypedChoiceField(label=_("Touchpoint"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, surveys=(), touchpoints=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [("", _("All"))] + [(s.id, s.name) for s in surveys]
        self.fields["touchpoint"].choices = [("", _("All"))] + [(t.id, t.name) for t in touchpoints]

    def filters(self, today: dt.date) -> dict:
        """The last N local days up to and including today, as the rollups count days."""
        data = self.cleaned_data if self.is_valid() else {}
        days = data.get("period", "30") if self.is_bound else "30"
        return {
            "survey_id": data.get("survey"), "channel": data.get("channel") or "",
            "touchpoint_id": data.get("touchpoint"),
            "date_from": today - dt.timedelta(days=int(days) - 1) if days else None,
            "date_to": today if days else None,
        }

    def grouping(self) -> str:
        return (self.cleaned_data.get("group") if self.is_valid() else "") or "survey"


class PolicyForm(forms.ModelForm):
    class Meta:
        model = ContactPolicy
        fields = ["min_days_between_invitations", "relationship_min_months", "quiet_hours_start",
                  "quiet_hours_end", "time_zone"]
        labels = {
            "min_days_between_invitations": _("At most one invitation per customer in this many days"),
            "relationship_min_months": _("Relationship survey at most every … months"),
            "quiet_hours_start": _("Quiet hours from"),
            "quiet_hours_end": _("Quiet hours until"),
            "time_zone": _("Customers' time zone"),
        }
        help_texts = {
            "time_zone": _("The clock quiet hours, reminders and the date in an invitation follow. Reports, the "
                           "dates shown in glapp and times sent without an offset use the installation's time "
                           "zone."),
        }
        widgets = {"quiet_hours_start": forms.TimeInput(attrs={"type": "time"}),
                   "quiet_hours_end": forms.TimeInput(attrs={"type": "time"})}

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Not a known time zone, e.g. Europe/Stockholm."))
        return value
