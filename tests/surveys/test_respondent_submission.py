"""An answer POSTed to /r/<token>/ is one write transaction: the session (created from its
invitation when no view came first), the response, the rollups and the invitation's bookkeeping
commit together or not at all, and a link that cannot take answers refuses the POST too."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from glapp.analytics.actions import ROLLUP_COUNTS, rebuild_rollups
from glapp.analytics.models import Rollup
from glapp.distribution.actions import note_respondent_event
from glapp.distribution.models import ContactLog
from glapp.respond.actions import answer_by_token
from glapp.respond.models import RespondentSession
from glapp.responses.models import Answer, Response
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, archive_survey, create_survey
from glapp.surveys.models import Question
from tests.surveys.test_respondent_pages import answer, make_invitation, make_swedish_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org):
    return make_swedish_survey(org)


def logged(invitation) -> list[str]:
    return sorted(ContactLog.objects.filter(invitation=invitation).values_list("kind", flat=True))


def cells(org) -> dict:
    fields = [f.name for f in Rollup._meta.fields if f.name not in ("id", "organization")]
    k = len(ROLLUP_COUNTS)
    return {row[:-k]: row[-k:] for row in Rollup.objects.filter(organization=org).values_list(*fields)
            if any(row[-k:])}


def test_a_first_answer_without_a_view_notes_the_invitation_in_its_own_transaction(
        org, survey, django_capture_on_commit_callbacks):
    inv = make_invitation(org, survey, language="en")
    url = f"/r/{inv.token}/"
    # No on-commit callbacks run here: what is noted was written in the answer's transaction.
    assert answer(Client(), url, "nps", "9").status_code == 302
    inv.refresh_from_db()
    session = RespondentSession.objects.get(token=inv.token)
    assert session.answered == {"nps": 9} and session.customer_id == inv.customer_id
    assert inv.opened_at == session.created_at and inv.responded_at == session.last_answer_at
    assert inv.completed_at is None and logged(inv) == ["opened", "responded"]

    with django_capture_on_commit_callbacks(execute=True):  # the events after the commit note nothing again
        answer(Client(), url, "reason", "service")
        answer(Client(), url, "comment", "Snabbt och vänligt")
    inv.refresh_from_db()
    assert inv.completed_at is not None and logged(inv) == ["completed", "opened", "responded"]
    response = Response.objects.get(external_id=session.response_external_id)
    assert sorted(response.answers.values_list("question__key", flat=True)) == ["comment", "nps", "reason"]
    assert response.has_comment


def test_a_failed_answer_leaves_nothing_behind(org, survey, monkeypatch):
    inv = make_invitation(org, survey)

    def broken(*args, **kwargs):
        raise RuntimeError("rollups unavailable")

    monkeypatch.setattr("glapp.analytics.actions.add_responses", broken)
    with pytest.raises(RuntimeError):
        answer(Client(), f"/r/{inv.token}/", "nps", "9")
    inv.refresh_from_db()
    assert (inv.opened_at, inv.responded_at) == (None, None) and logged(inv) == []
    assert not RespondentSession.objects.exists() and not Response.objects.exists()


def test_posts_to_links_that_take_no_answers_are_refused_and_store_nothing(org, survey):
    assert answer(Client(), "/r/no-such-token-at-all/", "nps", "9").status_code == 404
    assert answer(Client(), "/r/" + "x" * 44 + "/", "nps", "9").status_code == 404
    expired = make_invitation(org, survey, language="en", expires_at=timezone.now() - dt.timedelta(minutes=1))
    refused = answer(Client(), f"/r/{expired.token}/", "nps", "9")
    assert refused.status_code == 410 and "This link has expired" in refused.content.decode()

    viewed = make_invitation(org, survey, language="en", external_id="C-2")
    Client().get(f"/r/{viewed.token}/")  # a session, not yet answered
    begun = make_invitation(org, survey, language="en", external_id="C-3")
    answer(Client(), f"/r/{begun.token}/", "nps", "9")
    archive_survey(survey)
    closed = answer(Client(), f"/r/{viewed.token}/", "nps", "9")
    assert closed.status_code == 410 and "This survey is closed" in closed.content.decode()
    never_viewed = make_invitation(org, survey, language="en", external_id="C-4")
    assert answer(Client(), f"/r/{never_viewed.token}/", "nps", "9").status_code == 410
    assert answer(Client(), f"/r/{begun.token}/", "reason", "price").status_code == 302  # begun: may finish

    assert RespondentSession.objects.count() == 2  # viewed and begun; the refused created none
    assert RespondentSession.objects.get(token=viewed.token).answered == {}
    assert Answer.objects.count() == 2


def test_an_invalid_answer_keeps_the_new_session_and_its_opening(org, survey):
    inv = make_invitation(org, survey, language="en")
    page = answer(Client(), f"/r/{inv.token}/", "nps", "11")
    assert page.status_code == 400 and "Please choose one of the options." in page.content.decode()
    inv.refresh_from_db()
    assert inv.opened_at is not None and inv.responded_at is None and logged(inv) == ["opened"]
    assert RespondentSession.objects.get(token=inv.token).answered == {}


def test_a_later_answer_takes_a_handful_of_queries(org, survey):
    """Guards the answer path against creeping back to dozens of queries per POST. (Counted on
    the action: the test client's request resets Django's query log.)"""
    inv = make_invitation(org, survey)
    answer(Client(), f"/r/{inv.token}/", "nps", "9")
    with CaptureQueriesContext(connection) as queries:
        session, outcome = answer_by_token(inv.token, "reason", ["price"])
    assert outcome.stored and session.answered == {"nps": 9, "reason": "price"}
    # Savepoints (the test's transaction) aside: the session, the question's id, the response,
    # the answer, the question's answered flag (a no-op once set), the rollup keys, the choice's
    # rollup rows and the session's update (a scored answer reads the response's earlier
    # answers instead of adding a choice).
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 8, statements


def test_when_the_first_answers_question_was_deleted_the_next_answer_creates_the_response(org):
    survey = create_survey(org, name="Kort", code="kort", languages=["sv"], questions=[
        QuestionSpec("first", qt.TEXT, {"sv": "Först?"}),
        QuestionSpec("nps", qt.NPS, {"sv": "Hur troligt?"}, required=True),
    ])
    inv = make_invitation(org, survey)
    url = f"/r/{inv.token}/"
    Question.objects.filter(survey=survey, key="first").delete()  # unanswered: the builder may delete it
    answer(Client(), url, "first", "Hej")  # kept in the session, nothing to store it on
    assert not Response.objects.exists()
    answer(Client(), url, "nps", "10")
    response = Response.objects.get()
    assert list(response.answers.values_list("number", flat=True)) == [10] and not response.has_comment
    inv.refresh_from_db()
    assert inv.responded_at is not None and inv.completed_at is not None
    assert logged(inv) == ["completed", "opened", "responded"]
    before = cells(org)
    rebuild_rollups(org.id)
    assert cells(org) == before


def test_public_link_sessions_have_no_invitation_to_note(org, survey):
    assert note_respondent_event("survey.completed", "no-invitation-has-this-token", organization_id=org.id) == 0
