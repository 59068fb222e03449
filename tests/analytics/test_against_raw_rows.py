"""The rollup path against an independent recount of the raw rows with pandas, on demo data:
the same cells, the same counts, the same values and intervals, for several metrics and groupings."""

import datetime as dt
import zoneinfo

import pandas as pd
import pytest
from django.db import connection

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.analytics import metrics
from glapp.analytics.queries import MetricQuery, metric_table
from glapp.demo import loader
from glapp.demo.generator import DemoGenerator
from glapp.responses.models import Answer

pytestmark = pytest.mark.django_db
END = dt.date(2026, 6, 30)
TZ = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture
def demo(db):
    org = loader.create_demo_org()
    loader.load_responses(org, DemoGenerator(3, 6000, END))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would have done: plans for real sizes
            cursor.execute("ANALYZE")
    return org


def raw(org, question_type):
    rows = Answer.objects.filter(response__organization=org, question_type=question_type).values_list(
        "number", "text", "response__submitted_at", "response__touchpoint__code", "response__segment",
        "response__metadata")
    frame = pd.DataFrame.from_records(list(rows), columns=["number", "text", "at", "touchpoint", "segment", "meta"])
    frame["touchpoint"] = frame["touchpoint"].fillna("")  # the relationship survey has none
    frame["day"] = [a.astimezone(TZ).date() for a in frame["at"]]
    frame["month"] = [d.replace(day=1) for d in frame["day"]]
    frame["campaign"] = [m.get("campaign", "") for m in frame["meta"]]
    return frame


@pytest.mark.parametrize(("metric", "source", "group_by", "column"), [
    ("nps", "nps", ("touchpoint",), "touchpoint"),
    ("nps", "nps", ("meta.campaign",), "campaign"),
    ("csat", "csat", ("segment",), "segment"),
    ("ces", "ces", ("touchpoint",), "touchpoint"),
])
def test_monthly_cells_equal_a_recount_of_raw_rows(demo, metric, source, group_by, column):
    access = Access(demo, Role.ADMIN)
    q = MetricQuery(metric, group_by, bucket="month", date_from=dt.date(2025, 7, 1), date_to=END)
    table = metric_table(access, q)
    frame = raw(demo, source)
    expected = {}
    for (group, month), part in frame.groupby([column, "month"]):
        counts = [0] * 11
        for value, n in part["number"].value_counts().items():
            counts[int(value)] = int(n)
        expected[(group, month)] = metrics.evaluate(metric, counts)
    got = {(c.members[0].code, c.bucket): c.estimate for c in table.cells}
    assert got == expected
    assert sum(e.n for e in got.values()) == len(frame)


def test_nes_from_emotion_answers(demo):
    access = Access(demo, Role.ADMIN)
    table = metric_table(access, MetricQuery("nes", date_from=dt.date(2025, 7, 1), date_to=END, compare=False))
    frame = raw(demo, "emotion")
    positive = frame["text"].isin(["joy", "trust", "relief", "surprise_positive"]).sum()
    negative = frame["text"].isin(["disappointment", "frustration", "anger", "worry"]).sum()
    assert table.total.n == len(frame) > 0
    assert table.total.value == pytest.approx(100 * (positive - negative) / len(frame))
