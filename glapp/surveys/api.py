"""/api/v1/surveys: list, create (with questions or from a starter template), read, replace,
lint and publish surveys; /api/v1/survey-templates lists the starter templates.

Handlers stay thin: schemas check the shape, `actions` decide what is valid (their field
errors name request fields, e.g. `questions.1.show_if.max`) and the linter judges the wording.
Reads need `responses:read`; writes need `surveys:write` (or `admin`) and a key that is not
limited to a unit, since a survey belongs to the whole organization.
"""

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from glapp.accounts.api_auth import ApiKeyBearer, ApiKeyHeader, readers
from glapp.accounts.queries import Access
from glapp.core import links, problems
from glapp.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from glapp.core.schemas import Problem
from glapp.journeys.queries import touchpoints_of
from glapp.surveys import actions, queries
from glapp.surveys import question_types as qt
from glapp.surveys.models import Survey
from glapp.surveys.starter_templates import LANGUAGES as TEMPLATE_LANGUAGES

router = Router(tags=["surveys"])

SURVEYS_WRITE = "surveys:write"
Language = Literal["sv", "en"]


def survey_writers() -> list:
    return [ApiKeyBearer(SURVEYS_WRITE), ApiKeyHeader(SURVEYS_WRITE)]


# ---------------------------------------------------------------- schemas

Texts = dict[str, str]


class QuestionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(..., description="Stable key (lowercase, digits, _). Answers are sent under it.",
                     examples=["nps"])
    type: str = Field(..., description=f"One of: {', '.join(qt.TYPES)}. Fixed once the question has answers.")
    texts: Texts = Field(..., description="Wording per language. Placeholders such as `{first_name}` are filled "
                                          "from what is known; a part in [brackets] is dropped when a value is "
                                          "missing.", examples=[{"sv": "Hur troligt är det …?", "en": "How likely …?"}])
    options: list[str] = Field([], description="Option codes (single and multiple choice).")
    option_texts: dict[str, Texts] = Field({}, description="Option labels per language: {lang: {code: label}}.")
    required: bool = False
    scale_max: int | None = Field(None, description="Top of a rating scale (2–10).")
    show_if: dict[str, Any] = Field(
        {}, description='Skip logic: {"question": key, "min": n, "max": n} on an earlier score question, or '
                        '{"question": key, "in": [codes]} on an earlier choice question. Empty: always shown.',
        examples=[{"question": "nps", "max": 6}])


class QuestionOut(Schema):
    key: str
    type: str
    position: int
    texts: Texts
    options: list[str]
    option_texts: dict[str, Texts]
    required: bool
    scale_max: int | None
    show_if: dict[str, Any]


