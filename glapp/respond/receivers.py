"""What respond tells the apps below it when they ask: the widget's displays for a recount of
response rates, and the widget's funnel for the survey editor."""

import datetime as dt

from django.utils import timezone

from glapp.core import events
from glapp.core.stats import proportion_estimate
from glapp.respond.queries import iter_display_rate_source, widget_rates

WIDGET_DAYS = 30


def on_rate_sources_wanted(event: events.RateSourcesWanted):
    return iter_display_rate_source(event.organization_id, event.chunk) if event.displays else ()


def on_survey_figures_wanted(event: events.SurveyFiguresWanted) -> dict[int, dict]:
    """The editor's widget section: the last 30 days' displays, responses, completions and
    response rate with its Wilson interval (None when the widget does not show this survey and
    never did)."""
    if not event.detail:
        return {}
    until = timezone.now()
    out = {}
    for survey in event.surveys:
        rates = widget_rates(event.access.organization, survey, until - dt.timedelta(days=WIDGET_DAYS), until)
        if not survey.widget_event and not rates.displays:
            out[survey.pk] = {"widget": None}
            continue
        estimate = proportion_estimate(rates.responses, rates.displays) if rates.displays else None
        out[survey.pk] = {"widget": {"days": WIDGET_DAYS, "displays": rates.displays, "responses": rates.responses,
                                     "completions": rates.completions, "rate": estimate}}
    return out


def connect() -> None:
    events.RateSourcesWanted.connect(on_rate_sources_wanted)
    events.SurveyFiguresWanted.connect(on_survey_figures_wanted)
