import pytest

from glapp.textanalytics.analyzers import sentiment
from glapp.textanalytics.analyzers.sentiment import analyze, label_for


def score(text, language):
    return analyze(text, language).score


@pytest.mark.parametrize(("text", "language", "label"), [
    ("Mycket trevlig personal och snabb leverans", "sv", "positive"),
    ("Otrevligt bemötande och lång väntetid", "sv", "negative"),
    ("Friendly staff and a smooth check-in", "en", "positive"),
    ("Rude agent, terrible service", "en", "negative"),
    ("Jag bytte adress i appen", "sv", "neutral"),
    ("When does the flight leave", "en", "neutral"),
    ("", "sv", "neutral"),
])
def test_labels(text, language, label):
    assert analyze(text, language).label == label


def test_scores_stay_within_bounds():
    for text in ("BEST BEST BEST!!! 😍😍😍 " * 20, "värsta skit katastrof 😡 " * 30):
        assert -1.0 < score(text, "sv") < 1.0


def test_negation_flips_and_damps():
    assert score("bra", "sv") > 0 > score("inte bra", "sv") > score("dålig", "sv")
    assert score("good", "en") > 0 > score("not good", "en") > score("bad", "en")
    assert score("isn't good", "en") < 0
    assert 0 < score("not bad", "en") < score("good", "en")
    assert score("inte dåligt", "sv") > 0


def test_negation_with_intensifier_is_milder():
    assert score("inte bra", "sv") < score("inte särskilt bra", "sv") < 0


def test_swedish_negation_after_the_verb():
    assert score("Jag rekommenderar inte detta företag", "sv") < 0 < score("Jag rekommenderar detta företag", "sv")
    assert score("Appen fungerar inte", "sv") < 0
    assert score("Fick aldrig något svar", "sv") < 0


def test_expectations_are_neutral_unless_negated():
    assert score("It works", "en") >= 0 > score("It doesn't work", "en")
    assert score("Kundtjänst svarade", "sv") >= 0 > score("Ingen svarade", "sv")


def test_negation_scope_ends_at_punctuation():
    # "inte" in the first sentence must not reach "bra" in the second.
    assert score("Jag kom inte fram. Bra personal", "sv") > 0


@pytest.mark.parametrize(("weak", "strong", "language"), [
    ("bra", "mycket bra", "sv"), ("bra", "väldigt bra", "sv"), ("dålig", "extremt dålig", "sv"),
    ("good", "very good", "en"), ("bad", "extremely bad", "en"), ("ganska bra", "bra", "sv"),
    ("lite dåligt", "dåligt", "sv"), ("slightly slow", "slow", "en"),
])
def test_intensifiers_and_diminishers(weak, strong, language):
    assert abs(score(weak, language)) < abs(score(strong, language))
    assert (score(weak, language) > 0) == (score(strong, language) > 0)


def test_contrast_clause_weighs_more():
    assert score("Maten var god men personalen var otrevlig", "sv") < 0
    assert score("Personalen var otrevlig men maten var god", "sv") > 0
    assert score("Great food but terrible service", "en") < 0
    assert score("Although the food was great, the service was terrible", "en") < 0


def test_emoji_and_emoticons():
    assert score("Leveransen 😡", "sv") < 0 < score("Leveransen 😍", "sv")
    assert score("flight :(", "en") < 0 < score("flight :)", "en")
    assert score("👍🏽", "en") > 0  # skin tone modifiers are ignored


def test_exclamation_and_caps_amplify():
    assert score("bra!!!", "sv") > score("bra", "sv")
    assert score("This is BAD", "en") < score("This is bad", "en") < 0


@pytest.mark.parametrize(("word", "sign"), [
    ("jättebra", 1), ("skitdåligt", -1), ("toppenservice", 1), ("skitservice", -1), ("supernöjd", 1),
    ("kanonbemötande", 1), ("leveransproblem", -1), ("ohjälpsam", -1), ("trevligare", 1), ("kundtjänstkaos", -1),
])
def test_swedish_compounds_and_inflections(word, sign):
    assert score(word, "sv") * sign > 0


def test_compound_modifier_multiplies():
    assert score("jättebra", "sv") > score("bra", "sv")
    assert score("skitdåligt", "sv") < score("dåligt", "sv")


def test_false_friends_are_neutral():
    assert score("Kassan var öppen", "sv") == 0  # "kassa" is not "kass"
    assert score("Godset kom i tisdags", "sv") == 0


@pytest.mark.parametrize(("text", "language"), [
    ("Aldrig mer!", "sv"), ("Kommer inte tillbaka", "sv"), ("never again", "en"), ("what a waste of time", "en"),
    ("on hold for an hour", "en"), ("flight delayed", "en"), ("Slöseri med tid", "sv"),
])
def test_feedback_phrases_negative(text, language):
    assert score(text, language) < 0


@pytest.mark.parametrize(("text", "language"), [
    ("Rekommenderar!", "sv"), ("Inga problem alls", "sv"), ("on time and no problems", "en"), ("Tusen tack", "sv"),
])
def test_feedback_phrases_positive(text, language):
    assert score(text, language) > 0


def test_clause_spans_and_scores():
    text = "Snabb leverans men trasig förpackning. Tack!"
    result = analyze(text, "sv")
    assert [text[c.start:c.end] for c in result.clauses] == ["Snabb leverans", "men trasig förpackning.", "Tack!"]
    assert [c.label for c in result.clauses] == ["positive", "negative", "positive"]


def test_label_thresholds():
    band = sentiment.NEUTRAL_BAND
    assert label_for(band) == "positive"
    assert label_for(-band) == "negative"
    assert label_for(band * 0.99) == label_for(-band * 0.99) == label_for(0.0) == "neutral"
    assert label_for(0.5, band=0.6) == "neutral"
    assert sentiment.binary_label(sentiment.POS_NEG_CUT) == "positive"
    assert sentiment.binary_label(sentiment.POS_NEG_CUT - 0.01) == "negative"


def test_other_language_uses_both_lexicons():
    assert score("great service", "other") > 0 and score("jättebra", "other") > 0


def test_passed_tokens_give_the_same_result():
    from glapp.textanalytics.analyzers.tokens import tokenize

    text = "Inte särskilt bra, men personalen var trevlig 🙂"
    assert analyze(text, "sv", tokenize(text)) == analyze(text, "sv")


def test_still_not_negates_what_follows_and_complains_on_its_own():
    """"Fortfarande inte" must not swallow its negation: "fortfarande inte löst" is a complaint,
    as are "fungerar fortfarande inte" (negation after the verb) and "har fortfarande inte kommit"."""
    for text in ("Ärendet är fortfarande inte löst.", "Det fungerar fortfarande inte", "Har ännu inte fått svar",
                 "Paketet har fortfarande inte kommit"):
        assert sentiment.analyze(text, "sv").label == "negative", text
    assert score("fortfarande inte löst", "sv") <= score("inte löst", "sv")