class SettingsFields(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["transactional", "relationship"] | None = None
    touchpoint: str | None = Field(None, description="Touchpoint code; null for none.")
    languages: list[Language] | None = Field(None, description="Languages the texts are written in.")
    thank_you: Texts | None = Field(None, description="Shown after the last answer, per language.")
    promoter_link: str | None = Field(None, description="Offered to promoters (NPS 9–10), e.g. a review page.")
    promoter_link_label: Texts | None = None
    invitation_delay_minutes: int | None = None
    reminder_after_days: int | None = Field(None, description="Null: never remind.")
    expires_after_days: int | None = None
    widget_event: str | None = Field(None, description="The site event after which the widget shows this survey.")
    widget_delay_seconds: int | None = None


class SurveyCreate(SettingsFields):
    """A new draft: either `questions`, or `template` (a starter template's code)."""

    name: str | None = Field(None, description="Required without a template.", examples=["After the call"])
    code: str | None = Field(None, description="Stable key; made from the name when left out.",
                             examples=["after-call"])
    template: str | None = Field(None, description="A code from GET /survey-templates.")
    questions: list[QuestionIn] | None = None


class SurveyReplace(SettingsFields):
    """The whole definition. Settings left out keep their value; questions are matched by key:
    kept keys are updated, new keys added, missing keys removed (refused when answered)."""

    name: str
    questions: list[QuestionIn]


class DefinitionIn(Schema):
    """A definition to lint; fields left out are taken from the saved survey."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    languages: list[str] | None = None
    questions: list[QuestionIn] | None = None
    thank_you: Texts | None = None
    promoter_link: str | None = None
    promoter_link_label: Texts | None = None


class PublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    acknowledge_warnings: bool = Field(False, description="Publish despite linter warnings (recorded with "
                                                          "the version). Errors always block.")


class FindingOut(Schema):
    code: str = Field(..., examples=["leading_wording"])
    severity: str = Field(..., description="error (blocks publishing) or warning.")
    question: str | None = Field(None, description="Question key; null for the survey as a whole.")
    language: str | None = Field(None, description="The language of the text that triggered it.")
    message: str = Field(..., description="What, why and how to fix, in the requested language.")
    evidence: str = Field("", description="The words that matched.")


class LintOut(Schema):
    findings: list[FindingOut]
    errors: int
    warnings: int


class VersionOut(Schema):
    number: int
    published_at: dt.datetime | None
    acknowledged_warnings: int = Field(0, description="Linter warnings the author accepted when publishing.")


class SurveyOut(Schema):
    code: str
    name: str
    kind: str
    status: str = Field(..., description="draft, active or archived.")
    touchpoint: str | None
    languages: list[str]
    current_version: int | None
    public_url: str = Field(..., description="The anonymous public link (answers once published).")
    updated_at: dt.datetime


class SurveyDetail(SurveyOut):
    thank_you: Texts
    promoter_link: str
    promoter_link_label: Texts
    invitation_delay_minutes: int
    reminder_after_days: int | None
    expires_after_days: int
    widget_event: str
    widget_delay_seconds: int
    questions: list[QuestionOut]
    lint: LintOut
    versions: list[VersionOut]


class TemplateOut(Schema):
    code: str
    name: Texts
    description: Texts
    kind: str
    questions: list[QuestionIn]


class PublishProblem(Problem):
    findings: list[FindingOut] | None = Field(None, description="The linter findings that block publishing.")


ERRORS = {401: Problem, 403: Problem, 422: Problem}
WRITE_ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}

# ---------------------------------------------------------------- helpers


def _writer(request: HttpRequest) -> Access:
    access: Access = request.access
    if not access.whole_organization:
        raise PermissionDenied("A key limited to a unit cannot change surveys; they belong to the whole organization.")
    if not access.can("surveys"):
        raise PermissionDenied("This API key may not change surveys.")
    return access


def _survey(access: Access, code: str) -> Survey:
    survey = queries.survey_by_code(access.organization, code)
    if survey is None:
        raise NotFound(f"There is no survey with code '{code}'.")
    return survey


def _settings(access: Access, payload: Schema, *fields: str) -> dict:
    """The settings a request gave, as `actions` takes them (a touchpoint code becomes the row)."""
    given = payload.model_dump(exclude_unset=True)
    out = {k: v for k, v in given.items() if k in actions.SETTINGS_FIELDS or k in fields}
    if "touchpoint" in out and out["touchpoint"] is not None:
        touchpoint = touchpoints_of(access.organization).filter(code=out["touchpoint"]).first()
        if touchpoint is None:
            raise ValidationFailed([FieldError("touchpoint", f"there is no touchpoint '{out['touchpoint']}'")])
        out["touchpoint"] = touchpoint
    for name in ("thank_you", "promoter_link_label"):
        if out.get(name) is None and name in out:
            out[name] = {}
    if out.get("promoter_link") is None and "promoter_link" in out:
        out["promoter_link"] = ""
    if out.get("widget_event") is None and "widget_event" in out:
        out["widget_event"] = ""
    for name in ("kind", "languages", "invitation_delay_minutes", "expires_after_days", "widget_delay_seconds"):
        if name in out and out[name] is None:
            raise ValidationFailed([FieldError(name, "may not be null")])
    return out


def _findings(findings) -> list[dict]:
    return [{"code": f.code, "severity": f.severity, "question": f.question, "language": f.language,
             "message": f.message, "evidence": f.evidence or ""} for f in findings]


def _lint_out(report) -> dict:
    return {"findings": _findings(report.findings), "errors": len(report.errors), "warnings": len(report.warnings)}


def _survey_out(request: HttpRequest, s: Survey) -> dict:
    return {"code": s.code, "name": s.name, "kind": s.kind, "status": s.status,
            "touchpoint": s.touchpoint.code if s.touchpoint_id else None, "languages": s.languages,
            "current_version": s.current_version.number if s.current_version_id else None,
            "public_url": links.absolute(f"/s/{s.public_token}/", request), "updated_at": s.updated_at}


def _detail(request: HttpRequest, survey: Survey, language: str) -> dict:
    survey = queries.survey_by_id(survey.organization, survey.pk)  # fresh, with its current version
    questions = queries.questions_of(survey)
    report = queries.lint_definition(queries.definition_of(survey, questions), language)
    return {
        **_survey_out(request, survey),
        **{name: getattr(survey, name) for name in (
            "thank_you", "promoter_link", "promoter_link_label", "invitation_delay_minutes", "reminder_after_days",
            "expires_after_days", "widget_event", "widget_delay_seconds")},
        "questions": [{**queries.question_dict(q), "position": q.position} for q in questions],
        "lint": _lint_out(report),
        "versions": [{"number": v.number, "published_at": v.published_at,
                      "acknowledged_warnings": len((v.definition.get("acknowledged_warnings") or {})
                                                   .get("findings", []))}
                     for v in queries.versions_of(survey)],
    }


def _blocked(request: HttpRequest, exc: actions.PublishBlocked) -> HttpResponse:
    response = problems.problem(request, exc.status, exc.code, exc.message)
    body = json.loads(response.content)
    body["findings"] = _findings(exc.findings)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=exc.status,
                        content_type=problems.PROBLEM_CONTENT_TYPE)


# ---------------------------------------------------------------- endpoints


@router.get("/surveys", auth=readers(), response={200: list[SurveyOut], **ERRORS}, summary="List surveys",
            operation_id="list_surveys")
def list_surveys(request: HttpRequest):
    """Every survey of the organization, archived ones too, by status and name."""
    return [_survey_out(request, s) for s in queries.survey_list(request.access.organization)]


@router.post("/surveys", auth=survey_writers(), response={201: SurveyDetail, **ERRORS}, summary="Create a survey",
             operation_id="create_survey")
def create_survey(request: HttpRequest, payload: SurveyCreate, language: Language = "en"):
    """Create a draft (scope `surveys:write`), from `questions` or from a starter `template`.
    The answer carries the linter's findings; publish with POST /surveys/{code}/publish."""
    access = _writer(request)
    settings = _settings(access, payload)
    name, code = (payload.name or "").strip(), (payload.code or "").strip()
    if payload.template:
        if payload.questions is not None:
            raise ValidationFailed([FieldError("questions", "give either questions or a template")])
        survey = actions.create_survey_from_template(
            access.organization, payload.template, name=name, code=code, kind=settings.pop("kind", None),
            touchpoint=settings.pop("touchpoint", None), languages=settings.pop("languages", None),
            language=language)
        if settings:
            actions.update_survey_settings(survey, **settings)
    else:
        if not name:
            raise ValidationFailed([FieldError("name", "is required without a template", "required")])
        specs = [actions.QuestionSpec(**q.model_dump()) for q in payload.questions or []]
        survey = actions.create_survey(
            access.organization, name=name, code=code or actions.unique_code(access.organization, name),
            questions=specs, kind=settings.pop("kind", Survey.Kind.TRANSACTIONAL),
            touchpoint=settings.pop("touchpoint", None), languages=settings.pop("languages", None) or ["sv", "en"],
            publish=False, settings=settings)
    return 201, _detail(request, survey, language)


@router.get("/surveys/{code}", auth=readers(), response={200: SurveyDetail, 404: Problem, **ERRORS},
            summary="Read a survey", operation_id="get_survey")
def get_survey(request: HttpRequest, code: str, language: Language = "en"):
    """Settings, questions, the linter's findings (in `language`) and the published versions."""
    return _detail(request, _survey(request.access, code), language)


@router.put("/surveys/{code}", auth=survey_writers(), response={200: SurveyDetail, **WRITE_ERRORS},
            summary="Replace a survey's definition", operation_id="replace_survey")
def replace_survey(request: HttpRequest, code: str, payload: SurveyReplace, language: Language = "en"):
    """Replace settings and questions (scope `surveys:write`). Questions are matched by key; a
    question's type cannot change, nor can it be removed, once it has answers. Linted like every
    save: the findings come back, they never block saving."""
    access = _writer(request)
    survey = _survey(access, code)
    settings = _settings(access, payload, "name")
    questions = [q.model_dump() for q in payload.questions]
    actions.replace_definition(survey, settings, questions)
    return _detail(request, survey, language)


@router.post("/surveys/{code}/lint", auth=readers(), response={200: LintOut, 404: Problem, **ERRORS},
             summary="Lint a definition without saving", operation_id="lint_survey")
def lint_survey(request: HttpRequest, code: str, payload: DefinitionIn | None = None, language: Language = "en"):
    """Check wording and logic: the saved survey, or the parts of a definition sent in the body
    laid over it. Nothing is saved."""
    survey = _survey(request.access, code)
    definition = queries.definition_of(survey)
    if payload is not None:
        given = payload.model_dump(exclude_unset=True)
        definition.update({k: v for k, v in given.items() if v is not None})
    return _lint_out(queries.lint_definition(definition, language))


@router.post("/surveys/{code}/publish", auth=survey_writers(),
             response={201: VersionOut, 409: PublishProblem, 404: Problem, 401: Problem, 403: Problem,
                       422: PublishProblem},
             summary="Publish a new version", operation_id="publish_survey")
def publish_survey(request: HttpRequest, code: str, payload: PublishIn | None = None, language: Language = "en"):
    """Freeze the definition as the next version (scope `surveys:write`). Linter errors block
    with **422**; warnings block with **409** unless `acknowledge_warnings` is true. Both
    problems list the `findings`."""
    access = _writer(request)
    survey = _survey(access, code)
    try:
        version = actions.publish_survey(survey, acknowledge_warnings=bool(payload and payload.acknowledge_warnings),
                                         by=f"API key {request.api_key.name}", language=language)
    except actions.PublishBlocked as exc:
        return _blocked(request, exc)
    return 201, {"number": version.number, "published_at": version.published_at,
                 "acknowledged_warnings": len((version.definition.get("acknowledged_warnings") or {})
                                              .get("findings", []))}


@router.get("/survey-templates", auth=readers(), response={200: list[TemplateOut], **ERRORS},
            summary="List starter templates", operation_id="list_survey_templates")
def list_survey_templates(request: HttpRequest):
    """Short, neutral starter surveys to create from (POST /surveys with `template`)."""
    out = []
    for t in queries.starter_templates():
        definition = queries.starter_definition(t.code)
        out.append({"code": t.code, "name": {lang: t.name_in(lang) for lang in TEMPLATE_LANGUAGES},
                    "description": {lang: t.description_in(lang) for lang in TEMPLATE_LANGUAGES}, "kind": t.kind,
                    "questions": [{k: q.get(k) for k in QuestionIn.model_fields if k in q}
                                  for q in definition["questions"]]})
    return out

