"""The housekeeping analyzes comments that have no analysis at all (the task their commit queued
was never queued or was lost), a bounded number per run, and leaves alone what is under way."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from glapp.responses.models import Answer, Response
from glapp.responses.queries import last_answer_id
from glapp.textanalytics import actions
from glapp.textanalytics.models import CatchUpMark, CommentAnalysis
from glapp.textanalytics.pipelines import pipeline_for
from glapp.textanalytics.tasks import HOUSEKEEPING_TASKS, analyze_missing_comments, analyze_new_responses
from tests.textanalytics.test_analysis_scale import GROWTH, NEW, SMALL, add_comments, database_work
from tests.textanalytics.test_analysis_store import comments

pytestmark = pytest.mark.django_db


def stored_minutes_ago(minutes: float) -> None:
    Response.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_comments_never_analyzed_are_caught_up_by_the_housekeeping(org, other_org):
    # Stored in the test's transaction, which never commits: their analysis was never queued.
    comments(org, "Kassan var långsam.", "Trevlig personal!", "Fel pris på kvittot.")
    comments(other_org, "Bra sortiment.")
    stored_minutes_ago(60)
    assert analyze_missing_comments in HOUSEKEEPING_TASKS
    assert analyze_missing_comments.call() == {str(org.id): 3, str(other_org.id): 1}
    assert CommentAnalysis.objects.count() == 4
    assert analyze_missing_comments.call() == {}  # nothing left: a second run does nothing


def test_the_catch_up_is_bounded_per_run(org):
    comments(org, "Ett.", "Två.", "Tre.")
    stored_minutes_ago(60)
    assert actions.analyze_missing(org.id, limit=2) == 2
    assert actions.analyze_missing(org.id, limit=2) == 1
    assert CommentAnalysis.objects.count() == 3


def test_comments_just_stored_are_left_to_the_analysis_their_commit_queued(org):
    comments(org, "Alldeles nyss.")
    stored_minutes_ago(1)
    assert analyze_missing_comments.call() == {}
    stored_minutes_ago(60)
    assert analyze_missing_comments.call() == {str(org.id): 1}


def test_an_organization_whose_analysis_is_queued_is_left_to_it(org, other_org):
    ids = comments(org, "Väntar i kön.")
    comments(other_org, "Ingen kö här.")
    stored_minutes_ago(60)
    analyze_new_responses.enqueue(org.id, ids[0], ids[-1])  # on the database queue, not run yet
    assert analyze_missing_comments.call() == {str(other_org.id): 1}


# --- The mark: each run reads what was stored since, not the organization's history ------------

def mark_of(org) -> CatchUpMark:
    return CatchUpMark.objects.get(organization_id=org.id)


def seen_minutes_ago(org, minutes: float) -> None:
    CatchUpMark.objects.filter(organization_id=org.id).update(seen_at=timezone.now() - timedelta(minutes=minutes))


def test_the_mark_moves_up_to_what_was_seen_once_that_is_older_than_the_grace(org):
    first = comments(org, "Kassan var långsam.")
    stored_minutes_ago(60)
    assert actions.analyze_missing(org.id) == 1
    assert mark_of(org).checked_through == 0  # the first run only notes how far it saw
    assert mark_of(org).seen_max >= Answer.objects.get(response_id=first[0], question_type="text").id
    assert actions.analyze_missing(org.id) == 0
    assert mark_of(org).checked_through == 0  # seen a moment ago: not yet past the grace
    seen_minutes_ago(org, 10)
    seen = mark_of(org).seen_max
    later = comments(org, "Fel pris på kvittot.")  # stored after the mark's sight, and lost
    stored_minutes_ago(60)
    assert actions.analyze_missing(org.id) == 1  # found above the mark
    assert mark_of(org).checked_through == seen
    assert CommentAnalysis.objects.filter(response_id=later[0]).exists()


def test_a_comment_just_stored_is_never_passed_by_the_mark(org):
    just = comments(org, "Alldeles nyss.")
    stored_minutes_ago(1)
    for _ in range(3):  # runs in quick succession, as a test (or a backlog) can make them
        assert actions.analyze_missing(org.id) == 0
    assert mark_of(org).checked_through < Answer.objects.get(response_id=just[0], question_type="text").id
    stored_minutes_ago(60)
    seen_minutes_ago(org, 10)
    assert actions.analyze_missing(org.id) == 1


def test_a_run_cut_off_by_its_limit_marks_only_as_far_as_it_read(org):
    ids = comments(org, "Ett.", "Två.", "Tre.", "Fyra.")
    stored_minutes_ago(60)
    assert actions.analyze_missing(org.id, limit=1) == 1
    seen_minutes_ago(org, 10)
    assert actions.analyze_missing(org.id, limit=1) == 1
    second = Answer.objects.get(response_id=ids[1], question_type="text").id
    assert mark_of(org).checked_through == second
    assert actions.analyze_missing(org.id, limit=5) == 2
    assert CommentAnalysis.objects.count() == 4


def test_a_run_reads_the_answers_above_its_mark_not_the_organization(org, other_org):
    """The hourly catch-up cost 6.7 s at 500,000 responses: it read every comment of the
    organization. Now the work is that of the answers stored since its mark, whatever lies below."""
    version = pipeline_for(org.id).version

    def work_after_growth(count: int) -> float:
        add_comments(org, count)
        add_comments(other_org, count)
        CatchUpMark.objects.update_or_create(organization_id=org.id, defaults={
            "checked_through": last_answer_id(), "seen_max": last_answer_id(), "seen_at": timezone.now()})
        # Both measurements see the same few analyses (PostgreSQL reads a table of ten rows
        # whole, index or not): the table that grows is the answers'.
        CommentAnalysis.objects.all().delete()
        new = add_comments(org, NEW)
        actions.analyze_pending(org.id, first_response_id=new[0], last_response_id=new[-1])
        assert not list(actions.pending_comments(org.id, version, new[0], new[-1]))
        stored_minutes_ago(60)
        if connection.vendor == "postgresql":  # as autovacuum would: the planner sees the sizes
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return database_work(lambda: actions.analyze_missing(org.id))

    small = work_after_growth(SMALL)
    grown = work_after_growth(GROWTH)  # the organization (and the tables) grow fourfold below the mark
    assert grown <= small * 1.25 + 50, (small, grown)
