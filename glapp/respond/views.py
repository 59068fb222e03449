"""The respondent's pages (/r/<token>/, /s/<public_token>/) and the widget's endpoints (/w/…).

No login and no JavaScript: one question per page, a plain form POST per answer, rendered in
the respondent's language. The token in the URL is the respondent's capability, so the forms
carry no CSRF token (a third-party iframe, the widget, could not send the cookie anyway) and
the pages are never cached.
"""

import functools
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from glapp.accounts.models import Unit
from glapp.core import hostile, links, ratelimit
from glapp.respond import actions, display_tokens, languages, queries
from glapp.respond.models import RespondentSession
from glapp.responses.models import Channel
from glapp.surveys import logic, piping
from glapp.surveys import question_types as qt
from glapp.surveys.models import Survey, new_token

# Query parameters of the public link that become session context (and response metadata).
PUBLIC_CONTEXT_KEYS = ("store", "product", "campaign", "agent")
PUBLIC_CHANNELS = frozenset(Channel.values) - {Channel.EMAIL, Channel.SMS}  # those come with invitations
CONTEXT_VALUE_LENGTH = 120
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
START_SIGNER = signing.Signer(salt="glapp.surveys.start")
RESUME_DAYS = 30
WIDGET_JS = Path(__file__).parent / "static" / "respond" / "widget.js"

# The ends of each scale, read aloud with it: "0 = Not at all likely … 10 = Very likely".
SCALE_ENDS = {
    qt.NPS: (gettext_lazy("Not at all likely"), gettext_lazy("Very likely")),
    qt.LBA: (gettext_lazy("Not at all likely"), gettext_lazy("Very likely")),
    qt.CES: (gettext_lazy("Very difficult"), gettext_lazy("Very easy")),
    qt.CSAT: (gettext_lazy("Very dissatisfied"), gettext_lazy("Very satisfied")),
    qt.RATING: (gettext_lazy("Worst"), gettext_lazy("Best")),
}
EMOTION_LABELS = {code: gettext_lazy(label) for code, label in qt.EMOTION_LABELS.items()}  # in the page's language


# --- Page parts ---------------------------------------------------------------------------------

# The language switch's button: a submit button of the question's form, so the answer being
# given is re-shown in the new language rather than lost (and no script is needed).
SWITCH_FIELD = "switch_language"


def _survey_languages(survey: Survey, definition: dict | None = None) -> list[str]:
    definition = definition if definition is not None else (survey.current_version.definition or {})
    return list(definition.get("languages") or survey.languages or [settings.LANGUAGE_CODE])



def _pick(texts, language: str, fallback: str = "") -> str:
    if not isinstance(texts, dict):
        return str(texts or fallback)
    return texts.get(language) or next((t for t in texts.values() if t), fallback)


def _page_language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _question_view(question: dict, context: dict, language: str, values: list[str]) -> dict:
    """What the template needs for one question: piped wording, the choices with labels."""
    qtype = question["type"]
    spec = qt.TYPES[qtype]
    chosen = set(values)
    view = {"key": question["key"], "type": qtype, "required": bool(question.get("required")),
            "text": piping.render(_pick(question.get("texts"), language, question["key"]), context, language),
            "multi": qtype == qt.MULTI, "is_text": qtype == qt.TEXT, "is_scale": spec.kind == "number",
            "text_value": values[0] if (values and qtype == qt.TEXT) else "", "text_limit": actions.TEXT_LIMIT}
    if spec.kind == "number":
        high = (question.get("scale_max") or spec.max) if qtype == qt.RATING else spec.max
        low_label, high_label = SCALE_ENDS[qtype]
        view["choices"] = [{"value": str(v), "label": str(v), "checked": str(v) in chosen}
                           for v in range(spec.min, high + 1)]
        view["ends"] = (f"{spec.min} = {low_label}", f"{high} = {high_label}")
    elif qtype == qt.EMOTION:
        view["choices"] = [{"value": e, "label": EMOTION_LABELS[e], "checked": e in chosen} for e in qt.EMOTIONS]
    elif qtype in (qt.SINGLE, qt.MULTI):
        labels = question.get("option_texts") or {}
        own = labels.get(language) or {}
        others = [v for lang, v in labels.items() if lang != language and isinstance(v, dict)]
        view["choices"] = [
            {"value": o, "label": own.get(o) or next((v[o] for v in others if v.get(o)), o), "checked": o in chosen}
            for o in question.get("options") or []]
    for i, choice in enumerate(view.get("choices", [])):
        choice["id"] = f"a-{i}"
    return view


