"""Thin views: the invitation pages (members only) and the respondent's pixel and opt-out page
(public, reached by the invitation's unguessable token)."""

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import Access
from glapp.accounts.web_access import audit, member_view
from glapp.contacts.actions import ensure_contact_policy, update_contact_policy
from glapp.core import events
from glapp.core.errors import ValidationFailed
from glapp.distribution import actions, queries
from glapp.distribution.forms import PolicyForm, RatesForm
from glapp.distribution.models import reason_label
from glapp.journeys.queries import touchpoints_of
from glapp.responses.queries import page_of_customer_responses
from glapp.responses.rows import commented_ids, response_rows
from glapp.surveys.queries import surveys_of

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


CUSTOMER_RESPONSES_PAGE = 20


@member_view
def customer(request: HttpRequest, access: Access, external_id: str) -> HttpResponse:
    """Who the customer is (as far as the reader's rights go), every response of theirs within
    the reader's units (newest first, a page at a time) and the contact history."""
    found = queries.customer_for(access, external_id)
    if found is None:
        raise Http404
    redact = not access.can("pii")
    cursor = request.GET.get("cursor") or None
    try:
        page, next_cursor = page_of_customer_responses(access, found.id, cursor, CUSTOMER_RESPONSES_PAGE)
    except ValidationFailed:
        raise Http404 from None  # a cursor no page gave out
    rows = response_rows(page, redact=redact)
    next_url = ""
    if next_cursor:
        params = request.GET.copy()
        params["cursor"] = next_cursor
        next_url = "?" + params.urlencode()
    htmx = getattr(request, "htmx", None)
    if cursor and htmx and not htmx.history_restore_request:  # "More": the next rows only
        if not redact and commented_ids(page):
            audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="responses",
                  details={"page": "customer", "response_ids": commented_ids(page)})
        response = render(request, "web/_response_rows.html", {"rows": rows, "next_url": next_url})
        patch_vary_headers(response, ["HX-Request"])
        return response
    entries = queries.contact_history_with_answers(access, found, redact=redact)
    shown = sorted({*queries.responses_with_comments(entries), *commented_ids(page)})
    if shown and not redact:  # comments as written were shown: who saw them is recorded
        audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="responses",
              details={"page": "customer", "response_ids": shown})
    response = render(request, "distribution/customer.html", {
        "customer": found, "entries": entries, "show_pii": not redact, "rows": rows, "next_url": next_url,
        "cursor": cursor,
    })
    patch_vary_headers(response, ["HX-Request"])
    return response


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
