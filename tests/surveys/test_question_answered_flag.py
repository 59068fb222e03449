"""A question's `answered` flag: set by the first stored answer in its own transaction, by every
write path (import/API ingest and answers added one by one), never by an answer that rolled back;
the builder's lock on a question's type reads it."""

import pytest
from django.db import transaction
from django.utils import timezone

from glapp.core.errors import ValidationFailed
from glapp.responses.actions import add_answers, ingest_responses
from glapp.responses.validation import CleanAnswer, CleanResponse
from glapp.surveys import question_types as qt
from glapp.surveys.models import Question
from glapp.surveys.queries import question_has_answers

pytestmark = pytest.mark.django_db


def flags(org):
    return dict(Question.objects.filter(organization=org).values_list("key", "answered"))


def response(org, external_id, *answers):
    survey_questions = {q.key: q for q in Question.objects.filter(organization=org, survey__code="nps")}
    q = survey_questions["nps"]
    return CleanResponse(
        survey_id=q.survey_id, survey_version_id=None, touchpoint_id=None, unit_id=None, customer=None,
        channel="web", language="sv", segment="", submitted_at=timezone.now(),
        external_id=external_id, metadata={},
        answers=[CleanAnswer(survey_questions[key].pk, survey_questions[key].type, number, text, None)
                 for key, number, text in answers])


def test_the_first_answer_marks_its_question_and_a_rollback_marks_nothing(org):
    assert not any(flags(org).values())
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest_responses(org.id, [response(org, "r0", ("nps", 9, ""))], source="api")
        raise RuntimeError("the caller's transaction fails after the answer")
    assert not flags(org)["nps"]

    [stored] = ingest_responses(org.id, [response(org, "r1", ("nps", 9, ""))], source="api")
    assert flags(org) == {"nps": True, "ces": False, "reason": False, "comment": False}
    nps = Question.objects.get(organization=org, key="nps")
    assert question_has_answers(nps)

    comment = Question.objects.get(organization=org, key="comment")
    assert not question_has_answers(comment)
    add_answers(org.id, stored.id, [CleanAnswer(comment.pk, qt.TEXT, None, "Bra", None)])
    assert question_has_answers(comment) and flags(org)["comment"]


def test_the_builder_keeps_an_answered_questions_type_and_lets_an_unanswered_one_change(org):
    from glapp.surveys.actions import add_question, delete_question, update_question

    ingest_responses(org.id, [response(org, "r1", ("nps", 9, ""))], source="api")
    nps = Question.objects.get(organization=org, key="nps")
    with pytest.raises(ValidationFailed) as exc:
        update_question(nps, type=qt.CSAT)
    assert exc.value.errors[0].code == "has_answers"
    with pytest.raises(ValidationFailed):
        delete_question(nps)
    draft = add_question(nps.survey, qt.CES, texts={"sv": "Hur lätt var det?", "en": "How easy was it?"})
    assert update_question(draft, type=qt.CSAT).type == qt.CSAT  # nobody answered it yet


def test_a_builder_save_of_a_copy_loaded_before_the_first_answer_keeps_the_flag(org):
    from glapp.surveys.actions import replace_definition, update_question
    from glapp.surveys.queries import definition_of

    loaded = Question.objects.get(organization=org, key="nps")  # the builder loaded it ...
    ingest_responses(org.id, [response(org, "r1", ("nps", 9, ""))], source="api")  # ... then it was answered
    update_question(loaded, texts={"sv": "Hur troligt är det att du rekommenderar oss?",
                                   "en": "How likely are you to recommend us?"})
    assert flags(org)["nps"]

    survey = loaded.survey
    Question.objects.filter(pk=loaded.pk).update(answered=False)
    stale = list(survey.questions.all())
    Question.objects.filter(pk=loaded.pk).update(answered=True)
    for q in stale:
        q.required = not q.required
        q.save()  # a full save (the admin's) of a copy loaded while the flag was unset
    assert flags(org)["nps"]
    replace_definition(survey, {}, definition_of(survey)["questions"])
    assert flags(org)["nps"]
