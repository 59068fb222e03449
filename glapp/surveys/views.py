"""The survey builder: list, new survey, and the editor with a live linter and preview.

Views only parse, call `actions` and render; every rule lives in `actions` (what is valid) and
the linter (what reads well). Everyone in the organization may look; people with the `surveys`
permission may change things. Survey texts are user input and are always escaped.
"""

import copy
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from glapp.accounts.queries import Access
from glapp.accounts.web_access import member_view
from glapp.core import events, links
from glapp.core.errors import ValidationFailed
from glapp.surveys import actions, queries
from glapp.surveys import question_types as qt
from glapp.surveys.forms import (
    LANGUAGE_NAMES,
    AddQuestionForm,
    NewSurveyForm,
    QuestionForm,
    SettingsForm,
    add_action_errors,
    template_description,
)
from glapp.surveys.models import Question, Survey
from glapp.surveys.piping import render as pipe

EDIT_PERMISSION = "surveys"


def ui_language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in LANGUAGE_NAMES else "en"


def _survey_or_404(access: Access, survey_id: int) -> Survey:
    survey = queries.survey_by_id(access.organization, survey_id)
    if survey is None:
        raise Http404
    return survey


def _question_or_404(survey: Survey, question_id: int) -> Question:
    question = queries.question_of(survey, question_id)
    if question is None:
        raise Http404
    return question


def may_edit(access: Access) -> bool:
    """Surveys belong to the whole organization: people limited to a unit may look, not edit
    (the API refuses unit-limited keys the same way)."""
    return access.can_for_organization(EDIT_PERMISSION)


def _require_edit(access: Access) -> None:
    if not may_edit(access):
        raise PermissionDenied


# ---------------------------------------------------------------- list and new


@member_view
def survey_list(request: HttpRequest, access: Access) -> HttpResponse:
    surveys = list(queries.survey_list(access.organization))
    figures = survey_figures(access, surveys)
    for survey in surveys:
        survey.response_count = figures.get(survey.pk, {}).get("responses", 0)
        survey.public_url = links.absolute(f"/s/{survey.public_token}/", request)
    return render(request, "surveys/builder/list.html", {
        "surveys": surveys, "can_edit": may_edit(access), "language_names": LANGUAGE_NAMES})


