"""The case pages: the inbox (tabs, filters, bulk assign, a list that refreshes itself) and a
case with its working controls. Reads go through `queries`/`case_page`, writes through
`actions`; a case the reader may not see is a 404, whoever asks. Every control is a plain form
(the page works without JavaScript); HTMX only keeps the list fresh and fills e-mails from
templates in place."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import Access
from glapp.accounts.web_access import audit, member_view
from glapp.cases import actions, emails, forms, queries
from glapp.cases.case_page import case_page
from glapp.cases.countdown import Clock
from glapp.cases.models import Case
from glapp.core.errors import NotFound, ValidationFailed

PAGE_SIZE = 50
VIEWS = ("mine", "queue", "breached", "all")
# The list re-renders at least this often even with no change, so its countdowns move on.
STALE_AFTER = dt.timedelta(seconds=60)


def _case_or_404(access: Access, case_id: int) -> Case:
    try:
        return queries.case_for(access, case_id)
    except NotFound:
        raise Http404 from None


def _must_work(access: Access) -> None:
    if not access.can("cases"):
        raise PermissionDenied


# --- The inbox ---------------------------------------------------------------------------------

def _view_of(request: HttpRequest, access: Access) -> str:
    view = request.GET.get("view", "")
    if view in VIEWS:
        return view
    return "mine" if access.can("cases") else "queue"


def _version(access: Access) -> str:
    latest = queries.latest_change(access)
    return f"{latest.timestamp() if latest else 0:.6f}"


def _inbox_state(request: HttpRequest, access: Access) -> dict:
    handlers = queries.handlers_in_scope(access)
    form = forms.InboxFilterForm(request.GET or None, units=request.scope_units, owners=handlers)
    data = form.cleaned_data if form.is_valid() else {}
    view = _view_of(request, access)
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    f = queries.CaseFilter(view=view, status=data.get("status") or "", priority=data.get("priority"),
                           unit_id=data.get("unit"), owner_id=data.get("owner"), q=data.get("q") or "",
                           sort=data.get("sort") or "due")
    cases, total = queries.inbox(access, request.user.pk, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    clock = Clock(access.organization_id)
    rows = [(case, clock.next_due(case)) for case in cases]
    params = {k: v for k, v in request.GET.items() if k in ("status", "priority", "unit", "owner", "q", "sort") and v}
    query = urlencode({"view": view, **params})
    pages = {"page": page, "total": total, "first": (page - 1) * PAGE_SIZE + 1 if total else 0,
             "last": min(page * PAGE_SIZE, total),
             "previous": f"?{query}&page={page - 1}" if page > 1 else "",
             "next": f"?{query}&page={page + 1}" if page * PAGE_SIZE < total else ""}
    version = _version(access)
    poll = reverse("cases:inbox_rows") + "?" + urlencode(
        {"view": view, **params, "page": page, "v": version, "at": int(timezone.now().timestamp())})
    return {"form": form, "view": view, "rows": rows, "pages": pages, "poll_url": poll, "handlers": handlers,
            "query": query, "may_work": access.can("cases"), "views": _tabs(access, view, params),
            "rendered_at": timezone.now()}


def _tabs(access: Access, current: str, params: dict) -> list[dict]:
    names = {"mine": _("My cases"), "queue": _("My units' queue"), "breached": _("Breached"), "all": _("All")}
    shown = VIEWS if access.can("cases") else VIEWS[1:]
    return [{"key": v, "name": names[v], "current": v == current, "url": "?" + urlencode({"view": v, **params})}
            for v in shown]


@require_GET
@member_view
def inbox(request: HttpRequest, access: Access) -> HttpResponse:
    state = _inbox_state(request, access)
    htmx = getattr(request, "htmx", None)
    template = "cases/_inbox_results.html" if htmx and not htmx.history_restore_request else "cases/inbox.html"
    page = render(request, template, state)
    patch_vary_headers(page, ["HX-Request"])
    return page


@require_GET
@member_view
def inbox_rows(request: HttpRequest, access: Access) -> HttpResponse:
    """The list's polling: 204 (nothing to swap) while no case the reader may see changed since
    the version the page shows and its countdowns are fresh; else the list anew."""
    seen, at = request.GET.get("v", ""), request.GET.get("at", "")
    try:
        fresh = timezone.now() - dt.datetime.fromtimestamp(int(at), tz=dt.UTC) < STALE_AFTER
    except (ValueError, OverflowError, OSError):
        fresh = False
    if fresh and seen == _version(access):
        return HttpResponse(status=204)
    return render(request, "cases/_inbox_results.html", _inbox_state(request, access))


@require_POST
@member_view
def bulk_assign(request: HttpRequest, access: Access) -> HttpResponse:
    """Give the chosen cases to one handler (or back to their queues). Each case is assigned on
    its own: those the handler may not work, or that need a reason, are reported and left."""
    _must_work(access)
    back = reverse("cases:inbox") + "?" + request.POST.get("query", "")
    ids = []
    for raw in request.POST.getlist("cases")[:PAGE_SIZE * 4]:
        if raw.isdigit():
            ids.append(int(raw))
    owner_raw = request.POST.get("owner", "")
    if not ids:
        messages.error(request, _("Choose the cases to assign first."))
        return redirect(back)
    if owner_raw not in ("", "queue") and not owner_raw.isdigit():
        raise Http404
    owner_id = int(owner_raw) if owner_raw.isdigit() else None
    if owner_raw == "":
        messages.error(request, _("Choose whom to give the cases to."))
        return redirect(back)
    reason = request.POST.get("reason", "")[:1000]
    done, refused = [], []
    for case_id in ids:
        try:
            case = queries.case_for(access, case_id)
            actions.assign(case, owner_id, actor_id=request.user.pk, reason=reason)
        except NotFound:
            refused.append(_("#%(id)s: not found") % {"id": case_id})
        except ValidationFailed as error:
            text = "; ".join(str(forms.FIELD_TEXTS.get((e.field, e.code)) or forms.ERROR_TEXTS.get(e.code)
                                 or e.message) for e in error.errors)
            refused.append(f"#{case_id}: {text}")
        else:
            done.append(case_id)
    if done:
        messages.success(request, _("Assigned: %(ids)s.") % {"ids": ", ".join(f"#{i}" for i in done)})
    if refused:
        messages.error(request, _("Not assigned: %(list)s.") % {"list": "; ".join(refused)})
    return redirect(back)


# --- One case ----------------------------------------------------------------------------------

FORM_CLASSES = {"assign": forms.AssignForm, "status": forms.StatusForm, "priority": forms.PriorityForm,
                "note": forms.NoteForm, "call": forms.CallForm, "email": forms.EmailForm, "close": forms.CloseForm,
                "merge": forms.MergeForm}


def _form_kwargs(access: Access, page, key: str) -> dict:
    case = page.case
    if key == "assign":
        return {"handlers": queries.handlers_for(access, case), "initial": {"owner": case.owner_id}}
    if key == "status":
        return {"statuses": page.transitions}
    if key == "priority":
        return {"initial": {"priority": case.priority}}
    if key == "email":
        return {"templates": queries.reply_templates(access.organization_id)}
    if key == "close":
        return {"causes": queries.root_causes(access.organization_id), "initial": {"root_cause": case.root_cause_id}}
    if key == "merge":
        return {"candidates": [c for c in page.others if c.is_open]}
    return {}


def _forms(access: Access, page, bound: dict | None = None) -> dict:
    """The working controls: unbound, except the one just refused (with its errors)."""
    built = {key: cls(prefix=key, **_form_kwargs(access, page, key)) for key, cls in FORM_CLASSES.items()
             if key not in (bound or {})}
    built.update(bound or {})
    return built


def _render_case(request: HttpRequest, access: Access, case: Case, bound: dict | None = None,
                 status: int = 200) -> HttpResponse:
    page = case_page(access, case)
    if page.shown_unredacted:
        audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="case", target=case.pk,
              details={"page": "case", "response_ids": page.shown_unredacted})
    may_work = access.can("cases")
    context = {"p": page, "case": page.case, "may_work": may_work,
               "placeholder_text": emails.placeholder_text()}
    if may_work:
        context["forms"] = _forms(access, page, bound)
    return render(request, "cases/case.html", context, status=status)


@require_GET
@member_view
def case_detail(request: HttpRequest, access: Access, case_id: int) -> HttpResponse:
    case = _case_or_404(access, case_id)
    actions.mark_viewed(case, actor_id=request.user.pk)  # the timeline's "who viewed it"
    return _render_case(request, access, case)


def _assign(request, access, case, form):
    actions.assign(case, form.cleaned_data["owner"], actor_id=request.user.pk, reason=form.cleaned_data["reason"])
    return _("The case's owner was changed.")


def _take(request, access, case, form):
    actions.assign(case, request.user.pk, actor_id=request.user.pk, reason=request.POST.get("take-reason", ""))
    return _("The case is yours.")


def _status(request, access, case, form):
    actions.set_status(case, form.cleaned_data["status"], actor_id=request.user.pk, note=form.cleaned_data["note"])
    return _("Status changed.")


def _priority(request, access, case, form):
    actions.set_priority(case, form.cleaned_data["priority"], actor_id=request.user.pk)
    return _("Priority changed.")


def _note(request, access, case, form):
    actions.add_note(case, form.cleaned_data["text"], actor_id=request.user.pk)
    return _("Note added.")


def _call(request, access, case, form):
    actions.log_call(case, actor_id=request.user.pk, summary=form.cleaned_data["summary"],
                     reached=form.cleaned_data["reached"])
    return _("Call logged.")


def _email(request, access, case, form):
    actions.send_email(case, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                       actor=request.user, template_id=form.cleaned_data["template"])
    return _("E-mail queued for sending; it is on the timeline.")


def _close(request, access, case, form):
    status = Case.Status.RESOLVED if request.POST.get("close-as") == "resolved" else Case.Status.CLOSED
    actions.close(case, actor_id=request.user.pk, root_cause_id=form.cleaned_data["root_cause"],
                  resolution=form.cleaned_data["resolution"], status=status)
    return _("Case resolved.") if status == Case.Status.RESOLVED else _("Case closed.")


def _reopen(request, access, case, form):
    actions.set_status(case, Case.Status.IN_PROGRESS, actor_id=request.user.pk, note=request.POST.get("note", ""))
    return _("Case reopened.")


def _merge(request, access, case, form):
    others = [_case_or_404(access, i) for i in form.cleaned_data["cases"]]
    actions.merge(case, others, actor_id=request.user.pk)
    return _("Cases merged into this one.")


def _split(request, access, case, form):
    raw = request.POST.get("response", "")
    if not raw.isdigit():
        raise Http404
    new = actions.split(case, int(raw), actor_id=request.user.pk)
    return _("The response is now case #%(id)s.") % {"id": new.pk}


# action name → (form key or None, what it does)
ACTIONS = {
    "assign": ("assign", _assign), "take": (None, _take), "status": ("status", _status),
    "priority": ("priority", _priority), "note": ("note", _note), "call": ("call", _call),
    "email": ("email", _email), "close": ("close", _close), "reopen": (None, _reopen),
    "merge": ("merge", _merge), "split": (None, _split),
}


@require_POST
@member_view
def case_action(request: HttpRequest, access: Access, case_id: int, action: str) -> HttpResponse:
    """One control of the case page. Done: back to the case (its timeline shows it). Refused:
    the page again with the form's errors."""
    case = _case_or_404(access, case_id)
    _must_work(access)
    if action not in ACTIONS:
        raise Http404
    key, perform = ACTIONS[action]
    form = None
    if key is not None:
        page = case_page(access, case)
        kwargs = {k: v for k, v in _form_kwargs(access, page, key).items() if k != "initial"}
        form = FORM_CLASSES[key](request.POST, prefix=key, **kwargs)
        if action == "email" and request.POST.get("fill"):
            return _render_case(request, access, case, {"email": _filled_email(access, case, request, form)})
        if not form.is_valid():
            return _render_case(request, access, case, {key: form}, status=422)
    try:
        done = perform(request, access, case, form)
    except ValidationFailed as refused:
        if form is None:
            messages.error(request, "; ".join(str(forms.ERROR_TEXTS.get(e.code) or e.message) for e in refused.errors))
            return redirect("cases:case", case_id=case.pk)
        form.add_action_errors(refused)
        return _render_case(request, access, case, {key: form}, status=422)
    messages.success(request, done)
    return redirect("cases:case", case_id=case.pk)


