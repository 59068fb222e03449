"""Form pieces every page's filters share: the period buttons and date range, score choices, and
unit choices indented by depth. They only parse and validate GET parameters; choices come from the
caller's scoped reads (units are passed in), so a form never offers another tenant's codes."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERIODS = [
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("12m", _("Last 12 months")),
    ("ytd", _("This year")),
    ("all", _("All time")),
    ("custom", _("Custom range")),
]
DEFAULT_PERIOD = "12m"


def period_dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if period == "30d":
        return today - dt.timedelta(days=29), today
    if period == "90d":
        return today - dt.timedelta(days=89), today
    if period == "ytd":
        return today.replace(month=1, day=1), today
    if period == "all":
        return None, None
    # 12 months: the same day a year ago, plus one, up to and including today.
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + dt.timedelta(days=1), today


def unit_filter_choices(units) -> list[tuple[str, str]]:
    """A unit filter's choices: "all" first, then the units. Someone limited to a part of the
    organization (their top unit is not a root) reads "All of <their unit>", not "All units"."""
    choices = unit_choices(units)
    top = min((u.path.count("/") for u in units), default=0)
    tops = [u for u in units if u.path.count("/") == top]
    if len(tops) == 1 and top > 2:  # "/1/" is a root
        return [("", _("All of %(unit)s") % {"unit": tops[0].name}), *choices]
    return [("", _("All units")), *choices]


def unit_choices(units) -> list[tuple[str, str]]:
    """Units indented by depth so the hierarchy reads in a plain <select>."""
    if not units:
        return []
    top = min(u.path.count("/") for u in units)
    return [(u.code, "\u2003" * (u.path.count("/") - top) + u.name) for u in units]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class PeriodMixin(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    default_period = DEFAULT_PERIOD

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        # A quick-period button wins over the date boxes it was submitted with; dates
        # submitted without one are a custom range.
        if data.get("period") in ("", None, "custom") and (start or end):
            data["period"] = "custom"
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        data = self.cleaned_data
        period = data.get("period") or self.default_period
        if period == "custom":
            return data.get("date_from"), data.get("date_to")
        return period_dates(period, timezone.localdate())


SCORE_CHOICES = [("", "–")] + [(str(i), str(i)) for i in range(11)]
