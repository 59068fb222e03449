"""Many small arrivals of comments are analyzed by few tasks: each arrival notes its range and
queues the organization's drain only when none waits. Nothing is lost: not a range that
arrives while a drain runs, not one whose drain was never queued, not one of a killed drain."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from glapp.responses.models import Answer
from glapp.textanalytics import actions
from glapp.textanalytics.models import AnalysisDrain, CommentAnalysis, PendingAnalysis
from glapp.textanalytics.tasks import analyze_arrivals, analyze_missing_comments, queue_drain
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db(transaction=True)  # the worker runs the queue as it would: committed

ARRIVALS = 200


def arrive(org, n: int, capture) -> int:
    """One request's response with a comment, committed (its commit's receivers run)."""
    with capture(execute=True):
        return add_responses(org, {"nps": n % 11, "comment": f"Kön var lång, besök {n}."})[0]


def drains(status=TaskResultStatus.READY) -> int:
    return DBTaskResult.objects.filter(task_path=analyze_arrivals.module_path, status=status).count()


def run_queue() -> None:
    call_command("worker", batch=True, verbosity=0)


def comments_of(org) -> int:
    return Answer.objects.filter(response__organization=org, question_type="text").count()


def test_many_small_arrivals_are_analyzed_by_few_tasks(org, other_org, django_capture_on_commit_callbacks):
    for n in range(ARRIVALS):
        arrive(org if n % 4 else other_org, n, django_capture_on_commit_callbacks)
    assert drains() == 2  # one waiting drain per organization, not one task per arrival
    assert PendingAnalysis.objects.count() == ARRIVALS
    run_queue()
    assert CommentAnalysis.objects.filter(organization=org).count() == comments_of(org) == ARRIVALS * 3 // 4
    assert CommentAnalysis.objects.filter(organization=other_org).count() == ARRIVALS // 4
    assert PendingAnalysis.objects.count() == 0
    assert drains(TaskResultStatus.SUCCESSFUL) == 2
    # The next arrival queues the next drain.
    arrive(org, ARRIVALS, django_capture_on_commit_callbacks)
    assert drains() == 1


def test_an_arrival_while_a_drain_waits_costs_one_write(org, django_capture_on_commit_callbacks):
    arrive(org, 0, django_capture_on_commit_callbacks)  # queues the drain
    ids = add_responses(org, {"nps": 3, "comment": "Ännu en."})  # stored (and its own arrival noted)
    with CaptureQueriesContext(connection) as queries:
        actions.record_arrival(org.id, ids[0], ids[-1], queue_drain)
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "pending" in writes[0].lower(), writes
    assert len(queries.captured_queries) <= 3, [q["sql"] for q in queries.captured_queries]
    assert drains() == 1


def test_a_range_that_arrives_while_the_drain_runs_is_left_to_the_next(org, django_capture_on_commit_callbacks,
                                                                        monkeypatch):
    arrive(org, 0, django_capture_on_commit_callbacks)
    arrived = []
    original = actions.pending_comments

    def arriving_meanwhile(*args, **kwargs):
        if not arrived:  # in the middle of the drain, after it read the waiting ranges
            arrived.append(arrive(org, 1, django_capture_on_commit_callbacks))
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "pending_comments", arriving_meanwhile)
    assert actions.drain_arrivals(org.id) == 1
    assert arrived
    # Not deleted with the ranges the drain read, and its arrival queued the next drain.
    assert list(PendingAnalysis.objects.values_list("first_response_id", flat=True)) == arrived
    assert drains() == 2  # the one just run by hand (still READY here) and the next
    monkeypatch.setattr(actions, "pending_comments", original)
    assert actions.drain_arrivals(org.id) == 1
    assert CommentAnalysis.objects.count() == 2 and PendingAnalysis.objects.count() == 0


def test_a_drain_run_again_after_its_worker_died_redoes_only_what_is_missing(org, django_capture_on_commit_callbacks,
                                                                              monkeypatch):
    for n in range(5):
        arrive(org, n, django_capture_on_commit_callbacks)
    original = actions.analyze_answers

    def dies_after_first(organization_id, rows, *args, **kwargs):
        rows = list(rows)
        original(organization_id, rows[:2], *args, **kwargs)  # two stored, then the worker dies
        raise SystemExit("killed")

    monkeypatch.setattr(actions, "analyze_answers", dies_after_first)
    with pytest.raises(SystemExit):
        actions.drain_arrivals(org.id)
    stored = set(CommentAnalysis.objects.values_list("id", flat=True))
    assert len(stored) == 2 and PendingAnalysis.objects.count() == 5  # nothing deleted before it is analyzed
    monkeypatch.setattr(actions, "analyze_answers", original)
    assert actions.drain_arrivals(org.id) == 3  # the run again (the lease's recovery) does the rest
    assert stored <= set(CommentAnalysis.objects.values_list("id", flat=True))
    assert CommentAnalysis.objects.count() == 5 and PendingAnalysis.objects.count() == 0


def test_ranges_whose_drain_was_never_queued_are_drained_by_the_housekeeping(org, settings):
    ids = add_responses(org, {"nps": 3, "comment": "Glömd."}, {"nps": 9, "comment": "Också glömd."})
    DBTaskResult.objects.all().delete()
    AnalysisDrain.objects.all().delete()
    PendingAnalysis.objects.all().delete()
    # Noted, but the process died before it queued the drain (no task, no state).
    PendingAnalysis.objects.create(organization=org, first_response_id=ids[0], last_response_id=ids[-1])
    PendingAnalysis.objects.update(created_at=PendingAnalysis.objects.get().created_at - actions.CATCH_UP_GRACE * 2)
    assert drains() == 0
    analyze_missing_comments.call()
    assert drains() == 1
    run_queue()
    assert CommentAnalysis.objects.count() == 2 and PendingAnalysis.objects.count() == 0


def test_a_drain_presumed_lost_is_queued_again(org, django_capture_on_commit_callbacks):
    arrive(org, 0, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # the waiting drain's row is gone
    arrive(org, 1, django_capture_on_commit_callbacks)
    assert drains() == 0  # it still counts as waiting for a while …
    AnalysisDrain.objects.update(queued_at=AnalysisDrain.objects.get().queued_at - actions.DRAIN_STALE * 2)
    arrive(org, 2, django_capture_on_commit_callbacks)
    assert drains() == 1  # … then the next arrival queues another
    run_queue()
    assert CommentAnalysis.objects.count() == 3


def test_ranges_near_each_other_are_read_as_one():
    assert actions.merged_ranges([(10, 10), (1, 3), (4, 4), (2000, 2001), (12, 15)], gap=6) == [(1, 15), (2000, 2001)]
