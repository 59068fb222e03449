"""Thin views: parse the request, ask `queries` for scoped data, render.

Every page that shows tenant data goes through `accounts.web_access.member_view`, which resolves
the person's `Access` (organization + unit subtree) once; nothing below it reads without that access.
"""

from itertools import groupby
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from glapp.accounts.actions import remember_language
from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import Access, access_for, installation_is_empty
from glapp.accounts.signin import begin_sign_in
from glapp.accounts.web_access import ORG_SESSION_KEY, audit, member_view, safe_next
from glapp.analytics import metrics
from glapp.analytics.queries import nps_by_touchpoint, total_nps
from glapp.cases.countdown import Clock
from glapp.cases.queries import case_of_response
from glapp.contacts.queries import segment_shares
from glapp.core.errors import ValidationFailed
from glapp.journeys.queries import touchpoints_of
from glapp.responses.queries import count_of_responses, page_of_responses, response_id_of_answer
from glapp.responses.rows import ResponseRow, commented_ids, response_rows
from glapp.surveys.queries import surveys_of
from glapp.web.empty_period import empty_period
from glapp.web.forms import OverviewForm, ResponsesForm
from glapp.web.journey import JOURNEY_EXTRAS, JourneyForm, TrendForm, scored_questions, trend_page
from glapp.web.journey import journey_map as build_journey_map
from glapp.web.question_figures import QuestionsForm, questions_page
from glapp.web.response_detail import other_responses, response_detail

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    """The password step. A correct password signs in only those who need no second factor;
    the others continue to their code (or, the first time, to setting up their app)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        return redirect(begin_sign_in(self.request, user, user.backend, self.get_success_url()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # An empty installation has nobody to sign in yet: point at the first-run page.
        context["first_run"] = installation_is_empty()
        if settings.GLAPP_OIDC_ENABLED:
            context["sso_provider"] = settings.GLAPP_OIDC_PROVIDER_NAME or _("single sign-on")
        return context


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]  # a GET (a link, a prefetch) must never sign anyone out


@require_POST
def change_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + safe redirect), plus remembering the choice on the user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        remember_language(request.user, language)
    return response


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    try:
        org_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise PermissionDenied from None
    if access_for(request.user, org_id) is None:
        raise PermissionDenied  # not a member: the session keeps its current organization
    request.session[ORG_SESSION_KEY] = org_id
    # Filters name the old organization's units and touchpoints; start from a clean page.
    return redirect(safe_next(request).split("?")[0])


def query_string(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@member_view
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    form = OverviewForm(request.GET or None, units=request.scope_units)
    date_from = date_to = None
    unit = None
    rows = []
    if form.is_bound and not form.is_valid():
        rows = None
    else:
        if not form.is_bound:
            form.cleaned_data = {}
        date_from, date_to = form.dates()
        unit = form.cleaned_data.get("unit") or None
        rows = nps_by_touchpoint(access, date_from, date_to, unit)

    journeys = []
    quiet: list[str] = []
    if rows:
        list_params = {"date_from": date_from, "date_to": date_to, "unit": unit}
        named = [r for r in rows if r.touchpoint_code]
        if not access.whole_organization:
            # Someone limited to a store sees a few touchpoints at most; a card for every other
            # one, empty for good, would bury them. They are named in one line instead.
            quiet = [r.touchpoint for r in named if not r.n]
            named = [r for r in named if r.n]
        for journey, in_journey in groupby(named, key=lambda r: r.journey):
            stages = []
            for stage, in_stage in groupby(in_journey, key=lambda r: r.stage):
                stages.append({"name": stage, "rows": [
                    {"row": r, "link": query_string({**list_params, "touchpoint": r.touchpoint_code})}
                    for r in in_stage]})
            journeys.append({"name": journey, "stages": stages})
    loose = next((r for r in rows or [] if not r.touchpoint_code), None)
    context = {
        "form": form,
        "journeys": journeys,
        "loose": loose,
        "total": total_nps(rows) if rows else None,
        "quiet_touchpoints": quiet,
        "date_from": date_from,
        "date_to": date_to,
        "all_link": query_string({"date_from": date_from, "date_to": date_to, "unit": unit}),
        "period": (form.cleaned_data.get("period") if form.is_bound and form.is_valid() else "") or "12m",
        "empty_period": empty_period(request, access, rows is not None and not total_nps(rows).n, "nps",
                                     period="custom"),
    }
    return render(request, "web/overview.html", context)


@member_view
def responses(request: HttpRequest, access: Access) -> HttpResponse:
    form = ResponsesForm(request.GET, surveys=surveys_of(access.organization),
                         touchpoints=touchpoints_of(access.organization), units=request.scope_units)
    cursor = request.GET.get("cursor") or None
    rows: list[ResponseRow] = []
    next_url = export_url = ""
    total = None
    total_exact = True
    errors: list[str] = []
    if form.is_valid():
        f = form.to_filter()
        try:
            page, next_cursor = page_of_responses(access, f, cursor, PAGE_SIZE)
            if not cursor:
                total, total_exact = count_of_responses(access, f)
        except ValidationFailed as exc:
            errors = [f"{e.field}: {e.message}" for e in exc.errors]
        else:
            rows = response_rows(page, redact=not access.can("pii"))
            shown = commented_ids(page)
            if shown and access.can("pii"):  # comments as written were shown: who saw them is recorded
                audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="responses",
                      details={"page": "responses", "response_ids": shown})
            if next_cursor:
                params = request.GET.copy()
                params["cursor"] = next_cursor
                next_url = "?" + params.urlencode()
            if access.can("export"):
                export_url = "?" + urlencode(f.to_params())  # "Export" downloads what is shown
    context = {"form": form, "rows": rows, "next_url": next_url, "total": total, "total_exact": total_exact,
               "window": settings.GLAPP_SEARCH_WINDOW, "errors": errors,
               "cursor": cursor, "export_url": export_url}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template = "web/_response_rows.html" if cursor else "web/_responses_results.html"
    else:
        template = "web/responses.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@member_view
def response(request: HttpRequest, access: Access, response_id: int) -> HttpResponse:
    """One response with everything known about it (`response_detail`). Another organization's
    or another unit's response does not exist for the reader: 404, never 403. `cursor` pages
    through the customer's other responses ("More" asks for just the next rows)."""
    cursor = request.GET.get("cursor") or None
    htmx = getattr(request, "htmx", None)
    try:
        if cursor and htmx and not htmx.history_restore_request:  # "More": the next rows only
            return _other_responses(request, access, response_id, cursor)
        detail = response_detail(access, response_id, cursor)
    except ValidationFailed:  # a cursor no page gave out
        raise Http404 from None
    if detail is None:
        raise Http404
    if detail.shown_unredacted:  # comments as written were shown: who saw them is recorded
        audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="response", target=response_id,
              details={"page": "response", "response_ids": detail.shown_unredacted})
    block = detail.customer
    next_url = "?" + urlencode({"cursor": block.others_next}) if block and block.others_next else ""
    page = render(request, "web/response.html", {"d": detail, "r": detail.response, "next_url": next_url,
                                                 "show_pii": not detail.redacted, **detail.controls,
                                                 "case_panel": _case_panel(access, response_id)})
    patch_vary_headers(page, ["HX-Request"])  # the same URL answers with a fragment or a page
    return page


