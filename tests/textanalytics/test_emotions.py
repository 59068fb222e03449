import pytest

from glapp.surveys.question_types import EMOTIONS
from glapp.textanalytics.analyzers.emotions import detect


def codes(text, language="sv"):
    return [e.code for e in detect(text, language)]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Jag är så glad och nöjd med hjälpen", "sv", "joy"),
    ("Absolutely love this shop", "en", "joy"),
    ("Pålitlig bank, jag känner stort förtroende", "sv", "trust"),
    ("Reliable and honest, I trust them", "en", "trust"),
    ("Äntligen löste de det, vilken lättnad", "sv", "relief"),
    ("What a relief, they finally sorted it", "en", "relief"),
    ("Blev positivt överraskad av servicen", "sv", "surprise_positive"),
    ("Wow, it exceeded my expectations", "en", "surprise_positive"),
    ("Jag är jättebesviken på leveransen", "sv", "disappointment"),
    ("Really disappointed with the food", "en", "disappointment"),
    ("Så frustrerande och krångligt att byta", "sv", "frustration"),
    ("Such a waste of time, so annoying", "en", "frustration"),
    ("Jag är förbannad, oförskämd personal", "sv", "anger"),
    ("Furious. Unacceptable treatment 😡", "en", "anger"),
    ("Jag är orolig för att pengarna försvunnit", "sv", "worry"),
    ("I'm worried my data was leaked", "en", "worry"),
])
def test_strongest_emotion(text, language, expected):
    found = detect(text, language)
    assert found and found[0].code == expected, found


def test_codes_are_the_survey_codes_and_sorted_by_strength():
    found = detect("Wow, positivt överraskad! Men lite orolig för priset.", "sv")
    assert {e.code for e in found} <= set(EMOTIONS)
    strengths = [e.strength for e in found]
    assert strengths == sorted(strengths, reverse=True)
    assert all(0 < s < 1 for s in strengths)


def test_neutral_text_has_no_emotion():
    assert detect("Jag beställde en tröja i storlek M.", "sv") == []
    assert detect("The flight left at 9.", "en") == []


def test_negation():
    assert "anger" not in codes("Jag är inte arg")
    assert codes("Inte nöjd alls") == ["disappointment"]
    assert codes("I am not happy with this", "en") == ["disappointment"]
    assert "worry" not in codes("I'm not worried at all", "en")
    # negation stops at the clause boundary
    assert "joy" in codes("Not cheap. But I love it", "en")


def test_intensity():
    weak = detect("Jag är besviken", "sv")[0].strength
    strong = detect("Jag är jättebesviken!!", "sv")[0].strength
    assert strong > weak


def test_accepts_tokens_and_clauses():
    from glapp.textanalytics.analyzers.tokens import split_clauses, tokenize

    text = "Not angry, but worried"
    toks = tokenize(text)
    assert codes(text, "en") == [e.code for e in detect(text, "en", toks, split_clauses(text, toks, "en"))]
