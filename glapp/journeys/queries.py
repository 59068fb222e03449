"""Reads for journeys."""

from glapp.journeys.models import Journey, Touchpoint


def journeys_of(organization):
    return Journey.objects.for_org(organization).prefetch_related("stages__touchpoints").order_by("name")


def touchpoints_of(organization):
    return (Touchpoint.objects.for_org(organization).select_related("stage__journey")
            .order_by("stage__journey__name", "stage__position", "position"))