def _case_panel(access: Access, response_id: int) -> dict:
    """The response's case as the reader may see it (cases app): its state and due countdown, or
    whether the reader may open one."""
    case = case_of_response(access, response_id)
    if case is None:
        return {"case": None, "may_open": access.can("cases")}
    return {"case": case, "due": Clock(access.organization_id).next_due(case), "may_open": False}


def _other_responses(request: HttpRequest, access: Access, response_id: int, cursor: str) -> HttpResponse:
    found = other_responses(access, response_id, cursor)
    if found is None:
        raise Http404
    rows, next_cursor = found
    shown = commented_ids(row.response for row in rows)
    if shown and access.can("pii"):
        audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="response", target=response_id,
              details={"page": "response", "response_ids": shown})
    next_url = "?" + urlencode({"cursor": next_cursor}) if next_cursor else ""
    page = render(request, "web/_response_rows.html", {"rows": rows, "next_url": next_url})
    patch_vary_headers(page, ["HX-Request"])
    return page


@member_view
def comment(request: HttpRequest, access: Access, answer_id: int) -> HttpResponse:
    """A comment (an answer) listed by its id, as the topic editor lists them: its response's page."""
    response_id = response_id_of_answer(access, answer_id)
    if response_id is None:
        raise Http404
    return redirect(reverse("web:response", args=[response_id]) + f"#v-{answer_id}")


