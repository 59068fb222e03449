"""The analysis of a range of new responses reads that range, and its check of which comments
are already analyzed reads those comments: its cost does not grow with the organization. (Each
comment query walked all of the organization's answers: over a second a task at 590k responses.)

Measured as the work the database does, never as time: on PostgreSQL the rows every scan in
each statement's plan reads (EXPLAIN ANALYZE), on SQLite the virtual machine's steps."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from glapp.textanalytics import actions
from glapp.textanalytics.pipelines import pipeline_for
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db

SMALL, GROWTH = 1500, 4500  # the organization's comments before and after it grows fourfold
NEW = 10  # responses in the range a task analyzes


def add_comments(org, count: int) -> list[int]:
    return add_responses(org, *[{"nps": n % 11, "comment": f"Kassan var långsam, besök {n}."}
                                for n in range(count)])


def plan_rows(plan: dict) -> float:
    """Rows a plan's scans read: returned and filtered away, in every loop."""
    loops = plan.get("Actual Loops", 1)
    own = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops \
        if "Scan" in plan["Node Type"] else 0
    return own + sum(plan_rows(child) for child in plan.get("Plans", []))


def database_work(read) -> float:
    """The database's work for `read()` (which must only read)."""
    if connection.vendor == "sqlite":
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        connection.ensure_connection()
        connection.connection.set_progress_handler(count, 100)
        try:
            read()
        finally:
            connection.connection.set_progress_handler(None, 100)
        return steps[0]
    with CaptureQueriesContext(connection) as queries:
        read()
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
            plan = cursor.fetchone()[0]
            total += plan_rows((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
    return total


def test_the_analysis_of_a_range_reads_the_range_not_the_organization(org, other_org):
    add_comments(org, SMALL)
    new = add_comments(org, NEW)
    version = pipeline_for(org.id).version
    actions.analyze_pending(org.id, first_response_id=new[0], last_response_id=new[-1])

    def pending():
        rows = list(actions.pending_comments(org.id, version, new[0], new[-1]))
        assert rows == []  # analyzed: the check of what is current found every one of them

    def refresh_statistics():
        if connection.vendor == "postgresql":  # as autovacuum would: the planner sees the sizes
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    refresh_statistics()
    small = database_work(pending)
    add_comments(org, GROWTH)  # the organization (and the tables) grow fourfold
    add_comments(other_org, GROWTH)
    refresh_statistics()
    grown = database_work(pending)
    assert grown <= small * 1.25 + 50, (small, grown)


def test_a_range_gives_its_comments_and_only_its_organizations(org, other_org):
    first = add_comments(org, 30)
    add_comments(other_org, 30)
    between = add_comments(org, 30)
    version = pipeline_for(org.id).version
    rows = list(actions.pending_comments(org.id, version, first[5], between[10]))
    assert sorted(r[1] for r in rows) == first[5:] + between[:11]
    # Pages continue where the previous one ended, with nothing skipped or repeated.
    from glapp.responses.queries import text_answers

    paged = [r for page in text_answers(org.id, first[0], between[-1], chunk=7) for r in page]
    assert sorted(r[1] for r in paged) == first + between
    assert len({r[0] for r in paged}) == len(paged)
