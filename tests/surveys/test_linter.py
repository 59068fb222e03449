"""The survey linter: each rule with cases it must flag and cases it must leave alone, in Swedish and English."""

import string

import pytest

from glapp.core.i18n import catalogue
from glapp.surveys import linter
from glapp.surveys.linter import RULES, Finding, lint

WHY = {"key": "why", "type": "text", "texts": {"sv": "Vad är den viktigaste anledningen till ditt betyg?",
                                                "en": "What is the main reason for your score?"}}


def question(text: str, lang: str = "sv", qtype: str = "rating", key: str = "q", **extra) -> dict:
    return {"key": key, "type": qtype, "texts": {lang: text}, "options": [], "option_texts": {}, "required": False,
            "scale_max": None, "show_if": {}, **extra}


def survey(*questions: dict, languages=("sv", "en"), **extra) -> dict:
    return {"name": "Test", "kind": "transactional", "languages": list(languages), "questions": list(questions),
            "thank_you": {}, "promoter_link": "", "promoter_link_label": {}, **extra}


def one_question(text: str, lang: str, qtype: str = "rating", **extra) -> dict:
    """A survey of one question in one language plus an open follow-up, so only wording rules can fire."""
    return survey(question(text, lang, qtype, **extra), {**WHY, "texts": {lang: WHY["texts"][lang]}},
                  languages=[lang])


def codes(findings: list[Finding], question_key: str | None = "q") -> list[str]:
    return [f.code for f in findings if question_key is None or f.question == question_key]


def wording_findings(text: str, lang: str, code: str, qtype: str = "rating", **extra) -> list[Finding]:
    return [f for f in lint(one_question(text, lang, qtype, **extra), lang) if f.code == code]


# --- leading_wording --------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "text", "evidence"), [
    ("sv", "Hur nöjd var du med vår utmärkta service?", "utmärkta"),
    ("sv", "Vad tyckte du om vår prisbelönta kundtjänst?", "prisbelönta"),
    ("sv", "Hur upplevde du vår trevliga personal?", "vår trevliga"),
    ("sv", "Hur bra var vår hjälpsamma personal?", "vår hjälpsamma"),  # -m doubles: hjälpsam → hjälpsamma
    ("sv", "Visst håller du med om att leveransen gick snabbt?", "Visst"),
    ("sv", "Personalen var hjälpsam, eller hur?", "eller hur"),
    ("sv", "Hur mycket gillade du besöket?", "Hur mycket gillade"),
    ("sv", "Hur mycket tyckte du om den nya appen?", "Hur mycket tyckte du om"),
    ("sv", "Vad gillade du mest med besöket?", "Vad gillade du mest"),
    ("sv", "Vad var det som gick fel vid leveransen?", "Vad var det som gick fel"),
    ("sv", "Du var väl nöjd med servicen?", "Du var väl"),
    ("sv", "Hur var din upplevelse av vår fantastiska butik?", "fantastiska"),
    ("sv", "Hur nöjd var du med vår utmärkta service, där 1 = mycket dåligt och 5 = mycket bra?", "utmärkta"),
    ("en", "Rate our excellent service from very poor to very good", "excellent"),
    ("en", "How satisfied were you with our excellent service?", "excellent"),
    ("en", "Don't you agree that the staff was helpful?", "Don't you agree"),
    ("en", "How much did you enjoy your visit?", "How much did you enjoy"),
    ("en", "How would you rate our award-winning app?", "award-winning"),
    ("en", "How was your experience with our friendly staff?", "our friendly"),
    ("en", "The delivery was quick, wouldn't you say?", "wouldn't you say"),
    ("en", "What did you like most about the store?", "What did you like most"),
    ("en", "How would you rate the great selection?", "great"),
    ("en", "What went wrong with your order?", "What went wrong"),
    ("en", "Surely the checkout was simple?", "Surely"),
])
def test_leading_wording_is_flagged(lang, text, evidence):
    found = wording_findings(text, lang, "leading_wording")
    assert found, text
    assert found[0].evidence == evidence
    assert found[0].severity == "warning" and found[0].language == lang