def _page(request: HttpRequest, template: str, language: str, context: dict, status: int = 200,
          frameable: Sequence[str] = ()) -> HttpResponse:
    """`frameable`: the origins that may show the page in a frame (the widget's iframe on the
    organization's sites); none, and it may not be framed at all."""
    language = _page_language(language)
    with translation.override(language):
        response = render(request, f"respond/{template}",
                          {"lang": language, "frameable": bool(frameable), **context}, status=status)
    if frameable:
        # X-Frame-Options cannot name origins; CSP's frame-ancestors can, and browsers obey it first.
        response.xframe_options_exempt = True
        response._csp_replace = {"frame-ancestors": list(frameable)}
    return response


def _widget_origins(survey: Survey) -> list[str]:
    return survey.organization.widget_origin_list


def _unavailable(request: HttpRequest, reason: str, language: str = "",
                 frameable: Sequence[str] = ()) -> HttpResponse:
    template, status = {"unknown": ("not_found.html", 404), "expired": ("expired.html", 410),
                        "closed": ("closed.html", 410)}[reason]
    if not language:
        language = translation.get_language_from_request(request) or settings.LANGUAGE_CODE
    return _page(request, template, language, {}, status=status, frameable=frameable)


def _question_page(request: HttpRequest, *, questions: list[dict], answered: dict, context: dict, language: str,
                   survey_languages: list[str], action: str, error: str = "", values: list[str] | None = None,
                   extra: dict | None = None, frameable: Sequence[str] = ()) -> HttpResponse:
    answers, skipped = actions.split_answered(answered)
    question = logic.next_question(questions, answers, skipped)
    if values and request.POST.get("question") != question["key"]:
        values = []  # posted for another question (an old tab): nothing of it belongs here
    done, total = logic.progress(questions, answers, skipped)
    last = _is_last(questions, question, answers, skipped)
    return _page(request, "question.html", language, {
        "q": _question_view(question, context, _page_language(language), values or []),
        "number": done + 1, "total": max(total, done + 1), "error": error, "action": action, "last": last,
        "switch": languages.switch_options(survey_languages, language), "switch_field": SWITCH_FIELD,
        **(extra or {}),
    }, status=400 if error else 200, frameable=frameable)


def _is_last(questions: list[dict], question: dict, answers: dict, skipped) -> bool:
    """Whether no later question can still be asked: "Send" instead of "Next". A later question
    may still appear when it has no condition, when its condition waits on an unanswered
    question (this one, say), or when it already holds."""
    keys = [q["key"] for q in questions]
    for later in questions[keys.index(question["key"]) + 1:]:
        show_if = later.get("show_if") or {}
        decided = show_if.get("question") in answers or show_if.get("question") in skipped
        if not show_if or not decided or logic.condition_holds(show_if, answers):
            return False
    return True


def _thank_you_page(request: HttpRequest, session: RespondentSession, frameable: Sequence[str]) -> HttpResponse:
    definition = session.survey_version.definition or {}
    language = _page_language(session.language)
    text = piping.render(_pick(definition.get("thank_you"), session.language), session.context, language)
    link = definition.get("promoter_link") or ""
    promoter = any(q["type"] == qt.NPS and isinstance(session.answered.get(q["key"]), int)
                   and session.answered[q["key"]] >= 9 for q in definition.get("questions") or [])
    parts = urlsplit(link) if link else None
    if not (promoter and parts and parts.scheme in ("http", "https") and parts.netloc):
        link = ""
    label = _pick(definition.get("promoter_link_label"), session.language)
    return _page(request, "thank_you.html", language, {
        "text": text, "link": link, "link_label": label, "org_name": session.survey.organization.name},
        frameable=frameable)