def _fragment_or_page(request: HttpRequest, page: str, fragment: str, context: dict) -> HttpResponse:
    """An HTMX filter change gets only the results; a plain GET (or a shared link) the whole page."""
    htmx = getattr(request, "htmx", None)
    template = fragment if htmx and not htmx.history_restore_request else page
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the same URL answers with a fragment or a page
    return response


def _segments(access: Access) -> list[str]:
    return sorted(segment_shares(access.organization_id))


@member_view
def journey(request: HttpRequest, access: Access) -> HttpResponse:
    shown = ("nps", *JOURNEY_EXTRAS)  # the kinds of figures the map shows
    form = JourneyForm(request.GET, units=request.scope_units, segments=_segments(access),
                       questions=[q for q in scored_questions(access) if q[2] in shown])
    journey_map, errors = None, []
    if form.is_valid():
        try:
            journey_map = build_journey_map(access, form.query())
        except ValidationFailed as exc:
            errors = [e.message for e in exc.errors]
    context = {"form": form, "map": journey_map, "errors": errors, "unit_limited": not access.whole_organization,
               "empty_period": empty_period(request, access, bool(journey_map and journey_map.empty))}
    return _fragment_or_page(request, "web/journey.html", "web/_journey_results.html", context)


@member_view
def trends(request: HttpRequest, access: Access) -> HttpResponse:
    form = TrendForm(request.GET, units=request.scope_units, segments=_segments(access),
                     touchpoints=touchpoints_of(access.organization), questions=scored_questions(access))
    page, errors = None, []
    if form.is_valid():
        try:
            page = trend_page(access, form.query(timezone.localdate()))
        except ValidationFailed as exc:
            errors = [e.message for e in exc.errors]
    source = metrics.METRICS[page.metric_code].source if page else ""
    context = {"form": form, "page": page, "errors": errors,
               "empty_period": empty_period(request, access, bool(page and page.empty), source)}
    return _fragment_or_page(request, "web/trends.html", "web/_trends_results.html", context)


@member_view
def questions(request: HttpRequest, access: Access) -> HttpResponse:
    surveys = list(surveys_of(access.organization))
    form = QuestionsForm(request.GET, units=request.scope_units, segments=_segments(access),
                         touchpoints=touchpoints_of(access.organization), surveys=surveys)
    page, errors = None, []
    if surveys and form.is_valid():
        chosen = form.cleaned_data.get("survey") or surveys[0].code
        try:
            page = questions_page(access, form.query(chosen), next(s.name for s in surveys if s.code == chosen))
        except ValidationFailed as exc:
            errors = [e.message for e in exc.errors]
    context = {"form": form, "page": page, "errors": errors, "no_surveys": not surveys,
               "empty_period": empty_period(request, access, bool(page and page.empty))}
    return _fragment_or_page(request, "web/questions.html", "web/_questions_results.html", context)