@pytest.mark.parametrize(("lang", "text", "qtype"), [
    ("sv", "Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?", "nps"),
    ("sv", "Hur troligt är det att du skulle rekommendera Exempelbolaget[ efter ditt samtal med {agent} den "
           "{date}]?", "nps"),
    ("sv", "Hur nöjd eller missnöjd är du med leveransen?", "csat"),
    ("sv", "Hur lätt eller svårt var det att få hjälp med ditt ärende?", "ces"),
    ("sv", "Hur skulle du betygsätta servicen, från mycket dålig till utmärkt?", "rating"),
    ("sv", "Hur upplevde du bemötandet i butiken?", "rating"),
    ("sv", "Hur väl uppfyllde vi dina förväntningar?", "rating"),
    ("sv", "Vad är den viktigaste anledningen till ditt betyg?", "text"),
    ("sv", "Hur väl bemött blev du?", "rating"),
    ("en", "How likely is it that you would recommend us to a friend or colleague?", "nps"),
    ("en", "How satisfied or dissatisfied are you with the checkout?", "csat"),
    ("en", "How would you rate the service, where 1 is very poor and 5 is excellent?", "rating"),
    ("en", "How would you rate the service (10 = excellent)?", "rating"),
    ("sv", "Hur skulle du betygsätta servicen, där 5 = utmärkt?", "rating"),
    ("en", "How well did we understand your unique needs?", "rating"),
    ("en", "To what extent did we meet your expectations?", "rating"),
    ("en", "How much did you rely on the app to a great extent?", "rating"),
    ("en", "What is the main reason for your score?", "text"),
    ("en", "How easy or difficult was it to find what you needed?", "ces"),
])
def test_neutral_wording_is_not_flagged_as_leading(lang, text, qtype):
    assert not wording_findings(text, lang, "leading_wording", qtype)


def test_a_presumption_is_fine_on_a_follow_up_shown_only_to_those_it_fits():
    promoters_only = {"question": "nps", "min": 9}
    detractors_only = {"question": "nps", "max": 6}
    for show_if, text, flagged in [
        (promoters_only, "Vad gillade du mest med besöket?", False),
        (detractors_only, "Vad gick fel?", False),
        (detractors_only, "Vad gillade du mest med besöket?", True),
        (promoters_only, "Vad gick fel?", True),
        ({}, "Vad gick fel?", True),
    ]:
        definition = survey(
            question("Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?", "sv", "nps",
                     key="nps"),
            question(text, "sv", "text", key="follow", show_if=show_if), languages=["sv"])
        found = [f for f in lint(definition, "sv") if f.code == "leading_wording"]
        assert bool(found) == flagged, (show_if, text)


# --- one_sided_wording ------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "text", "flagged"), [
    ("sv", "Hur nöjd är du med leveransen?", True),
    ("sv", "Hur bra var bemötandet?", True),
    ("sv", "Hur missnöjd är du med väntetiden?", True),
    ("sv", "Hur trevlig var personalen?", True),
    ("en", "How friendly was the driver?", True),
    ("sv", "Hur nöjd eller missnöjd är du med leveransen?", False),
    ("sv", "Hur bra eller dåligt fungerade appen?", False),
    ("sv", "Hur troligt är det att du handlar hos oss igen?", False),
    ("en", "How satisfied are you with the delivery?", True),
    ("en", "How happy were you with the support?", True),
    ("en", "How satisfied or dissatisfied are you with the delivery?", False),
    ("en", "How good or bad was the food?", False),
    ("en", "How would you rate the delivery?", False),
])
def test_one_sided_wording(lang, text, flagged):
    assert bool(wording_findings(text, lang, "one_sided_wording", "csat")) == flagged


