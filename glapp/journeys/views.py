"""Settings → Journeys: the journey editor. Everyone sees the journeys; owners and admins of the
whole organization add, rename, reorder and remove stages and touchpoints, and correct codes
until stored data uses them. Each change is a plain form post (works without JavaScript); with
HTMX the editor swaps in place."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from glapp.accounts.queries import Access
from glapp.accounts.web_access import member_view
from glapp.core.errors import ValidationFailed
from glapp.journeys import actions, queries

ERRORS = {
    "required": gettext_lazy("A name is needed."),
    "too_long": gettext_lazy("The name is longer than 200 characters."),
    "invalid": gettext_lazy("A code is lowercase letters, digits and hyphens."),
    "taken": gettext_lazy("That code is taken; choose another."),
    "in_use": gettext_lazy("Responses, surveys or events already use this, so its code can no longer change and "
                           "it cannot be removed."),
}


class NameForm(forms.Form):
    name = forms.CharField(max_length=200)


def _may_edit(access: Access) -> bool:
    return access.can_for_organization("manage")


@require_http_methods(["GET", "POST"])
@member_view
def journey_list(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method == "POST":
        if not _may_edit(access):
            raise PermissionDenied
        form = NameForm(request.POST)
        if form.is_valid():
            journey = actions.create_journey(access.organization, form.cleaned_data["name"], [])
            return redirect("journeys:editor", journey.pk)
        messages.error(request, ERRORS["required"])
    journeys = list(queries.journeys_of(access.organization))
    return render(request, "journeys/list.html", {"journeys": journeys, "may_edit": _may_edit(access)})


def _target(access: Access, kind: str, target_id: str):
    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        raise Http404 from None
    row = {"stage": queries.stage_of, "touchpoint": queries.touchpoint_of,
           "journey": queries.journey_of}.get(kind, lambda *_: None)(access.organization, pk)
    if row is None:
        raise Http404
    return row


# What the editor may do to each kind of row.
OPERATIONS = {
    "journey": {"rename", "code", "delete", "add_stage"},
    "stage": {"rename", "code", "up", "down", "delete", "add_touchpoint"},
    "touchpoint": {"rename", "code", "up", "down", "to_stage", "delete"},
}


def _apply(journey, row, op: str, post) -> str:
    """Run one editor operation; returns what to tell the person."""
    if op == "add_stage":
        stage = actions.add_stage(journey, post.get("name", ""))
        return _("Stage “%(name)s” added (code %(code)s).") % {"name": stage.name, "code": stage.code}
    if op == "add_touchpoint":
        tp = actions.add_touchpoint(row, post.get("name", ""))
        return _("Touchpoint “%(name)s” added (code %(code)s).") % {"name": tp.name, "code": tp.code}
    if op == "rename":
        actions.rename(row, post.get("name", ""))
        return _("Renamed to “%(name)s”; the code stays %(code)s.") % {"name": row.name, "code": row.code}
    if op == "code":
        actions.change_code(row, post.get("code", ""))
        return _("The code is now %(code)s.") % {"code": row.code}
    if op in ("up", "down"):
        actions.move(row, -1 if op == "up" else 1)
        return _("“%(name)s” moved.") % {"name": row.name}
    if op == "to_stage":
        stage_id = post.get("stage", "")
        stage = queries.stage_of(journey.organization_id, int(stage_id)) if stage_id.isdigit() else None
        if stage is None or stage.journey_id != journey.pk:
            raise Http404
        actions.move_touchpoint(row, stage)
        return _("“%(name)s” moved to “%(stage)s”.") % {"name": row.name, "stage": stage.name}
    if op == "delete":
        actions.delete(row)
        return _("“%(name)s” removed.") % {"name": row.name}
    raise Http404


@require_http_methods(["GET", "POST"])
@member_view
def journey_editor(request: HttpRequest, access: Access, journey_id: int) -> HttpResponse:
    journey = queries.journey_of(access.organization, journey_id)
    if journey is None:
        raise Http404
    notice = None
    if request.method == "POST":
        if not _may_edit(access):
            raise PermissionDenied
        kind, op = request.POST.get("kind", "journey"), request.POST.get("op", "")
        if op not in OPERATIONS.get(kind, ()):
            raise Http404
        row = _target(access, kind, request.POST.get("id", journey.pk))
        journey_of_row = {"journey": lambda r: r.pk, "stage": lambda r: r.journey_id,
                          "touchpoint": lambda r: r.stage.journey_id}[kind](row)
        if journey_of_row != journey.pk:
            raise Http404
        try:
            notice = ("success", _apply(journey, row, op, request.POST))
        except ValidationFailed as refused:
            notice = ("error", " ".join(str(ERRORS.get(e.code, e.message)) for e in refused.errors))
        if kind == "journey" and op == "delete" and notice[0] == "success":
            messages.success(request, notice[1])
            return redirect("journeys:list")
        if not request.htmx:  # without JavaScript: post, redirect, get
            getattr(messages, notice[0])(request, notice[1])
            return redirect("journeys:editor", journey.pk)
    journey = queries.journeys_of(access.organization).get(pk=journey.pk)
    used = queries.codes_in_use(journey) if _may_edit(access) else set()
    stages = [{"stage": s, "used": ("stage", s.pk) in used, "first": i == 0, "last": i == len(journey.stages.all()) - 1,
               "touchpoints": [{"tp": t, "used": ("touchpoint", t.pk) in used, "first": j == 0,
                                "last": j == len(s.touchpoints.all()) - 1} for j, t in enumerate(s.touchpoints.all())]}
              for i, s in enumerate(journey.stages.all())]
    return render(request, "journeys/editor.html", {
        "journey": journey, "stages": stages, "may_edit": _may_edit(access), "notice": notice,
        "journey_used": queries.in_use(journey) if _may_edit(access) else True})