@member_view
def survey_new(request: HttpRequest, access: Access) -> HttpResponse:
    _require_edit(access)
    templates = queries.starter_templates()
    form = NewSurveyForm(request.POST or None, organization=access.organization, templates=templates,
                         language=ui_language(), initial={"template": request.GET.get("template", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {"name": d["name"].strip(), "code": d["code"].strip(), "kind": d["kind"],
                  "touchpoint": d["touchpoint"], "languages": list(d["languages"])}
        try:
            if d["template"]:
                survey = actions.create_survey_from_template(access.organization, d["template"], **common,
                                                             language=ui_language())
            else:
                survey = actions.create_blank_survey(access.organization, **common)
        except ValidationFailed as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, gettext("The survey is created as a draft."))
            return redirect("surveys:edit", survey.pk)
    descriptions = {t.code: template_description(t, ui_language()) for t in templates}
    return render(request, "surveys/builder/new.html", {"form": form, "descriptions": descriptions},
                  status=422 if form.errors else 200)


# ---------------------------------------------------------------- the editor


def marked(text: str, evidence) -> list[tuple[str, bool]]:
    """Split `text` into (part, is_evidence) so the template can <mark> the linter's evidence
    while escaping every part: the text is the author's, never trusted markup."""
    words = [evidence] if isinstance(evidence, str) else [str(e) for e in (evidence or []) if e]
    words = [w for w in words if w and w.strip()]
    if not words or not text:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for m in pattern.finditer(text):
        if m.start() > last:
            parts.append((text[last:m.start()], False))
        parts.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def preview_of(question: Question, language: str, findings: list) -> dict:
    """What the respondent would see, with sample values piped in (first_name=Anna, store=Norr …)."""
    evidence = [f.evidence for f in findings if f.evidence and f.language in (None, language)]
    text = pipe(question.texts.get(language, ""), queries.SAMPLE_CONTEXT, language)
    spec = qt.TYPES.get(question.type)
    scale = []
    if spec and spec.kind == "number":
        high = question.scale_max if question.type == qt.RATING and question.scale_max else spec.max
        scale = list(range(spec.min, high + 1))
    options = qt.EMOTIONS if question.type == qt.EMOTION else question.options
    labels = question.option_texts.get(language) or {}
    if question.type == qt.EMOTION:  # the fixed set: the respondent page's own labels, in the preview language
        with translation.override(language):
            labels = {code: gettext(label) for code, label in qt.EMOTION_LABELS.items()}
    return {"parts": marked(text, evidence), "empty": not text, "scale": scale,
            "options": [(code, labels.get(code) or code) for code in options],
            "multiple": question.type == qt.MULTI, "text": question.type == qt.TEXT}


def _draft(questions: list[Question], question: Question, changes: dict) -> list[Question]:
    """The questions as they would be with `changes` applied to one, without saving anything."""
    draft = copy.copy(question)
    for name, value in changes.items():
        setattr(draft, name, value)
    return [draft if q.pk == question.pk else q for q in questions]


def _cards(survey: Survey, questions: list[Question], report, language: str, can_edit: bool,
           bound: dict[int, QuestionForm] | None = None) -> list[dict]:
    cards = []
    for i, q in enumerate(questions):
        locked = queries.question_has_answers(q) if can_edit else True
        form = (bound or {}).get(q.pk) or QuestionForm(question=q, survey=survey, earlier=questions[:i],
                                                       type_locked=locked)
        findings = report.for_question(q.key)
        cards.append({"question": q, "form": form, "findings": findings, "first": i == 0,
                      "last": i == len(questions) - 1, "preview": preview_of(q, language, findings),
                      "severity": "error" if any(f.severity == "error" for f in findings)
                      else ("warning" if findings else "")})
    return cards


def preview_language(request: HttpRequest, survey: Survey) -> str:
    wanted = request.GET.get("lang") or request.POST.get("preview_lang") or ui_language()
    return wanted if wanted in survey.languages else (survey.languages[0] if survey.languages else "sv")


def editor_context(request: HttpRequest, access: Access, survey: Survey, *, settings_form=None,
                   bound: dict[int, QuestionForm] | None = None, add_form=None, publish_findings=None,
                   publish_blocked: str = "") -> dict:
    questions = queries.questions_of(survey)
    report = queries.lint_definition(queries.definition_of(survey, questions), ui_language())
    language = preview_language(request, survey)
    can_edit = may_edit(access)
    return {
        "survey": survey, "can_edit": can_edit, "report": report,
        "cards": _cards(survey, questions, report, language, can_edit, bound),
        "settings_form": settings_form or SettingsForm(survey=survey),
        "add_form": add_form or AddQuestionForm(),
        "preview_lang": language, "language_names": LANGUAGE_NAMES,
        "versions": queries.versions_of(survey),
        "public_url": links.absolute(f"/s/{survey.public_token}/", request),
        # The first line queues glapp('event', …) calls made before the script has loaded.
        "widget_snippet": ("<script>window.glapp=window.glapp||function(){(glapp.q=glapp.q||[]).push(arguments)};"
                           f'</script>\n<script src="{links.absolute("/w/widget.js", request)}" '
                           f'data-survey="{survey.public_token}" '
                           "async></script>"),
        "widget": survey_figures(access, [survey], detail=True).get(survey.pk, {}).get("widget"),
        "publish_findings": publish_findings, "publish_blocked": publish_blocked,
        "lint_url": reverse("surveys:lint", args=[survey.pk]),
    }


def survey_figures(access: Access, surveys: list[Survey], detail: bool = False) -> dict[int, dict]:
    """What the apps above surveys know of each survey (response counts, the widget's funnel):
    they answer `SurveyFiguresWanted`, so the builder shows them without importing them."""
    merged: dict[int, dict] = {}
    for answer in events.SurveyFiguresWanted(access.organization_id, access=access, surveys=surveys,
                                             detail=detail).ask():
        for survey_id, figures in answer.items():
            merged.setdefault(survey_id, {}).update(figures)
    return merged


@member_view
def survey_edit(request: HttpRequest, access: Access, survey_id: int) -> HttpResponse:
    survey = _survey_or_404(access, survey_id)
    return render(request, "surveys/builder/edit.html", editor_context(request, access, survey))


def _back(survey: Survey, request: HttpRequest, anchor: str = "") -> HttpResponse:
    url = reverse("surveys:edit", args=[survey.pk])
    lang = request.POST.get("preview_lang")
    return redirect(url + (f"?lang={lang}" if lang in survey.languages else "") + anchor)


def _rerender(request, access, survey, status: int = 422, **kwargs) -> HttpResponse:
    return render(request, "surveys/builder/edit.html", editor_context(request, access, survey, **kwargs),
                  status=status)


@member_view
@require_POST
def survey_settings(request: HttpRequest, access: Access, survey_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    form = SettingsForm(request.POST, survey=survey)
    if form.is_valid():
        try:
            actions.update_survey_settings(survey, **form.values())
        except ValidationFailed as exc:
            add_action_errors(form, exc, {"thank_you": None, "promoter_link_label": None})
        else:
            messages.success(request, gettext("Settings saved."))
            return _back(survey, request)
    survey.refresh_from_db()
    return _rerender(request, access, survey, settings_form=form)


@member_view
@require_POST
def question_add(request: HttpRequest, access: Access, survey_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    form = AddQuestionForm(request.POST)
    if form.is_valid():
        try:
            question = actions.add_question(survey, form.cleaned_data["type"])
        except ValidationFailed as exc:
            add_action_errors(form, exc, {"key": None, "questions": None})
        else:
            return _back(survey, request, f"#q-{question.key}")
    return _rerender(request, access, survey, add_form=form)


def _bound_question_form(request, survey: Survey, question: Question) -> QuestionForm:
    questions = queries.questions_of(survey)
    earlier = [q for q in questions if q.position < question.position]
    return QuestionForm(request.POST, question=question, survey=survey, earlier=earlier,
                        type_locked=queries.question_has_answers(question))


@member_view
@require_POST
def question_save(request: HttpRequest, access: Access, survey_id: int, question_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    question = _question_or_404(survey, question_id)
    form = _bound_question_form(request, survey, question)
    if form.is_valid():
        try:
            actions.update_question(question, **form.changes())
        except ValidationFailed as exc:
            form.add_errors(exc)
        else:
            messages.success(request, gettext("Question saved."))
            return _back(survey, request, f"#q-{question.key}")
    question.refresh_from_db()
    return _rerender(request, access, survey, bound={question.pk: form})


@member_view
@require_POST
def question_move(request: HttpRequest, access: Access, survey_id: int, question_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    question = _question_or_404(survey, question_id)
    try:
        actions.move_question(question, -1 if request.POST.get("direction") == "up" else 1)
    except ValidationFailed as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    return _back(survey, request, f"#q-{question.key}")


@member_view
@require_POST
def question_delete(request: HttpRequest, access: Access, survey_id: int, question_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    question = _question_or_404(survey, question_id)
    try:
        actions.delete_question(question)
    except ValidationFailed as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, gettext("Question deleted."))
    return _back(survey, request)


@member_view
@require_POST
def survey_lint(request: HttpRequest, access: Access, survey_id: int) -> HttpResponse:
    """Lint the survey as it would be with the posted (unsaved) question form, for the live
    panel: the panel, each question's findings and the edited question's preview are swapped."""
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    questions = queries.questions_of(survey)
    edited = next((q for q in questions if str(q.pk) == request.POST.get("question")), None)
    if edited is not None:
        form = _bound_question_form(request, survey, edited)
        if form.is_valid():
            questions = _draft(questions, edited, form.changes())
    report = queries.lint_definition(queries.definition_of(survey, questions), ui_language())
    language = preview_language(request, survey)
    cards = [{"question": q, "findings": report.for_question(q.key),
              "preview": preview_of(q, language, report.for_question(q.key)),
              "severity": "error" if any(f.severity == "error" for f in report.for_question(q.key))
              else ("warning" if report.for_question(q.key) else "")} for q in questions]
    return render(request, "surveys/builder/_lint_response.html", {
        "survey": survey, "report": report, "cards": cards, "edited": edited, "preview_lang": language})


@member_view
@require_POST
def survey_publish(request: HttpRequest, access: Access, survey_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    try:
        version = actions.publish_survey(survey, acknowledge_warnings=request.POST.get("confirm") == "1",
                                         by=request.user.get_username(), language=ui_language())
    except actions.PublishBlocked as exc:
        return _rerender(request, access, survey, status=exc.status, publish_findings=exc.findings,
                         publish_blocked=exc.code)
    except ValidationFailed as exc:
        messages.error(request, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
        return _back(survey, request)
    messages.success(request, gettext("Published version %(number)s.") % {"number": version.number})
    return _back(survey, request, "#versions")


@member_view
@require_POST
def survey_archive(request: HttpRequest, access: Access, survey_id: int) -> HttpResponse:
    _require_edit(access)
    survey = _survey_or_404(access, survey_id)
    if request.POST.get("archive") == "0":
        actions.unarchive_survey(survey)
        messages.success(request, gettext("The survey is back in use."))
    else:
        actions.archive_survey(survey)
        messages.success(request, gettext("The survey is archived: it takes no new answers."))
    return _back(survey, request)
