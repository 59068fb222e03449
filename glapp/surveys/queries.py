"""Reads for surveys."""

from glapp.surveys.models import Survey


def surveys_of(organization):
    return Survey.objects.for_org(organization).select_related("touchpoint").prefetch_related("questions") \
        .order_by("name")


def survey_labels(organization) -> list[tuple[int, str, str, str]]:
    """(id, code, name, kind) of every survey, archived ones too: old responses still count."""
    return list(Survey.objects.for_org(organization).order_by("name").values_list("id", "code", "name", "kind"))
