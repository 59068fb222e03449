"""The response filters /metrics and /metrics/choices share: each one narrows both operations to
the responses it names, and a malformed period is a problem naming its parameter."""

import pytest

from tests.api.helpers import assert_problem
from tests.factories import make_survey, response_payload

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}

# Each response's filter values, chosen so that every filter splits the responses differently.
ROWS = [
    {"survey": "nps" if i % 5 else "second",
     "touchpoint": "web-checkout" if i % 2 else "phone-support",  # stages buy and contact
     "unit": "acme-north-store" if i < 5 else "acme-south-store",
     "channel": "email" if i % 3 else "sms",
     "segment": "private" if i % 4 else "business",
     "language": "sv" if i < 7 else "en"}
    for i in range(12)
]
STAGE = {"web-checkout": "buy", "phone-support": "contact"}


@pytest.fixture
def spread(api, org):
    make_survey(org, "second")  # a second survey with a `reason` question
    for i, row in enumerate(ROWS):
        payload = response_payload(
            external_id=f"f-{i}", survey=row["survey"], touchpoint=row["touchpoint"], unit=row["unit"],
            channel=row["channel"], language=row["language"],
            customer={"external_id": f"C-{i}", "segment": row["segment"]},
            submitted_at=f"2026-03-{1 + i:02d}T12:00:00+00:00",
            answers={"nps": i % 11, "reason": "price" if i % 2 else "service"})
        assert api.post("/responses", payload).status_code == 201


@pytest.mark.parametrize(("name", "value"), [
    ("touchpoint", "web-checkout"), ("stage", "contact"), ("unit", "acme-north"), ("channel", "sms"),
    ("segment", "business"), ("language", "en"), ("survey", "second"),
])
def test_each_filter_narrows_metrics_and_choices_alike(api, spread, name, value):
    def matches(row):
        if name == "stage":
            return STAGE[row["touchpoint"]] == value
        if name == "unit":  # a region: its stores
            return row["unit"].startswith(value)
        return row[name] == value

    expected = sum(map(matches, ROWS))
    assert 0 < expected < len(ROWS)
    metrics = api.get("/metrics", {name: value, **MARCH})
    assert metrics.status_code == 200, metrics.content
    assert metrics.json()["total"]["n"] == expected
    # The choice question qualified by its survey, except where the survey filter picks it.
    question = "reason" if name == "survey" else "nps.reason"
    choices = api.get("/metrics/choices", {"question": question, name: value, **MARCH})
    assert choices.status_code == 200, choices.content
    in_survey = expected if name == "survey" else sum(matches(r) for r in ROWS if r["survey"] == "nps")
    assert choices.json()["respondents"] == in_survey
    assert sum(o["count"] for o in choices.json()["options"]) == in_survey


def test_a_filter_named_twice_takes_both_values(api, spread):
    body = api.get("/metrics", {"channel": ["email", "sms"], "touchpoint": ["web-checkout"], **MARCH}).json()
    assert body["total"]["n"] == sum(r["touchpoint"] == "web-checkout" for r in ROWS)


@pytest.mark.parametrize("path", ["/metrics", "/metrics/choices"])
def test_a_malformed_period_is_a_problem_naming_its_parameter(api, spread, path):
    question = {"question": "nps.reason"} if path.endswith("choices") else {}
    assert_problem(api.get(path, {**question, "from": "2026-13-01"}), 422, "from")
    assert_problem(api.get(path, {**question, "to": "yesterday"}), 422, "to")
