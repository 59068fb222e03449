"""Filter forms for the web pages. They only parse and validate GET parameters; choices come
from the caller's scoped reads, so a form never offers (or accepts) another tenant's codes."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from glapp.responses.queries import ResponseFilter

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


class OverviewForm(PeriodMixin):
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, data, *, units):
        super().__init__(data)
        self.fields["unit"].choices = unit_filter_choices(units)


SCORE_CHOICES = [("", "–")] + [(str(i), str(i)) for i in range(11)]
COMMENT_CHOICES = [("", _("With or without")), ("yes", _("With comment")), ("no", _("Without comment"))]


class ResponsesForm(PeriodMixin):
    survey = forms.ChoiceField(label=_("Survey"), required=False)
    touchpoint = forms.ChoiceField(label=_("Touchpoint"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    score_min = forms.TypedChoiceField(label=_("NPS from"), choices=SCORE_CHOICES, coerce=int, empty_value=None,
                                       required=False)
    score_max = forms.TypedChoiceField(label=_("NPS to"), choices=SCORE_CHOICES, coerce=int, empty_value=None,
                                       required=False)
    comment = forms.ChoiceField(label=_("Comment"), choices=COMMENT_CHOICES, required=False)
    q = forms.CharField(label=_("Search comments"), required=False, max_length=200)

    # A list of individual responses is most useful over everything by default; the
    # period buttons narrow it.
    default_period = "all"

    def __init__(self, data, *, surveys, touchpoints, units):
        super().__init__(data)
        self.fields["survey"].choices = [("", _("All surveys")), *[(s.code, s.name) for s in surveys]]
        self.fields["touchpoint"].choices = [("", _("All touchpoints")),
                                             *[(t.code, f"{t.stage.name} › {t.name}") for t in touchpoints]]
        self.fields["unit"].choices = unit_filter_choices(units)
        self.fields["period"].choices = [("", _("All time")), *[p for p in PERIODS if p[0] != "all"]]
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _('Words or "a phrase"')})

    def clean(self):
        data = super().clean()
        lo, hi = data.get("score_min"), data.get("score_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("score_max", _("The upper score is below the lower one."))
        return data

    # Search first: it is what people reach for; then when, where, and how they scored.
    FIELD_ORDER = ("q", "period", "date_from", "date_to", "survey", "touchpoint", "unit", "score_min", "score_max",
                   "comment")

    def ordered_fields(self):
        return [self[name] for name in self.FIELD_ORDER]

    def to_filter(self) -> ResponseFilter:
        data = self.cleaned_data
        date_from, date_to = self.dates()
        comment = data.get("comment")
        return ResponseFilter(
            survey=data.get("survey") or None,
            touchpoint=data.get("touchpoint") or None,
            unit=data.get("unit") or None,
            date_from=date_from,
            date_to=date_to,
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            has_comment={"yes": True, "no": False}.get(comment or ""),
            q=(data.get("q") or "").strip() or None,
        )
