"""GET /api/v1/metrics?question= and /api/v1/metrics/choices: a question's own figure, pooled
figures over respondents, choice distributions, and the period the data cover."""

import pytest

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.analytics.queries import MetricQuery, choice_distribution, metric_table
from tests.analytics.test_question_figures import MARCH as QUERY_MARCH
from tests.analytics.test_question_figures import it_survey, respondents
from tests.api.helpers import Api, assert_problem, key_for
from tests.api.test_openapi import check

pytestmark = pytest.mark.django_db
MARCH = {"from": "2026-03-01", "to": "2026-03-31", "compare": "false"}


@pytest.fixture
def it(org):
    it_survey(org)
    respondents(org, k=40)
    return Access(org, Role.ADMIN)


def test_a_questions_own_figure_and_the_pooled_one_over_respondents(api, it):
    own = api.get("/metrics", {"question": "it.svc_b", **MARCH}).json()  # the metric follows the question
    expected = metric_table(it, MetricQuery("csat", question="it.svc_b", **QUERY_MARCH)).total
    assert own["metric"]["code"] == "csat"
    assert (own["total"]["value"], own["total"]["low"], own["total"]["n"]) == (expected.value, expected.low, 40)
    assert own["total"]["respondents"] is None
    pooled = api.get("/metrics", {"metric": "csat", "survey": "it", **MARCH}).json()
    assert pooled["total"]["n"] == 120 and pooled["total"]["respondents"] == 40
    assert pooled["total"]["n_effective"] < 120
    assert pooled["method"]["code"] == "clustered:wilson"
    by_question = api.get("/metrics", {"metric": "csat_mean", "group_by": "question", **MARCH}).json()
    assert [r["group"]["question"]["code"] for r in by_question["rows"]] == ["it.svc_a", "it.svc_b", "it.svc_c"]
    assert by_question["total"]["respondents"] == 40


def test_choice_distribution(api, it):
    resp = api.get("/metrics/choices", {"question": "it.channels", **MARCH})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    expected = choice_distribution(it, MetricQuery(question="it.channels", **QUERY_MARCH))
    assert body["kind"] == "multi_choice" and body["respondents"] == 40
    assert [(o["code"], o["count"], o["share"]["low"]) for o in body["options"]] == [
        (o.code, o.count, o.estimate.low) for o in expected.options]
    assert body["method"]["code"] == "wilson"


def test_bad_questions_are_problems_naming_the_field(api, it):
    assert_problem(api.get("/metrics", {"question": "it.nope"}), 422, "question")
    assert_problem(api.get("/metrics", {"question": "it.svc_a", "metric": "nps"}), 422, "question")
    assert_problem(api.get("/metrics", {"question": "reason"}), 422, "question")  # two surveys have one
    assert_problem(api.get("/metrics/choices", {"question": "it.svc_a"}), 422, "question")
    assert_problem(api.get("/metrics/choices", {}), 422, "question")


def test_an_empty_period_comes_with_the_period_the_data_cover(api, it):
    body = api.get("/metrics", {"from": "2026-06-01", "to": "2026-06-30"}).json()
    assert body["total"]["n"] == 0
    assert body["data_period"] == {"from": "2026-03-01", "to": "2026-03-28"}


def test_another_organization_sees_none_of_our_questions(rival_api, it):
    assert_problem(rival_api.get("/metrics", {"question": "it.svc_a"}), 422, "question")
    assert rival_api.get("/metrics").json()["data_period"] is None


def test_responses_match_the_openapi_document(api, it, client):
    spec = client.get("/api/v1/openapi.json").json()
    check(spec, "/api/v1/metrics", "get", api.get("/metrics", {"metric": "csat", **MARCH}))
    check(spec, "/api/v1/metrics/choices", "get", api.get("/metrics/choices", {"question": "it.reason", **MARCH}))
    check(spec, "/api/v1/metrics/choices", "get", api.get("/metrics/choices", {"question": "nope"}))
    check(spec, "/api/v1/metrics/choices", "get", Api(None).get("/metrics/choices", {"question": "it.reason"}))
    assert Api(key_for(it.organization, scopes=("responses:write",))).get(
        "/metrics/choices", {"question": "it.reason"}).status_code == 403


def test_a_unit_limited_key_is_offered_only_its_units_data_period(org, it):
    from tests.web.helpers import add_responses

    add_responses(org, *[{"nps": 9, "unit": "acme-north-store", "submitted_at": f"2026-05-{d:02d}T12:00:00+00:00"}
                         for d in (4, 9)])
    north = Api(key_for(org, unit_code="acme-north-store"))
    assert north.get("/metrics").json()["data_period"] == {"from": "2026-05-04", "to": "2026-05-09"}
    assert north.get("/metrics/choices", {"question": "it.channels"}).json()["data_period"] == {
        "from": "2026-05-04", "to": "2026-05-09"}
