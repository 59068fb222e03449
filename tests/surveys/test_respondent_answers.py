"""Every answer is saved as it is given, exactly once: a partial response counts everywhere,
completing it adds answers, replays store nothing twice, and the rollups kept answer by answer
equal a full recount."""

import random
from collections import Counter

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from glapp.analytics.actions import ROLLUP_COUNTS, rebuild_rollups, set_rollup_dimensions
from glapp.analytics.models import Rollup
from glapp.core.errors import NotFound
from glapp.respond.actions import submit_answer
from glapp.respond.models import RespondentSession
from glapp.responses.actions import add_answers
from glapp.responses.models import Answer, Response
from glapp.responses.validation import CleanAnswer
from glapp.surveys import question_types as qt
from glapp.surveys.models import Question
from glapp.textanalytics.models import CommentAnalysis
from tests.api.helpers import Api, key_for
from tests.surveys.test_respondent_pages import answer, make_invitation, make_swedish_survey

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


@pytest.fixture
def survey(org):
    return make_swedish_survey(org)


def stored_cells(org):
    fields = [f.name for f in Rollup._meta.fields if f.name not in ("id", "organization")]
    rows = Rollup.objects.filter(organization=org).values_list(*fields)
    # A cell that only ever got zeros is the same as no cell.
    k = len(ROLLUP_COUNTS)
    return Counter({tuple(row[:-k]): tuple(row[-k:]) for row in rows if any(row[-k:])})


def rollup_total(org, source, grain=1, column="n"):
    return sum(getattr(r, column) for r in Rollup.objects.filter(organization=org, source=source, grain=grain))


def test_a_partial_response_counts_in_the_list_and_the_metrics(org, survey):
    inv = make_invitation(org, survey)
    answer(Client(), f"/r/{inv.token}/", "nps", "10")  # then the respondent leaves
    api = Api(key_for(org))
    listed = api.get("/responses", {"survey": survey.code}).json()
    assert [r["answers"] for r in listed["items"]] == [{"nps": 10}]
    today = timezone.localdate().isoformat()
    metrics = api.get("/metrics", {"metric": "nps", "survey": survey.code, "from": today, "to": today}).json()
    assert metrics["total"]["n"] == 1 and metrics["total"]["value"] == 100

    # Completing it later adds answers to the same response; the response is not counted again.
    answer(Client(), f"/r/{inv.token}/", "reason", "service")
    answer(Client(), f"/r/{inv.token}/", "comment", "Mycket bra hjälp")
    listed = api.get("/responses", {"survey": survey.code}).json()
    assert len(listed["items"]) == 1
    assert listed["items"][0]["answers"] == {"nps": 10, "reason": "service", "comment": "Mycket bra hjälp"}
    assert rollup_total(org, "responses") == 1 and rollup_total(org, "responses", column="c0") == 1
    assert rollup_total(org, "nps") == 1


def test_replayed_posts_store_nothing_twice(org, survey):
    inv = make_invitation(org, survey)
    url = f"/r/{inv.token}/"
    for _ in range(3):  # a double (triple) click, or the back button and a resend
        assert answer(Client(), url, "nps", "4").status_code == 302
    for _ in range(2):
        answer(Client(), url, "better", "Svarade inte")
    answer(Client(), url, "nps", "10")  # an old form for an answered question changes nothing
    session = RespondentSession.objects.get(token=inv.token)
    assert session.answered == {"nps": 4, "better": "Svarade inte"}
    response = Response.objects.get()
    assert response.answers.count() == 2 and response.answers.get(question__key="nps").number == 4
    assert rollup_total(org, "responses") == 1 and rollup_total(org, "nps") == 1
    assert rollup_total(org, "responses", column="c0") == 1
    # The action on its own is as strict: the session is past that question.
    assert not submit_answer(session.id, "nps", ["9"]).stored


