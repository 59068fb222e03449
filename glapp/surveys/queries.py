"""Reads for surveys."""

from glapp.surveys.models import Survey


def surveys_of(organization):
    return Survey.objects.for_org(organization).select_related("touchpoint").prefetch_related("questions") \
        .order_by("name")
