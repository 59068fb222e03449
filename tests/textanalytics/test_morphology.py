from glapp.textanalytics.analyzers import morphology


def test_stem_both_languages():
    assert morphology.stem("leveransen", "sv") == morphology.stem("leveranserna", "sv")
    assert morphology.stem("prices", "en") == morphology.stem("price", "en")
    assert morphology.stem("whatever", "other") == "whatever"


def test_split_compound_known_parts():
    assert morphology.split_compound("kundtjänstpersonalen") == ["kundtjänst", "personalen"]
    assert morphology.split_compound("hemleveransen") == ["hem", "leveransen"]
    assert morphology.split_compound("bindningstiden") == ["bindning", "tiden"]  # linking -s-
    assert morphology.split_compound("telefonkön") == ["telefon", "kön"]


def test_split_compound_leaves_other_words_alone():
    assert morphology.split_compound("knappen") == ["knappen"]  # not "kn" + "appen"
    assert morphology.split_compound("trappan") == ["trappan"]
    assert morphology.split_compound("leverans") == ["leverans"]


def test_word_keys_cover_parts_and_base_forms():
    keys = set(morphology.word_keys("kundtjänstpersonalen", "sv"))
    assert {"kund", "tjänst", "kundtjänst", "personal"} <= keys
    assert "kö" in morphology.word_keys("köerna", "sv")
    assert "kö" not in morphology.word_keys("köerna", "en")
