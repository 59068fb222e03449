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


def test_word_keys_cover_heads_and_base_forms():
    keys = set(morphology.word_keys("kundtjänstpersonalen", "sv"))
    assert {"personal", "personalen", "tjänstpersonalen"} <= keys
    # A compound is about its head: its modifiers alone are not keys ("kund" is not what
    # "kundtjänstpersonalen" is about; "paket" not what "paketresan" is).
    assert not {"kund", "tjänst", "kundtjänst"} & keys
    assert "paket" not in morphology.word_keys("paketresan", "sv")
    assert "resa" in morphology.word_keys("paketresan", "sv")
    assert "kö" in morphology.word_keys("köerna", "sv")
    assert "kö" not in morphology.word_keys("köerna", "en")


def test_match_stem_keeps_derivational_suffixes():
    # Snowball strips "-lig", "-ig", "-het", "-ful", "-ly", "-ation", "-ment": words of another meaning.
    sv = morphology.match_stem
    assert sv("vänlig", "sv") == sv("vänliga", "sv") == sv("vänligt", "sv") != sv("vän", "sv")
    assert sv("billig", "sv") == sv("billigt", "sv") != sv("bil", "sv")
    assert sv("säkerheten", "sv") == sv("säkerhet", "sv") != sv("säker", "sv")
    assert sv("erbjudande", "sv") == sv("erbjudanden", "sv") != sv("erbjuder", "sv")
    en = morphology.match_stem
    assert en("install", "en") == en("installed", "en") == en("installing", "en")
    assert en("installation", "en") != en("install", "en")
    assert en("instalment", "en") == en("instalments", "en") != en("installation", "en")
    assert en("friendly", "en") != en("friend", "en")
    assert en("helpful", "en") != en("help", "en")
    # Inflection still joins: plural, past, -ing, doubled consonants.
    assert en("cancelled", "en") == en("cancel", "en") == en("canceled", "en")
    assert en("deliver", "en") == en("delivered", "en") == en("delivering", "en")
    assert en("charge", "en") == en("charged", "en")
    assert sv("ringde", "sv") == sv("ringt", "sv")
    # The stemmer itself is unchanged (themes and key phrases group on it).
    assert morphology.stem("vänlig", "sv") == "vän"
