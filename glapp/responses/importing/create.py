"""Creating what a file names and the organization lacks (touchpoints, units, surveys), once
the user has seen them in the dry run and confirmed: so a history can be imported at once.

Each is created through its own app's actions. New touchpoints go to the stage the user chose
(else a stage "Imported" of a journey "Imported", to move later in the journey editor); new
units under the importer's own unit (the root for an importer of the whole organization); a
new survey gets the questions the file's columns are mapped to, copied from the survey that
has them."""

from django.db import transaction
from django.utils.text import slugify

from glapp.accounts.actions import create_unit
from glapp.accounts.models import Organization, Unit
from glapp.journeys.actions import add_touchpoints, create_journey
from glapp.journeys.models import Journey, Stage, Touchpoint
from glapp.surveys.actions import create_survey, spec_of
from glapp.surveys.models import Question, Survey

IMPORTED = "Imported"


def _code(entry: dict) -> str:
    return slugify(str(entry.get("code") or entry.get("name") or ""))[:80].strip("-")


def _name(entry: dict) -> str:
    return (str(entry.get("name") or "").strip() or _code(entry))[:200]


def _stage(org: Organization, stage_id) -> Stage:
    stage = Stage.objects.for_org(org.id).filter(pk=stage_id).first() if stage_id else None
    if stage is not None:
        return stage
    journey = Journey.objects.for_org(org.id).filter(code="imported").first()
    if journey is None:
        journey = create_journey(org, IMPORTED, [(IMPORTED, [])], code="imported")
    return journey.stages.first() or Stage.objects.create(organization=org, journey=journey, name=IMPORTED,
                                                          code="imported")


def create_missing(organization_id: int, create: dict, *, question_keys: list[str],
                   unit_path: str | None = None) -> dict[str, list[str]]:
    """Create the confirmed touchpoints, units and surveys that still do not exist (one
    transaction); returns the codes created, by kind."""
    org = Organization.objects.get(pk=organization_id)
    created: dict[str, list[str]] = {"touchpoints": [], "units": [], "surveys": []}
    with transaction.atomic():
        wanted = [(_name(e), _code(e)) for e in create.get("touchpoints") or [] if _code(e)]
        existing = set(Touchpoint.objects.for_org(org.id).values_list("code", flat=True))
        fresh = list({code: (name, code) for name, code in wanted if code not in existing}.values())
        if fresh:
            add_touchpoints(_stage(org, create.get("stage")), fresh)
            created["touchpoints"] = [code for _, code in fresh]

        units = [(_name(e), _code(e)) for e in create.get("units") or [] if _code(e)]
        existing = set(Unit.objects.for_org(org.id).values_list("code", flat=True))
        parent = None
        if unit_path:
            parent = Unit.objects.for_org(org.id).filter(path=unit_path).first()
        if parent is None:
            parent = Unit.objects.for_org(org.id).filter(parent__isnull=True).order_by("pk").first()
        for name, code in units:
            if code not in existing:
                create_unit(org, name=name, code=code, parent=parent)
                existing.add(code)
                created["units"].append(code)

        surveys = [(_name(e), _code(e)) for e in create.get("surveys") or [] if _code(e)]
        existing = set(Survey.objects.for_org(org.id).values_list("code", flat=True))
        if surveys:
            specs = _question_specs(org.id, question_keys)
            for name, code in surveys:
                if code not in existing:
                    create_survey(org, name=name, code=code, questions=specs, publish=True)
                    existing.add(code)
                    created["surveys"].append(code)
    return created


def _question_specs(organization_id: int, keys: list[str]):
    """The mapped questions' definitions, each from the newest active survey that has the key."""
    by_key = {}
    questions = (Question.objects.for_org(organization_id).filter(key__in=keys)
                 .exclude(survey__status=Survey.Status.ARCHIVED).order_by("-survey_id", "position"))
    for question in questions:
        by_key.setdefault(question.key, question)
    return [spec_of(by_key[k]) for k in keys if k in by_key]
