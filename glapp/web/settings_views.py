"""Settings pages that compose several domains: "Getting started" (what a new organization still
lacks, each step a link) and the organization's settings (accounts: name and languages;
contacts: the customers' time zone and office hours). Reporting days stay the installation's
(`GLAPP_TIME_ZONE`): one day means one thing for every organization."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from glapp.accounts import actions as accounts
from glapp.accounts.forms import ActionErrorsMixin, OrganizationFields
from glapp.accounts.queries import Access, api_keys_of, members_of, units_of
from glapp.accounts.web_access import member_view
from glapp.contacts import actions as contacts
from glapp.contacts.queries import contact_policy
from glapp.core.errors import ValidationFailed
from glapp.journeys.queries import touchpoints_of
from glapp.responses.queries import scoped_responses

WEEKDAYS = [(1, gettext_lazy("Monday")), (2, gettext_lazy("Tuesday")), (3, gettext_lazy("Wednesday")),
            (4, gettext_lazy("Thursday")), (5, gettext_lazy("Friday")), (6, gettext_lazy("Saturday")),
            (7, gettext_lazy("Sunday"))]


class OrganizationSettingsForm(ActionErrorsMixin, OrganizationFields):
    office_hours_start = forms.TimeField(label=gettext_lazy("Office hours from"),
                                         widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    office_hours_end = forms.TimeField(label=gettext_lazy("Office hours until"),
                                       widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    office_days = forms.TypedMultipleChoiceField(label=gettext_lazy("Office days"), choices=WEEKDAYS, coerce=int,
                                                 widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].help_text = gettext_lazy(
            "The clock of quiet hours, reminders and office hours. Reports count days in the installation's "
            "time zone (%(zone)s), the same for every organization.") % {"zone": settings.TIME_ZONE}
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("office_hours_start"), cleaned.get("office_hours_end")
        if start and end and start >= end:
            self.add_error("office_hours_end", gettext_lazy("Office hours end after they start."))
        return cleaned


def _may_edit(access: Access) -> bool:
    return access.can_for_organization("manage")


@require_http_methods(["GET", "POST"])
@member_view
def organization_settings(request: HttpRequest, access: Access) -> HttpResponse:
    org = access.organization
    policy = contact_policy(org.id)
    initial = {"name": org.name, "default_language": org.default_language, "languages": org.languages,
               "time_zone": policy.time_zone, "office_hours_start": policy.office_hours_start,
               "office_hours_end": policy.office_hours_end, "office_days": policy.office_days}
    if request.method == "POST" and not _may_edit(access):
        raise PermissionDenied
    form = OrganizationSettingsForm(request.POST or None, initial=initial, read_only=not _may_edit(access))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                accounts.update_organization(org, name=data["name"], default_language=data["default_language"],
                                             languages=data["languages"] or [data["default_language"]])
                contacts.update_contact_policy(
                    contacts.ensure_contact_policy(org.id), time_zone=data["time_zone"],
                    office_hours_start=data["office_hours_start"], office_hours_end=data["office_hours_end"],
                    office_days=sorted(data["office_days"]))
        except ValidationFailed as refused:
            form.add_action_errors(refused)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("web:organization_settings")
    return render(request, "web/organization_settings.html", {"form": form, "may_edit": _may_edit(access)})


@member_view
def settings_home(request: HttpRequest, access: Access) -> HttpResponse:
    """Getting started: from an empty organization to its journey map, each step with whether it
    is done yet."""
    org = access.organization
    steps = [
        {"title": _("Organization settings"), "done": True, "url": "web:organization_settings",
         "text": _("Name, languages, your customers' time zone and office hours.")},
        {"title": _("Units"), "done": units_of(access).count() > 1, "url": "accounts:units",
         "text": _("Regions, stores, teams: who sees what, and how figures break down.")},
        {"title": _("Journey"), "done": touchpoints_of(org).exists(), "url": "journeys:list",
         "text": _("Stages and touchpoints, in your customers' order.")},
        {"title": _("People"), "done": members_of(access).count() > 1, "url": "accounts:people",
         "text": _("Invite your colleagues with the role they need."), "needs": "manage"},
        {"title": _("API key"), "done": api_keys_of(org).exists(), "url": "accounts:api_keys",
         "text": _("For the systems that send responses and events."), "needs": "manage_keys"},
        {"title": _("Import your history"), "done": scoped_responses(access).exists(), "url": "responses:import",
         "text": _("Survey exports from another tool, CSV or Excel."), "needs": "import"},
        {"title": _("Journey map"), "done": False, "url": "web:journey",
         "text": _("Your figures, touchpoint by touchpoint.")},
    ]
    steps = [s for s in steps if access.can(s.get("needs", "read"))]
    return render(request, "web/settings_home.html", {"steps": steps})
