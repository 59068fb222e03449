"""Settings → Units: the organization's unit tree. Everyone sees the units they may see; owners
and admins add, rename and move them (a unit-limited admin within their own subtree). Paths are
kept by `Unit.save()`, which also refuses a move under the unit itself or below it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from glapp.accounts import actions
from glapp.accounts.forms import MoveUnitForm, RenameForm, UnitForm
from glapp.accounts.models import Unit
from glapp.accounts.queries import Access, unit_of, units_of
from glapp.accounts.web_access import member_view
from glapp.core.errors import ValidationFailed


def _may_edit(access: Access) -> bool:
    return access.can("manage")


def _require_editor(access: Access) -> None:
    if not _may_edit(access):
        raise PermissionDenied


def _tree(units: list[Unit]) -> list[tuple[Unit, int]]:
    """(unit, depth) in tree order: paths sort parents before children."""
    top = min((u.path.count("/") for u in units), default=0)
    ordered = sorted(units, key=lambda u: [int(p) for p in u.path.strip("/").split("/")])
    return [(u, u.path.count("/") - top) for u in ordered]


@require_http_methods(["GET", "POST"])
@member_view
def units(request: HttpRequest, access: Access) -> HttpResponse:
    scope = list(units_of(access))
    form = UnitForm(request.POST or None, units=units_of(access), prefix="new")
    if request.method == "POST":
        _require_editor(access)
        if form.is_valid():
            data = form.cleaned_data
            code = data["code"] or actions.free_unit_code(access.organization, data["name"])
            try:
                unit = actions.create_unit(access.organization, data["name"], code, data["kind"], parent=data["parent"])
            except ValidationFailed as refused:
                form.add_action_errors(refused)
            else:
                messages.success(request, _("“%(name)s” added.") % {"name": unit.name})
                return redirect("accounts:units")
    rows = [{"unit": u, "depth": depth} for u, depth in _tree(scope)]
    movable = units_of(access).exclude(parent__isnull=True)
    if not access.whole_organization:
        movable = movable.exclude(path=access.unit_path)  # their own top unit stays where it is
    move_form = MoveUnitForm(units=units_of(access), movable=movable)
    return render(request, "accounts/units.html", {"rows": rows, "form": form, "move_form": move_form,
                                                   "may_edit": _may_edit(access)})


@require_POST
@member_view
def rename_unit(request: HttpRequest, access: Access, unit_id: int) -> HttpResponse:
    _require_editor(access)
    unit = unit_of(access, unit_id)
    if unit is None:
        raise Http404
    form = RenameForm(request.POST)
    if form.is_valid():
        actions.rename_unit(unit, form.cleaned_data["name"])
        messages.success(request, _("Renamed to “%(name)s”; its code stays %(code)s.") % {
            "name": unit.name, "code": unit.code})
    else:
        messages.error(request, _("A unit needs a name."))
    return redirect("accounts:units")


@require_POST
@member_view
def move_unit(request: HttpRequest, access: Access) -> HttpResponse:
    _require_editor(access)
    movable = units_of(access).exclude(parent__isnull=True)
    if not access.whole_organization:
        movable = movable.exclude(path=access.unit_path)
    form = MoveUnitForm(request.POST, units=units_of(access), movable=movable)
    if not form.is_valid():
        messages.error(request, _("Choose a unit you may see to move it under."))
        return redirect("accounts:units")
    unit, parent = form.cleaned_data["unit"], form.cleaned_data["parent"]
    try:
        actions.move_unit(unit, parent)
    except ValidationFailed:
        messages.error(request, _("A unit cannot move under itself or a unit below it."))
    else:
        messages.success(request, _("“%(name)s” moved under “%(parent)s”, with everything below it.") % {
            "name": unit.name, "parent": parent.name})
    return redirect("accounts:units")
