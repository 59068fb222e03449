"""`glapp report` prints what the API returns; `glapp rollups` rebuilds and changes dimensions."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from glapp.analytics.actions import meta_keys
from glapp.analytics.models import Rollup
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def at(day: int, month: int = 3) -> str:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC).isoformat()


def test_report_prints_values_intervals_and_significant_changes(org):
    add_responses(org, *[{"nps": 0, "submitted_at": at(1 + i % 28, 2)} for i in range(40)],
                  *[{"nps": 10, "submitted_at": at(1 + i % 28, 3)} for i in range(40)])
    text = run("report", "--org", "acme", "--by", "touchpoint", "--from", "2026-03-01", "--to", "2026-03-31",
               "--compare-from", "2026-02-01", "--compare-to", "2026-02-28")
    assert "Phone support" in text and "100.0" in text and "▲ +200.0" in text
    assert "Tango" in text and "n = 40" in text
    monthly = run("report", "--org", "acme", "--bucket", "month", "--from", "2026-02-01", "--to", "2026-03-31")
    assert "2026-02-01" in monthly and "2026-03-01" in monthly


def test_report_errors_name_the_problem(org):
    with pytest.raises(CommandError, match="metric"):
        run("report", "--org", "acme", "--metric", "nope")
    with pytest.raises(CommandError, match="No organization"):
        run("report", "--org", "nobody")


def test_rollups_dimensions_and_rebuild(org):
    add_responses(org, {"nps": 9, "metadata": {"product": "Mobil"}})
    assert "no metadata keys" in run("rollups", "dimensions", "--org", "acme")
    assert "rolling up product" in run("rollups", "dimensions", "--org", "acme", "product")
    assert meta_keys(org.id)[0] == "product"
    assert set(Rollup.objects.filter(grain=4).values_list("d1", flat=True)) == {"Mobil"}
    Rollup.objects.all().delete()
    assert "rebuilt from 1 responses" in run("rollups", "rebuild", "--org", "acme")
    assert Rollup.objects.filter(source="nps").count() == 4  # one cell per grain (one question: no correction)
    with pytest.raises(CommandError, match="at most 4"):
        run("rollups", "dimensions", "--org", "acme", "a", "b", "c", "d", "e")


def test_report_by_question_survey_and_choice_question(org):
    from tests.analytics.test_question_figures import it_survey, respondents

    it_survey(org)
    respondents(org, k=40)
    march = ("--from", "2026-03-01", "--to", "2026-03-31", "--no-compare")
    own = run("report", "--org", "acme", "--question", "it.svc_a", *march)
    assert "CSAT (satisfied, 4–5)" in own and "n = 40" in own and "respondents" not in own
    pooled = run("report", "--org", "acme", "--metric", "csat", "--survey", "it", *march)
    assert "n = 120 from 40 respondents" in pooled and "effective number of answers" in pooled
    by_question = run("report", "--org", "acme", "--metric", "csat_mean", "--by", "question", *march)
    assert "How satisfied are you with svc_c?" in by_question
    choices = run("report", "--org", "acme", "--question", "channels", "--survey", "it", *march)
    assert "Phone" in choices and "Of 40 respondents who answered (several options each" in choices
    assert "Wilson" in choices
    with pytest.raises(CommandError, match="question: 'reason' is a question of several surveys"):
        run("report", "--org", "acme", "--question", "reason")
    empty = run("report", "--org", "acme", "--from", "2026-06-01", "--to", "2026-06-30")
    assert "No answers in this period. The responses cover 2026-03-01 – 2026-03-28" in empty
