"""Settings → Webhooks (owners and admins): endpoints, their delivery log, replay and the test event."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from glapp.accounts.actions import AuditActor
from glapp.accounts.queries import Access
from glapp.accounts.web_access import member_view
from glapp.core.errors import ValidationFailed
from glapp.webhooks import actions, queries
from glapp.webhooks.forms import EndpointForm, ReplayForm
from glapp.webhooks.models import Delivery, Endpoint


def _require_manager(access: Access) -> None:
    # Endpoints hear the whole organization's events: only those who manage all of it set them.
    if not access.can_for_organization("manage"):
        raise PermissionDenied


def _errors_to_form(form, failed: ValidationFailed) -> None:
    for error in failed.errors:
        form.add_error(error.field if error.field in form.fields else None, error.message)


def _endpoint_or_404(access: Access, endpoint_id: int) -> Endpoint:
    found = queries.endpoint_of(access.organization_id, endpoint_id)
    if found is None:
        raise Http404
    return found


def _show_secret(request: HttpRequest, endpoint: Endpoint) -> None:
    # Shown once, on the next page, from the session: never in a URL or a log.
    request.session["webhook_secret"] = {"id": endpoint.pk, "secret": endpoint.secret}


@never_cache  # the page may carry a fresh signing secret
@require_http_methods(["GET", "POST"])
@member_view
def endpoints(request: HttpRequest, access: Access) -> HttpResponse:
    _require_manager(access)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_endpoint(
                access.organization_id, form.cleaned_data["url"], form.cleaned_data["event_types"],
                description=form.cleaned_data["description"], personal_data=form.cleaned_data["personal_data"],
                actor=AuditActor.of_user(request.user), created_by=request.user)
        except ValidationFailed as failed:
            _errors_to_form(form, failed)
        else:
            _show_secret(request, created)
            return redirect("webhooks:endpoint", created.pk)
    return render(request, "webhooks/endpoints.html",
                  {"form": form, "endpoints": list(queries.endpoints_of(access.organization_id))})


@never_cache
@require_http_methods(["GET", "POST"])
@member_view
def endpoint(request: HttpRequest, access: Access, endpoint_id: int) -> HttpResponse:
    _require_manager(access)
    found = _endpoint_or_404(access, endpoint_id)
    initial = {"url": found.url, "description": found.description, "event_types": found.types,
               "personal_data": found.personal_data}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_endpoint(found, form.cleaned_data["url"], form.cleaned_data["event_types"],
                                    description=form.cleaned_data["description"],
                                    personal_data=form.cleaned_data["personal_data"],
                                    actor=AuditActor.of_user(request.user))
        except ValidationFailed as failed:
            _errors_to_form(form, failed)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect("webhooks:endpoint", found.pk)
    shown = request.session.pop("webhook_secret", None)
    state = request.GET.get("state", "")
    return render(request, "webhooks/endpoint.html", {
        "endpoint": found, "form": form, "replay_form": ReplayForm(),
        "secret": shown["secret"] if shown and shown.get("id") == found.pk else None,
        "deliveries": list(queries.deliveries_of(found, state if state in Delivery.State.values else "")),
        "attempts": list(queries.attempt_log(found)), "state": state, "states": Delivery.State.choices,
    })


@require_POST
@member_view
def endpoint_action(request: HttpRequest, access: Access, endpoint_id: int, what: str) -> HttpResponse:
    _require_manager(access)
    found = _endpoint_or_404(access, endpoint_id)
    actor = AuditActor.of_user(request.user)
    if what == "disable":
        actions.set_active(found, False, actor=actor, reason=_("Disabled by %(name)s.") % {"name": actor.username})
        messages.success(request, _("The endpoint is disabled; messages wait until it is enabled again."))
    elif what == "enable":
        actions.set_active(found, True, actor=actor)
        messages.success(request, _("The endpoint is enabled; waiting messages are sent now."))
    elif what == "rotate":
        actions.rotate_secret(found, actor=actor)
        _show_secret(request, found)
        messages.success(request, _("A new secret signs from now on; the old one also signs for 24 hours."))
    elif what == "test":
        actions.send_test_event(found, actor=actor)
        messages.success(request, _("A test event is on its way; it shows in the log below."))
    elif what == "replay":
        try:
            message_id = int(request.POST.get("message", ""))
        except ValueError:
            raise Http404 from None
        count = actions.replay(found, message_ids=[message_id], actor=actor)
        messages.success(request, _("%(count)s message sent again.") % {"count": count})
    elif what == "replay-failed":
        form = ReplayForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the time to replay from."))
        else:
            count = actions.replay(found, failed_since=form.cleaned_data["since"], actor=actor)
            messages.success(request, _("%(count)s messages sent again.") % {"count": count})
    elif what == "delete":
        actions.delete_endpoint(found, actor=actor)
        messages.success(request, _("The endpoint is deleted."))
        return redirect("webhooks:endpoints")
    else:
        raise Http404
    return redirect("webhooks:endpoint", found.pk)
