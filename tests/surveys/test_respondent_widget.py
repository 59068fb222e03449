"""The widget's endpoints: the script, the config (CORS, no cookies), displays, the framed
respondent pages, the session's link to its display, and the widget's rates."""

import datetime as dt
import hashlib
import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from glapp.respond.models import Display, RespondentSession
from glapp.respond.queries import display_reference, widget_rates
from glapp.responses.models import Response
from glapp.surveys.actions import archive_survey
from tests.surveys.test_respondent_pages import answer, make_swedish_survey

pytestmark = pytest.mark.django_db


SHOP = "https://shop.example"


def allow_widget(org, origins: str = SHOP) -> None:
    org.widget_origins = origins
    org.save(update_fields=["widget_origins"])


@pytest.fixture
def survey(org):
    allow_widget(org)
    return make_swedish_survey(org, widget_delay_seconds=2)


def display_token(client, survey, origin: str = SHOP) -> str:
    return client.get(f"/w/{survey.public_token}/display-token", HTTP_ORIGIN=origin).json()["token"]


def post_display(client, survey, token: str | None = None, **body):
    body = {"token": token or display_token(client, survey), **body}
    return client.post(f"/w/{survey.public_token}/displays", json.dumps(body), content_type="text/plain")


def test_the_script_is_small_cacheable_and_sets_no_cookie(db):
    resp = Client().get("/w/widget.js")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/javascript")
    assert resp["Cache-Control"] == "public, max-age=3600"
    assert not resp.cookies
    source = resp.content.decode()
    assert len(resp.content) < 10_000
    assert "glapp.q" in source and "localStorage" in source and "Escape" in source  # queue, 30 days, dismiss


def test_config_is_public_cross_origin_and_cookieless(org, survey):
    resp = Client().get(f"/w/{survey.public_token}/config.json", HTTP_ORIGIN="https://shop.example")
    assert resp.status_code == 200 and resp["Access-Control-Allow-Origin"] == "*"
    assert not resp.cookies and "Set-Cookie" not in resp
    body = resp.json()
    assert body["enabled"] is True and body["event"] == "checkout_completed"
    assert body["delay_seconds"] == 2 and body["language"] == "sv" and body["close_label"]

    quiet = make_swedish_survey(org, code="quiet", widget_event="")
    off = Client().get(f"/w/{quiet.public_token}/config.json").json()
    assert off["enabled"] is False and off["event"] == ""
    archive_survey(survey)
    assert Client().get(f"/w/{survey.public_token}/config.json").json()["enabled"] is False
    unknown = Client().get("/w/unknown/config.json")
    assert unknown.status_code == 404 and unknown["Access-Control-Allow-Origin"] == "*"


def test_a_display_is_recorded_and_leads_to_a_framed_survey_linked_to_it(org, survey):
    client = Client(enforce_csrf_checks=True)
    preflight = client.options(f"/w/{survey.public_token}/displays")
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "*"
    resp = post_display(client, survey, event="checkout_completed", page="https://shop.example/thanks",
                        visitor="abc123")
    assert resp.status_code == 201 and resp["Access-Control-Allow-Origin"] == "*" and not resp.cookies
    display = Display.objects.get()
    assert (display.survey, display.event, display.page) == (survey, "checkout_completed",
                                                             "https://shop.example/thanks")
    assert display.visitor == hashlib.sha256(f"{survey.public_token}:abc123".encode()).hexdigest()
    body = resp.json()
    assert body["display"] == display_reference(display)
    assert body["url"] == (f"http://testserver/s/{survey.public_token}/?"
                           + urlencode({"display": display_reference(display), "channel": "widget"}))

    page = client.get(body["url"])
    assert page.status_code == 200 and "X-Frame-Options" not in page  # shown in the widget's iframe
    assert "Hur troligt" in page.content.decode()
    done = answer(client, body["url"], "nps", "10", start="W" * 24)
    session = RespondentSession.objects.get()
    assert done["Location"] == f"/r/{session.token}/"
    assert session.display == display and session.channel == "widget"
    assert "X-Frame-Options" not in client.get(done["Location"])
    response = Response.objects.get(external_id=session.response_external_id)
    assert response.channel == "widget"
    # The same display again (a reload of the panel) resumes its session instead of starting another.
    assert Client().get(body["url"])["Location"] == f"/r/{session.token}/"
    assert RespondentSession.objects.count() == 1


