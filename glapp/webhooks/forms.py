from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.webhooks.models import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=500,
                          help_text=_("An https address of yours that answers 2xx when it got the message."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  help_text=_("Say which system listens, e.g. “CRM integration”."))
    event_types = forms.MultipleChoiceField(label=_("Events"), choices=EVENT_TYPES,
                                            widget=forms.CheckboxSelectMultiple)
    personal_data = forms.BooleanField(
        label=_("May receive personal data"), required=False,
        help_text=_("Comments as written and customers' ids. Without it comments are redacted and customer ids "
                    "left out."))


class ReplayForm(forms.Form):
    since = forms.DateTimeField(label=_("Failed or waiting since"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
