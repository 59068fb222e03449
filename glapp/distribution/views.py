"""Thin views: the invitation pages (members only) and the respondent's pixel and opt-out page
(public, reached by the invitation's unguessable token)."""

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import Access
from glapp.accounts.web_access import audit, member_view
from glapp.contacts.actions import ensure_contact_policy, update_contact_policy
from glapp.core import events
from glapp.distribution import actions, queries
from glapp.distribution.forms import PolicyForm, RatesForm
from glapp.distribution.models import ContactLog, reason_label
from glapp.journeys.queries import touchpoints_of
from glapp.surveys.queries import surveys_of

ANSWERED_KINDS = (ContactLog.Kind.RESPONDED, ContactLog.Kind.COMPLETED)

# A 1×1 transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require_GET
@never_cache
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail was opened (as far as images load): note it once; always the same image."""
    if queries.invitation_for_token(token) is not None:
        actions.note_respondent_event(events.SurveyOpened.name, token)
    return HttpResponse(PIXEL, content_type="image/gif")


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no session or token
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET only asks (link scanners and prefetchers follow GETs); POST unsubscribes."""
    invitation = queries.invitation_for_token(token)
    if invitation is None:
        raise Http404
    done = False
    if request.method == "POST":
        actions.unsubscribe_by_token(invitation)
        done = True
    already = invitation.customer.unsubscribed_at is not None and not done
    with translation.override(invitation.language):
        return render(request, "distribution/unsubscribe.html", {
            "organization": invitation.organization, "done": done or already, "token": token,
        })


@member_view
def invitations(request: HttpRequest, access: Access) -> HttpResponse:
    surveys = list(surveys_of(access.organization))
    touchpoints = list(touchpoints_of(access.organization))
    form = RatesForm(request.GET or None, surveys=surveys, touchpoints=touchpoints)
    filters = form.filters(timezone.localdate())
    return render(request, "distribution/invitations.html", {
        "form": form, "group": form.grouping(),
        "rows": queries.rates(access, form.grouping(), **filters),
        "recent": queries.recent_invitations(access, 50, **filters),
        "skipped": [(reason, reason_label(reason), n)
                    for reason, n in queries.skipped_by_reason(access, filters["date_from"])],
        "can_manage": access.can("manage"),
    })


@member_view
def customer(request: HttpRequest, access: Access, external_id: str) -> HttpResponse:
    found = queries.customer_for(access, external_id)
    if found is None:
        raise Http404
    entries = queries.contact_history(access, found)
    answered = queries.answered_invitations(access, entries, redact=not access.can("pii"))
    said = set()  # on the newest of an invitation's answered/completed entries only
    for entry in entries:
        entry.answered = None
        if entry.kind in ANSWERED_KINDS and entry.invitation_id not in said:
            entry.answered = answered.get(entry.invitation_id)
            said.add(entry.invitation_id)
    shown = sorted({a.response_id for a in answered.values() if a.has_comment})
    if shown and access.can("pii"):  # comments as written were shown: who saw them is recorded
        audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="responses",
              details={"page": "customer", "response_ids": shown})
    return render(request, "distribution/customer.html", {
        "customer": found, "entries": entries, "show_pii": access.can("pii"),
    })


@member_view
def policy(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.can("manage"):
        raise PermissionDenied
    current = ensure_contact_policy(access.organization_id)
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        update_contact_policy(current, **form.cleaned_data)
        messages.success(request, _("Contact policy saved."))
        return redirect("distribution:policy")
    return render(request, "distribution/policy.html", {"form": form})
