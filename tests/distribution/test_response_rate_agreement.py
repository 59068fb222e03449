"""Every place that shows a response rate shows the same one: the invitations page, the metrics
API, the trend page and the widget's figures in the survey editor all read the response-rate
rollups and the metric's definition, on one dataset that has every case the rule decides
(answered, quiet, refused while sent, bounced later, answered and then reported bounced, a link
handed over, widget displays)."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.analytics.actions import add_rate_changes
from glapp.analytics.rate_counting import DELIVERED, RESPONDED, RateChange
from glapp.core import stats
from glapp.distribution.actions import note_respondent_event
from glapp.distribution.channels.content import message_id
from glapp.distribution.dispatch import dispatch_due_invitations, record_bounce
from glapp.surveys.models import Survey
from tests.distribution.test_dispatch import NOON, invite
from tests.distribution.test_response_rate_counts import handed_over_link
from tests.factories import make_user

pytestmark = pytest.mark.django_db
JUNE = {"from": "2026-06-01", "to": "2026-06-30"}


def widget_displays(survey, at, answered, shown):
    changes = [RateChange(at=at, survey_id=survey.pk, touchpoint_id=survey.touchpoint_id, unit_id=None,
                          channel="widget", language="", segment="", metadata={}, before=None, after=state)
               for state in [RESPONDED] * answered + [DELIVERED] * (shown - answered)]
    with transaction.atomic():
        add_rate_changes(survey.organization_id, changes)


@pytest.fixture
def dataset(org, smtp):
    answered, _quiet, _refused, reported, answered_then_reported = (
        invite(org, name, address) for name, address in (
            ("A", "a@example.se"), ("B", "b@example.se"), ("C", "bounce@example.se"), ("D", "d@example.se"),
            ("E", "e@example.se")))
    assert dispatch_due_invitations(now=NOON) == {"sent": 4, "bounced": 1}
    link = handed_over_link(org, "F")
    for inv in (answered, answered_then_reported, link):
        note_respondent_event("survey.answered", inv.token, NOON + dt.timedelta(hours=2))
    for inv in (reported, answered_then_reported):
        record_bounce(org.id, message_id=message_id(inv))
    survey = Survey.objects.get(organization=org, code="nps")
    widget_displays(survey, NOON, answered=1, shown=4)
    return org


def test_the_invitations_page_the_metrics_api_and_the_trend_page_agree(dataset, api):
    client = Client()
    client.force_login(make_user(dataset, "ana", Role.ANALYST))
    page = {r.label: r for r in client.get("/invitations/", {"period": "", "group": "channel"}).context["rows"]}
    body = api.get("/metrics", {"metric": "response_rate", "group_by": "channel", "compare": "false", **JUNE}).json()
    metric = {row["group"]["channel"]["code"]: row for row in body["rows"]}
    trend = client.get("/trends/", {"metric": "response_rate", "group_by": "channel", "bucket": "quarter",
                                    "date_from": JUNE["from"], "date_to": JUNE["to"]}).context["page"]

    # E-mail: A, B, C (refused), D (bounced later), E (answered, then reported bounced) went out;
    # delivered = A, B, E (an answer proves delivery); answered = A, E.
    assert (metric["email"]["n"], metric["email"]["value"]) == (3, pytest.approx(stats.proportion_estimate(2, 3).value))
    assert (page["email"].sent, page["email"].delivered, page["email"].responded.count) == (5, 3, 2)
    assert set(page) == {"email", "link"}  # the widget's displays are not invitations
    assert set(metric) == {"email", "link", "widget"}
    for channel in page:
        row, expected = page[channel], metric[channel]
        assert row.delivered == expected["n"]
        assert (row.responded.share, row.responded.low, row.responded.high) == pytest.approx(
            (expected["value"], expected["low"], expected["high"]))
    shown = {r.figure.n: float(r.figure.value.replace(",", ".")) for r in trend.rows}
    assert shown == {row["n"]: pytest.approx(row["value"], abs=0.5) for row in metric.values()}  # shown rounded


def test_the_widgets_figures_in_the_editor_are_the_metric_on_the_widget_channel(org, api):
    survey = Survey.objects.get(organization=org, code="nps")
    Survey.objects.filter(pk=survey.pk).update(widget_event="checkout_completed")
    widget_displays(survey, timezone.now(), answered=2, shown=5)
    widget_displays(survey, timezone.now() - dt.timedelta(days=45), answered=5, shown=5)  # outside the 30 days
    client = Client()
    client.force_login(make_user(org, "ana", Role.ANALYST, language="en"))
    figures = client.get(f"/surveys/{survey.pk}/").context["widget"]
    today = timezone.localdate()
    body = api.get("/metrics", {"metric": "response_rate", "channel": "widget", "survey": "nps", "compare": "false",
                                "from": (today - dt.timedelta(days=29)).isoformat(), "to": today.isoformat()}).json()
    assert (figures["displays"], figures["responses"]) == (body["total"]["n"], 2) == (5, 2)
    assert figures["rate"].value == pytest.approx(body["total"]["value"]) == pytest.approx(40.0)
    assert (figures["rate"].low, figures["rate"].high) == pytest.approx((body["total"]["low"], body["total"]["high"]))
