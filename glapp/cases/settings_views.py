"""Case settings for owners and admins: the SLA policy (clock, hours per priority, high-value
customers, assignment, windows), the root-cause list, each unit's case settings and the reply
templates. Writes go through `actions`; refusals show on their fields."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from glapp.accounts.queries import Access, unit_of, units_of
from glapp.accounts.web_access import member_view
from glapp.cases import actions, emails, forms, queries
from glapp.cases.models import Priority, SlaPolicy
from glapp.cases.office_hours import supported_countries
from glapp.cases.sla import sla_policy
from glapp.core.errors import NotFound, ValidationFailed


def _may_manage(access: Access) -> None:
    if not access.can_for_organization("manage"):
        raise PermissionDenied


def _messages_of(refused: ValidationFailed) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in refused.errors:
        text = forms.FIELD_TEXTS.get((e.field, e.code)) or forms.ERROR_TEXTS.get(e.code) or e.message
        out.setdefault(e.field.split(".")[0] if e.field.startswith("high_value") else e.field, []).append(str(text))
    return out


def _page(request: HttpRequest, access: Access, *, policy_values=None, errors=None, status=200,
          template_form=None) -> HttpResponse:
    org_id = access.organization_id
    policy = sla_policy(org_id)
    if policy_values is None:
        policy_values = {
            "clock": policy.clock, "country": policy.country, "assignment": policy.assignment,
            "merge_window_days": policy.merge_window_days, "import_case_days": policy.import_case_days,
            "high_value": json.dumps(policy.high_value, ensure_ascii=False) if policy.high_value else "",
            "hours": [(p, label, _hours(policy.hours_to_first_contact(p)), _hours(policy.hours_to_resolve(p)))
                      for p, label in Priority.choices]}
    unit_settings = queries.unit_case_settings(org_id)
    units = [(u, unit_settings.get(u.pk)) for u in units_of(access)]
    handlers = queries.handlers_in_scope(access)
    return render(request, "cases/settings.html", {
        "v": policy_values, "errors": errors or {}, "clocks": SlaPolicy.Clock.choices,
        "assignments": SlaPolicy.Assignment.choices, "countries": sorted(supported_countries()),
        "causes": queries.root_causes(org_id, active_only=False), "units": units, "handlers": handlers,
        "templates": queries.reply_templates(org_id), "placeholder_text": emails.placeholder_text(),
        "template_form": template_form or {}, "language": (get_language() or "sv")[:2]}, status=status)


def _hours(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@require_http_methods(["GET", "POST"])
@member_view
def case_settings(request: HttpRequest, access: Access) -> HttpResponse:
    _may_manage(access)
    if request.method == "GET":
        return _page(request, access)
    post = request.POST
    high_value_text = post.get("high_value", "").strip()
    values = {k: post.get(k, "") for k in ("clock", "country", "assignment", "merge_window_days", "import_case_days")}
    values["high_value"] = high_value_text
    values["hours"] = [(p, label, post.get(f"first_{p}", ""), post.get(f"resolve_{p}", ""))
                       for p, label in Priority.choices]
    errors: dict[str, list[str]] = {}
    high_value = {}
    if high_value_text:
        try:
            high_value = json.loads(high_value_text)
        except ValueError as error:
            errors["high_value"] = [_("Not valid JSON: %(error)s") % {"error": error}]
    days = {}
    for key in ("merge_window_days", "import_case_days"):
        raw = post.get(key, "")
        days[key] = int(raw) if raw.strip().isdigit() else -1
    if not errors:
        try:
            actions.save_sla_policy(
                access.organization_id, clock=values["clock"], country=values["country"],
                first_contact_hours={str(p): post.get(f"first_{p}") for p in Priority.values if post.get(f"first_{p}")},
                resolve_hours={str(p): post.get(f"resolve_{p}") for p in Priority.values if post.get(f"resolve_{p}")},
                high_value=high_value, assignment=values["assignment"], **days)
        except ValidationFailed as refused:
            errors = {}
            for e in refused.errors:
                text = forms.FIELD_TEXTS.get((e.field, e.code)) or forms.ERROR_TEXTS.get(e.code) or e.message
                key = "high_value" if e.field.startswith("high_value") else e.field
                prefix = f"{e.field}: " if e.field.startswith("high_value") else ""
                errors.setdefault(key, []).append(f"{prefix}{text}")
    if errors:
        return _page(request, access, policy_values=values, errors=errors, status=422)
    messages.success(request, _("Case settings saved."))
    return redirect("cases:settings")


@require_POST
@member_view
def root_causes(request: HttpRequest, access: Access) -> HttpResponse:
    """Add, rename, move or switch a root cause (one button per change)."""
    _may_manage(access)
    what = request.POST.get("do", "")
    try:
        if what == "add":
            actions.add_root_cause(access.organization_id, request.POST.get("name", ""))
        else:
            raw = request.POST.get("cause", "")
            if not raw.isdigit():
                raise Http404
            cause = queries.root_cause(access.organization_id, int(raw))
            if what == "rename":
                actions.rename_root_cause(cause, request.POST.get("name", ""))
            elif what in ("up", "down"):
                actions.move_root_cause(cause, -1 if what == "up" else 1)
            elif what == "switch":
                actions.set_root_cause_active(cause, not cause.active)
            else:
                raise Http404
    except NotFound:
        raise Http404 from None
    except ValidationFailed as refused:
        messages.error(request, "; ".join(m for ms in _messages_of(refused).values() for m in ms))
    else:
        messages.success(request, _("Root causes saved."))
    return redirect("cases:settings")


@require_POST
@member_view
def unit_settings(request: HttpRequest, access: Access, unit_id: int) -> HttpResponse:
    _may_manage(access)
    unit = unit_of(access, unit_id)
    if unit is None:
        raise Http404
    contact = request.POST.get("escalation_contact", "")
    try:
        actions.save_unit_case_settings(access.organization_id, unit, country=request.POST.get("country", ""),
                                        escalation_contact_id=int(contact) if contact.isdigit() else None,
                                        review_url=request.POST.get("review_url", ""))
    except ValidationFailed as refused:
        messages.error(request, _("%(unit)s: %(errors)s") % {
            "unit": unit.name, "errors": "; ".join(m for ms in _messages_of(refused).values() for m in ms)})
    else:
        messages.success(request, _("Case settings of %(unit)s saved.") % {"unit": unit.name})
    return redirect("cases:settings")


@require_POST
@member_view
def templates(request: HttpRequest, access: Access, template_id: int | None = None) -> HttpResponse:
    """Add (no id), change or delete (`do=delete`) a reply template."""
    _may_manage(access)
    try:
        template = queries.reply_template(access.organization_id, template_id) if template_id else None
    except NotFound:
        raise Http404 from None
    if template is not None and request.POST.get("do") == "delete":
        actions.delete_reply_template(template)
        messages.success(request, _("Reply template deleted."))
        return redirect("cases:settings")
    values = {k: request.POST.get(k, "") for k in ("name", "language", "subject", "body")}
    try:
        actions.save_reply_template(access.organization_id, template, **values)
    except ValidationFailed as refused:
        return _page(request, access, status=422,
                     template_form={"id": template_id, "values": values, "errors": _messages_of(refused)})
    messages.success(request, _("Reply template saved."))
    return redirect("cases:settings")
