"""An organization's reference data (surveys, questions, touchpoints, units), loaded once
per batch so validating thousands of rows costs no query per row."""

from dataclasses import dataclass, field

from glapp.accounts.models import Unit
from glapp.journeys.models import Touchpoint
from glapp.surveys.models import Question, Survey


@dataclass
class SurveyInfo:
    id: int
    code: str
    touchpoint_id: int | None
    version_id: int | None
    questions: dict[str, Question] = field(default_factory=dict)
    # What validation needs per row, precomputed so a row costs dict lookups, not model reads:
    # key → (question id, type, options, scale_max), and the required questions' (id, key).
    answer_specs: dict[str, tuple] = field(default_factory=dict)
    required: tuple[tuple[int, str], ...] = ()

    def add_question(self, q: Question) -> None:
        self.questions[q.key] = q
        self.answer_specs[q.key] = (q.id, q.type, q.options, q.scale_max)
        if q.required:
            self.required = (*self.required, (q.id, q.key))


@dataclass
class Catalog:
    organization_id: int
    surveys: dict[str, SurveyInfo]
    touchpoints: dict[str, int]
    units: dict[str, int]
    unit_paths: dict[int, str]

    @classmethod
    def load(cls, organization_id: int) -> "Catalog":
        surveys = {
            s.code: SurveyInfo(s.id, s.code, s.touchpoint_id, s.current_version_id)
            for s in Survey.objects.for_org(organization_id).exclude(status=Survey.Status.ARCHIVED)
        }
        by_id = {s.id: s for s in surveys.values()}
        for q in Question.objects.for_org(organization_id).filter(survey_id__in=by_id):
            by_id[q.survey_id].add_question(q)
        touchpoints = dict(Touchpoint.objects.for_org(organization_id).values_list("code", "id"))
        units = {}
        paths = {}
        for uid, code, path in Unit.objects.for_org(organization_id).values_list("id", "code", "path"):
            units[code] = uid
            paths[uid] = path
        return cls(organization_id, surveys, touchpoints, units, paths)
