"""Writes for surveys: create with questions, publish a frozen version."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from glapp.accounts.models import Organization
from glapp.core.errors import FieldError, ValidationFailed
from glapp.journeys.models import Touchpoint
from glapp.surveys import question_types as qt
from glapp.surveys.models import Question, Survey, SurveyVersion


@dataclass
class QuestionSpec:
    key: str
    type: str
    texts: dict[str, str]
    options: list[str] = field(default_factory=list)
    required: bool = False
    scale_max: int | None = None


def create_survey(org: Organization, *, name: str, code: str, questions: list[QuestionSpec],
                  kind: str = Survey.Kind.TRANSACTIONAL, touchpoint: Touchpoint | None = None,
                  languages: list[str] | None = None, publish: bool = True) -> Survey:
    errors = []
    seen = set()
    for i, q in enumerate(questions):
        if q.type not in qt.TYPES:
            errors.append(FieldError(f"questions.{i}.type", f"must be one of: {', '.join(qt.TYPES)}"))
        if q.key in seen:
            errors.append(FieldError(f"questions.{i}.key", f"'{q.key}' is used twice"))
        seen.add(q.key)
        if q.type in (qt.SINGLE, qt.MULTI) and not q.options:
            errors.append(FieldError(f"questions.{i}.options", "a choice question needs options"))
    if touchpoint is not None and touchpoint.organization_id != org.id:
        errors.append(FieldError("touchpoint", "belongs to another organization"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        survey = Survey.objects.create(organization=org, name=name, code=code, kind=kind, touchpoint=touchpoint,
                                       languages=languages or sorted({lang for q in questions for lang in q.texts}))
        for pos, q in enumerate(questions):
            Question.objects.create(organization=org, survey=survey, key=q.key, type=q.type, position=pos,
                                    texts=q.texts, options=q.options, required=q.required,
                                    scale_max=q.scale_max)
        if publish:
            publish_survey(survey)
    return survey


def publish_survey(survey: Survey) -> SurveyVersion:
    with transaction.atomic():
        questions = list(survey.questions.order_by("position"))
        definition = {
            "name": survey.name,
            "kind": survey.kind,
            "languages": survey.languages,
            "questions": [
                {"key": q.key, "type": q.type, "texts": q.texts, "options": q.options,
                 "option_texts": q.option_texts, "required": q.required, "scale_max": q.scale_max,
                 "show_if": q.show_if}
                for q in questions
            ],
            "thank_you": survey.thank_you,
            "promoter_link": survey.promoter_link,
            "promoter_link_label": survey.promoter_link_label,
        }
        number = (survey.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = SurveyVersion.objects.create(organization_id=survey.organization_id, survey=survey,
                                               number=number, definition=definition, published_at=timezone.now())
        survey.current_version = version
        survey.status = Survey.Status.ACTIVE
        survey.save(update_fields=["current_version", "status"])
    return version
