"""Writes for journeys, stages and touchpoints.

Codes are what imports, events and the API name a touchpoint (or stage, or journey) by, so they
are derived from the name once, unique where they must be (a journey's and a touchpoint's in the
organization, a stage's in its journey), and never follow a rename. A code can be corrected
while nothing stored refers to its row yet (`queries.in_use`). Positions are kept 0..n-1 in
each list, so "up" and "down" always mean the neighbour.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from glapp.accounts.models import Organization
from glapp.core.errors import FieldError, ValidationFailed
from glapp.journeys import queries
from glapp.journeys.models import Journey, Stage, Touchpoint

CODE_LENGTH = 80


def code_for(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A slug of the name not among `taken` ("First payment" → "first-payment", then
    "first-payment-2", …); names with no letters or digits get "x"."""
    base = slugify(name)[:CODE_LENGTH - 4].strip("-") or "x"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([FieldError("name", "is required", "required")])
    if len(name) > 200:
        raise ValidationFailed([FieldError("name", "is longer than 200 characters", "too_long")])
    return name


def _next_position(rows) -> int:
    last = rows.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def create_journey(org: Organization, name: str, stages: list[tuple[str, list[str]]], code: str = "") -> Journey:
    """Create a journey from [(stage name, [touchpoint names])], in order, codes from the names."""
    with transaction.atomic():
        taken = set(Journey.objects.for_org(org).values_list("code", flat=True))
        if code and code in taken:
            raise ValidationFailed([FieldError("code", "is taken by another journey", "taken")])
        journey = Journey.objects.create(organization=org, name=_name(name), code=code or code_for(name, taken))
        for stage_name, touchpoints in stages:
            stage = add_stage(journey, stage_name)
            for tp_name in touchpoints:
                add_touchpoint(stage, tp_name)
    return journey


def add_touchpoints(stage: Stage, touchpoints: list[tuple[str, str]]) -> list[Touchpoint]:
    """Append touchpoints [(name, code)] to a stage, after the ones it has."""
    with transaction.atomic():
        last = stage.touchpoints.order_by("-position").values_list("position", flat=True).first()
        start = 0 if last is None else last + 1
        return [Touchpoint.objects.create(organization_id=stage.organization_id, stage=stage, name=name[:200],
                                          code=code, position=start + i)
                for i, (name, code) in enumerate(touchpoints)]
def add_stage(journey: Journey, name: str) -> Stage:
    """A stage at the end of the journey."""
    with transaction.atomic():
        siblings = Stage.objects.for_org(journey.organization_id).filter(journey=journey)
        taken = set(siblings.values_list("code", flat=True))
        return Stage.objects.create(organization_id=journey.organization_id, journey=journey, name=_name(name),
                                    code=code_for(name, taken), position=_next_position(siblings))


def add_touchpoint(stage: Stage, name: str) -> Touchpoint:
    """A touchpoint at the end of the stage; its code is unique in the organization."""
    with transaction.atomic():
        taken = set(Touchpoint.objects.for_org(stage.organization_id).values_list("code", flat=True))
        siblings = Touchpoint.objects.for_org(stage.organization_id).filter(stage=stage)
        return Touchpoint.objects.create(organization_id=stage.organization_id, stage=stage, name=_name(name),
                                         code=code_for(name, taken), position=_next_position(siblings))


def rename(row: Journey | Stage | Touchpoint, name: str) -> Journey | Stage | Touchpoint:
    """A new name; the code stays, so imports, events and saved links keep working."""
    row.name = _name(name)
    row.save(update_fields=["name"])
    return row


def _code_siblings(row):
    if isinstance(row, Stage):
        return Stage.objects.for_org(row.organization_id).filter(journey_id=row.journey_id)
    return type(row).objects.for_org(row.organization_id)


def change_code(row: Journey | Stage | Touchpoint, code: str) -> Journey | Stage | Touchpoint:
    """Correct a code before anything refers to it: once responses, surveys or events name the
    row, its code is what other systems send, and changing it would break them."""
    code = (code or "").strip()
    if code == row.code:
        return row
    if not code or slugify(code) != code or len(code) > CODE_LENGTH:
        raise ValidationFailed([FieldError("code", "use lowercase letters, digits and hyphens", "invalid")])
    with transaction.atomic():
        type(row).objects.select_for_update().filter(pk=row.pk).first()
        if queries.in_use(row):
            raise ValidationFailed([FieldError("code", "is in use by stored data and can no longer change", "in_use")])
        if _code_siblings(row).exclude(pk=row.pk).filter(code=code).exists():
            raise ValidationFailed([FieldError("code", "is taken", "taken")])
        row.code = code
        row.save(update_fields=["code"])
    return row


def _siblings(row: Stage | Touchpoint):
    if isinstance(row, Stage):
        return Stage.objects.for_org(row.organization_id).filter(journey_id=row.journey_id)
    return Touchpoint.objects.for_org(row.organization_id).filter(stage_id=row.stage_id)


def move(row: Stage | Touchpoint, step: int) -> None:
    """Move a stage (in its journey) or a touchpoint (in its stage) `step` places (−1 up, +1
    down); the list is renumbered 0..n-1 in the same transaction."""
    with transaction.atomic():
        ordered = list(_siblings(row).select_for_update().order_by("position", "pk"))
        index = next(i for i, r in enumerate(ordered) if r.pk == row.pk)
        target = min(max(index + step, 0), len(ordered) - 1)
        ordered.insert(target, ordered.pop(index))
        _renumber(ordered)


def move_touchpoint(touchpoint: Touchpoint, stage: Stage) -> Touchpoint:
    """Put a touchpoint at the end of another stage of the same organization (its code stays)."""
    if stage.organization_id != touchpoint.organization_id:
        raise ValidationFailed([FieldError("stage", "belongs to another organization")])
    with transaction.atomic():
        old = list(_siblings(touchpoint).select_for_update().exclude(pk=touchpoint.pk).order_by("position", "pk"))
        touchpoint.stage = stage
        touchpoint.position = _next_position(_siblings(touchpoint).exclude(pk=touchpoint.pk))
        touchpoint.save(update_fields=["stage", "position"])
        _renumber(old)
    return touchpoint


def _renumber(ordered) -> None:
    for position, r in enumerate(ordered):
        if r.position != position:
            type(r).objects.filter(pk=r.pk).update(position=position)


def delete(row: Journey | Stage | Touchpoint) -> None:
    """Remove a journey, stage or touchpoint someone added by mistake: only while nothing stored
    refers to it (or to anything below it), so no figure loses its touchpoint."""
    with transaction.atomic():
        if queries.in_use(row):
            raise ValidationFailed([FieldError("code", "is in use by stored data and cannot be removed", "in_use")])
        siblings = list(_siblings(row).exclude(pk=row.pk).order_by("position", "pk")) if not isinstance(
            row, Journey) else []
        row.delete()
        _renumber(siblings)