# --- double_barrelled -------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "text", "evidence"), [
    ("sv", "Var personalen snabb och trevlig?", "snabb och trevlig"),
    ("sv", "Hur nöjd eller missnöjd är du med priset och kvaliteten?", "priset och kvaliteten"),
    ("sv", "Hur nöjd eller missnöjd är du med Ica och Coop?", "Ica och Coop"),
    ("sv", "Hur upplevde du bemötandet samt väntetiden?", "bemötandet samt väntetiden"),
    ("sv", "Hur nöjd eller missnöjd är du med leveransen och/eller installationen?", "och/eller"),
    ("sv", "Hur upplevde du sortimentet, och priserna?", "sortimentet, och priserna"),
    ("sv", "Hur upplevde du {store} och {product}?", "{store} och {product}"),
    ("sv", "Hur skulle du betygsätta kundtjänsten och den information du fick?", "kundtjänsten och den information"),
    ("en", "Was the staff quick and friendly?", "quick and friendly"),
    ("en", "How would you rate the price and quality?", "price and quality"),
    ("en", "How would you rate the price and the quality of the food?", "price and the quality"),
    ("en", "How would you rate the delivery and/or installation?", "and/or"),
    ("en", "How would you rate Tesco and Lidl?", "Tesco and Lidl"),
    ("en", "How clean and comfortable was your room?", "clean and comfortable"),
    ("en", "How quickly and politely were you served?", "quickly and politely"),
    ("en", "Please rate the cleanliness and comfort of the room", "cleanliness and comfort"),
    ("sv", "Hur skulle du betygsätta personalens vänlighet och kunskap?", "vänlighet och kunskap"),
])
def test_double_barrelled_is_flagged(lang, text, evidence):
    found = wording_findings(text, lang, "double_barrelled")
    assert [f.evidence for f in found] == [evidence]


@pytest.mark.parametrize(("lang", "text", "qtype"), [
    ("sv", "Hur nöjd eller missnöjd är du med leveransen?", "csat"),
    ("sv", "Hur bra eller dåligt fungerade kassan?", "rating"),
    ("sv", "Hur lätt eller svårt var det att få hjälp?", "ces"),
    ("sv", "Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?", "nps"),
    ("sv", "Hur troligt är det att du skulle rekommendera Exempelbolaget efter ditt samtal med {agent} den {date}?",
     "nps"),
    ("sv", "Hur upplevde du vårt utbud i stort och smått?", "rating"),
    ("sv", "Vad var bra och vad kan vi göra bättre?", "text"),  # open questions may invite a story
    ("sv", "Hur tydliga var våra priser och villkor?", "rating"),
    ("sv", "Hur troligt är det att du handlar hos oss igen och igen?", "lba"),
    ("en", "How satisfied or dissatisfied are you with the delivery?", "csat"),
    ("en", "How easy or difficult was it to get help?", "ces"),
    ("en", "How clear were the terms and conditions?", "rating"),
    ("en", "How likely are you to recommend us to a friend or family member?", "nps"),
    ("en", "How likely is it that you would recommend us to a friend or colleague?", "nps"),
    ("en", "What went well and what could we improve?", "text"),
    ("en", "How good or bad was the food?", "rating"),
    ("en", "Overall, how would you rate your visit to Stockholm? And how was the food?", "rating"),
    ("en", "How likely is it that you would recommend Marks and Spencer to a friend or colleague?", "nps"),
    ("en", "How would you rate your visit to Bed Bath & Beyond?", "rating"),
    ("sv", "Hur var ditt besök hos Stadium i Mall of Scandinavia?", "rating"),
])
def test_double_barrelled_leaves_fixed_and_balanced_pairs_alone(lang, text, qtype):
    assert not wording_findings(text, lang, "double_barrelled", qtype)


# --- known_information ------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "text", "field"), [
    ("sv", "Vilken butik besökte du?", "store"),
    ("sv", "I vilken butik handlade du?", "store"),
    ("sv", "Vilket datum var du hos oss?", "date"),
    ("sv", "Vad heter du?", "first_name"),
    ("sv", "Vad är din e-postadress?", "email"),
    ("sv", "Vilket telefonnummer kan vi nå dig på?", "phone"),
    ("sv", "Ange ditt kundnummer", "customer_id"),
    ("sv", "Vad köpte du?", "product"),
    ("sv", "Vem pratade du med?", "agent"),
    ("en", "Which store did you visit?", "store"),
    ("en", "What is your email address?", "email"),
    ("en", "What is your name?", "first_name"),
    ("en", "What date did you visit us?", "date"),
    ("en", "Please enter your customer number", "customer_id"),
    ("en", "What is your phone number?", "phone"),
    ("en", "Which product did you buy?", "product"),
    ("en", "Who helped you today?", "agent"),
])
def test_known_information_is_flagged_with_a_piping_suggestion(lang, text, field):
    found = wording_findings(text, lang, "known_information", "text")
    assert len(found) == 1
    assert "{" + field + "}" in found[0].message