def test_displays_are_refused_when_the_widget_is_off(org, survey):
    quiet = make_swedish_survey(org, code="quiet", widget_event="")
    assert Client().get(f"/w/{quiet.public_token}/display-token", HTTP_ORIGIN=SHOP).status_code == 404
    token = display_token(Client(), survey)
    assert post_display(Client(), quiet, token=token).status_code == 404
    assert Client().post("/w/unknown/displays", "{}", content_type="text/plain").status_code == 404
    resp = Client().post(f"/w/{survey.public_token}/displays", "not json", content_type="text/plain")
    assert resp.status_code == 400 and "token" in resp.json()["detail"]
    assert not Display.objects.exists()


def test_a_display_of_another_survey_is_not_linked(org, survey):
    other = make_swedish_survey(org, code="other")
    foreign = post_display(Client(), other).json()["display"]
    answer(Client(), f"/s/{survey.public_token}/?display={foreign}&channel=widget", "nps", "8", start="F" * 24)
    assert RespondentSession.objects.get().display is None


def test_widget_rates_count_displays_responses_and_completions(org, other_org, survey):
    urls = [post_display(Client(), survey).json()["url"] for _ in range(4)]
    started = [answer(Client(), url, "nps", "9", start=f"rate{i:020d}")["Location"] for i, url in enumerate(urls[:2])]
    answer(Client(), started[0], "reason", "price")
    answer(Client(), started[0], "comment", skip=True)
    Client().get(urls[2])  # looked, never answered
    now = timezone.now()
    rates = widget_rates(org, survey, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    assert (rates.displays, rates.responses, rates.completions) == (4, 2, 1)
    assert rates.completion_rate == 0.25  # the response rate is the rollups' (test below)
    earlier = widget_rates(org, survey, now - dt.timedelta(days=2), now - dt.timedelta(days=1))
    assert (earlier.displays, earlier.responses, earlier.completion_rate) == (0, 0, None)
    assert widget_rates(other_org, survey, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)).displays == 0


def test_a_display_id_cannot_be_guessed_into_someone_elses_session(org, survey):
    victim_url = post_display(Client(), survey).json()["url"]
    answer(Client(), victim_url, "nps", "3", start="V" * 24)
    display = Display.objects.get()
    for forged in (str(display.pk), f"{display.pk}:forged", display_reference(display)[:-1] + "x"):
        page = Client().get(f"/s/{survey.public_token}/", {"display": forged, "channel": "widget"})
        assert page.status_code == 200  # a fresh first question, not a redirect into the victim's session
    assert Client().get(victim_url)["Location"] == f"/r/{RespondentSession.objects.get().token}/"


def test_displays_count_in_the_response_rate_on_the_widget_channel(org, survey):
    from glapp.accounts.models import Role
    from glapp.accounts.queries import access_for
    from glapp.analytics.actions import rebuild_rollups
    from glapp.analytics.models import Rollup
    from glapp.analytics.queries import MetricQuery, metric_table
    from glapp.core import stats
    from tests.factories import make_user

    urls = [post_display(Client(), survey).json()["url"] for _ in range(4)]
    started = [answer(Client(), url, "nps", "9", start=f"rr{i:022d}")["Location"] for i, url in enumerate(urls[:2])]
    answer(Client(), started[0], "reason", "price")  # a later answer moves nothing
    answer(Client(), urls[0], "nps", "3", start="rr" + "0" * 22)  # the first click again: same session

    def counts():
        return sorted(Rollup.objects.filter(organization=org, source="invitations").values_list(
            "grain", "day", "survey", "touchpoint", "channel", "n", "c0", "c1", "c2"))
    live = counts()
    assert {row[-4:] for row in live} == {(4, 2, 2, 0)} and {row[4] for row in live if row[0] >= 3} == {"widget"}
    rebuild_rollups(org.id)
    assert counts() == live

    anna = access_for(make_user(org, "anna", role=Role.ANALYST))
    table = metric_table(anna, MetricQuery("response_rate", ("channel",), compare=False))
    [cell] = table.cells
    assert cell.key == ("widget",) and cell.estimate == stats.proportion_estimate(2, 4)
