"""Domain events: each declared once with its mode; an in-transaction event refuses to be sent
outside one, an on-commit event waits for the commit, an asked event collects the answers; the
respondent path sends each survey step once, and `response.completed` marks whole responses."""

import dataclasses

import pytest
from django.db import transaction
from django.test import Client

from glapp.core import events
from tests.surveys.test_respondent_pages import answer, make_invitation, make_swedish_survey
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Every event sent while a test runs, in order (receivers connected for this test only)."""
    seen: list[events.Event] = []

    def listen(event):
        seen.append(event)

    originals = {cls: list(cls._signal.receivers) for cls in events.ALL}
    for cls in events.ALL:
        if cls.mode != events.ASK:
            cls.connect(listen)
    yield seen
    for cls, receivers in originals.items():
        with cls._signal.lock:
            cls._signal.receivers[:] = receivers
            cls._signal.sender_receivers_cache.clear()


def test_every_event_is_declared_once_with_a_mode_and_a_typed_payload():
    names = [cls.name for cls in events.ALL]
    assert len(names) == len(set(names))
    declared = {obj for obj in vars(events).values()
                if isinstance(obj, type) and issubclass(obj, events.Event) and hasattr(obj, "name")}
    assert declared == set(events.ALL)
    for cls in events.ALL:
        assert cls.mode in (events.IN_TRANSACTION, events.ON_COMMIT, events.ASK)
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
        assert "organization_id" in {f.name for f in dataclasses.fields(cls)}


@pytest.mark.django_db(transaction=True)
def test_an_in_transaction_event_outside_a_transaction_is_a_bug():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        events.RateChanged(1, changes=[]).send()


def test_an_on_commit_event_waits_for_the_commit_and_a_rollback_drops_it(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.AnalysisOutdated(7).send()
        assert heard == []
    assert heard == [events.AnalysisOutdated(7)]
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError), transaction.atomic():
        events.AnalysisOutdated(8).send()
        1 / 0  # noqa: B018
    assert heard == []


def test_an_asked_event_collects_every_answer_and_cannot_be_sent():
    answers = events.RateSourcesWanted(1, chunk=10).ask()
    assert len(answers) == 2  # distribution's invitations and respond's widget displays
    with pytest.raises(TypeError):
        events.RateSourcesWanted(1).send()
    with pytest.raises(TypeError):
        events.RateChanged(1).ask()


def test_the_respondent_path_sends_each_step_once_and_completes_the_response(
        org, heard, django_capture_on_commit_callbacks):
    survey = make_swedish_survey(org)
    inv = make_invitation(org, survey, language="en")
    url = f"/r/{inv.token}/"
    with django_capture_on_commit_callbacks(execute=True):
        answer(Client(), url, "nps", "9")
        answer(Client(), url, "reason", "service")
    steps = [type(e) for e in heard if isinstance(e, events.SurveyOpened | events.SurveyAnswered
                                                   | events.SurveyCompleted)]
    assert steps == [events.SurveyOpened, events.SurveyAnswered]
    assert not [e for e in heard if isinstance(e, events.ResponseCompleted)]  # more answers may follow
    with django_capture_on_commit_callbacks(execute=True):
        answer(Client(), url, "comment", "Snabbt och vänligt")
    steps = [type(e) for e in heard if isinstance(e, events.SurveyOpened | events.SurveyAnswered
                                                   | events.SurveyCompleted)]
    assert steps == [events.SurveyOpened, events.SurveyAnswered, events.SurveyCompleted]
    [completed] = [e for e in heard if isinstance(e, events.ResponseCompleted)]
    from glapp.responses.models import Response

    assert list(completed.response_ids) == [Response.objects.get(organization=org).pk]


def test_a_response_sent_whole_is_completed_when_it_commits(org, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ids = add_responses(org, {"nps": 9}, {"nps": 3})
    [completed] = [e for e in heard if isinstance(e, events.ResponseCompleted)]
    assert sorted(completed.response_ids) == sorted(ids)
    assert [type(e) for e in heard if isinstance(e, events.ResponsesStored | events.ResponsesCreated)] == [
        events.ResponsesStored, events.ResponsesCreated]
