"""Survey builder writes: validation, skip logic, fixed types once answered, publishing with the linter."""

import pytest

from glapp.core.errors import ValidationFailed
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.models import Source
from glapp.responses.validation import clean_response
from glapp.surveys import actions
from glapp.surveys import question_types as qt
from glapp.surveys.models import Survey

pytestmark = pytest.mark.django_db

LEADING_SV = "Hur nöjd var du med vår utmärkta service?"


def fields_of(exc) -> set[str]:
    return {e.field for e in exc.value.errors}


def answer(org, survey_code: str, answers: dict) -> None:
    catalog = Catalog.load(org.id)
    clean = clean_response({"survey": survey_code, "answers": answers}, catalog)
    assert not isinstance(clean, list), clean
    ingest_responses(org.id, [clean], Source.API)


@pytest.fixture
def draft(org):
    return actions.create_survey_from_template(org, "nps_transactional", name="Efter samtalet", languages=["sv", "en"])


def test_blank_survey_gets_a_unique_code_from_its_name(org):
    first = actions.create_blank_survey(org, name="Efter leverans")
    second = actions.create_blank_survey(org, name="Efter leverans")
    assert (first.code, second.code) == ("efter-leverans", "efter-leverans-2")
    assert first.status == Survey.Status.DRAFT and first.current_version is None
    assert first.languages == ["sv", "en"]


def test_template_copies_questions_and_skip_logic_as_a_draft(draft):
    questions = list(draft.questions.order_by("position"))
    assert [q.key for q in questions] == ["nps", "improve", "higher", "reason"]
    assert questions[1].show_if == {"question": "nps", "max": 6}
    assert questions[0].texts["sv"].startswith("Utifrån din upplevelse")
    assert draft.status == Survey.Status.DRAFT and not draft.versions.exists()


def test_template_in_one_language_drops_the_other(org):
    survey = actions.create_survey_from_template(org, "nps_transactional", languages=["en"], language="en")
    assert survey.name == "Transactional NPS"
    assert all(set(q.texts) == {"en"} for q in survey.questions.all())


def test_unknown_template_and_taken_code_are_field_errors(org):
    with pytest.raises(ValidationFailed) as exc:
        actions.create_survey_from_template(org, "no-such-template")
    assert fields_of(exc) == {"template"}
    with pytest.raises(ValidationFailed) as exc:
        actions.create_blank_survey(org, name="Again", code="nps")  # make_org made "nps"
    assert fields_of(exc) == {"code"}


def test_settings_are_validated_and_saved(draft, other_org):
    from glapp.journeys.models import Touchpoint

    rival_tp = Touchpoint.objects.filter(organization=other_org).first()
    with pytest.raises(ValidationFailed) as exc:
        actions.update_survey_settings(draft, name=" ", languages=["de"], expires_after_days=0,
                                       touchpoint=rival_tp)
    assert fields_of(exc) >= {"name", "languages", "expires_after_days", "touchpoint"}
    actions.update_survey_settings(draft, name="Efter ditt samtal", thank_you={"sv": "Tack!"},
                                   reminder_after_days=None, widget_event="checkout_done")
    draft.refresh_from_db()
    assert (draft.name, draft.thank_you, draft.reminder_after_days) == ("Efter ditt samtal", {"sv": "Tack!"}, None)


def test_adding_a_language_saves_and_the_linter_asks_for_the_translations(org):
    survey = actions.create_survey_from_template(org, "nps_transactional", languages=["sv"])
    actions.update_survey_settings(survey, languages=["sv", "en"])
    with pytest.raises(actions.PublishBlocked) as blocked:
        actions.publish_survey(survey)
    assert {f.code for f in blocked.value.findings} >= {"missing_translation"}
    with pytest.raises(ValidationFailed) as exc:
        actions.update_question(survey.questions.get(key="nps"), texts={"de": "Wie wahrscheinlich?"})
    assert fields_of(exc) == {"texts.de"}


