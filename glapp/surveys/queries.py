"""Reads for surveys: lists, one survey's definition, its lint report, starter templates."""

from dataclasses import dataclass, field

from glapp.surveys.linter import lint
from glapp.surveys.models import Question, Survey, SurveyVersion
from glapp.surveys.starter_templates import TEMPLATES, template_definition

# Sample values for the builder's preview, so an author sees piping read naturally.
SAMPLE_CONTEXT = {"first_name": "Anna", "agent": "Anna", "store": "Norr", "product": "Kaffebryggare",
                  "campaign": "Vår", "date": "2026-05-03", "visit_date": "2026-05-03", "order_id": "A-1042"}


def question_labels(organization, types=None) -> list[tuple]:
    """(id, survey_id, key, type, texts, options, option_texts) of the organization's questions,
    of archived surveys too (old answers still count), in survey and question order."""
    qs = Question.objects.for_org(organization)
    if types is not None:
        qs = qs.filter(type__in=list(types))
    return list(qs.order_by("survey__name", "survey_id", "position", "id").values_list(
        "id", "survey_id", "key", "type", "texts", "options", "option_texts"))


def surveys_of(organization):
    return Survey.objects.for_org(organization).select_related("touchpoint").prefetch_related("questions") \
        .order_by("name")


def survey_labels(organization) -> list[tuple[int, str, str, str, int]]:
    """(id, code, name, kind, answer window in days) of every survey, archived ones too: old
    responses still count."""
    return list(Survey.objects.for_org(organization).order_by("name").values_list(
        "id", "code", "name", "kind", "expires_after_days"))


def survey_list(organization):
    """The builder's list: one query with touchpoint and current version, no questions."""
    return (Survey.objects.for_org(organization).select_related("touchpoint", "current_version")
            .order_by("status", "name"))


def survey_by_id(organization, survey_id: int) -> Survey | None:
    return Survey.objects.for_org(organization).select_related("touchpoint", "current_version") \
        .filter(pk=survey_id).first()


def survey_by_code(organization, code: str) -> Survey | None:
    return Survey.objects.for_org(organization).select_related("touchpoint", "current_version") \
        .filter(code=code).first()


def questions_of(survey: Survey) -> list[Question]:
    return list(Question.objects.for_org(survey.organization_id).filter(survey=survey).order_by("position", "id"))


def question_of(survey: Survey, question_id: int) -> Question | None:
    return Question.objects.for_org(survey.organization_id).filter(survey=survey, pk=question_id).first()


def versions_of(survey: Survey) -> list[SurveyVersion]:
    return list(SurveyVersion.objects.for_org(survey.organization_id).filter(survey=survey)
                .order_by("-number").only("id", "number", "published_at", "definition"))


def question_has_answers(question: Question) -> bool:
    """Whether anybody answered this question (its type and existence are then fixed)."""
    if question.pk is None:
        return False
    return Question.objects.filter(pk=question.pk, answered=True).exists()  # fresh, not the loaded copy


def definition_of(survey: Survey, questions: list[Question] | None = None) -> dict:
    """The survey as one document: what a version freezes, what the linter and the API read."""
    questions = questions if questions is not None else questions_of(survey)
    return {
        "name": survey.name,
        "code": survey.code,
        "kind": survey.kind,
        "languages": list(survey.languages),
        "questions": [question_dict(q) for q in questions],
        "thank_you": survey.thank_you,
        "promoter_link": survey.promoter_link,
        "promoter_link_label": survey.promoter_link_label,
    }


def question_dict(q: Question) -> dict:
    return {"key": q.key, "type": q.type, "texts": q.texts, "options": q.options, "option_texts": q.option_texts,
            "required": q.required, "scale_max": q.scale_max, "show_if": q.show_if}


# ---------------------------------------------------------------- linter and starter templates


@dataclass
class LintReport:
    findings: list = field(default_factory=list)
    available: bool = True

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list:
        return [f for f in self.findings if f.severity != "error"]

    def for_question(self, key: str) -> list:
        return [f for f in self.findings if f.question == key]

    @property
    def general(self) -> list:
        return [f for f in self.findings if not f.question]


def lint_definition(definition: dict, language: str = "en") -> LintReport:
    """Run the survey linter; messages are in `language` (the author's)."""
    return LintReport(list(lint(definition, language=language)))


def starter_templates() -> list:
    return list(TEMPLATES)


def starter_definition(code: str, language: str = "sv") -> dict | None:
    """A starter template's definition (named in `language`), or None for an unknown code."""
    try:
        return template_definition(code, language)
    except KeyError:
        return None
