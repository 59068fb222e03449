"""Is the loop working? The closed-loop figures of a period, within the reader's units.

Every share carries its Wilson interval and every median time its distribution-free interval
(`core.stats`), like every other figure, so a unit's "92 % contacted within SLA" from twelve
cases reads as the guess it is. Times are calendar hours from the case's opening: what the
customer waited, whatever the office's hours.

- detractors: NPS answers 0–6 in the period (from the rollups, as every NPS figure);
- cases: opened in the period (merged-away cases not counted twice), of which for analysis only;
- contacted within SLA: of the contactable cases whose first-contact due time has passed (or
  that were contacted), the share contacted by it;
- breach rate: of the same, the share marked breached;
- time to first contact and to close: medians over the cases that got there;
- recovered: of the follow-ups answered by a customer who was a detractor, the share now passive
  or promoter;
- root causes: closed cases per cause, most first (the Pareto).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from glapp.accounts.queries import Access
from glapp.cases.models import FollowUp
from glapp.cases.queries import cases_in_scope
from glapp.core import stats
from glapp.core.errors import GlappError


@dataclass
class LoopFigures:
    key: str  # the group's code ("" for the whole)
    name: str
    detractors: int | None
    cases: int
    analysis_only: int
    contacted_within_sla: stats.Estimate
    breach_rate: stats.Estimate
    hours_to_first_contact: stats.Estimate
    hours_to_close: stats.Estimate
    resolved: int
    follow_ups_answered: int
    recovered: stats.Estimate
    promoter_asks: int = 0
    promoter_clicks: stats.Estimate | None = None  # asks clicked, of those sent
    root_causes: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, closed cases)


GROUPS = ("unit", "touchpoint")


def loop_figures(access: Access, date_from: dt.date, date_to: dt.date, group_by: str | None = None,
                 now: dt.datetime | None = None) -> list[LoopFigures]:
    """The whole (first) and, with `group_by` ("unit" or "touchpoint"), one row per group."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time(0), zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), zone)
    cases = list(cases_in_scope(access).filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True)
                 .select_related("unit", "root_cause")
                 .values_list("id", "unit_id", "unit__code", "unit__name", "analysis_only", "created_at",
                              "first_contact_due_at", "first_contacted_at", "breached_at", "resolved_at",
                              "closed_at", "status", "root_cause__code", "root_cause__name"))
    touchpoints = _touchpoints_of([c[0] for c in cases]) if group_by == "touchpoint" else {}
    follow_ups = {case_id: (prior, nps) for case_id, prior, nps in
                  FollowUp.objects.filter(case_id__in=[c[0] for c in cases], nps__isnull=False)
                  .values_list("case_id", "prior_nps", "nps")}
    groups: dict[str, tuple[str, list]] = {"": ("", cases)}
    if group_by in GROUPS:
        for row in cases:
            code, name = (row[2] or "", row[3] or "") if group_by == "unit" else touchpoints.get(row[0], ("", ""))
            groups.setdefault(code or "-", (name or "—", []))[1].append(row)
    detractors = _detractors(access, date_from, date_to, group_by)
    asks = _promoter_asks(access, start, end, group_by)
    out = []
    for key, (name, rows) in groups.items():
        figures = _figures(key, name, rows, follow_ups, now, detractors.get(key))
        sent, clicked = asks.get(key, (0, 0))
        figures.promoter_asks, figures.promoter_clicks = sent, stats.proportion_estimate(clicked, sent)
        out.append(figures)
    for key, (sent, clicked) in asks.items():  # a group with asks but no cases
        if key not in groups:
            out.append(_figures(key, key, [], {}, now, detractors.get(key)))
            out[-1].promoter_asks, out[-1].promoter_clicks = sent, stats.proportion_estimate(clicked, sent)
    return out