@pytest.mark.parametrize(("lang", "text"), [
    ("sv", "Hur upplevde du ditt besök i {store}[ den {date}]?"),
    ("sv", "Vilken butik handlar du oftast i?"),  # a habit, not the visit we know about
    ("sv", "Vilken dag i veckan handlar du helst?"),
    ("sv", "Får vi kontakta dig om ditt svar?"),
    ("en", "How was your visit to {store} on {date}?"),
    ("en", "Which store do you usually shop at?"),
    ("en", "May we contact you by email about your answer?"),
])
def test_known_information_leaves_other_questions_alone(lang, text):
    assert not wording_findings(text, lang, "known_information", "text")


def test_known_information_only_flags_fields_glapp_knows():
    definition = one_question("Vad är din e-postadress?", "sv", "text")
    assert "known_information" in codes(lint(definition, "sv"))
    assert "known_information" not in codes(lint(definition, "sv", known_fields=["store", "date"]))


# --- scale_direction --------------------------------------------------------------------------
NPS_SV = question("Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?", "sv", "nps",
                  key="nps")
NPS_EN = question("How likely is it that you would recommend us to a friend or colleague?", "en", "nps",
                  key="nps")


@pytest.mark.parametrize(("lang", "text", "qtype", "variant_word"), [
    ("sv", "Hur skulle du betygsätta servicen, där 1 = mycket bra och 5 = mycket dåligt?", "rating", "dåligt"),
    ("sv", "Hur fungerade leveransen (1 = utmärkt, 10 = usel)?", "rating", "usel"),
    ("sv", "Hur mycket ansträngning krävdes för att lösa ditt ärende?", "ces", "ansträngning"),
    ("sv", "Hur svårt var det att hitta rätt?", "ces", "svårt"),
    ("en", "How would you rate the service, where 1 means excellent and 5 means terrible?", "rating", "terrible"),
    ("en", "How much effort did you personally have to put in to handle your request?", "ces", "effort"),
    ("en", "How difficult was it to place an order?", "ces", "difficult"),
    ("en", "Rate the checkout from excellent to poor", "rating", "poor"),
])
def test_a_scale_running_the_other_way_is_flagged(lang, text, qtype, variant_word):
    nps = NPS_SV if lang == "sv" else NPS_EN
    definition = survey(nps, question(text, lang, qtype), {**WHY, "texts": {lang: WHY["texts"][lang]}},
                        languages=[lang])
    found = [f for f in lint(definition, lang) if f.code == "scale_direction"]
    assert [f.question for f in found] == ["q"]
    assert variant_word in found[0].evidence.lower()


@pytest.mark.parametrize(("lang", "text", "qtype"), [
    ("sv", "Hur skulle du betygsätta servicen, där 1 = mycket dåligt och 5 = mycket bra?", "rating"),
    ("sv", "Hur lätt eller svårt var det att få hjälp?", "ces"),
    ("sv", "Hur lätt var det att hitta rätt?", "ces"),
    ("sv", "Hur troligt är det att du handlar hos oss igen, där 0 = inte alls troligt och 10 = mycket troligt?",
     "lba"),
    ("en", "How would you rate the service from very poor to excellent?", "rating"),
    ("en", "How easy or difficult was it to get help?", "ces"),
    ("en", "On a scale where 1 is not at all satisfied and 5 is very satisfied, how satisfied or dissatisfied "
           "are you?", "csat"),
    ("en", "How would you rate the delivery?", "rating"),
])
def test_scales_running_the_usual_way_are_not_flagged(lang, text, qtype):
    nps = NPS_SV if lang == "sv" else NPS_EN
    definition = survey(nps, question(text, lang, qtype), {**WHY, "texts": {lang: WHY["texts"][lang]}},
                        languages=[lang])
    assert "scale_direction" not in codes(lint(definition, lang), None)


