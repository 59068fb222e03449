"""The bell and its pages: the signed-in person's notifications, newest first; opening one marks
it read and goes to what it is about; their choices per kind. Everything here is the person's
own, in the organization they are working in."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from glapp.accounts.queries import Access
from glapp.accounts.web_access import member_view
from glapp.cases.queries import cases_in_scope
from glapp.notifications import actions, queries, texts
from glapp.notifications.models import Delivery, Kind


def _rows(access: Access, notifications) -> list[dict]:
    """Each notification with the case's own data as the reader may see it now (a case moved
    out of their reach shows only the stored codes, without a link)."""
    case_ids = {n.case_id for n in notifications if n.case_id}
    visible = {c.pk: c for c in cases_in_scope(access).filter(pk__in=case_ids)} if case_ids else {}
    rows = []
    for n in notifications:
        case = visible.get(n.case_id) if n.case_id else None
        rows.append({"n": n, "headline": texts.headline(n), "case": case,
                     "reachable": case is not None or (not n.case_id and bool(n.response_id))})
    return rows


@never_cache
@require_GET
@member_view
def notification_list(request: HttpRequest, access: Access) -> HttpResponse:
    before = request.GET.get("before", "")
    page, more = queries.page_of(access.organization_id, request.user.pk, int(before) if before.isdigit() else None)
    return render(request, "notifications/list.html", {
        "rows": _rows(access, page), "more": more,
        "unread": queries.unread_count(access.organization_id, request.user.pk)})


@require_POST
@member_view
def open_notification(request: HttpRequest, access: Access, notification_id: int) -> HttpResponse:
    notification = queries.mine(access.organization_id, request.user.pk).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    actions.mark_read(access.organization_id, request.user.pk, [notification.pk])
    return redirect(texts.path_of(notification))


@require_POST
@member_view
def mark_all_read(request: HttpRequest, access: Access) -> HttpResponse:
    actions.mark_read(access.organization_id, request.user.pk)
    return redirect("notifications:list")


@never_cache
@require_GET
@member_view
def bell(request: HttpRequest, access: Access) -> HttpResponse:
    """The bell's count for HTMX polling: 204 (nothing to swap) while it is the number shown."""
    count = queries.unread_count(access.organization_id, request.user.pk)
    if request.GET.get("shown", "") == str(count):
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html", {"unread_notifications": count})


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_choices: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(label=kind.label, choices=Delivery.choices,
                                                        initial=initial_choices[kind.value])


@never_cache
@require_http_methods(["GET", "POST"])
@member_view
def preferences(request: HttpRequest, access: Access) -> HttpResponse:
    current = queries.preferences_of(access.organization_id, request.user.pk)
    form = PreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        actions.set_preferences(access.organization_id, request.user.pk, form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "has_email": bool(request.user.email)})