def test_add_edit_move_delete_questions(draft):
    q = actions.add_question(draft, qt.SINGLE)
    assert (q.key, q.options, q.position) == ("choice", ["option_1", "option_2"], 4)
    actions.update_question(q, texts={"sv": "Vad gällde ditt ärende?", "en": "What was it about?"},
                            options=["billing", "delivery"], option_texts={"sv": {"billing": "Faktura",
                                                                                  "delivery": "Leverans"}})
    q.refresh_from_db()
    assert q.option_texts == {"sv": {"billing": "Faktura", "delivery": "Leverans"}}
    with pytest.raises(ValidationFailed) as exc:
        actions.update_question(q, texts={"sv": "x" * 1001, "en": "x"}, options=["Bad Code", "ok"])
    assert fields_of(exc) == {"texts.sv", "options"}
    actions.move_question(q, -1)
    assert list(draft.questions.order_by("position").values_list("key", flat=True)) == \
        ["nps", "improve", "higher", "choice", "reason"]
    actions.delete_question(q)
    assert list(draft.questions.order_by("position").values_list("key", "position")) == \
        [("nps", 0), ("improve", 1), ("higher", 2), ("reason", 3)]


def test_skip_logic_must_name_an_earlier_question_with_a_fitting_condition(draft):
    nps, improve, *_ = draft.questions.order_by("position")
    choice = actions.add_question(draft, qt.SINGLE, texts={"sv": "Vad?", "en": "What?"}, options=["a", "b"])
    cases = [
        (nps, {"question": "reason", "max": 6}, "show_if.question"),        # a later question
        (nps, {"question": "nps", "max": 6}, "show_if.question"),           # itself
        (improve, {"question": "nps", "max": 11}, "show_if.max"),           # outside 0–10
        (improve, {"question": "nps", "min": 8, "max": 3}, "show_if.max"),  # empty range
        (improve, {"question": "nps", "in": ["9"]}, "show_if.question"),    # `in` on a score
        (choice, {"question": "reason", "min": 1}, "show_if.question"),     # min on open text
        (choice, {"question": "nps", "max": 6, "in": ["a"]}, "show_if"),    # both kinds at once
        (choice, {"question": "nps", "when": 3}, "show_if.when"),
    ]
    for question, show_if, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            actions.set_skip_logic(question, show_if)
        assert field in fields_of(exc), (show_if, fields_of(exc))
    follow = actions.add_question(draft, qt.TEXT, texts={"sv": "Berätta", "en": "Tell us"})
    with pytest.raises(ValidationFailed) as exc:
        actions.set_skip_logic(follow, {"question": "choice", "in": ["a", "zzz"]})
    assert fields_of(exc) == {"show_if.in"}
    actions.set_skip_logic(follow, {"question": "choice", "in": ["b"]})
    follow.refresh_from_db()
    assert follow.show_if == {"question": "choice", "in": ["b"]}
    # What a later question depends on cannot move below it, lose the option, or go away.
    with pytest.raises(ValidationFailed):
        actions.move_question(choice, 1)
    with pytest.raises(ValidationFailed) as exc:
        actions.update_question(choice, options=["a", "c"])
    assert fields_of(exc) == {"options"}
    with pytest.raises(ValidationFailed):
        actions.delete_question(choice)
    actions.set_skip_logic(follow, {})
    follow.refresh_from_db()
    assert follow.show_if == {}


def test_type_is_fixed_once_the_question_has_answers(org):
    survey = Survey.objects.get(organization=org, code="nps")  # published by make_org
    ces = survey.questions.get(key="ces")
    with pytest.raises(ValidationFailed) as exc:
        actions.update_question(ces, type=qt.CSAT)  # published: someone may be halfway through it
    assert [(e.field, e.code) for e in exc.value.errors] == [("type", "published_type")]
    answer(org, "nps", {"nps": 9, "ces": 6})
    with pytest.raises(ValidationFailed) as exc:
        actions.update_question(ces, type=qt.CSAT)
    assert [(e.field, e.code) for e in exc.value.errors] == [("type", "has_answers")]
    with pytest.raises(ValidationFailed) as exc:
        actions.delete_question(ces)
    assert exc.value.errors[0].code == "has_answers"
    actions.update_question(ces, texts={"sv": "Hur lätt eller svårt var det?", "en": "How easy or hard was it?"})
    draft = actions.create_survey_from_template(org, "nps_transactional", name="Utkast")
    actions.update_question(draft.questions.get(key="reason"), type=qt.SINGLE, options=["a", "b"])  # never published


