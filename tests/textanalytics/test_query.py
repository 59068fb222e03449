import pytest

from glapp.textanalytics.analyzers.query import Doc, QuerySyntaxError, match_text, parse


def spans_text(source, text, language="sv"):
    return [text[a:b] for a, b in match_text(source, text, language)]


def test_word_matches_inflections_and_compounds():
    text = "Hemleveransen var sen, och leveranser strular. Leveranstiden är lång."
    # A word matches as the head of a compound; a wildcard also reaches it as the first part.
    assert spans_text("leverans", text) == ["Hemleveransen", "leveranser"]
    assert spans_text("leverans*", text) == ["Hemleveransen", "leveranser", "Leveranstiden"]
    assert spans_text("pris", "Kampanjpriset var högt, priserna också") == ["Kampanjpriset", "priserna"]
    assert spans_text("kö", "Satt i telefonkön en timme, köerna är långa") == ["telefonkön", "köerna"]


def test_word_does_not_match_inside_unknown_words():
    assert spans_text("app", "Knappen fungerar inte") == []
    assert spans_text("app", "Appen kraschar") == ["Appen"]


def test_english_stems():
    assert spans_text("price", "Prices went up again", "en") == ["Prices"]
    assert spans_text("wait", "We waited forever", "en") == ["waited"]


def test_wildcard():
    assert spans_text("deliver*", "It was delivered late; deliveries are slow", "en") == ["delivered", "deliveries"]
    assert spans_text("pris*", "Prislappen och prisvärd", "sv") == ["Prislappen", "prisvärd"]


def test_phrase_is_exact_and_ordered():
    assert spans_text('"lång kö"', "Det var en lång kö i butiken") == ["lång kö"]
    assert spans_text('"lång kö"', "Det var en långa köer") == []
    assert spans_text('"kö lång"', "Det var en lång kö") == []
    assert spans_text('"lång* kö*"', "Det var långa köer") == ["långa köer"]
    assert spans_text('"on hold"', "I was on hold for an hour", "en") == ["on hold"]


def test_boolean_operators():
    assert spans_text("kö AND personal", "Lång kö men trevlig personal") == ["kö", "personal"]
    assert spans_text("kö personal", "Lång kö") == []  # a space is AND
    assert spans_text("kö OR personal", "Trevlig personal") == ["personal"]
    assert spans_text("kö NOT telefon*", "Lång telefonkö") == []
    assert spans_text("kö -telefon*", "Lång kö i butiken") == ["kö"]
    assert spans_text("(pris OR kostnad) AND hög*", "Kostnaden är för hög") == ["Kostnaden", "hög"]
    # AND binds tighter than OR
    assert spans_text("a b OR kö", "Lång kö") == ["kö"]


def test_proximity():
    text = "Väntetiden var alldeles för lång"
    assert spans_text("väntetid NEAR/3 lång", text) == ["Väntetiden", "lång"]
    assert spans_text("väntetid NEAR/2 lång", text) == []
    assert spans_text("lång NEAR/3 väntetid", text) == ["Väntetiden", "lång"]  # either order
    assert spans_text('"för lång" NEAR/2 väntetid', text) == ["Väntetiden", "för lång"]
    assert parse("a NEAR b").root.distance == 5


def test_both_languages_in_one_query():
    q = parse("leverans* OR deliver*")
    assert q.match(Doc("Leveransen kom aldrig", "sv"))
    assert q.match(Doc("The delivery never came", "en"))
    assert q.match(Doc("delivery kom aldrig", "other"))


def test_swedish_operator_aliases():
    assert spans_text("kö ELLER personal INTE trevlig", "Personal var sur") == ["Personal"]


def test_spans_are_merged_and_sorted():
    text = "lång kö, lång kö"
    assert match_text('"lång kö" OR kö', text, "sv") == [(0, 7), (9, 16)]


