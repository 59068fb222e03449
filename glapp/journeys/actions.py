"""Writes for journeys, stages and touchpoints."""

from django.db import transaction
from django.utils.text import slugify

from glapp.accounts.models import Organization
from glapp.journeys.models import Journey, Stage, Touchpoint


def create_journey(org: Organization, name: str, stages: list[tuple[str, list[str]]], code: str = "") -> Journey:
    """Create a journey from [(stage name, [touchpoint names])], in order.

    Touchpoint codes are slugs of their names; they are the keys imports and the API use.
    """
    with transaction.atomic():
        journey = Journey.objects.create(organization=org, name=name, code=code or slugify(name))
        for s_pos, (stage_name, touchpoints) in enumerate(stages):
            stage = Stage.objects.create(organization=org, journey=journey, name=stage_name,
                                         code=slugify(stage_name), position=s_pos)
            for t_pos, tp_name in enumerate(touchpoints):
                Touchpoint.objects.create(organization=org, stage=stage, name=tp_name,
                                          code=slugify(tp_name), position=t_pos)
    return journey


def add_touchpoints(stage: Stage, touchpoints: list[tuple[str, str]]) -> list[Touchpoint]:
    """Append touchpoints [(name, code)] to a stage, after the ones it has."""
    with transaction.atomic():
        last = stage.touchpoints.order_by("-position").values_list("position", flat=True).first()
        start = 0 if last is None else last + 1
        return [Touchpoint.objects.create(organization_id=stage.organization_id, stage=stage, name=name[:200],
                                          code=code, position=start + i)
                for i, (name, code) in enumerate(touchpoints)]