def _frameable(session: RespondentSession) -> list[str]:
    widget = session.channel == Channel.WIDGET or session.display_id is not None
    return _widget_origins(session.survey) if widget else []


# --- /r/<token>/ ----------------------------------------------------------------------------------


@csrf_exempt  # the token in the URL is the capability; see the module docstring
@require_http_methods(["GET", "POST"])
@never_cache
def respond(request: HttpRequest, token: str) -> HttpResponse:
    error, values = "", []
    if request.method == "POST" and request.POST.get(SWITCH_FIELD):
        # The language switch: the session's language changes, nothing is answered; the answer
        # being given is shown again, in the new language, to be sent with "Next".
        values = request.POST.getlist("answer")
        session = actions.set_language(token, request.POST[SWITCH_FIELD])
        if session is None:
            return _unavailable(request, "unknown")
        if actions.is_expired(session):
            return _unavailable(request, "expired", session.language, _frameable(session))
    elif request.method == "POST":
        # One transaction reads the session (locked), checks it and stores the answer.
        values = request.POST.getlist("answer")
        try:
            session, outcome = actions.answer_by_token(token, request.POST.get("question", ""), values,
                                                       skip=bool(request.POST.get("skip")))
        except actions.Unavailable as exc:
            return _unavailable(request, exc.reason, exc.language)
        if outcome.unavailable:
            return _unavailable(request, outcome.unavailable, session.language, _frameable(session))
        if not outcome.error:
            return redirect("respond:session", token=session.token)  # POST/redirect/GET: reload asks nothing twice
        error = outcome.error
    else:
        session = queries.session_for_token(token)
        if session is None:
            try:
                session = actions.session_from_invitation(token, request.GET.get("lang", ""))
            except actions.Unavailable as exc:
                return _unavailable(request, exc.reason, exc.language)
        if actions.is_expired(session):
            return _unavailable(request, "expired", session.language, _frameable(session))
        if not session.answered and not session.completed_at and not queries.is_open(session.survey):
            return _unavailable(request, "closed", session.language, _frameable(session))
    frameable = _frameable(session)
    if session.completed_at or actions.current_question(session) is None:
        return _thank_you_page(request, session, frameable)
    return _question_page(request, questions=actions.questions_of(session), answered=session.answered,
                          context=session.context, language=session.language, error=error, values=values,
                          survey_languages=_survey_languages(session.survey, session.survey_version.definition),
                          action=reverse("respond:session", args=[session.token]), frameable=frameable,
                          extra={"org_name": session.survey.organization.name})


# --- /s/<public_token>/ ---------------------------------------------------------------------------


def _public_params(request: HttpRequest, survey: Survey) -> dict:
    """Language, channel, unit and context from the public link's query string (whitelisted)."""
    requested = request.POST.get(SWITCH_FIELD) or request.GET.get("lang", "")
    channel = request.GET.get("channel", "")
    unit_id = None
    if request.GET.get("unit"):
        unit_id = (Unit.objects.for_org(survey.organization_id).filter(code=request.GET["unit"][:80])
                   .values_list("id", flat=True).first())
    # A value that cannot be stored as sent (a NUL, core/hostile.py) is left out: the link's
    # context is optional, and the respondent cannot correct a link.
    context = {k: request.GET[k].strip()[:CONTEXT_VALUE_LENGTH] for k in PUBLIC_CONTEXT_KEYS
               if request.GET.get(k, "").strip() and not hostile.text_problem(request.GET[k])}
    language = languages.choose(_survey_languages(survey), requested=requested,
                                accept=languages.browser_languages(request),
                                default=survey.organization.default_language)
    return {"language": language,
            "channel": channel if channel in PUBLIC_CHANNELS else Channel.LINK,
            "unit_id": unit_id, "context": context}


