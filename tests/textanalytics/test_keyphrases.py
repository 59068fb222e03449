"""Key phrases: stopword-bounded phrases and copular statements per comment, counts over many."""


from glapp.textanalytics.analyzers.keyphrases import STOPWORDS, VERSION, extract, group_phrases


def test_version_and_stopwords():
    assert VERSION.startswith("keyphrases-")
    assert {"och", "att", "inte"} <= STOPWORDS["sv"]
    assert {"the", "and", "not"} <= STOPWORDS["en"]


def test_swedish_phrases():
    phrases = extract("Väldigt lång väntetid i telefon och fakturan var fel.", "sv")
    assert "lång väntetid" in phrases
    assert "fakturan var fel" in phrases
    assert extract("Väntetiden var alldeles för lång!", "sv") == ["väntetiden var alldeles för lång"]
    assert "trasig förpackning" in extract("Trasig förpackning, fick ringa kundtjänst två gånger", "sv")


def test_english_phrases():
    phrases = extract("Late flight again, and the staff were rude.", "en")
    assert "late flight" in phrases
    assert "staff were rude" in phrases


def test_generic_words_are_not_phrases_alone():
    assert extract("Bra!", "sv") == []
    assert extract("Great, thanks!", "en") == []
    assert extract("Great service, thanks", "en") == ["great service"]


def test_breaks_at_numbers_mentions_and_urls():
    phrases = extract("@united lost bag 2 days ago, see https://example.com/x", "en")
    assert "lost bag" in phrases
    assert all("united" not in p and "http" not in p and "2" not in p for p in phrases)


def test_limit_and_no_contained_duplicates():
    text = "Lång väntetid, dålig information, trasig förpackning, sen leverans, otrevlig personal, fel faktura"
    phrases = extract(text, "sv", limit=3)
    assert len(phrases) == 3
    assert not any(a != b and a in b for a in phrases for b in phrases)


def test_auto_language_and_tokens_argument():
    assert "lång väntetid" in extract("Lång väntetid i kassan", "auto")

    class Tok:
        def __init__(self, norm, kind):
            self.norm, self.kind = norm, kind

    tokens = [Tok("late", "word"), Tok("flight", "word"), Tok("!", "punct"), Tok("rude", "word"), Tok("crew", "word")]
    assert extract("ignored when tokens are given", "en", tokens=tokens) == ["late flight", "rude crew"]


def test_group_phrases_counts_once_per_comment_and_merges_inflections():
    items = [
        ("Lång väntetid", "sv"),
        ("Långa väntetider i telefon", "sv"),
        ("Lång väntetid, lång väntetid!", "sv"),
        "Late flight",
        "late flights again!",
        ("Very late flight", "en"),
        ("Fakturan var fel", "sv"),
    ]
    groups = dict(group_phrases(items, limit=10))
    assert groups["lång väntetid"] == 3
    assert groups["late flight"] == 3
    assert groups["fakturan var fel"] == 1
    assert group_phrases(items, limit=1) == [("late flight", 3)] or group_phrases(items, limit=1) == [
        ("lång väntetid", 3)
    ]


def test_a_phrase_after_a_negator_keeps_it():
    assert "inget säljtryck" in extract("Inget säljtryck alls, bara bra råd", "sv")
    assert all(p != "säljtryck alls" and not p.startswith("säljtryck") for p in extract("Inget säljtryck alls", "sv"))
    assert "aldrig fel faktura" in extract("Aldrig fel faktura hos er", "sv")
    assert "inte särskilt lång väntetid" in extract("Inte särskilt lång väntetid", "sv")
    en = extract("No hidden fees, but not very helpful staff", "en")
    assert "no hidden fees" in en and "not very helpful staff" in en
    assert "didn't work" in extract("The app didn’t work", "en")


def test_negated_and_plain_phrases_are_counted_apart():
    counts = dict(group_phrases([("Inte dyrt alls", "sv"), ("Dyrt", "sv"), ("Väldigt dyrt", "sv")]))
    assert counts == {"dyrt": 2, "inte dyrt": 1}
