"""Settings → People: invite by e-mail, change someone's role or unit, take access away. For
owners and admins (an admin neither makes nor changes owners; a unit-limited admin manages people
of their subtree); the last owner stays. Every change is in the audit log."""

import logging
import smtplib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from glapp.accounts import actions, invitations
from glapp.accounts.forms import InviteForm, MemberForm
from glapp.accounts.models import Membership
from glapp.accounts.queries import Access, member_of, members_of, units_of
from glapp.accounts.web_access import member_view, request_actor
from glapp.core.errors import ValidationFailed

log = logging.getLogger("glapp.accounts")


def _require_manager(access: Access) -> None:
    if not access.can("manage"):
        raise PermissionDenied


def _forms_kwargs(access: Access) -> dict:
    return {"roles": actions.roles_grantable_by(access.role), "units": units_of(access),
            "whole_organization": access.whole_organization}


def _send(request: HttpRequest, membership: Membership) -> None:
    try:
        invitations.send_invitation(membership.user, membership.organization, request.user)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("invitation not sent: %s", type(exc).__name__)
        messages.error(request, _("The invitation to %(email)s could not be sent (%(reason)s). The person is "
                                  "added; use “Send the invitation again” once e-mail works.") % {
            "email": membership.user.email, "reason": type(exc).__name__})
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": membership.user.email})


@require_http_methods(["GET", "POST"])
@member_view
def people(request: HttpRequest, access: Access) -> HttpResponse:
    _require_manager(access)
    form = InviteForm(request.POST or None, **_forms_kwargs(access))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, _new = actions.invite_member(
                access.organization, data["email"], data["role"], data["unit"], actor_role=access.role,
                actor=request_actor(request), first_name=data["first_name"], last_name=data["last_name"])
        except ValidationFailed as refused:
            form.add_action_errors(refused)
        else:
            _send(request, membership)
            return redirect("accounts:people")
    grantable = actions.roles_grantable_by(access.role)
    rows = [{"m": m, "editable": m.role in grantable and m.user_id != request.user.pk,
             "form": MemberForm(initial={"role": m.role, "unit": m.unit_id}, prefix=f"m{m.pk}",
                                **_forms_kwargs(access))}
            for m in members_of(access)]
    return render(request, "accounts/people.html", {"rows": rows, "form": form})


def _membership(access: Access, membership_id: int) -> Membership:
    membership = member_of(access, membership_id)
    if membership is None:
        raise Http404
    return membership


@require_POST
@member_view
def change_member(request: HttpRequest, access: Access, membership_id: int) -> HttpResponse:
    _require_manager(access)
    membership = _membership(access, membership_id)
    form = MemberForm(request.POST, prefix=f"m{membership.pk}", **_forms_kwargs(access))
    if not form.is_valid():
        messages.error(request, _("Choose a role and a unit you may hand out."))
        return redirect("accounts:people")
    try:
        actions.change_member(membership, form.cleaned_data["role"], form.cleaned_data["unit"],
                              actor_role=access.role, actor=request_actor(request))
    except ValidationFailed as refused:
        form.add_action_errors(refused)
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("%(name)s: role and unit saved.") % {"name": _display(membership)})
    return redirect("accounts:people")


@require_POST
@member_view
def remove_member(request: HttpRequest, access: Access, membership_id: int) -> HttpResponse:
    _require_manager(access)
    membership = _membership(access, membership_id)
    if membership.user_id == request.user.pk:
        raise PermissionDenied  # nobody locks themselves out from this page
    try:
        actions.remove_member(membership, actor_role=access.role, actor=request_actor(request))
    except ValidationFailed as refused:
        form = MemberForm(**_forms_kwargs(access))
        form.add_action_errors(refused)
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("%(name)s no longer has access to the organization.") % {
            "name": _display(membership)})
    return redirect("accounts:people")


@require_POST
@member_view
def resend_invitation(request: HttpRequest, access: Access, membership_id: int) -> HttpResponse:
    _require_manager(access)
    membership = _membership(access, membership_id)
    if membership.role not in actions.roles_grantable_by(access.role) or not membership.user.email:
        raise PermissionDenied
    _send(request, membership)
    return redirect("accounts:people")


def _display(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.get_username()