def _resume_cookie(survey: Survey) -> str:
    return f"glapp_s_{survey.public_token}"


@csrf_exempt  # no ambient authority: the POST starts an anonymous session, nothing more
@require_http_methods(["GET", "POST"])
@never_cache
def public_survey(request: HttpRequest, public_token: str) -> HttpResponse:
    survey = queries.survey_for_public_token(public_token)
    widget = request.GET.get("channel") == Channel.WIDGET or "display" in request.GET
    if survey is None:
        return _unavailable(request, "unknown")
    frame = _widget_origins(survey) if widget else []
    if not queries.is_open(survey):
        language = languages.choose(survey.languages or [], requested=request.GET.get("lang", ""),
                                    accept=languages.browser_languages(request),
                                    default=survey.organization.default_language)
        return _unavailable(request, "closed", language, frameable=frame)
    display_id = request.GET.get("display")
    display = queries.display_of(survey, display_id) if display_id else None
    if display is not None:
        earlier = queries.session_for_display(survey, display.id)
        if earlier is not None:
            return redirect("respond:session", token=earlier.token)
    elif request.method == "GET":
        earlier = queries.session_for_token(request.COOKIES.get(_resume_cookie(survey), ""))
        if earlier is not None and earlier.survey_id == survey.id and not earlier.completed_at \
                and not actions.is_expired(earlier):
            return redirect("respond:session", token=earlier.token)
    params = _public_params(request, survey)
    questions = list(survey.current_version.definition.get("questions") or [])
    first = logic.next_question(questions, {})
    if first is None:
        return _unavailable(request, "closed", params["language"], frameable=frame)
    error, values = "", []
    start = _start_token(request.POST.get("start", ""))
    switching = request.method == "POST" and bool(request.POST.get(SWITCH_FIELD))
    if switching:
        values = request.POST.getlist("answer")  # shown again in the new language; nothing starts yet
    elif request.method == "POST":
        skip = bool(request.POST.get("skip"))
        values = request.POST.getlist("answer")
        value, error = (None, "") if skip else actions.clean_respondent_answer(first, values)
        if not error and value is None and first.get("required"):
            error = gettext_lazy("Please answer this question.")
        if not error and request.POST.get("question") == first["key"]:
            # The form's one-time token becomes the session's: a double click finds the first session.
            session = actions.start_public_session(
                survey, token=start or new_token(), display_id=display.id if display else None, **params)
            actions.submit_answer(session.id, first["key"], values, skip=skip)
            response = redirect("respond:session", token=session.token)
            response.set_cookie(_resume_cookie(survey), session.token, max_age=RESUME_DAYS * 86400,
                                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
                                path=request.path)
            return response
    query = {k: v for k, v in request.GET.items()}
    if switching or "lang" in query:
        query["lang"] = params["language"]  # the answer's POST starts the session in this language
    action = request.path + (f"?{urlencode(query)}" if query else "")
    return _question_page(request, questions=questions, answered={}, context=params["context"],
                          language=params["language"], survey_languages=_survey_languages(survey), action=action,
                          error=error, values=values,
                          extra={"start": START_SIGNER.sign(start or new_token()),
                                 "org_name": survey.organization.name}, frameable=frame)


def _start_token(signed: str) -> str:
    """The session token this page's form was issued with ("" when missing or forged): signed,
    so a third-party page cannot start someone's session under a token it knows."""
    try:
        token = START_SIGNER.unsign(signed)
    except signing.BadSignature:
        return ""
    return token if TOKEN_PATTERN.match(token) else ""


# --- Widget -------------------------------------------------------------------------------------


@functools.cache
def _widget_source() -> bytes:
    return WIDGET_JS.read_bytes()


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    # Embedded on every page of a customer's site: let browsers and CDNs keep it for an hour.
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _cors(response: HttpResponse, origin: str = "*") -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    if origin != "*":
        response["Vary"] = "Origin"
    return response