def test_publish_freezes_numbered_versions(draft):
    first = actions.publish_survey(draft)
    draft.refresh_from_db()
    assert (first.number, draft.current_version_id, draft.status) == (1, first.id, Survey.Status.ACTIVE)
    nps = draft.questions.get(key="nps")
    actions.update_question(nps, texts={"sv": "Hur troligt är det att du skulle rekommendera oss?",
                                        "en": "How likely is it that you would recommend us?"})
    second = actions.publish_survey(draft)
    assert second.number == 2
    # Publishing again with nothing changed is the same version, not a third one.
    draft.refresh_from_db()
    assert actions.publish_survey(draft) == second and draft.versions.count() == 2
    assert first.definition["questions"][0]["texts"]["sv"].startswith("Utifrån")  # frozen
    assert second.definition["questions"][0]["texts"]["sv"].startswith("Hur troligt")


def test_publish_refuses_lint_errors_and_needs_warnings_confirmed(draft):
    reason = draft.questions.get(key="reason")
    actions.update_question(reason, texts={"sv": LEADING_SV, "en": "How happy were you with our excellent service?"})
    with pytest.raises(actions.PublishBlocked) as blocked:
        actions.publish_survey(draft, language="sv")
    assert blocked.value.code == "lint_warnings_unconfirmed" and blocked.value.status == 409
    assert any(f.code == "leading_wording" and f.question == "reason" for f in blocked.value.findings)
    assert not draft.versions.exists()
    version = actions.publish_survey(draft, acknowledge_warnings=True, language="sv")
    seen = version.definition["acknowledged_warnings"]["findings"]
    assert any(f["code"] == "leading_wording" and f["question"] == "reason" for f in seen)
    # An error blocks even when warnings are acknowledged: a question added but never worded.
    empty = actions.add_question(draft, qt.TEXT)
    with pytest.raises(actions.PublishBlocked) as blocked:
        actions.publish_survey(draft, acknowledge_warnings=True)
    assert blocked.value.code == "lint_errors" and blocked.value.status == 422
    assert [(f.code, f.question) for f in blocked.value.findings] == [("empty_question", empty.key)]
    assert draft.versions.count() == 1


def test_publish_needs_questions(org):
    survey = actions.create_blank_survey(org, name="Tom")
    with pytest.raises(ValidationFailed) as exc:
        actions.publish_survey(survey)
    assert fields_of(exc) == {"questions"}


def test_replace_definition_matches_questions_by_key(draft):
    actions.replace_definition(draft, {"name": "Ny"}, [
        {"key": "nps", "type": "nps", "texts": {"sv": "Hur troligt är det att du rekommenderar oss?",
                                                "en": "How likely are you to recommend us?"}, "required": True},
        {"key": "why", "type": "text", "texts": {"sv": "Varför?", "en": "Why?"},
         "show_if": {"question": "nps", "max": 6}},
    ])
    draft.refresh_from_db()
    assert draft.name == "Ny"
    assert list(draft.questions.order_by("position").values_list("key", flat=True)) == ["nps", "why"]
    with pytest.raises(ValidationFailed) as exc:
        actions.replace_definition(draft, {}, [{"key": "why", "type": "text", "texts": {"sv": "V", "en": "W"},
                                                "show_if": {"question": "nps", "max": 6}}])
    assert fields_of(exc) == {"questions.0.show_if.question"}


def test_a_published_key_keeps_its_type_for_respondents_halfway_through_that_version(draft):
    # Someone may be answering version 1 right now: their answer to "reason" is filed under the
    # question with that key, so it may not come back as another type.
    actions.publish_survey(draft, acknowledge_warnings=True)
    reason = draft.questions.get(key="reason")
    with pytest.raises(ValidationFailed) as caught:
        actions.update_question(reason, type=qt.CSAT)
    assert caught.value.errors[0].code == "published_type"
    actions.delete_question(reason)
    with pytest.raises(ValidationFailed):
        actions.add_question(draft, qt.CSAT, key="reason")
    assert actions.add_question(draft, qt.TEXT, key="reason").type == qt.TEXT  # same type: welcome back
    assert actions.add_question(draft, qt.CSAT).key != "reason"