def test_a_lone_rating_with_high_bad_is_consistent_but_a_typed_scale_is_always_read_high_good():
    lone = one_question("Hur skulle du betygsätta kön, där 1 = mycket kort och 5 = mycket dåligt?", "sv")
    assert "scale_direction" not in codes(lint(lone, "sv"))
    effort = one_question("Hur mycket ansträngning krävdes?", "sv", "ces")
    [finding] = [f for f in lint(effort, "sv") if f.code == "scale_direction"]
    assert "CES" in finding.message


def test_a_scale_whose_translation_runs_the_other_way_is_flagged():
    q = question("Hur skulle du betygsätta servicen, där 1 = mycket dåligt och 5 = mycket bra?", "sv")
    q["texts"]["en"] = "How would you rate the service, where 1 is excellent and 5 is very bad?"
    definition = survey(q, WHY)
    [finding] = [f for f in lint(definition, "en") if f.code == "scale_direction"]
    assert finding.language == "en" and "Swedish" in finding.message


# --- nps_wording ------------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "text"), [
    ("sv", "Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?"),
    ("sv", "Hur troligt är det att du skulle rekommendera oss?"),
    ("sv", "Hur sannolikt är det att du skulle rekommendera Exempelbolaget till en vän eller familjemedlem?"),
    ("sv", "Hur troligt är det att du skulle rekommendera Exempelbolaget[ efter ditt samtal med {agent} den "
           "{date}]?"),
    ("sv", "Utifrån ditt besök[ i {store}], hur troligt är det att du skulle rekommendera oss till en vän?"),
    ("en", "How likely is it that you would recommend us to a friend or colleague?"),
    ("en", "How likely are you to recommend Example Ltd to a friend or family member?"),
    ("en", "On a scale from 0 to 10, how likely is it that you would recommend us[ after your call with {agent}]?"),
])
def test_standard_nps_wording_and_natural_variants_pass(lang, text):
    assert not wording_findings(text, lang, "nps_wording", "nps")


@pytest.mark.parametrize(("lang", "text", "hint"), [
    ("sv", "Skulle du rekommendera oss?", "ja/nej"),
    ("sv", "Hur nöjd är du med oss?", "nöjdhet"),
    ("sv", "Ge oss ett betyg 0–10", "betyg"),
    ("en", "Would you recommend us?", "yes/no"),
    ("en", "How satisfied are you with us?", "satisfaction"),
    ("en", "Rate us 0-10", "rating"),
])
def test_nps_questions_that_do_not_ask_about_recommending_are_flagged(lang, text, hint):
    [finding] = wording_findings(text, lang, "nps_wording", "nps")
    # The message (in the author's language, here the text's) says why this one is off.
    assert hint in finding.message
    assert ("rekommendera" in finding.message) == (lang == "sv")


def test_nps_wording_is_only_checked_on_nps_questions():
    assert not wording_findings("Hur nöjd eller missnöjd är du med oss?", "sv", "nps_wording", "csat")


# --- missing_translation and empty_question -----------------------------------------------------
def test_missing_question_text_in_a_survey_language_is_flagged_per_language():
    definition = survey(question("Hur upplevde du besöket?", "sv"), WHY)
    [finding] = [f for f in lint(definition, "sv") if f.code == "missing_translation"]
    assert (finding.question, finding.language, finding.severity) == ("q", "en", "warning")
    assert "engelska" in finding.message


def test_missing_option_labels_are_flagged():
    q = question("Blev ditt ärende löst?", "sv", "single_choice", options=["yes", "no"],
                 option_texts={"sv": {"yes": "Ja", "no": "Nej"}, "en": {"yes": "Yes"}})
    q["texts"]["en"] = "Was your issue resolved?"
    [finding] = [f for f in lint(survey(q, WHY), "en") if f.code == "missing_translation"]
    assert finding.language == "en" and finding.evidence == "no"


def test_complete_translations_and_other_survey_texts():
    q = question("Hur upplevde du besöket?", "sv")
    q["texts"]["en"] = "How was your visit?"
    assert "missing_translation" not in codes(lint(survey(q, WHY), "sv"), None)
    with_thanks = survey(q, WHY, thank_you={"sv": "Tack!"}, promoter_link="https://example.com/review",
                         promoter_link_label={"sv": "Skriv ett omdöme", "en": "Write a review"})
    found = [f for f in lint(with_thanks, "en") if f.code == "missing_translation"]
    assert [(f.question, f.language) for f in found] == [(None, "en")]
    assert "thank-you" in found[0].message