def test_add_answers_inserts_only_what_is_missing(org, survey, other_org):
    inv = make_invitation(org, survey)
    answer(Client(), f"/r/{inv.token}/", "nps", "9")
    response = Response.objects.get()
    questions = dict(Question.objects.filter(survey=survey).values_list("key", "id"))
    reason = CleanAnswer(questions["reason"], qt.SINGLE, None, "price", None)
    comment = CleanAnswer(questions["comment"], qt.TEXT, None, "Bra", None)
    nps_again = CleanAnswer(questions["nps"], qt.NPS, 0, "", None)
    assert add_answers(org.id, response.id, [reason, reason, nps_again]) == 1
    assert add_answers(org.id, response.id, [reason, comment]) == 1
    assert add_answers(org.id, response.id, [reason, comment]) == 0
    response.refresh_from_db()
    assert response.has_comment and response.answers.count() == 3
    assert response.answers.get(question__key="nps").number == 9
    with pytest.raises(NotFound):
        add_answers(other_org.id, response.id, [comment])  # another tenant's response does not exist for it
    assert stored_cells(org) == _after_rebuild(org)


def _after_rebuild(org):
    rebuild_rollups(org.id)
    return stored_cells(org)


@override_settings(TASKS=IMMEDIATE)
def test_a_comment_given_later_is_analysed(org, survey, django_capture_on_commit_callbacks):
    inv = make_invitation(org, survey)
    url = f"/r/{inv.token}/"
    with django_capture_on_commit_callbacks(execute=True):
        answer(Client(), url, "nps", "2")
    assert not CommentAnalysis.objects.exists()  # no comment yet, nothing to analyse
    with django_capture_on_commit_callbacks(execute=True):
        answer(Client(), url, "better", "Väntetiden i telefon var alldeles för lång och ingen ringde tillbaka")
    comment = Answer.objects.get(question__key="better")
    analysis = CommentAnalysis.objects.get(answer=comment)
    assert analysis.sentiment_label == "negative"
    with django_capture_on_commit_callbacks(execute=True):
        answer(Client(), url, "reason", "service")
        answer(Client(), url, "comment", "Men personalen var trevlig")
    assert CommentAnalysis.objects.count() == 2


def test_rollups_kept_answer_by_answer_equal_a_recount(org, survey):
    set_rollup_dimensions(org.id, ["agent", "store"])
    rng = random.Random(7)
    url_of = {}
    # Invitation sessions and public-link sessions, some abandoned after one answer, some after
    # two, some completed; comments first given early, late, or never.
    for i in range(40):
        if i % 2:
            inv = make_invitation(org, survey, external_id=f"C-{i}", context={"agent": rng.choice(["Bo", "Eva"])})
            url_of[i] = f"/r/{inv.token}/"
            Client().get(url_of[i])  # opened; some are never answered
        else:
            store = rng.choice(["Kista", "Solna", ""])
            token = f"public-session-{i:04d}-xxxxxxxx"
            resp = answer(Client(), f"/s/{survey.public_token}/?channel=store&store={store}", "nps",
                          str(rng.randint(0, 10)), start=token)
            url_of[i] = resp["Location"]
    for url in url_of.values():
        steps = rng.choice([0, 1, 2, 3])
        for _ in range(steps):
            session = RespondentSession.objects.get(token=url.split("/")[2])
            question = _current(session)
            if question is None:
                break
            if question == "nps":
                answer(Client(), url, "nps", str(rng.randint(0, 10)))
            elif question == "better":
                answer(Client(), url, "better", rng.choice(["Långsamt", ""]))
            elif question == "reason":
                answer(Client(), url, "reason", rng.choice(["price", "service"]))
            else:
                answer(Client(), url, "comment", rng.choice(["Tack", ""]), skip=rng.random() < .3)
    sessions = RespondentSession.objects.filter(survey=survey)
    assert sessions.filter(completed_at__isnull=False).exists() and sessions.filter(completed_at__isnull=True).exists()
    assert Response.objects.filter(has_comment=True).exists() and Response.objects.filter(has_comment=False).exists()
    incremental = stored_cells(org)
    assert rollup_total(org, "responses") == Response.objects.count() == sessions.filter(
        last_answer_at__isnull=False).count()
    assert rollup_total(org, "nps") == Answer.objects.filter(question_type="nps").count()
    assert rebuild_rollups(org.id) == Response.objects.count()
    assert stored_cells(org) == incremental
    assert set(Rollup.objects.filter(grain=4).values_list("d2", flat=True)) >= {"Kista", "Solna"}


def _current(session):
    from glapp.respond.actions import current_question

    question = current_question(session)
    return question["key"] if question else None