def _widget_enabled(survey: Survey) -> bool:
    """Open, with a triggering event, and with a site allowed to show it (the organization's
    widget origins): otherwise the panel's frame would be refused by the browser anyway."""
    return queries.is_open(survey) and bool(survey.widget_event) and bool(_widget_origins(survey))


@require_GET
def widget_config(request: HttpRequest, public_token: str) -> HttpResponse:
    survey = queries.survey_for_public_token(public_token)
    if survey is None:
        return _cors(JsonResponse({"detail": "unknown survey"}, status=404))
    enabled = _widget_enabled(survey)
    language = _page_language((survey.languages or [settings.LANGUAGE_CODE])[0])
    with translation.override(language):  # the panel's own words, in the survey's language
        labels = {"title": _("Survey"), "close_label": _("Close the survey")}
    response = JsonResponse({"enabled": enabled, "event": survey.widget_event if enabled else "",
                             "delay_seconds": survey.widget_delay_seconds, "language": language, **labels})
    response["Cache-Control"] = "public, max-age=300"
    return _cors(response)


def _widget_refusal(status: int, detail: str, origin: str = "*", field: str | None = None) -> HttpResponse:
    response = JsonResponse({"detail": detail, **({"field": field} if field else {})}, status=status)
    response["Cache-Control"] = "no-store"
    return _cors(response, origin)


@require_http_methods(["GET", "OPTIONS"])
def widget_display_token(request: HttpRequest, public_token: str) -> HttpResponse:
    """A single-use display token (display_tokens.py), asked for by the widget right before it
    shows the survey: only from the organization's widget origins, and at most
    `GLAPP_WIDGET_DISPLAY_LIMIT` per client address and survey (counted in the cache)."""
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    survey = queries.survey_for_public_token(public_token)
    if survey is None or not _widget_enabled(survey):
        raise Http404
    origin = request.headers.get("Origin", "").lower()
    if origin not in _widget_origins(survey):
        return _widget_refusal(403, "This site is not one the organization lets show its survey widget.")
    wait = ratelimit.hit("widget-token", f"{survey.pk}:{ratelimit.client_ip(request)}",
                         ratelimit.parse(settings.GLAPP_WIDGET_DISPLAY_LIMIT))
    if wait is not None:
        response = _widget_refusal(429, "Too many displays from this address; try again later.", origin)
        response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
    response = JsonResponse({"token": display_tokens.issue(survey.public_token),
                             "max_age": display_tokens.MAX_AGE})
    response["Cache-Control"] = "no-store"
    return _cors(response, origin)


@csrf_exempt  # called cross-origin from the customer's site, with no cookies at all
@require_http_methods(["POST", "OPTIONS"])
def widget_displays(request: HttpRequest, public_token: str) -> HttpResponse:
    """Record a display: 201 when the token's display is counted now, 200 with the same display
    when the token was posted before (counted once), 400 without a valid token (nothing counted)."""
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    survey = queries.survey_for_public_token(public_token)
    if survey is None or not _widget_enabled(survey):
        raise Http404
    try:  # sent as text/plain, a "simple" request that needs no preflight
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    for name in ("event", "page", "visitor"):
        problem = hostile.text_problem(str(body.get(name) or ""))
        if problem:
            return _widget_refusal(400, f"{name} {problem}", field=name)
    nonce = display_tokens.nonce_of(survey.public_token, body.get("token"))
    if nonce is None:
        return _widget_refusal(400, "A display needs a valid display token (GET display-token first); "
                                    "it may have expired or belong to another survey.")
    display, created = actions.record_display(
        survey, nonce=nonce, event=str(body.get("event") or ""), page=str(body.get("page") or ""),
        visitor=str(body.get("visitor") or "")[:64])
    reference = queries.display_reference(display)
    url = reverse("respond:public", args=[survey.public_token]) + "?" + urlencode(
        {"display": reference, "channel": Channel.WIDGET})
    response = JsonResponse({"display": reference, "url": links.absolute(url, request)},
                            status=201 if created else 200)
    response["Cache-Control"] = "no-store"
    return _cors(response)
