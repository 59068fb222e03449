"""Reads for journeys."""

from glapp.journeys.models import Journey, Stage, Touchpoint


def journeys_of(organization):
    return Journey.objects.for_org(organization).prefetch_related("stages__touchpoints").order_by("name")


def journey_of(organization, journey_id: int) -> Journey | None:
    return Journey.objects.for_org(organization).filter(pk=journey_id).first()


def stage_of(organization, stage_id: int) -> Stage | None:
    return Stage.objects.for_org(organization).select_related("journey").filter(pk=stage_id).first()


def touchpoint_of(organization, touchpoint_id: int) -> Touchpoint | None:
    return Touchpoint.objects.for_org(organization).select_related("stage__journey").filter(pk=touchpoint_id).first()


def touchpoints_of(organization):
    return (Touchpoint.objects.for_org(organization).select_related("stage__journey")
            .order_by("stage__journey__name", "stage__position", "position"))


def _referenced(model, pks) -> bool:
    """Whether a row of another model (a response, a survey, an event, …, whatever app it lives
    in) refers to one of `pks`. Found through the model's reverse relations, so journeys needs
    to know nothing about the apps above it, and a new app's references count at once."""
    if not pks:
        return False
    for relation in model._meta.related_objects:
        if relation.related_model in (Stage, Touchpoint):
            continue  # the journey's own tree: checked level by level below
        if relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": pks}).exists():
            return True
    return False


def in_use(row: Journey | Stage | Touchpoint) -> bool:
    """Whether stored data refers to the row or anything below it, so its code is what other
    systems send and it may not change or go."""
    if isinstance(row, Touchpoint):
        return _referenced(Touchpoint, [row.pk])
    stages = [row.pk] if isinstance(row, Stage) else list(row.stages.values_list("pk", flat=True))
    if isinstance(row, Journey) and _referenced(Journey, [row.pk]):
        return True
    touchpoints = list(Touchpoint.objects.filter(stage_id__in=stages).values_list("pk", flat=True))
    return _referenced(Stage, stages) or _referenced(Touchpoint, touchpoints)


def codes_in_use(journey: Journey) -> set[tuple[str, int]]:
    """("stage" | "touchpoint", id) of the journey's rows whose codes may no longer change."""
    used = set()
    for stage in journey.stages.all():
        tps = list(stage.touchpoints.all())
        used |= {("touchpoint", tp.pk) for tp in tps if _referenced(Touchpoint, [tp.pk])}
        if _referenced(Stage, [stage.pk]) or any(("touchpoint", tp.pk) in used for tp in tps):
            used.add(("stage", stage.pk))
    return used