@pytest.mark.parametrize("texts", [{}, {"sv": ""}, {"sv": "   ", "en": ""}, None])
def test_a_question_without_text_is_an_error(texts):
    q = question("x", "sv")
    q["texts"] = texts
    found = [f for f in lint(survey(q, WHY), "sv") if f.question == "q"]
    assert [(f.code, f.severity) for f in found] == [("empty_question", "error")]


def test_a_question_with_text_is_not_empty():
    assert "empty_question" not in codes(lint(one_question("Hur upplevde du besöket?", "sv"), "sv"))


# --- unknown_placeholder and piping_syntax -------------------------------------------------------
@pytest.mark.parametrize(("lang", "text", "evidence"), [
    ("sv", "Hur upplevde du besöket i {butik}?", "{butik}"),
    ("sv", "Hej {firstname}, hur var ditt besök?", "{firstname}"),
    ("en", "How was your visit[ to {shop}]?", "{shop}"),
    ("en", "How was your call with {Agent}?", "{Agent}"),
])
def test_unknown_placeholders_are_flagged(lang, text, evidence):
    [finding] = wording_findings(text, lang, "unknown_placeholder")
    assert finding.evidence == evidence and "{store}" in finding.message


@pytest.mark.parametrize("text", [
    "Hur upplevde du besöket i {store}[ den {date}]?",
    "Hej {first_name}! Hur var samtalet[ med {agent}]?",
    "Hur upplevde du besöket?",
])
def test_known_placeholders_pass(text):
    assert not wording_findings(text, "sv", "unknown_placeholder")
    assert not wording_findings(text, "sv", "piping_syntax")


def test_custom_known_fields_are_honoured():
    definition = one_question("Hur upplevde du kampanjen {campaign}?", "sv")
    assert "unknown_placeholder" in codes(lint(definition, "sv"))
    assert "unknown_placeholder" not in codes(lint(definition, "sv", known_fields=["campaign"]))


@pytest.mark.parametrize("text", [
    "Hur var samtalet[ med {agent}?",
    "Hur var samtalet med {agent]?",
    "Hur var samtalet [med [{agent}]]?",
    "Hur var samtalet med agent}?",
])
def test_unbalanced_brackets_are_flagged(text):
    assert wording_findings(text, "sv", "piping_syntax")


# --- skip_logic --------------------------------------------------------------------------------
CHOICE = question("Vad påverkade ditt betyg mest?", "sv", "single_choice", key="reason",
                  options=["price", "service"], option_texts={"sv": {"price": "Priset", "service": "Servicen"}})


@pytest.mark.parametrize(("show_if", "variant"), [
    ({"question": "nope", "max": 6}, "does not exist"),
    ({"question": "later", "max": 6}, "does not come before"),
    ({"question": "q", "max": 6}, "does not come before"),  # itself
    ({"question": "reason", "min": 1}, "not a scale question"),
    ({"question": "nps", "in": ["9", "10"]}, "Use min/max"),
    ({"question": "reason", "in": ["quality"]}, "quality"),
    ({"question": "nps", "min": 8, "max": 3}, "can never hold"),
    ({"question": "nps", "min": 11}, "can never hold"),
    ({"question": "nps"}, "neither min/max"),
])
def test_broken_skip_logic_is_an_error(show_if, variant):
    definition = survey(NPS_SV, CHOICE, question("Berätta mer", "sv", "text", show_if=show_if),
                        question("Och sedan?", "sv", "text", key="later"), languages=["sv"])
    found = [f for f in lint(definition, "en") if f.code == "skip_logic"]
    assert [(f.question, f.severity) for f in found] == [("q", "error")]
    assert variant in found[0].message + found[0].evidence


@pytest.mark.parametrize("show_if", [
    {}, {"question": "nps", "max": 6}, {"question": "nps", "min": 9, "max": 10},
    {"question": "reason", "in": ["price"]},
])
def test_valid_skip_logic_passes(show_if):
    definition = survey(NPS_SV, CHOICE, question("Berätta mer", "sv", "text", show_if=show_if), languages=["sv"])
    assert "skip_logic" not in codes(lint(definition, "sv"), None)


