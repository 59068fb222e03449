"""Reads for analytics, always scoped by an `Access` (organization + unit subtree)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from glapp.accounts.queries import Access, units_of
from glapp.analytics.stats import Nps, nps
from glapp.core.errors import FieldError, ValidationFailed
from glapp.journeys.queries import touchpoints_of
from glapp.responses.models import Answer
from glapp.surveys import question_types as qt


@dataclass(frozen=True)
class TouchpointNps:
    journey: str
    stage: str
    touchpoint: str
    touchpoint_code: str
    nps: Nps

    @property
    def value(self) -> float | None:
        return self.nps.value

    @property
    def n(self) -> int:
        return self.nps.n


def day_bounds(date_from: dt.date | None, date_to: dt.date | None, field: str = "submitted_at") -> Q:
    """Inclusive days in the current time zone as a half-open range of instants, so the time
    index is used and a response at 23:59 local time counts on its own day."""
    tz = timezone.get_current_timezone()
    q = Q()
    if date_from:
        q &= Q(**{f"{field}__gte": dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)})
    if date_to:
        q &= Q(**{f"{field}__lt": dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)})
    return q


def nps_by_touchpoint(access: Access, date_from: dt.date | None = None, date_to: dt.date | None = None,
                      unit: str | None = None) -> list[TouchpointNps]:
    """NPS per touchpoint in journey order (journey, stage position, touchpoint position).

    Every touchpoint of the organization gets a row, with n = 0 when nobody answered, so an
    empty touchpoint is visible rather than silently missing. Answers on responses with no
    touchpoint come last, under an empty touchpoint code. The counting is one aggregate query.
    """
    where = Q(response__organization_id=access.organization_id, question_type=qt.NPS, number__isnull=False)
    where &= access.unit_filter("response__unit")
    if unit:
        path = units_of(access).filter(code=unit).values_list("path", flat=True).first()
        if path is None:
            raise ValidationFailed([FieldError("unit", f"no unit with code '{unit[:80]}'", "unknown")])
        where &= Q(response__unit__path__startswith=path)
    where &= day_bounds(date_from, date_to, "response__submitted_at")

    counts = (
        Answer.objects.filter(where)
        .values("response__touchpoint_id")
        .annotate(
            promoters=Count("id", filter=Q(number__gte=9)),
            passives=Count("id", filter=Q(number__gte=7, number__lte=8)),
            detractors=Count("id", filter=Q(number__lte=6)),
        )
        .order_by()
    )
    by_tp = {row["response__touchpoint_id"]: nps(row["promoters"], row["passives"], row["detractors"])
             for row in counts}

    rows = [
        TouchpointNps(tp.stage.journey.name, tp.stage.name, tp.name, tp.code, by_tp.pop(tp.id, nps(0, 0, 0)))
        for tp in touchpoints_of(access.organization)
    ]
    loose = by_tp.pop(None, None)
    if loose is not None:
        rows.append(TouchpointNps("", "", "", "", loose))
    return rows


def total_nps(rows: list[TouchpointNps]) -> Nps:
    total = nps(0, 0, 0)
    for row in rows:
        total = total + row.nps
    return total
