from glapp.textanalytics.analyzers.tokens import split_clauses, tokenize


def kinds(text):
    return [(t.norm, t.kind) for t in tokenize(text)]


def test_words_keep_swedish_letters_and_casefold():
    assert kinds("Väntetiden ÄR Lång") == [("väntetiden", "word"), ("är", "word"), ("lång", "word")]


def test_spans_refer_to_the_original_text():
    text = "Jättebra  service, tack!"
    for tok in tokenize(text):
        assert text[tok.start:tok.end] == tok.text


def test_kinds():
    got = kinds("@SAS #fail 3.5% https://example.se/a?b=1. :) 😡 👍🏽 !!! don't")
    assert got == [
        ("@sas", "mention"), ("#fail", "hashtag"), ("3.5%", "number"), ("https://example.se/a?b=1", "url"),
        (".", "punct"), (":)", "emoji"), ("😡", "emoji"), ("👍🏽", "emoji"), ("!!!", "punct"), ("don't", "word"),
    ]


def test_typographic_apostrophe_is_normalised():
    assert tokenize("don’t")[0].norm == "don't"


def test_dates_and_times_are_numbers():
    assert kinds("2024-01-02 12:30") == [("2024-01-02", "number"), ("12:30", "number")]


def test_emoticon_needs_no_letter_after_it():
    assert [t.kind for t in tokenize(":Detta")] == ["punct", "word"]


def clauses(text, language="other"):
    return [text[a:b] for a, b in split_clauses(text, tokenize(text), language)]


def test_clauses_at_sentence_ends_and_contrast():
    assert clauses("Maten var god men personalen var otrevlig. Kommer inte tillbaka!", "sv") == [
        "Maten var god", "men personalen var otrevlig.", "Kommer inte tillbaka!",
    ]
    assert clauses("Great food but slow service; however the staff were kind", "en") == [
        "Great food", "but slow service;", "however the staff were kind",
    ]


def test_weak_contrast_words_need_a_comma():
    assert clauses("Bra, fast dyrt", "sv") == ["Bra,", "fast dyrt"]
    assert clauses("Fast pris och bra service", "sv") == ["Fast pris och bra service"]


def test_concessive_clause_ends_at_comma():
    assert clauses("Although the food was good, the service was bad", "en") == [
        "Although the food was good,", "the service was bad",
    ]


def test_line_breaks_and_trailing_emoji():
    assert clauses("Snabb leverans\nDålig förpackning!!! 😡") == ["Snabb leverans", "Dålig förpackning!!! 😡"]
    assert clauses("") == []
