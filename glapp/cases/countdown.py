"""Due times as people read them: "3 h 20 min left", "overdue by 1 h", counted in the office
time of the case's unit (its SLA calendar), so a countdown stands still while the office is
closed, as the clock behind the due time does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from glapp.cases.models import Case
from glapp.cases.sla import Calendars, sla_policy


def duration_text(seconds: float) -> str:
    """A length of time in hours and minutes, rounded up to the minute: "3 h 20 min", "45 min"."""
    minutes = int(-(-abs(seconds) // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": minutes}


@dataclass(frozen=True)
class Countdown:
    due_at: dt.datetime
    seconds: float  # office time left; negative: overdue by that much
    which: str  # "first_contact" or "resolve"
    paused: bool  # the office is closed now: the clock stands still

    @property
    def overdue(self) -> bool:
        return self.seconds < 0

    @property
    def text(self) -> str:
        if self.overdue:
            return _("overdue by %(time)s") % {"time": duration_text(self.seconds)}
        return _("%(time)s left") % {"time": duration_text(self.seconds)}

    @property
    def label(self) -> str:
        return _("First contact") if self.which == "first_contact" else _("Resolution")


class Clock:
    """Countdowns of one organization's cases, with its calendars built once per page."""

    def __init__(self, organization_id: int, now: dt.datetime | None = None):
        self.calendars = Calendars(organization_id, sla_policy(organization_id))
        self.now = now or timezone.now()

    def _countdown(self, case: Case, due: dt.datetime | None, which: str) -> Countdown | None:
        if due is None:
            return None
        calendar = self.calendars.of(case.unit.path if case.unit_id and case.unit else None)
        return Countdown(due, calendar.office_seconds_between(self.now, due), which, not calendar.is_open(self.now))

    def next_due(self, case: Case) -> Countdown | None:
        """The due time that counts now (first contact until the customer was contacted)."""
        if case.analysis_only or not case.is_open:
            return None
        if case.first_contacted_at is None:
            return self._countdown(case, case.first_contact_due_at, "first_contact")
        return self._countdown(case, case.resolve_due_at, "resolve")

    def both(self, case: Case) -> list[Countdown]:
        """First contact (until it happened) and resolution, for the case page."""
        if case.analysis_only or not case.is_open:
            return []
        out = []
        if case.first_contacted_at is None:
            out.append(self._countdown(case, case.first_contact_due_at, "first_contact"))
        out.append(self._countdown(case, case.resolve_due_at, "resolve"))
        return [c for c in out if c is not None]
