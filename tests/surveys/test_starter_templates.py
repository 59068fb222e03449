"""Starter templates: complete in both languages, valid, and clean by the survey linter."""

import pytest

from glapp.core.i18n import catalogue
from glapp.surveys import logic, piping
from glapp.surveys import question_types as qt
from glapp.surveys.linter import lint
from glapp.surveys.starter_templates import TEMPLATES, get_template, template_definition

CODES = [template.code for template in TEMPLATES]


def test_the_promised_templates_exist():
    assert set(CODES) >= {"nps_transactional", "nps_relationship", "ces_contact", "csat_delivery", "emotion_nes",
                          "lba_relationship"}
    assert len(CODES) == len(set(CODES))


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_template_lints_clean(code, language):
    assert lint(template_definition(code), language) == []


@pytest.mark.parametrize("code", CODES)
def test_every_template_is_complete_in_both_languages(code):
    template = get_template(code)
    assert set(template.thank_you) == {"sv", "en"} and all(t.strip() for t in template.thank_you.values())
    # The name, description and journey hint are UI labels: English here, Swedish in the UI catalogue.
    swedish = catalogue("sv")
    for english, translated in ((template.name, template.name_in("sv")),
                                (template.description, template.description_in("sv")),
                                (template.stage_hint_text, swedish.gettext(template.stage_hint_text))):
        assert english.strip() and translated.strip() and translated != english
    assert template.kind in ("transactional", "relationship")
    for q in template.questions:
        assert q["type"] in qt.TYPES
        assert set(q["texts"]) == {"sv", "en"} and all(t.strip() for t in q["texts"].values())
        for lang in ("sv", "en"):
            assert set(q["option_texts"].get(lang, {})) == set(q["options"])


@pytest.mark.parametrize("code", CODES)
def test_every_template_starts_with_its_measure_and_lets_the_customer_explain(code):
    questions = template_definition(code)["questions"]
    assert questions[0]["type"] in (qt.NPS, qt.CES, qt.CSAT, qt.LBA, qt.EMOTION)
    assert questions[0]["required"] and not questions[0]["show_if"]
    assert any(q["type"] == qt.TEXT for q in questions)
    assert not any(q["required"] for q in questions if q["type"] == qt.TEXT)


@pytest.mark.parametrize("code", CODES)
def test_piped_wording_reads_well_with_and_without_the_known_facts(code):
    context = {"agent": "Anna", "date": "2026-05-03", "store": "Kungsgatan", "product": "soffan Klippan",
               "first_name": "Eva"}
    for q in template_definition(code)["questions"]:
        for lang, text in q["texts"].items():
            for rendered in (piping.render(text, context, lang), piping.render(text, {}, lang)):
                assert "{" not in rendered and "[" not in rendered and "  " not in rendered
                assert rendered.endswith(("?", ".")), rendered


def test_transactional_nps_asks_each_group_its_own_follow_up():
    questions = template_definition("nps_transactional")["questions"]
    for score in range(11):
        path = logic.visible_questions(questions, {"nps": score})
        follow_ups = [q["key"] for q in path if q["type"] == qt.TEXT]
        assert len(follow_ups) == 1, score
    detractor = logic.visible_questions(questions, {"nps": 3})[1]
    promoter = logic.visible_questions(questions, {"nps": 10})[1]
    assert detractor["key"] != promoter["key"]


def test_the_definition_is_a_fresh_copy_in_the_publish_shape():
    first = template_definition("ces_contact", language="en")
    assert set(first) == {"name", "kind", "languages", "questions", "thank_you", "promoter_link",
                          "promoter_link_label"}
    assert first["name"] == "Customer effort after contact" and first["languages"] == ["sv", "en"]
    assert template_definition("ces_contact")["name"] == "Kundansträngning efter kontakt"
    first["questions"][0]["texts"]["sv"] = "ändrad"
    first["thank_you"]["sv"] = "ändrad"
    again = template_definition("ces_contact")
    assert again["questions"][0]["texts"]["sv"] != "ändrad" and again["thank_you"]["sv"] != "ändrad"


def test_an_unknown_code_names_the_known_ones():
    with pytest.raises(KeyError, match="nps_transactional"):
        get_template("nope")