@pytest.mark.parametrize(("source", "position", "fragment"), [
    ("", 0, "empty"),
    ("pris AND", 8, "AND needs a term after it"),
    ("AND pris", 0, "AND needs a term before it"),
    ("(pris OR kö", 0, "Missing ')'"),
    ("pris)", 4, "Unexpected ')'"),
    ('"lång kö', 0, "Unclosed quote"),
    ("NOT pris", 0, "NOT alone"),
    ("pris NEAR/ kö", 5, "NEAR/ needs a number"),
    ("pris NEAR", 9, "NEAR needs a word"),
    ("p*", 0, "at least 2 letters"),
    ("pr*is", 2, "only allowed at the end"),
    ("pris OR OR kö", 8, "Expected a word"),
    ("pris, kö", 4, "Unexpected character ','"),
    ("()", 0, "Empty parentheses"),
    ('""', 0, "Empty phrase"),
])
def test_syntax_errors_have_positions(source, position, fragment):
    with pytest.raises(QuerySyntaxError) as info:
        parse(source)
    assert info.value.position == position
    assert fragment.lower() in info.value.message.lower()
    assert f"character {position + 1}" in str(info.value)


# --- Word structure: compound heads, derivational suffixes, word-level exclusion --------------


def test_compound_matches_on_its_head_not_its_modifier():
    # Swedish compounds mean their last part: a package holiday is a trip, not a parcel.
    assert spans_text("paket", "Paketresan till Kreta var fin") == []
    assert spans_text("resa", "Paketresan till Kreta var fin") == ["Paketresan"]
    assert spans_text("paket", "Postpaketet kom i tid") == ["Postpaketet"]
    assert spans_text("kund", "Kundtjänsten svarade snabbt") == []
    assert spans_text("kundtjänst", "Kundtjänsten svarade snabbt") == ["Kundtjänsten"]
    # A wildcard is the way to reach a first part.
    assert spans_text("paket*", "Paketresan till Kreta var fin") == ["Paketresan"]


def test_stem_does_not_join_words_of_different_meaning():
    assert spans_text("vänlig", "Jag blev tipsad av en vän") == []
    assert spans_text("vänlig", "Mycket vänliga i kassan") == ["vänliga"]
    assert spans_text("billig", "Hämtade min bil i går") == []
    assert spans_text("billig", "Billigt och bra") == ["Billigt"]
    assert spans_text("instalment", "The installation took an hour", "en") == []
    assert spans_text("instalment", "I pay in monthly instalments", "en") == ["instalments"]
    assert spans_text("helpful", "I asked for help twice", "en") == []


def test_one_word_phrase_is_exact_across_languages():
    # An English word stemmed as Swedish would be another word ("store" → "stor"): quote it.
    assert spans_text("store", "Väldigt stora portioner") == ["stora"]
    assert spans_text('"store"', "Väldigt stora portioner") == []
    assert spans_text('"store"', "The store was closed", "en") == ["store"]


def test_except_excludes_words_not_comments():
    text = "Familjepaketet var billigt men paketet kom aldrig fram"
    assert spans_text("paket", text) == ["Familjepaketet", "paketet"]
    assert spans_text("paket EXCEPT familj*", text) == ["paketet"]
    assert spans_text("paket EXCEPT familj*", "Familjepaketet var billigt") == []
    # NOT drops the whole comment instead.
    assert spans_text("paket NOT familj*", text) == []


def test_except_with_a_phrase_leaves_negated_mentions_out():
    query = 'klaga EXCEPT ("inget att klaga" OR "inte klaga")'
    assert spans_text(query, "Inget att klaga på, allt gick bra") == []
    assert spans_text(query, "Jag fick klaga tre gånger") == ["klaga"]
    assert spans_text(query, "Inget att klaga på leveransen, men jag vill klaga på priset") == ["klaga"]


def test_except_with_near_gives_a_word_its_context():
    query = "damaged EXCEPT (damaged NEAR/2 (box OR packaging))"
    assert spans_text(query, "The box was damaged but the lamp works", "en") == []
    assert spans_text(query, "The lamp arrived damaged", "en") == ["damaged"]
    assert spans_text("(box OR packaging) NEAR/2 damaged", "The box was damaged", "en") == ["box", "damaged"]


def test_except_syntax_and_aliases():
    assert spans_text("paket UTOM familj*", "Familjepaketet") == []
    assert spans_text("(paket OR leverans) EXCEPT familj*", "Familjepaketet och leveransen") == ["leveransen"]
    assert repr(parse("a EXCEPT b").root) == "(a EXCEPT b)"
    for source, fragment in (("EXCEPT b", "before"), ("a EXCEPT", "after"), ("a EXCEPT OR b", "after"),
                             ("a AND EXCEPT b", "AND needs")):
        with pytest.raises(QuerySyntaxError) as err:
            parse(source)
        assert fragment in err.value.message