# --- too_many_questions and no_open_text ---------------------------------------------------------
def scale(key: str, **extra) -> dict:
    return question(f"Hur upplevde du {key}?", "sv", "rating", key=key, **extra)


def test_more_than_four_questions_on_a_path_is_flagged():
    definition = survey(scale("a"), scale("b"), scale("c"), scale("d"), {**WHY, "texts": {"sv": "Varför?"}},
                        languages=["sv"])
    [finding] = [f for f in lint(definition, "sv") if f.code == "too_many_questions"]
    assert finding.question is None and "5 frågor" in finding.message


def test_four_questions_pass():
    definition = survey(scale("a"), scale("b"), scale("c"), {**WHY, "texts": {"sv": "Varför?"}}, languages=["sv"])
    assert "too_many_questions" not in codes(lint(definition, "sv"), None)


def test_the_longest_path_counts_not_every_follow_up():
    follow_ups = [question("Berätta mer", "sv", "text", key=f"f{i}", show_if={"question": "nps", **rng})
                  for i, rng in enumerate([{"max": 3}, {"min": 4, "max": 6}, {"min": 7, "max": 8}, {"min": 9}])]
    definition = survey(NPS_SV, *follow_ups, languages=["sv"])
    assert "too_many_questions" not in codes(lint(definition, "sv"), None)
    # Overlapping follow-ups: a score of 0–6 sees nps and all four follow-ups, five on one path.
    overlapping = [question("Berätta mer", "sv", "text", key=f"g{i}", show_if={"question": "nps", "max": 6})
                   for i in range(4)]
    definition = survey(NPS_SV, *overlapping, languages=["sv"])
    [finding] = [f for f in lint(definition, "en") if f.code == "too_many_questions"]
    assert "5 questions" in finding.message


def test_hidden_questions_are_mentioned_when_the_path_is_shorter_than_the_survey():
    definition = survey(NPS_SV, scale("a"), scale("b"), scale("c"), question("Varför?", "sv", "text", key="w"),
                        question("Vad kan vi göra bättre?", "sv", "text", key="x", show_if={"question": "nps",
                                                                                             "max": 6}),
                        question("Vad var bäst?", "sv", "text", key="y", show_if={"question": "nps", "min": 9}),
                        languages=["sv"])
    [finding] = [f for f in lint(definition, "en") if f.code == "too_many_questions"]
    assert "6 questions on the longest path" in finding.message and "7 in the survey" in finding.message


def test_a_survey_without_an_open_question_is_flagged():
    definition = survey(NPS_SV, scale("a"), languages=["sv"])
    [finding] = [f for f in lint(definition, "sv") if f.code == "no_open_text"]
    assert "egna ord" in finding.message


def test_an_open_question_that_only_some_respondents_see_is_flagged():
    definition = survey(NPS_SV, question("Vad kan vi göra bättre?", "sv", "text", key="x",
                                         show_if={"question": "nps", "max": 6}), languages=["sv"])
    [finding] = [f for f in lint(definition, "en") if f.code == "no_open_text"]
    assert finding.evidence == "nps = 7"


def test_open_questions_for_every_group_pass():
    definition = survey(NPS_SV, question("Vad kan vi göra bättre?", "sv", "text", key="x",
                                         show_if={"question": "nps", "max": 6}),
                        question("Vad fick dig att ge det betyget?", "sv", "text", key="y",
                                 show_if={"question": "nps", "min": 7}), languages=["sv"])
    assert "no_open_text" not in codes(lint(definition, "sv"), None)


# --- other structural rules -----------------------------------------------------------------------
def test_structural_errors():
    definition = survey(
        question("Hur upplevde du besöket?", "sv", "rating", key="a"),
        question("Hur upplevde du besöket?", "sv", "rating", key="a"),
        question("Vad tyckte du?", "sv", "stars", key="b"),
        question("Vad påverkade ditt betyg?", "sv", "multi_choice", key="c"),
        question("Varför?", "sv", "text", key="d", required=True), languages=["sv"])
    found = {(f.code, f.severity) for f in lint(definition, "sv")}
    assert {("duplicate_key", "error"), ("unknown_type", "error"), ("no_options", "error"),
            ("required_open_text", "warning")} <= found


