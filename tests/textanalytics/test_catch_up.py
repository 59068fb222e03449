"""The housekeeping analyzes comments that have no analysis at all (the task their commit queued
was never queued or was lost), a bounded number per run, and leaves alone what is under way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from glapp.responses.models import Response
from glapp.textanalytics import actions
from glapp.textanalytics.models import CommentAnalysis
from glapp.textanalytics.tasks import HOUSEKEEPING_TASKS, analyze_missing_comments, analyze_new_responses
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
