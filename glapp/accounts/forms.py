"""Forms of the organization's own pages: the first-run page, people, units. They only parse
and show errors; the rules live in `actions.py`, whose field errors they display."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from glapp.accounts.models import Role, User
from glapp.core.errors import ValidationFailed


def language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


def time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


# What the actions' error codes say on a page (the actions' own messages are the API's English).
ERROR_TEXTS = {
    "required": _("This field is required."),
    "taken": _("This is taken; choose another."),
    "invalid": _("This is not valid here."),
    "invalid_token": _("This is not the current setup token, or an organization already exists. Run "
                       "“glapp setup-token” on the server for a new one."),
    "weak": None,  # the password rules' own (translated) messages
    "last_owner": _("The organization needs at least one owner: make someone else an owner first."),
    "forbidden": _("Only an owner may make someone an owner or change an owner."),
    "member": _("This person already belongs to the organization."),
    "cycle": _("A unit cannot move under itself or a unit below it."),
    "in_use": _("Responses, surveys or events already use this code, so it can no longer change."),
}


class ActionErrorsMixin:
    def add_action_errors(self, refused: ValidationFailed) -> None:
        """Show each field error of a refused action on its field (or above the form)."""
        for error in refused.errors:
            field = error.field if error.field in self.fields else None
            self.add_error(field, ERROR_TEXTS.get(error.code) or error.message)


class OrganizationFields(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=language_choices,
                                         help_text=_("The language of new surveys and of glapp for its people."))
    languages = forms.MultipleChoiceField(label=_("Languages of your surveys and customers"),
                                          choices=language_choices, widget=forms.CheckboxSelectMultiple,
                                          required=False)
    time_zone = forms.ChoiceField(label=_("Customers' time zone"), choices=time_zone_choices,
                                  initial=settings.TIME_ZONE,
                                  help_text=_("The clock of quiet hours, reminders and office hours. Reports count "
                                              "days in the installation's time zone."))


class SetupForm(ActionErrorsMixin, OrganizationFields):
    token = forms.CharField(label=_("Setup token"), max_length=80, strip=True,
                            help_text=_("Printed by “glapp serve” when it starts on an empty installation, and by "
                                        "“glapp setup-token”."),
                            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    slug = forms.SlugField(label=_("Short name"), max_length=80, required=False,
                           help_text=_("Used in commands: lowercase letters, digits, hyphens. Empty: from the name."))
    username = forms.CharField(label=_("Your username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    email = forms.EmailField(label=_("Your e-mail address"), required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("Password again"), strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["token", "name", "slug", "default_language", "languages", "time_zone", "username", "email",
                   "first_name", "last_name", "password", "password_again"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and password != cleaned.get("password_again"):
            self.add_error("password_again", _("The passwords do not match."))
        if password:
            # Checked here too, so a weak password is named with the form's other mistakes.
            try:
                validate_password(password, User(username=cleaned.get("username", ""), email=cleaned.get("email", ""),
                                                 first_name=cleaned.get("first_name", ""),
                                                 last_name=cleaned.get("last_name", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class InviteForm(ActionErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=())
    unit = forms.ModelChoiceField(label=_("Limited to unit"), queryset=None, required=False,
                                  empty_label=_("All units"))

    def __init__(self, *args, roles: list[str], units, whole_organization: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if r in roles]
        self.fields["role"].initial = Role.VIEWER
        self.fields["unit"].queryset = units
        if not whole_organization:
            # Someone limited to a unit hands out access limited the same way.
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None


class MemberForm(ActionErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=())
    unit = forms.ModelChoiceField(label=_("Limited to unit"), queryset=None, required=False,
                                  empty_label=_("All units"))

    def __init__(self, *args, roles: list[str], units, whole_organization: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if r in roles]
        self.fields["unit"].queryset = units
        if not whole_organization:
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None


class UnitForm(ActionErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(label=_("Code"), max_length=80, required=False,
                           help_text=_("What imports and the API call the unit. Empty: from the name."))
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    parent = forms.ModelChoiceField(label=_("Under"), queryset=None, empty_label=None)

    def __init__(self, *args, units, **kwargs):
        from glapp.accounts.models import Unit
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Unit.Kind.choices
        self.fields["parent"].queryset = units


class MoveUnitForm(ActionErrorsMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Move"), queryset=None, empty_label=None)
    parent = forms.ModelChoiceField(label=_("Move under"), queryset=None, empty_label=None)

    def __init__(self, *args, units, movable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = movable
        self.fields["parent"].queryset = units


class RenameForm(ActionErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