def test_a_long_question_is_flagged():
    text = " ".join(["ord"] * 31) + "?"
    assert wording_findings(text, "sv", "long_question")
    assert not wording_findings(" ".join(["ord"] * 12) + "?", "sv", "long_question")


# --- messages and the public face ------------------------------------------------------------------
def test_messages_come_in_the_authors_language():
    definition = one_question("Var personalen snabb och trevlig?", "sv")
    [sv] = [f for f in lint(definition, "sv") if f.code == "double_barrelled"]
    [en] = [f for f in lint(definition, "en") if f.code == "double_barrelled"]
    [fallback] = [f for f in lint(definition, "fi") if f.code == "double_barrelled"]
    assert "två saker" in sv.message and "two things" in en.message and fallback.message == en.message
    assert sv.evidence == en.evidence == "snabb och trevlig" and sv.language == "sv"


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name}


def test_every_message_exists_in_both_languages_and_every_code_is_a_rule():
    # Messages and rule titles are UI text: English in the code, Swedish in the UI catalogue, with the
    # same format fields.
    from glapp.surveys import linter_data
    swedish = catalogue("sv")
    for key, message in linter_data.MESSAGES.items():
        translated = swedish.gettext(message)
        assert translated != message and translated.strip(), key
        assert _fields(translated) == _fields(message), key
        assert key.split(".")[0] in linter.RULE_ORDER, key
    for _code, title, _description in RULES:
        assert swedish.gettext(title) != title, title
    assert linter_data.language_names(swedish)["en"] == "engelska"  # lower case inside a Swedish sentence
    assert {code for code, *_ in RULES} >= {
        "too_many_questions", "no_open_text", "leading_wording", "one_sided_wording", "double_barrelled",
        "known_information", "scale_direction", "nps_wording", "missing_translation", "empty_question",
        "unknown_placeholder", "skip_logic"}


def test_wording_in_other_languages_gets_only_structural_rules():
    definition = survey(question("Kuinka tyytyväinen olit palveluumme {kauppa}?", "fi"),
                        {**WHY, "texts": {"fi": "Miksi?"}}, languages=["fi"])
    assert codes(lint(definition, "en")) == ["unknown_placeholder"]


def test_a_broken_definition_does_not_crash():
    assert lint({}, "sv") == []
    found = lint({"questions": [{"key": "a"}, {"type": "nps"}, "junk"]}, "en")
    assert {"unknown_type", "empty_question"} <= {f.code for f in found}


@pytest.mark.parametrize("show_if", [
    "nps", ["nps"], {"question": "nps", "min": "7"}, {"question": "nps", "max": None, "min": True},
    {"question": "reason", "in": "price"}, {"question": "reason", "in": [{"x": 1}]},
])
def test_malformed_conditions_are_skip_logic_errors_not_crashes(show_if):
    definition = survey(NPS_SV, CHOICE, question("Berätta mer", "sv", "text", show_if=show_if), languages=["sv"])
    assert [f.question for f in lint(definition, "sv") if f.code == "skip_logic"] == ["q"]


def test_malformed_texts_and_labels_do_not_crash():
    definition = {"languages": ["sv", "en"], "thank_you": "Tack", "promoter_link": "https://x",
                  "promoter_link_label": 3,
                  "questions": [{"key": "a", "type": "single_choice", "texts": "Hej", "options": ["x", 2],
                                 "option_texts": {"sv": "nej"}},
                                {"key": "b", "type": "text", "texts": {"sv": 5, "en": "Why?"}}]}
    found = {(f.code, f.question) for f in lint(definition, "sv")}
    assert ("empty_question", "a") in found and ("missing_translation", "b") in found


def test_findings_are_ordered_survey_first_then_by_question():
    definition = survey(question("Hur nöjd är du?", "sv", "csat", key="b"),
                        question("", "sv", "rating", key="a"), languages=["sv"])
    found = lint(definition, "sv")
    assert found[0].question is None
    assert [f.question for f in found[1:]] == sorted((f.question for f in found[1:]), key=["b", "a"].index)
