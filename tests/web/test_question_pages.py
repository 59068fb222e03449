"""Questions on the web: a question's own figure on the trend page and the journey map, the
questions page (each question, the pooled figure over respondents, choice distributions), and
the notice when a page's period holds nothing while the data lie elsewhere in time."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.analytics.queries import MetricQuery, choice_distribution, metric_table
from glapp.journeys.models import Touchpoint
from glapp.web.journey import fmt
from tests.analytics.test_question_figures import it_survey, respondents
from tests.factories import make_user
from tests.web.helpers import login

pytestmark = pytest.mark.django_db
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
QUERY_MARCH = dict(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))


@pytest.fixture
def it(org, client):
    it_survey(org, touchpoint=Touchpoint.objects.get(organization=org, code="web-checkout"))
    respondents(org, k=60)
    login(client, make_user(org, "anna"))
    return Access(org, Role.ADMIN)


def text_of(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def shown(table) -> str:
    return fmt(table.metric, table.total.value)


def test_trends_show_one_questions_figure_and_switch_to_its_metric(client, it):
    html = client.get("/trends/", {"metric": "nps", "question": "it.svc_b", **MARCH}).text
    own = metric_table(it, MetricQuery("csat", question="it.svc_b", compare=False, **QUERY_MARCH))
    assert '<option value="csat" selected>' in html  # a CSAT question's figure is a CSAT metric
    assert '<option value="it.svc_b" selected>' in html
    assert text_of(html, "total") == shown(own) + " %"


def test_trends_by_question_draw_each_question_and_pool_the_total_over_respondents(client, it):
    html = client.get("/trends/", {"metric": "csat_mean", "group_by": "question", **MARCH}).text
    for key in ("svc_a", "svc_b", "svc_c"):
        assert f"How satisfied are you with {key}?" in html
    total = html.split('data-testid="total"')[1]
    assert 'data-testid="respondents"' in html.split('class="trend-total"')[1].split("</div>")[0]
    assert total  # the pooled total, read from the pooled rows
    pooled = metric_table(it, MetricQuery("csat_mean", compare=False, **QUERY_MARCH))
    assert text_of(html, "total") == shown(pooled)


def test_the_journey_map_shows_the_chosen_questions_csat(client, it):
    pooled = client.get("/journey/", MARCH).text
    own = client.get("/journey/", {"question": "it.svc_c", **MARCH}).text
    expected = metric_table(it, MetricQuery("csat", question="it.svc_c", group_by=("touchpoint",), **QUERY_MARCH))
    [cell] = [c for c in expected.cells if c.key == ("web-checkout",)]
    assert text_of(own, "csat-web-checkout") == fmt(expected.metric, cell.estimate.value) + " %"
    assert text_of(pooled, "csat-web-checkout") != text_of(own, "csat-web-checkout")
    assert '<option value="it.svc_c" selected>' in own
    assert 'value="it.channels"' not in own  # the map shows no choice question


def test_the_questions_page_lists_every_question_the_pooled_figure_and_the_distributions(client, it):
    html = client.get("/questions/", {"survey": "it", **MARCH}).text
    for key in ("svc_a", "svc_b", "svc_c"):
        own = metric_table(it, MetricQuery("csat", question=f"it.{key}", **QUERY_MARCH))
        assert text_of(html, f"value-it.{key}") == shown(own) + " %"
    pooled = html.split('data-testid="pooled-csat"')[1].split("</tr>")[0]
    assert 'data-testid="respondents"' in pooled and "180" in pooled
    dist = choice_distribution(it, MetricQuery(question="it.channels", **QUERY_MARCH))
    section = html.split('data-testid="choice-it.channels"')[1].split("</section>")[0]
    for option in dist.options:
        assert option.name in section and f">{option.count}<" in section
    assert 'href="/trends/?metric=csat&amp;question=it.svc_a' in html


def test_the_questions_page_escapes_question_and_option_texts(client, org):
    from glapp.surveys import question_types as qt
    from glapp.surveys.actions import QuestionSpec, create_survey

    create_survey(org, name="<b>Evil</b>", code="evil", questions=[
        QuestionSpec("pick", qt.SINGLE, {"en": "<script>alert(1)</script>"}, options=["x", "y"],
                     option_texts={"en": {"x": "<img src=x onerror=alert(2)>"}})])
    login(client, make_user(org, "anna"))
    html = client.get("/questions/", {"survey": "evil"}).text
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "&lt;script&gt;" in html


def test_a_history_outside_the_default_period_is_offered(client, org):
    """An import of years-old answers: every page's default period is empty, and each says when
    the data are and links to that period, where the figures are."""
    it_survey(org, touchpoint=Touchpoint.objects.get(organization=org, code="web-checkout"))
    start = timezone.localdate() - dt.timedelta(days=3 * 365)
    respondents(org, k=40, when=start)
    login(client, make_user(org, "anna"))
    for path in ("/", "/journey/", "/trends/", "/questions/"):
        html = client.get(path).text
        assert 'data-testid="empty-period"' in html, path
        assert start.isoformat() in html and (start + dt.timedelta(days=27)).isoformat() in html
        link = re.search(r'data-testid="empty-period-link"', html) and re.search(
            r'<a href="(\?[^"]*)" data-testid="empty-period-link"', html).group(1).replace("&amp;", "&")
        then = client.get(path + link).text
        assert 'data-testid="empty-period"' not in then, path
    html = client.get("/trends/" + re.search(r'<a href="(\?[^"]*)" data-testid="empty-period-link"',
                                             client.get("/trends/").text).group(1).replace("&amp;", "&")).text
    assert text_of(html, "total") != "–"


def test_no_notice_without_data_or_with_data_in_the_period(client, org):
    login(client, make_user(org, "anna"))
    assert 'data-testid="empty-period"' not in client.get("/journey/").text  # nothing anywhere: nothing to offer
    it_survey(org)
    respondents(org, k=5, when=timezone.localdate() - dt.timedelta(days=10))
    assert 'data-testid="empty-period"' not in client.get("/journey/").text
