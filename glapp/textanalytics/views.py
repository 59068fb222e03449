"""Where people read what customers wrote: the verbatim explorer, the topic overview and the
topic editor. Thin views: reads come from `queries`, writes go through `actions`.

Comment text is hostile input. Templates only ever print it through autoescaping; a comment's
row (highlighted pieces, topics, controls) is built in `rows.py`, which the response page shares.
"""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from glapp.accounts.models import AuditEntry
from glapp.accounts.queries import Access
from glapp.accounts.web_access import audit, member_view, safe_next
from glapp.core.errors import Conflict, NotFound, ValidationFailed
from glapp.core.forms import PERIODS, SCORE_CHOICES, PeriodMixin, unit_filter_choices
from glapp.core.numbers import number
from glapp.journeys.queries import touchpoints_of
from glapp.surveys.question_types import EMOTIONS
from glapp.textanalytics import actions, queries
from glapp.textanalytics.analyzers import taxonomy
from glapp.textanalytics.analyzers import themes as themes_mod
from glapp.textanalytics.queries import VerbatimFilter
from glapp.textanalytics.rows import (
    DETAILS,
    EMOTION_NAMES,
    SENTIMENTS,
    Row,
    build_row,
    controls_context,
    segments,
    topic_name,
)

PAGE_SIZE = 25

LANGUAGES = [("sv", _("Swedish")), ("en", _("English")), ("other", _("Other language"))]

PACK_NAMES = {taxonomy.TRAVEL: _("Travel and transport")}


def pack_of(topic) -> str:
    """The industry pack a built-in topic belongs to ("" for general customer experience)."""
    definition = taxonomy.BY_CODE.get(topic.code) if topic.builtin else None
    return definition.pack if definition else taxonomy.GENERAL


# --- Verbatim explorer -----------------------------------------------------------------------


