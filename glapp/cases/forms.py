"""Forms of the case pages. They parse and show errors; the rules live in `actions.py`, whose
field errors (`ValidationFailed`) they display, in the reader's language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.cases.models import Case, Priority
from glapp.core.errors import ValidationFailed

# What the actions' error codes say on a page (their own messages are the API's English).
ERROR_TEXTS = {
    "required": _("This field is required."),
    "not_allowed": _("This person may not work this case (not a case handler of its unit)."),
    "invalid_transition": _("The case cannot move to that status from where it is."),
    "analysis_only": _("The customer has not agreed to be contacted: this case is for analysis only."),
    "no_address": _("The customer has no e-mail address they agreed to be written to."),
    "not_found": _("Not found."),
    "unknown": _("Not one of the choices."),
    "only_response": _("This is the case's only response."),
    "other_customer": _("Only one customer's cases can be merged."),
    "duplicate": _("The list already has one of that name."),
    "too_long": _("This is too long."),
    "country": _("Not a country whose public holidays glapp knows (use a two-letter code such as SE)."),
    "hours": _("Give a number of hours above 0."),
    "resolve_before_contact": _("The time to resolve must not be shorter than the time to first contact."),
    "days": _("Give 0 to 365 days."),
    "url": _("Enter a web address (https://…)."),
    "placeholder": None,  # the action's message names the unknown placeholders
    "invalid": None,  # a condition tree's messages are already in the reader's language
}
# Field-specific wording where the code alone says too little.
FIELD_TEXTS = {
    ("reason", "required"): _("Say why the case changes hands."),
    ("root_cause", "required"): _("Choose a root cause to close the case."),
    ("resolution", "required"): _("Say what was done."),
}


class ActionErrors:
    def add_action_errors(self, refused: ValidationFailed) -> None:
        for error in refused.errors:
            field = error.field if error.field in self.fields else None
            text = FIELD_TEXTS.get((error.field, error.code)) or ERROR_TEXTS.get(error.code) or error.message
            self.add_error(field, text)


PRIORITIES = [(p.value, p.label) for p in Priority]


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *list(Case.Status.choices)])
    priority = forms.TypedChoiceField(label=_("Priority"), required=False, coerce=int, empty_value=None,
                                      choices=[("", _("Any")), *PRIORITIES])
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None, choices=())
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None, choices=())
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Title, #number or customer id")}))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, initial="due", choices=[
        ("due", _("Due time")), ("priority", _("Priority")), ("created", _("Newest")), ("updated", _("Last changed"))])

    def __init__(self, *args, units=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Any"))] + [(u.pk, u.name) for u in units]
        self.fields["owner"].choices = [("", _("Anyone"))] + [(u.pk, u.get_full_name() or u.username) for u in owners]


class AssignForm(ActionErrors, forms.Form):
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None, choices=())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000,
                             help_text=_("Needed when the case changes hands."))

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Nobody (back to the queue)"))] + [
            (u.pk, u.get_full_name() or u.username) for u in handlers]


class StatusForm(ActionErrors, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Case.Status.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in statuses]


class PriorityForm(ActionErrors, forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, choices=PRIORITIES)


class NoteForm(ActionErrors, forms.Form):
    text = forms.CharField(label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))


class CallForm(ActionErrors, forms.Form):
    summary = forms.CharField(label=_("What was said"), required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    reached = forms.BooleanField(label=_("Reached the customer"), required=False)


class EmailForm(ActionErrors, forms.Form):
    template = forms.TypedChoiceField(label=_("Reply template"), required=False, coerce=int, empty_value=None,
                                      choices=())
    subject = forms.CharField(label=_("Subject"), required=False, max_length=180)
    body = forms.CharField(label=_("Message"), required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("None"))] + [(t.pk, f"{t.name} ({t.language})") for t in templates]


class CloseForm(ActionErrors, forms.Form):
    root_cause = forms.TypedChoiceField(label=_("Root cause"), required=False, coerce=int, empty_value=None,
                                        choices=())
    resolution = forms.CharField(label=_("Resolution note"), required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What was done."))

    def __init__(self, *args, causes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].choices = [("", _("Choose…"))] + [(c.pk, c.name) for c in causes]


class MergeForm(ActionErrors, forms.Form):
    cases = forms.TypedMultipleChoiceField(label=_("Merge these cases into this one"), coerce=int, choices=(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(c.pk, f"#{c.pk} {c.title}") for c in candidates]
