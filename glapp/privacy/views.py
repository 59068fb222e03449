"""Settings → Privacy: owners and admins find a customer (by external id, e-mail or phone), see
what an erasure would remove, and erase (choosing the mode) or export everything about them;
they set the retention periods and see what the next run would do; owners read the runs' log."""

import datetime as dt
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from glapp.accounts.actions import AuditActor
from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.accounts.web_access import member_view
from glapp.core.errors import GlappError
from glapp.privacy import actions, retention
from glapp.privacy.models import RetentionPolicy
from glapp.privacy.queries import LOOKUPS, Lookup, already_erased, customers_named, erasure_preview, retention_log


class FindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Find by"), choices=[
        ("external_id", _("Customer id")), ("email", _("E-mail")), ("phone", _("Phone"))])
    value = forms.CharField(label=_("Value"), max_length=254)

    def lookup(self) -> Lookup:
        return Lookup.of(**{self.cleaned_data["kind"]: self.cleaned_data["value"]})


class EraseForm(FindForm):
    mode = forms.ChoiceField(label=_("How"), widget=forms.RadioSelect, initial=actions.ANONYMISE, choices=[
        (actions.ANONYMISE, _("Anonymise: keep the scores without the person, so reported figures stay as they "
                              "were; comments and contact data are deleted")),
        (actions.DELETE, _("Delete: remove the responses too; figures are recounted without them")),
    ])
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone"))


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = [f"{kind}_days" for kind in RetentionPolicy.KINDS]
        widgets = {name: forms.NumberInput(attrs={"min": 1, "max": 3650, "step": 1, "placeholder": _("keep")})
                   for name in fields}


STEP_LABELS = {
    retention.RAW_COMMENTS: _("Raw comments"),
    retention.ORIGINALS: _("Originals: uploaded files, rejected rows, API request bodies"),
    retention.CONTACT_DATA: _("Contact data"),
    retention.CONTACT_HISTORY: _("Invitation and contact history"),
    retention.IDENTIFIABLE: _("Identifiable responses"),
}
COUNT_LABELS = {
    "comments_redacted": _("comments replaced by their redacted text"),
    "idempotency_records": _("stored API request outcomes deleted"),
    "import_errors": _("import jobs' rejected rows deleted"),
    "uploads": _("uploaded files deleted"),
    "customers": _("customers' contact data cleared"),
    "contact_log": _("contact history entries deleted"),
    "invitations": _("invitations deleted"),
    "events": _("touchpoint events deleted"),
    "sessions": _("respondent sessions deleted"),
    "notifications": _("read notifications deleted"),
    "responses": _("responses anonymised"),
    "comments_deleted": _("comments deleted"),
}


def _rows(counts: dict[str, dict], cutoffs: dict, truncated: set[str] = frozenset()) -> list[dict]:
    """Steps as the page lists them: label, cutoff, labelled counts, and whether the counts are
    only a lower bound (a preview stops counting at PREVIEW_LIMIT rows a step)."""
    return [{"step": step, "label": STEP_LABELS.get(step, step), "cutoff": cutoff, "more": step in truncated,
             "counts": [(f"{step}.{name}", COUNT_LABELS.get(name, name), n)
                        for name, n in counts.get(step, {}).items()]}
            for step, cutoff in cutoffs.items()]


PREVIEW_LIMIT = 5000  # rows looked at per step: the page costs the same on any organization


def _retention_context(access: Access, form: RetentionForm | None = None) -> dict:
    policy = retention.policy_of(access.organization_id)
    # The next run counted, not done: the same code path as the run, so the counts are its own.
    run = retention.apply_retention(access.organization_id, actor=AuditActor.command(), dry_run=True,
                                    preview_limit=PREVIEW_LIMIT)
    log = None
    if access.role == Role.OWNER:  # as the audit log: owners read it
        log = [{"run": r, "rows": _rows(r.kinds, {k: dt.datetime.fromisoformat(v["cutoff"]) if v.get("cutoff") else None
                                                   for k, v in r.kinds.items()})}
               for r in retention_log(access.organization_id)]
        for entry in log:
            for row in entry["rows"]:
                row["counts"] = [c for c in row["counts"] if not c[0].endswith(".cutoff")]
    return {"retention": form or RetentionForm(instance=policy), "retention_policy": policy,
            "retention_preview": _rows(run.counts, run.cutoff, run.truncated), "retention_log": log,
            "preview_limit": PREVIEW_LIMIT}


