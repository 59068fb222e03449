"""The questions page: every question of a survey with its own figure, and the questions of one
kind pooled (with an interval over respondents); choice questions as distributions.

Numbers come from `analytics.queries` (`metric_table` grouped by question, `choice_distribution`),
the same computations as the metrics API and `glapp report`.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from glapp.accounts.queries import Access
from glapp.analytics.queries import (
    MetricQuery,
    QueryContext,
    choice_distribution,
    metric_table,
    resolve_period,
)
from glapp.core import stats
from glapp.core.numbers import number
from glapp.surveys import question_types as qt
from glapp.web.journey import (
    QUESTION_KINDS,
    QUESTION_METRIC,
    Figure,
    _ScopedForm,
    cell_figure,
    describe_method,
    metric_label,
    table_figure,
)


class QuestionsForm(_ScopedForm):
    survey = forms.ChoiceField(label=_("Survey"), required=False)
    touchpoint = forms.ChoiceField(label=_("Touchpoint"), required=False)

    FIELD_ORDER = ("survey", "date_from", "date_to", "unit", "segment", "touchpoint")

    def __init__(self, data, *, units, segments, touchpoints, surveys):
        super().__init__(data, units=units, segments=segments)
        self.fields["survey"].choices = [(s.code, s.name) for s in surveys]
        self.fields["touchpoint"].choices = [("", _("All touchpoints")),
                                             *[(t.code, f"{t.stage.name} › {t.name}") for t in touchpoints]]

    def ordered_fields(self):
        return [self[name] for name in self.FIELD_ORDER]

    def query(self, default_survey: str) -> MetricQuery:
        data = self.cleaned_data
        return MetricQuery(date_from=data.get("date_from"), date_to=data.get("date_to"),
                           survey=(data.get("survey") or default_survey,),
                           touchpoint=(data["touchpoint"],) if data.get("touchpoint") else (), **self.filters())


@dataclass
class QuestionRow:
    code: str
    text: str
    figure: Figure
    trend_link: str


@dataclass
class KindSection:
    """The questions of one kind (CSAT, NPS, …) in the survey, and all of them pooled."""

    kind: str
    metric_label: str
    method: str
    rows: list[QuestionRow]
    pooled: Figure | None  # when the survey asks several questions of the kind


@dataclass
class OptionRow:
    name: str
    count: int
    share: str
    low: str
    high: str
    width: float  # the bar, 0–100


@dataclass
class ChoiceSection:
    code: str
    text: str
    multi: bool
    respondents: int
    options: list[OptionRow]


@dataclass
class QuestionsPage:
    survey_name: str
    date_from: dt.date
    date_to: dt.date
    sections: list[KindSection] = field(default_factory=list)
    choices: list[ChoiceSection] = field(default_factory=list)
    choice_method: str = ""

    @property
    def empty(self) -> bool:
        answered = any(r.figure.n for s in self.sections for r in s.rows)
        return not answered and not any(c.respondents for c in self.choices)


def _percent(value: float | None) -> str:
    return number(value, 0)


def questions_page(access: Access, q: MetricQuery, survey_name: str) -> QuestionsPage:
    ctx = QueryContext.load(access)
    survey_code = q.survey[0]
    asked = [row for row in ctx.questions.values() if ctx.surveys.get(row[3], ("",))[0] == survey_code]
    date_from, date_to, _cf, _ct = resolve_period(q)
    page = QuestionsPage(survey_name, date_from, date_to)
    for kind in QUESTION_KINDS:
        if not any(row[2] == kind for row in asked):
            continue
        code = QUESTION_METRIC[kind]
        table = metric_table(access, replace(q, metric=code, group_by=("question",)), ctx)
        cells = {c.key[0]: c for c in table.cells}
        rows = []
        for row in sorted((r for r in asked if r[2] == kind), key=lambda r: r[5]):
            link = "?" + urlencode({"metric": code, "question": row[0], "date_from": date_from.isoformat(),
                                    "date_to": date_to.isoformat()})
            rows.append(QuestionRow(row[0], row[1], cell_figure(table.metric, cells.get(row[0])), link))
        pooled = table_figure(table) if len(rows) > 1 else None
        page.sections.append(KindSection(str(QUESTION_KINDS[kind]), metric_label(code), describe_method(table), rows,
                                         pooled))
    for row in sorted((r for r in asked if r[2] in (qt.SINGLE, qt.MULTI)), key=lambda r: r[5]):
        dist = choice_distribution(access, replace(q, question=row[0]), ctx)
        page.choices.append(ChoiceSection(row[0], row[1], row[2] == qt.MULTI, dist.respondents, [
            OptionRow(o.name, o.count, _percent(o.estimate.value), _percent(o.estimate.low),
                      _percent(o.estimate.high), o.estimate.value or 0.0)
            for o in dist.options]))
    page.choice_method = gettext("%(level)s %% intervals. %(method)s") % {
        "level": 95, "method": gettext(stats.METHODS[stats.WILSON])}
    return page