class VerbatimForm(PeriodMixin):
    q = forms.CharField(label=_("Search comments"), required=False, max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    sentiment = forms.ChoiceField(label=_("Sentiment"), required=False)
    emotion = forms.ChoiceField(label=_("Emotion"), required=False)
    touchpoint = forms.ChoiceField(label=_("Touchpoint"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    score_min = forms.TypedChoiceField(label=_("NPS from"), choices=SCORE_CHOICES, coerce=int, empty_value=None,
                                       required=False)
    score_max = forms.TypedChoiceField(label=_("NPS to"), choices=SCORE_CHOICES, coerce=int, empty_value=None,
                                       required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    pii = forms.BooleanField(label=_("Show personal data"), required=False)

    default_period = "all"
    FIELD_ORDER = ("q", "topic", "sentiment", "emotion", "period", "date_from", "date_to", "touchpoint", "unit",
                   "score_min", "score_max", "language")

    def __init__(self, data, *, topics: dict[str, str], touchpoints, units, may_see_pii: bool):
        super().__init__(data)
        self.fields["topic"].choices = [("", _("All topics")),
                                        *sorted(topics.items(), key=lambda kv: kv[1].casefold())]
        self.fields["sentiment"].choices = [("", _("Any sentiment")), *SENTIMENTS]
        self.fields["emotion"].choices = [("", _("Any emotion")),
                                          *[(e, EMOTION_NAMES[e]) for e in EMOTIONS if e != "neutral"]]
        self.fields["touchpoint"].choices = [("", _("All touchpoints")),
                                             *[(t.code, f"{t.stage.name} › {t.name}") for t in touchpoints]]
        self.fields["unit"].choices = unit_filter_choices(units)
        self.fields["language"].choices = [("", _("All languages")), *LANGUAGES]
        self.fields["period"].choices = [("", _("All time")), *[p for p in PERIODS if p[0] != "all"]]
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Words or \"a phrase\"")})
        if not may_see_pii:
            del self.fields["pii"]

    def ordered_fields(self):
        return [self[name] for name in self.FIELD_ORDER]

    def clean(self):
        data = super().clean()
        lo, hi = data.get("score_min"), data.get("score_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("score_max", _("The upper score is below the lower one."))
        return data

    def to_filter(self) -> VerbatimFilter:
        data = self.cleaned_data
        date_from, date_to = self.dates()
        return VerbatimFilter(
            q=(data.get("q") or "").strip() or None, topic=data.get("topic") or None,
            sentiment=data.get("sentiment") or None, emotion=data.get("emotion") or None,
            touchpoint=data.get("touchpoint") or None, unit=data.get("unit") or None,
            score_min=data.get("score_min"), score_max=data.get("score_max"),
            language=data.get("language") or None, date_from=date_from, date_to=date_to,
        )


def _explorer_form(request: HttpRequest, access: Access, data) -> tuple[VerbatimForm, dict[str, str]]:
    """The filters offer active topics only (switched-off ones, such as industry packs the
    organization does not use, would clutter them), plus the one asked for, if any."""
    all_topics = list(queries.topics_of(access.organization_id))
    names = {t.code: topic_name(t) for t in all_topics}
    wanted = data.get("topic")
    offered = {t.code: names[t.code] for t in all_topics if t.active or t.code == wanted}
    form = VerbatimForm(data, topics=offered, touchpoints=touchpoints_of(access.organization),
                        units=request.scope_units, may_see_pii=access.can("pii"))
    return form, names


def _row_context(access: Access, form: VerbatimForm) -> dict:
    """What a row's inline controls need (the same for the list and a re-rendered row)."""
    return controls_context(access, list(form.fields["topic"].choices[1:]), _keep_params(form))


def _keep_params(form: VerbatimForm) -> list[tuple[str, str]]:
    """Search and display settings a re-rendered row must keep (its highlights, its text)."""
    data = form.cleaned_data if form.is_valid() else {}
    return [(k, v) for k, v in (("q", data.get("q")), ("topic", data.get("topic")),
                                ("pii", "on" if data.get("pii") else "")) if v]


@member_view
def verbatims(request: HttpRequest, access: Access) -> HttpResponse:
    form, names = _explorer_form(request, access, request.GET)
    cursor = request.GET.get("cursor") or None
    rows: list[Row] = []
    next_url, total, errors = "", None, []
    if form.is_valid():
        f = form.to_filter()
        original = bool(form.cleaned_data.get("pii"))
        try:
            page, next_cursor = queries.page_of_verbatims(access, f, cursor, PAGE_SIZE, original)
            if not cursor:
                total = queries.filtered_analyses(access, f).count()
        except ValidationFailed as exc:
            errors = [f"{e.field}: {e.message}" for e in exc.errors]
        else:
            terms = queries.search_terms(f.q)
            rows = [build_row(v, names, terms, f.topic) for v in page]
            if page and not page[0].redacted:  # originals were shown: who saw them is recorded
                audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="comments",
                      details={"page": "comments", "shown": len(page), "answer_ids": [v.answer_id for v in page]})
            if next_cursor:
                params = request.GET.copy()
                params["cursor"] = next_cursor
                next_url = "?" + params.urlencode()
    context = {"form": form, "rows": rows, "next_url": next_url, "total": total, "errors": errors,
               "cursor": cursor, "sentiment_model": queries.sentiment_model_in_use(access.organization_id),
               **_row_context(access, form)}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template = "textanalytics/_verbatim_rows.html" if cursor else "textanalytics/_verbatim_results.html"
    else:
        template = "textanalytics/verbatims.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the same URL answers with a fragment or a page
    return response


def _after_write(request: HttpRequest, access: Access, answer_id: int) -> HttpResponse:
    """HTMX gets the re-rendered row; a plain form post goes back to the list it came from."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return redirect(safe_next(request, reverse("textanalytics:verbatims")))
    form, names = _explorer_form(request, access, request.POST)
    valid = form.is_valid()
    f = form.to_filter() if valid else VerbatimFilter()
    original = valid and bool(form.cleaned_data.get("pii"))
    v = queries.verbatim(access, answer_id, original)
    if v is None:
        raise Http404
    if not v.redacted:
        audit(request, access, AuditEntry.Action.UNREDACTED_VIEWED, target_type="comment", target=answer_id,
              details={"page": "comments"})
    details = request.POST.get(DETAILS[0]) == DETAILS[1]  # the response page's row: with its whole analysis
    row = build_row(v, names, queries.search_terms(f.q), f.topic, details=details)
    context = _row_context(access, form)
    if details:
        context["keep"] = [*context["keep"], DETAILS]
    return render(request, "textanalytics/_verbatim_row.html", {"row": row, **context})


def _writable_answer(access: Access, answer_id: int) -> None:
    if not access.can("write"):
        raise PermissionDenied
    if not queries.answer_visible(access, answer_id):
        raise Http404  # another organization's or another unit's comment: it does not exist for you


@member_view
@require_POST
def tag(request: HttpRequest, access: Access, answer_id: int) -> HttpResponse:
    _writable_answer(access, answer_id)
    code = request.POST.get("tag", "").strip()
    applies = request.POST.get("applies", "1") != "0"
    try:
        actions.tag_comment(access.organization_id, answer_id, code, applies, request.user)
    except ValidationFailed:  # the placeholder "choose a topic": nothing is stored
        return HttpResponse(_("Choose a topic to add."), status=422, content_type="text/plain; charset=utf-8")
    except NotFound:
        raise Http404 from None
    return _after_write(request, access, answer_id)


@member_view
@require_POST
def correct(request: HttpRequest, access: Access, answer_id: int) -> HttpResponse:
    _writable_answer(access, answer_id)
    try:
        actions.correct_sentiment(access.organization_id, answer_id, request.POST.get("label", ""), request.user)
    except ValidationFailed:
        return HttpResponse(status=422)
    except NotFound:
        raise Http404 from None
    return _after_write(request, access, answer_id)


# --- Topic overview --------------------------------------------------------------------------


class TopicOverviewForm(PeriodMixin):
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    touchpoint = forms.ChoiceField(label=_("Touchpoint"), required=False)

    def __init__(self, data, *, units, touchpoints):
        # A bound form ignores `initial`: put the default period in the data so the select shows
        # the period the figures are really for (unless the user gave dates of their own).
        if not data.get("period") and not data.get("date_from") and not data.get("date_to"):
            data = data.copy()
            data["period"] = self.default_period
        super().__init__(data)
        self.fields["unit"].choices = unit_filter_choices(units)
        self.fields["touchpoint"].choices = [("", _("All touchpoints")),
                                             *[(t.code, f"{t.stage.name} › {t.name}") for t in touchpoints]]

    def to_filter(self) -> VerbatimFilter:
        date_from, date_to = self.dates()
        return VerbatimFilter(unit=self.cleaned_data.get("unit") or None,
                              touchpoint=self.cleaned_data.get("touchpoint") or None,
                              date_from=date_from, date_to=date_to)


P_FLOOR = 0.001  # p-values below it read "p < 0.001", never "p = 0.000"


def _p_value(p: float | None) -> str:
    """"= 0,014" or "< 0,001" (localized), to follow a "p"; "–" when there is no test."""
    if p is None:
        return "–"
    if p < P_FLOOR:
        return "< " + number(P_FLOOR, 3)
    return "= " + number(p, 3)


def _figure(e, decimals: int = 0, signed: bool = False) -> dict:
    return {"value": number(e.value, decimals, signed), "low": number(e.low, decimals, signed),
            "high": number(e.high, decimals, signed), "n": e.n, "small": e.is_small, "empty": e.value is None,
            "sign": "" if e.value is None else "pos" if e.value > 0 else "neg" if e.value < 0 else ""}


@member_view
def topics(request: HttpRequest, access: Access) -> HttpResponse:
    all_topics = list(queries.topics_of(access.organization_id))  # names, and the switched-off list
    touchpoints = touchpoints_of(access.organization)
    form = TopicOverviewForm(request.GET, units=request.scope_units, touchpoints=touchpoints)
    overview, errors, table = None, [], []
    if form.is_valid():
        try:
            overview = queries.topic_overview(access, form.to_filter())
        except ValidationFailed as exc:
            errors = [e.message for e in exc.errors]
        else:
            names = {t.code: topic_name(t) for t in all_topics}
            list_params = {k: v for k, v in request.GET.items() if k in ("unit", "touchpoint", "period",
                                                                          "date_from", "date_to") and v}
            for r in overview.rows:
                d = r.difference
                table.append({
                    "code": r.topic.code, "name": names.get(r.topic.code, r.topic.code), "builtin": r.topic.builtin,
                    "volume": r.volume, "share": _figure(r.share, 1), "sentiment": _figure(r.sentiment, 2, True),
                    "nps_with": _figure(r.nps_with), "nps_without": _figure(r.nps_without),
                    "delta": number(d.delta, 0, True), "delta_low": number(d.low, 0, True),
                    "delta_high": number(d.high, 0, True),
                    "p": _p_value(r.p_adjusted),
                    "significant": r.significant, "better": d.delta is not None and d.delta > 0,
                    "link": "?" + urlencode({**list_params, "topic": r.topic.code}),
                })
            phrases = queries.topic_key_phrases(access, form.to_filter(), [r["code"] for r in table if r["volume"]])
            for r in table:
                r["phrases"] = phrases.get(r["code"], [])
    context = {"form": form, "overview": overview, "table": table, "errors": errors,
               "can_edit_topics": access.can_for_organization("write"),
               "nps_total": _figure(overview.nps) if overview else None}
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template = "textanalytics/_topic_results.html"
    else:  # the whole page also lists the switched-off topics, so they can be found and switched on
        template = "textanalytics/topics.html"
        context["switched_off"] = sorted(
            ({"code": t.code, "name": topic_name(t), "pack": str(PACK_NAMES.get(pack_of(t), ""))}
             for t in all_topics if not t.active),
            key=lambda t: (t["pack"], t["name"].casefold()))
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Topic editor ----------------------------------------------------------------------------


# The page's words for the code rules (actions.topic_code_errors) it used to check itself.
CODE_MESSAGES = {"required": _("Give the topic a code."), "taken": _("A topic with this code already exists."),
                 "reserved": _("A topic with this code already exists.")}


class TopicForm(forms.Form):
    # Checked here too, for the field's own message; the rule is actions.topic_code_errors.
    code = forms.SlugField(label=_("Code"), max_length=actions.TOPIC_CODE_LENGTH, required=False)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    query = forms.CharField(label=_("Query"), max_length=4000, widget=forms.Textarea(attrs={
        "rows": 5, "spellcheck": "false", "autocomplete": "off"}))
    active = forms.BooleanField(label=_("Active"), required=False)


def _preview_context(access: Access, source: str) -> dict:
    preview = queries.preview_query(access, source)
    caret = None
    if preview.position is not None:  # the line with the error and a caret under its character
        line_start = source.rfind("\n", 0, preview.position) + 1
        line_end = source.find("\n", preview.position)
        line = source[line_start:line_end if line_end >= 0 else len(source)]
        caret = (line, " " * (preview.position - line_start) + "^")
    return {"preview": preview, "query_source": source, "caret": caret,
            "matches": [{"answer_id": a, "segments": segments(text, spans)} for a, text, spans in preview.matches]}


@member_view
def topic_edit(request: HttpRequest, access: Access, code: str | None = None) -> HttpResponse:
    topic = queries.topic_for(access.organization_id, code) if code else None
    if code and topic is None:
        raise Http404
    can_edit = access.can_for_organization("write")
    if topic is None and not can_edit:
        raise PermissionDenied  # an existing topic may be looked at; a new one only by those who may make it
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = TopicForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {"name_sv": data["name_sv"], "name_en": data["name_en"], "query": data["query"],
                      "description": data.get("description") or "", "active": bool(data.get("active"))}
            try:
                if topic is None:  # a new topic never replaces one with the same code
                    saved = actions.create_topic(access.organization_id, data.get("code") or "", **fields)
                else:
                    saved = actions.save_topic(access.organization_id, topic.code, **fields)
            except ValidationFailed as exc:
                for e in exc.errors:
                    message = CODE_MESSAGES.get(e.code, e.message) if e.field == "code" else e.message
                    form.add_error(e.field if e.field in form.fields else None, message)
            else:
                return redirect("textanalytics:topic", code=saved.code)
        status = 422
    elif topic:
        form = TopicForm(initial={"code": topic.code, "name_sv": topic.name_sv, "name_en": topic.name_en,
                                  "description": topic.description, "query": topic.query, "active": topic.active})
    else:
        form = TopicForm(initial={"active": True})
    if topic:
        del form.fields["code"]  # a topic's code is its identity in stored mentions and tags
    if not can_edit:
        for f in form.fields.values():
            f.disabled = True
    source = form.data.get("query", "") if form.is_bound else (topic.query if topic else "")
    pack = pack_of(topic) if topic else taxonomy.GENERAL
    context = {"form": form, "topic": topic, "can_edit": can_edit, "pack": PACK_NAMES.get(pack, ""),
               **_preview_context(access, source)}
    if topic:
        context.update(_teaching_context(access, topic))
    return render(request, "textanalytics/topic_edit.html", context, status=status)


@member_view
def topic_preview(request: HttpRequest, access: Access) -> HttpResponse:
    source = request.GET.get("query", "")[:4000]
    return render(request, "textanalytics/_preview.html", _preview_context(access, source))


@member_view
@require_POST
def topic_delete(request: HttpRequest, access: Access, code: str) -> HttpResponse:
    if not access.can_for_organization("write"):
        raise PermissionDenied
    try:
        actions.delete_topic(access.organization_id, code)
    except NotFound:
        raise Http404 from None
    except Conflict:  # a built-in topic is switched off, not deleted
        return HttpResponse(status=409)
    return redirect("textanalytics:topics")


# --- Teaching a topic (active learning) -----------------------------------------------------


def _teaching_context(access: Access, topic) -> dict:
    return {"teaching": queries.teaching_proposals(access, topic), "topic": topic, "can_write": access.can("write")}


@member_view
@require_POST
def topic_teach(request: HttpRequest, access: Access, code: str, answer_id: int) -> HttpResponse:
    """An analyst's "yes, about this topic" / "no" on a proposed comment; the classifier relearns
    from the tags in the background (actions.tag_comment schedules it)."""
    _writable_answer(access, answer_id)
    topic = queries.topic_for(access.organization_id, code)
    if topic is None:
        raise Http404
    applies = request.POST.get("applies", "1") != "0"
    try:
        actions.tag_comment(access.organization_id, answer_id, code, applies, request.user)
    except NotFound:
        raise Http404 from None
    if not getattr(request, "htmx", None):
        return redirect("textanalytics:topic", code=code)
    return render(request, "textanalytics/_teach_done.html", {"applies": applies, "answer_id": answer_id})


# --- Emerging themes -------------------------------------------------------------------------


def _sparkline(counts: list[int], width: int = 96, height: int = 20) -> str:
    """SVG polyline points for weekly counts (numbers only, so safe to print in the template)."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(1, len(counts) - 1)
    return " ".join(f"{i * step:.1f},{height - 1 - (height - 2) * c / top:.1f}" for i, c in enumerate(counts))


@member_view
def themes(request: HttpRequest, access: Access) -> HttpResponse:
    result = queries.emerging_themes(access)
    rows = [{"t": t, "points": _sparkline([c for _, c in t.weekly_counts]),
             "growth": number(t.growth * 100, 0, True) if t.growing else "", "p": _p_value(t.p_growth),
             "weeks": ", ".join(f"{w}: {c}" for w, c in t.weekly_counts)}
            for t in result.themes]
    return render(request, "textanalytics/themes.html", {"result": result, "rows": rows,
                                                         "weeks": queries.THEME_WEEKS,
                                                         "min_recent": themes_mod.MIN_RECENT})


# --- Key phrases of the explorer's results ---------------------------------------------------


@member_view
def verbatim_phrases(request: HttpRequest, access: Access) -> HttpResponse:
    """The most frequent key phrases of the current filter's results, loaded after the list (HTMX)
    so counting them never delays the comments themselves."""
    form, _names = _explorer_form(request, access, request.GET)
    phrases = []
    if form.is_valid():
        try:
            phrases = queries.filter_key_phrases(access, form.to_filter())
        except ValidationFailed:
            phrases = []
    return render(request, "textanalytics/_key_phrases.html", {"phrases": phrases})
