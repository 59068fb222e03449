"""Settings pages: the organization's API keys (owners and admins) and audit log (owners); one's
own password and two-factor sign-in."""

import csv
import json

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from glapp.accounts import actions, signin, two_factor
from glapp.accounts.actions import AuditActor, create_api_key, revoke_api_key
from glapp.accounts.models import ApiKey, AuditEntry, Role
from glapp.accounts.queries import Access, api_keys_of, audit_entries, units_of
from glapp.accounts.signin_views import CodeForm
from glapp.accounts.web_access import member_view

SCOPE_CHOICES = [
    ("responses:read", _("Read responses")),
    ("responses:write", _("Send responses")),
    ("surveys:write", _("Design and publish surveys")),
    ("customers:export", _("Export everything about a customer")),
    ("customers:erase", _("Erase customers")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("Say which system uses it, e.g. “Zendesk export”."))
    scopes = forms.MultipleChoiceField(label=_("May"), choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple,
                                       initial=["responses:write"])
    unit = forms.ModelChoiceField(label=_("Limited to unit"), queryset=None, required=False,
                                  empty_label=_("All units"),
                                  help_text=_("The key sees and writes only this unit and the units below it."))

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of(access)
        if not access.whole_organization:
            # Someone limited to a unit can only hand out keys limited the same way.
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None


def keys_visible_to(access: Access):
    return api_keys_of(access.organization).select_related("unit", "created_by").filter(access.unit_filter())


def _require_manager(access: Access) -> None:
    if not access.can("manage_keys"):
        raise PermissionDenied


@never_cache  # the page may carry a freshly created key in plain text
@require_http_methods(["GET", "POST"])
@member_view
def api_keys(request: HttpRequest, access: Access) -> HttpResponse:
    _require_manager(access)
    created: tuple[ApiKey, str] | None = None
    if request.method == "POST":
        form = ApiKeyForm(request.POST, access=access)
        if form.is_valid():
            created = create_api_key(access.organization, form.cleaned_data["name"], form.cleaned_data["scopes"],
                                     created_by=request.user, unit=form.cleaned_data["unit"])
            form = ApiKeyForm(access=access)
    else:
        form = ApiKeyForm(access=access)
    context = {
        "form": form,
        "keys": list(keys_visible_to(access)),
        "new_key": created[0] if created else None,
        "plaintext": created[1] if created else None,
    }
    return render(request, "accounts/api_keys.html", context)


@require_POST
@member_view
def revoke_key(request: HttpRequest, access: Access, prefix: str) -> HttpResponse:
    _require_manager(access)
    key = keys_visible_to(access).filter(prefix=prefix).first()
    if key is None:
        raise Http404
    revoke_api_key(key, AuditActor.of_user(request.user))
    messages.success(request, _("The key “%(name)s” is revoked; requests with it now get 401.") % {"name": key.name})
    return redirect("accounts:api_keys")


@never_cache  # the page may carry fresh backup codes
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in for the signed-in person: set up an app, new backup codes, turn it off
    (only when their role does not require it)."""
    user = request.user
    required = signin.must_use_second_factor(user)
    enabled = signin.has_second_factor(user)
    action = request.POST.get("action", "")
    form = CodeForm(request.POST if action == "enrol" else None)
    key = None if enabled else two_factor.enrolment_key(request.session)
    if action == "enrol" and not enabled and form.is_valid():
        device = actions.confirm_totp(user, key, form.cleaned_data["code"])
        if device is not None:
            two_factor.forget_enrolment_key(request.session)
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html",
                          {"codes": actions.new_backup_codes(user), "next": reverse("accounts:two_factor")})
        form.add_error("code", _("That code is not right. Check the time on your phone and try the current code."))
    elif action == "backup_codes" and enabled:
        return render(request, "accounts/backup_codes.html",
                      {"codes": actions.new_backup_codes(user), "next": reverse("accounts:two_factor")})
    elif action == "off" and enabled and not required:
        actions.remove_second_factor(user)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("accounts:two_factor")
    context = {"enabled": enabled, "required": required, "form": form,
               "setup": two_factor.setup_for(user, key) if key else None}
    return render(request, "accounts/two_factor.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own page: the old password, and the new one checked by AUTH_PASSWORD_VALIDATORS."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_changed")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_changed.html"
class AuditFilter(forms.Form):
    action = forms.ChoiceField(label=_("What"), required=False,
                               choices=[("", _("Everything")), *AuditEntry.Action.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


AUDIT_PAGE = 200
AUDIT_COLUMNS = ("time", "action", "actor", "user_id", "username", "api_key_id", "target_type", "target", "details")


def _audit_row(entry: AuditEntry) -> dict:
    return {"time": entry.created_at.isoformat(), "action": entry.action, "actor": entry.actor,
            "user_id": entry.user_id, "username": entry.username, "api_key_id": entry.api_key_id,
            "target_type": entry.target_type, "target": entry.target, "details": entry.details}


@require_http_methods(["GET"])
@member_view
def audit_log(request: HttpRequest, access: Access) -> HttpResponse:
    """The organization's audit log (owners only), filtered, and exported as CSV or JSON."""
    if access.role != Role.OWNER:
        raise PermissionDenied
    form = AuditFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = audit_entries(access.organization_id, filters.get("action") or "", filters.get("date_from"),
                         filters.get("date_to"))
    fmt = request.GET.get("format")
    if fmt == "json":
        response = HttpResponse(json.dumps([_audit_row(e) for e in rows.iterator()], ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="glapp-audit-log.json"'
        return response
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="glapp-audit-log.csv"'
        writer = csv.writer(response)
        writer.writerow(AUDIT_COLUMNS)
        for entry in rows.iterator():
            row = _audit_row(entry)
            row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
            writer.writerow([row[c] for c in AUDIT_COLUMNS])
        return response
    return render(request, "accounts/audit_log.html", {
        "form": form, "entries": list(rows[:AUDIT_PAGE]), "page_size": AUDIT_PAGE,
        "query": request.GET.urlencode()})