def _filled_email(access: Access, case: Case, request: HttpRequest, form) -> forms.EmailForm:
    """The e-mail form with the chosen template's subject and body filled in from the case."""
    templates = queries.reply_templates(access.organization_id)
    raw = request.POST.get("email-template") or request.GET.get("email-template") or ""
    template = next((t for t in templates if str(t.pk) == raw), None)
    data = {"email-template": raw, "email-subject": "", "email-body": ""}
    if template is not None:
        context = emails.context_for(case, request.user)
        data["email-subject"] = emails.render(template.subject, context, template.language)
        data["email-body"] = emails.render(template.body, context, template.language)
    filled = forms.EmailForm(data, prefix="email", templates=templates)
    filled.is_valid()
    return filled


@require_GET
@member_view
def email_fill(request: HttpRequest, access: Access, case_id: int) -> HttpResponse:
    """HTMX: the e-mail's fields filled from the template just picked (editable before sending)."""
    case = _case_or_404(access, case_id)
    _must_work(access)
    form = _filled_email(access, case, request, None)
    return render(request, "cases/_email_fields.html", {"form": form, "case": case})


@require_POST
@member_view
def open_for_response(request: HttpRequest, access: Access, response_id: int) -> HttpResponse:
    """The response page's "Open a case": the response's case, opened by hand if it has none."""
    _must_work(access)
    try:
        case = actions.open_case_manually(access, response_id, request.user.pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Case #%(id)s is open for this response.") % {"id": case.pk})
    return redirect("cases:case", case_id=case.pk)
