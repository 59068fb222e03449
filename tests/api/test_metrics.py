"""GET /api/v1/metrics: the contract, the numbers, and who may see them."""

import datetime as dt

import pytest

from glapp.core import stats
from tests.api.helpers import Api, assert_problem, key_for
from tests.api.test_openapi import check
from tests.factories import response_payload

pytestmark = pytest.mark.django_db


def at(day: int, month: int = 3) -> str:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC).isoformat()


@pytest.fixture
def scored(api):
    for i, (score, unit, month) in enumerate([(10, "acme-north-store", 3)] * 40 + [(0, "acme-south-store", 3)] * 10
                                             + [(0, "acme-north-store", 2)] * 40):
        resp = api.post("/responses", response_payload(external_id=f"m-{i}", answers={"nps": score}, unit=unit,
                                                        submitted_at=at(1 + i % 28, month)))
        assert resp.status_code == 201


MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_nps_by_unit_with_intervals_and_changes(api, scored, client):
    resp = api.get("/metrics", {"metric": "nps", "group_by": "unit", **MARCH,
                                "compare_from": "2026-02-01", "compare_to": "2026-02-28"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["method"]["code"] == "tango_score" and "Tango" in body["method"]["description"]
    assert body["comparison"] == {"from": "2026-02-01", "to": "2026-02-28"}
    rows = {r["group"]["unit"]["code"]: r for r in body["rows"]}
    north = rows["acme-north-store"]
    expected = stats.nps_estimate(40, 0, 0)
    assert (north["value"], north["low"], north["high"], north["n"]) == (
        expected.value, expected.low, expected.high, 40)
    assert north["change"]["delta"] == pytest.approx(200) and north["change"]["significant"]
    assert rows["acme-south-store"]["small"] and rows["acme-south-store"]["previous"] is None
    assert body["total"]["n"] == 50


def test_responses_match_the_openapi_document(api, scored, client):
    spec = client.get("/api/v1/openapi.json").json()
    check(spec, "/api/v1/metrics", "get", api.get("/metrics", {"group_by": ["touchpoint", "unit"], **MARCH}))
    check(spec, "/api/v1/metrics", "get", api.get("/metrics", {"bucket": "week", **MARCH}))
    check(spec, "/api/v1/metrics", "get", api.get("/metrics", {"metric": "wrong"}))
    check(spec, "/api/v1/metrics", "get", Api(None).get("/metrics"))
    params = {p["name"] for p in spec["paths"]["/api/v1/metrics"]["get"]["parameters"]}
    assert {"metric", "group_by", "bucket", "from", "to", "compare_from", "unit", "segment", "meta",
            "weight"} <= params


def test_bad_parameters_are_problems_naming_the_field(api):
    assert_problem(api.get("/metrics", {"metric": "wrong"}), 422, "metric")
    assert_problem(api.get("/metrics", {"group_by": ["unit", "segment", "channel"]}), 422, "group_by")
    assert_problem(api.get("/metrics", {"group_by": "meta.nope"}), 422, "group_by")
    assert_problem(api.get("/metrics", {"meta": "no-colon"}), 422, "meta")
    assert_problem(api.get("/metrics", {"from": "2026-03-02", "to": "2026-03-01"}), 422, "date_from")


def test_keys_need_the_read_scope_and_stay_in_their_units(org, scored):
    assert Api(None).get("/metrics").status_code == 401
    writer_only = Api(key_for(org, scopes=("responses:write",)))
    assert writer_only.get("/metrics").status_code == 403
    north = Api(key_for(org, scopes=("responses:read",), unit_code="acme-north"))
    body = north.get("/metrics", {"group_by": "unit", **MARCH}).json()
    assert [r["group"]["unit"]["code"] for r in body["rows"]] == ["acme-north-store"]
    assert north.get("/metrics", {"unit": "acme-south", **MARCH}).status_code == 422


def test_another_organization_sees_nothing_of_ours(rival_api, scored):
    body = rival_api.get("/metrics", MARCH).json()
    assert body["total"]["n"] == 0 and body["rows"] == []


def test_channels_and_languages_are_named_by_their_labels(api, scored):
    """The names the API, `glapp report` and the pages show come from one place: a channel by its
    label and a language by its name, not by their codes."""
    body = api.get("/metrics", {"group_by": ["channel", "language"], **MARCH}).json()
    [row] = body["rows"]
    assert row["group"] == {"channel": {"code": "email", "name": "E-post"},  # the installation's language
                            "language": {"code": "sv", "name": "Svenska"}}