def _promoter_asks(access: Access, start: dt.datetime, end: dt.datetime, group_by: str | None
                   ) -> dict[str, tuple[int, int]]:
    """(asks sent, of them clicked) in the period, by the grouping ("" the whole)."""
    from glapp.cases.models import PromoterAsk

    field = {"unit": "unit__code", "touchpoint": "touchpoint__code"}.get(group_by or "")
    qs = (PromoterAsk.objects.for_org(access.organization_id).filter(access.unit_filter("unit__path"))
          .filter(created_at__gte=start, created_at__lt=end, sent_at__isnull=False))
    found: dict[str, tuple[int, int]] = {}
    for code, clicked in qs.values_list(field or "id", "clicked_at"):
        for key in ("", (code or "-") if field else None):
            if key is None:
                continue
            sent_n, clicked_n = found.get(key, (0, 0))
            found[key] = (sent_n + 1, clicked_n + (clicked is not None))
    return found


def _figures(key: str, name: str, rows: list, follow_ups: dict, now: dt.datetime, detractors: int | None
             ) -> LoopFigures:
    contactable = [r for r in rows if not r[4]]
    judged = [r for r in contactable if r[7] is not None or (r[6] is not None and r[6] <= now)]
    in_time = sum(1 for r in judged if r[7] is not None and r[6] is not None and r[7] <= r[6])
    breached = sum(1 for r in judged if r[8] is not None)
    first = [(r[7] - r[5]).total_seconds() / 3600 for r in contactable if r[7] is not None]
    closed = [(r[10] - r[5]).total_seconds() / 3600 for r in rows if r[10] is not None]
    answered = [follow_ups[r[0]] for r in rows if r[0] in follow_ups]
    were_detractors = [(prior, nps) for prior, nps in answered if prior is not None and prior <= 6]
    recovered = sum(1 for _, nps in were_detractors if nps >= 7)
    causes = Counter((r[12], r[13]) for r in rows if r[12] and r[10] is not None)
    return LoopFigures(
        key=key, name=name, detractors=detractors, cases=len(rows), analysis_only=len(rows) - len(contactable),
        contacted_within_sla=stats.proportion_estimate(in_time, len(judged)),
        breach_rate=stats.proportion_estimate(breached, len(judged)),
        hours_to_first_contact=stats.median_estimate(first), hours_to_close=stats.median_estimate(closed),
        resolved=sum(1 for r in rows if r[9] is not None), follow_ups_answered=len(answered),
        recovered=stats.proportion_estimate(recovered, len(were_detractors)),
        root_causes=[(code, cause, n) for (code, cause), n in causes.most_common()])


def _touchpoints_of(case_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each case's touchpoint: that of its first response."""
    from glapp.cases.models import CaseResponse

    found: dict[int, tuple[str, str]] = {}
    for case_id, code, name in (CaseResponse.objects.filter(case_id__in=case_ids).order_by("response_id")
                                .values_list("case_id", "response__touchpoint__code", "response__touchpoint__name")):
        found.setdefault(case_id, (code or "", name or ""))
    return found


def _detractors(access: Access, date_from: dt.date, date_to: dt.date, group_by: str | None) -> dict[str, int]:
    """NPS answers 0–6 of the period from the rollups, by the same grouping ("" the whole)."""
    from glapp.analytics.queries import MetricQuery, metric_table

    try:
        table = metric_table(access, MetricQuery(metric="nps", date_from=date_from, date_to=date_to, compare=False,
                                                 group_by=(group_by,) if group_by in GROUPS else ()))
    except GlappError:  # an organization without NPS questions has no detractors to show
        return {}
    found: dict[str, int] = {}
    for cell in table.cells:  # counts: n, then answers of 0, 1, … 10
        code = (cell.key[0] if cell.key else "") or ("-" if group_by else "")
        found[code] = found.get(code, 0) + sum(cell.counts[1:8])
    if group_by in GROUPS:
        found[""] = sum(found.values())
    return found