def _require_privacy_officer(access: Access) -> None:
    # A person belongs to the whole organization: owners and admins without a unit limit.
    if not access.can_for_organization("manage"):
        raise PermissionDenied


@never_cache  # the page shows a customer's contact data
@require_http_methods(["GET", "POST"])
@member_view
def privacy(request: HttpRequest, access: Access) -> HttpResponse:
    _require_privacy_officer(access)
    step = request.POST.get("step", "find") if request.method == "POST" else ""
    find = FindForm(request.POST if step == "find" else None)
    context: dict = {"find": find}
    if step == "find" and find.is_valid():
        lookup = find.lookup()
        customers = customers_named(access.organization_id, lookup)
        if customers:
            context["preview"] = erasure_preview(access.organization_id, customers)
            context["erase"] = EraseForm(initial={"kind": lookup.kind, "value": find.cleaned_data["value"]})
        else:
            context["not_found"] = True
            context["erased_before"] = already_erased(access.organization_id, lookup)
    elif step in ("erase", "export"):
        form = (EraseForm if step == "erase" else FindForm)(request.POST)
        if not form.is_valid():  # e.g. erasing without ticking the confirmation: the same preview again
            customers = _named_in(access, form.data)
            context.update({"erase": form,
                            "preview": erasure_preview(access.organization_id, customers) if customers else None})
            return render(request, "privacy/privacy.html", {**context, **_retention_context(access)}, status=400)
        try:
            if step == "export":
                return _export(request, access, form.lookup())
            done = actions.erase_customer(access.organization_id, form.lookup(), form.cleaned_data["mode"],
                                          actor=AuditActor.of_user(request.user))
        except GlappError as exc:
            messages.error(request, str(exc))
            return redirect("privacy:privacy")
        if done.status == actions.ALREADY_ERASED:
            messages.info(request, _("This customer was already erased; nothing was changed."))
        else:
            messages.success(request, _("The customer is erased (%(mode)s): %(responses)s responses, "
                                        "%(invitations)s invitations.") % {
                "mode": dict(form.fields["mode"].choices)[done.mode].split(":")[0],
                "responses": done.counts.get("responses", 0), "invitations": done.counts.get("invitations", 0)})
        return redirect("privacy:privacy")
    return render(request, "privacy/privacy.html", {**context, **_retention_context(access)})


@never_cache
@require_http_methods(["POST"])
@member_view
def retention_settings(request: HttpRequest, access: Access) -> HttpResponse:
    """Save the retention periods (owners and admins, as for erasure)."""
    _require_privacy_officer(access)
    form = RetentionForm(request.POST, instance=retention.policy_of(access.organization_id))
    if not form.is_valid():
        context = {"find": FindForm(), **_retention_context(access, form)}
        return render(request, "privacy/privacy.html", context, status=400)
    actions.set_retention_periods(access.organization_id, {k.removesuffix("_days"): v for k, v in
                                                           form.cleaned_data.items()},
                                  actor=AuditActor.of_user(request.user))
    messages.success(request, _("The retention periods are saved; the next daily run applies them."))
    return redirect("privacy:privacy")


def _named_in(access: Access, data) -> list:
    kind, value = data.get("kind"), (data.get("value") or "").strip()
    if kind not in LOOKUPS or not value:
        return []
    return customers_named(access.organization_id, Lookup.of(**{kind: value}))


def _export(request: HttpRequest, access: Access, lookup: Lookup) -> HttpResponse:
    data = actions.export_customer(access.organization_id, lookup, actor=AuditActor.of_user(request.user))
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    # The file name says nothing about the person (downloads folders and proxies keep names).
    response["Content-Disposition"] = 'attachment; filename="glapp-customer-export.json"'
    return response
