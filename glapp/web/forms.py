"""Filter forms for the web pages. They only parse and validate GET parameters; choices come
from the caller's scoped reads, so a form never offers (or accepts) another tenant's codes."""


from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.core.forms import PERIODS, SCORE_CHOICES, PeriodMixin, unit_filter_choices
from glapp.responses.queries import ResponseFilter


class OverviewForm(PeriodMixin):
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, data, *, units):
        super().__init__(data)
        self.fields["unit"].choices = unit_filter_choices(units)


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
