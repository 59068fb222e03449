"""What respond tells the apps below it when they ask: the widget's displays for a recount of
response rates, and the widget's funnel for the survey editor."""

import datetime as dt

from django.utils import timezone

from glapp.accounts.queries import Access
from glapp.analytics.queries import InvitationFigures, invitation_figures
from glapp.core import events
from glapp.respond.queries import iter_display_rate_source, widget_rates
from glapp.responses.models import Channel

WIDGET_DAYS = 30


def on_rate_sources_wanted(event: events.RateSourcesWanted):
    return iter_display_rate_source(event.organization_id, event.chunk) if event.displays else ()


def on_survey_figures_wanted(event: events.SurveyFiguresWanted) -> dict[int, dict]:
    """The editor's widget section, for its last 30 local days: displays, responses and the
    response rate, which is the response-rate metric on the channel "widget" (the rollups count a
    display as the widget's invitation), and completions. None when the widget does not show the
    survey and never did."""
    if not event.detail:
        return {}
    today = timezone.localdate()
    first = today - dt.timedelta(days=WIDGET_DAYS - 1)
    since = dt.datetime.combine(first, dt.time.min, tzinfo=timezone.get_current_timezone())
    # A display belongs to no unit: the survey's figures, for everyone who may look at the survey.
    whole = Access(event.access.organization, event.access.role)
    out = {}
    for survey in event.surveys:
        figures = invitation_figures(whole, "survey", first, today, survey_id=survey.pk,
                                     channels=[Channel.WIDGET]).get(survey.pk)
        if figures is None:
            if not survey.widget_event:
                out[survey.pk] = {"widget": None}
                continue
            figures = InvitationFigures.none()
        completions = widget_rates(event.access.organization, survey, since, timezone.now()).completions
        out[survey.pk] = {"widget": {
            "days": WIDGET_DAYS, "displays": figures.went_out, "responses": figures.answered,
            "completions": completions, "rate": figures.response_rate if figures.went_out else None}}
    return out


def connect() -> None:
    events.RateSourcesWanted.connect(on_rate_sources_wanted)
    events.SurveyFiguresWanted.connect(on_survey_figures_wanted)
