"""GET /api/v1/responses: filters, cursor pagination and bounded queries."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.validation import clean_response
from tests.api.helpers import assert_problem
from tests.factories import make_survey, response_payload

pytestmark = pytest.mark.django_db


def store(org, **overrides):
    clean = clean_response(response_payload(**overrides), Catalog.load(org.id))
    assert not isinstance(clean, list), clean
    [result] = ingest_responses(org.id, [clean], "api")
    return result.id


def ids(resp):
    assert resp.status_code == 200, resp.content
    return [item["id"] for item in resp.json()["items"]]


def test_list_is_newest_first_with_full_items(api, org):
    older = store(org, submitted_at="2026-05-01T10:00:00+02:00", external_id="a")
    newer = store(org, submitted_at="2026-05-02T10:00:00+02:00", external_id="b")
    resp = api.get("/responses")
    assert ids(resp) == [newer, older]
    item = resp.json()["items"][0]
    assert item["external_id"] == "b" and item["answers"]["nps"] == 9
    assert resp.json()["next_cursor"] is None and "Link" not in resp


def test_filters_each_narrow_the_list(api, org):
    make_survey(org, "csat")
    a = store(org, submitted_at="2026-05-01T10:00:00+02:00", unit="acme-north-store", answers={"nps": 10, "ces": 7})
    b = store(org, submitted_at="2026-05-03T10:00:00+02:00", unit="acme-south-store",
              answers={"nps": 3, "comment": "Lång väntetid i kassan"})
    c = store(org, survey="csat", touchpoint="web-checkout", submitted_at="2026-05-05T23:30:00+02:00",
              unit="acme-north", answers={"nps": 7})
    assert set(ids(api.get("/responses", {"survey": "csat"}))) == {c}
    assert set(ids(api.get("/responses", {"touchpoint": "web-checkout"}))) == {c}
    assert set(ids(api.get("/responses", {"touchpoint": "phone-support"}))) == {a, b}
    assert set(ids(api.get("/responses", {"unit": "acme-north"}))) == {a, c}  # the subtree
    assert set(ids(api.get("/responses", {"unit": "acme-south-store"}))) == {b}
    assert set(ids(api.get("/responses", {"from": "2026-05-02"}))) == {b, c}
    assert set(ids(api.get("/responses", {"to": "2026-05-03"}))) == {a, b}
    assert set(ids(api.get("/responses", {"from": "2026-05-05", "to": "2026-05-05"}))) == {c}  # local day
    assert set(ids(api.get("/responses", {"score_max": 6}))) == {b}
    assert set(ids(api.get("/responses", {"score_min": 7, "score_max": 9}))) == {c}
    assert set(ids(api.get("/responses", {"score_type": "ces", "score_min": 6}))) == {a}
    assert set(ids(api.get("/responses", {"has_comment": "false"}))) == {a, c}
    assert set(ids(api.get("/responses", {"has_comment": "true"}))) == {b}
    assert set(ids(api.get("/responses", {"q": "väntetid"}))) == {b}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 100000}, "limit"),
        ({"from": "May 1st"}, "from"),
        ({"has_comment": "perhaps"}, "has_comment"),
        ({"score_min": "high"}, "score_min"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"unit": "atlantis"}, "unit"),
        ({"score_type": "iq", "score_min": 1}, "score_type"),
    ],
)
def test_bad_filters_are_problems_naming_the_parameter(api, params, field):
    assert_problem(api.get("/responses", params), 422, field)


def test_cursor_pages_never_skip_or_repeat_while_rows_arrive(api, org):
    base = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    expected = []
    for i in range(25):
        # Pairs share a timestamp so the id tiebreak in the cursor is exercised.
        stamp = base + dt.timedelta(hours=i // 2)
        expected.append(store(org, submitted_at=stamp.isoformat(), external_id=f"p-{i}"))
    seen = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        resp = api.get("/responses", params)
        seen.extend(ids(resp))
        pages += 1
        # New responses keep arriving, newer than anything already paged: they must not leak in.
        store(org, submitted_at=(base + dt.timedelta(days=30, minutes=pages)).isoformat(), external_id=f"n-{pages}")
        cursor = resp.json()["next_cursor"]
        if cursor is None:
            break
        link = resp["Link"]
        assert link.endswith('>; rel="next"')
        query = parse_qs(urlparse(link[1:link.index(">")]).query)
        assert query["cursor"] == [cursor] and query["limit"] == ["4"]
    assert pages == 7
    assert seen == list(reversed(expected))  # newest first, (submitted_at, id) descending, no gap or repeat


def test_list_query_count_does_not_grow_with_the_page(api, org, django_assert_max_num_queries):
    for i in range(30):
        store(org, external_id=f"q-{i}", unit="acme-north-store", customer=f"C-{i}")
    api.get("/responses", {"limit": 2})  # first use of the key may record last_used_at
    # key, responses with joins, answers, (unit filter), comment analyses (+ their topics when any)
    with django_assert_max_num_queries(6):
        assert len(ids(api.get("/responses", {"limit": 30, "unit": "acme-north"}))) == 30


def test_detail_and_its_query_count(api, org, django_assert_max_num_queries):
    rid = store(org, external_id="d-1")
    api.get(f"/responses/{rid}")
    with django_assert_max_num_queries(5):  # key, response, answers, analyses (+ topics)
        resp = api.get(f"/responses/{rid}")
    assert resp.status_code == 200 and resp.json()["external_id"] == "d-1"
    assert_problem(api.get("/responses/999999"), 404)


def test_health_touches_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        resp = client.get("/api/v1/health")
    assert resp.json() == {"status": "ok", "database": "ok"}
