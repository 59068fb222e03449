"""Complaints read as complaints: praise prefixes in product names, promises that were not kept, and
each topic mention scored by its own clause. Every example here is invented for the test."""

import pytest

from glapp.textanalytics.analyzers import sentiment
from glapp.textanalytics.analyzers.pipeline import Pipeline, TopicSpec


def score(text, language="sv"):
    return sentiment.analyze(text, language).score


def label(text, language="sv"):
    return sentiment.analyze(text, language).label


# --- Praise prefixes in names -------------------------------------------------------------------

@pytest.mark.parametrize("word", [
    "Megaerbjudandet", "Toppenpaketet", "Superrean", "Kanonkampanjen", "Toppabonnemanget", "Superdealen",
    "megapaket", "superkampanj",
])
def test_praise_prefix_on_a_named_offer_is_not_praise(word):
    """A definite noun ("-et", "-en") or an offer ("kampanj", "paket", "erbjudande", ...) after
    "super-"/"mega-"/"toppen-"/"kanon-"/"topp-" is the name the seller gave it, not the customer's judgement."""
    assert score(word) == 0
    assert score(f"Jag valde {word} i våras") == 0


def test_capitalised_prefix_compound_mid_sentence_is_a_name():
    # Lower case and at the start of a sentence the compound is the writer's own praise; capitalised
    # in the middle of a sentence it names something.
    assert score("Toppenservice!") > 0
    assert score("Vi fick toppenservice") > 0
    assert score("Vi beställde Toppenservice i maj") == 0
    assert score("Jag köpte Mega Paketet i butiken") == 0


def test_prefix_name_does_not_outweigh_the_complaint():
    assert label("Villkoren för Megaerbjudandet ändrades efter att jag tecknat mig, mycket besviken") == "negative"
    assert label("Kanonkampanjen höll inte vad den lovade.") == "negative"


@pytest.mark.parametrize("text", ["Det var super", "Super!", "Toppen!", "Personalen var super", "Allt var toppen",
                                  "Service i topp", "Det gick supert"])
def test_free_standing_praise_words_are_still_praise(text):
    assert label(text) == "positive"


def test_negative_prefixes_stay_the_customers_judgement():
    assert score("Bluffkampanjen") < 0
    assert score("skitpaketet") < 0


def test_prefix_still_intensifies_a_valenced_rest():
    assert score("supersnabb leverans") > score("snabb leverans") > 0
    assert score("Megadålig service") < 0


# --- Promises that were not kept -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "language"), [
    ("Avtalet var helt annorlunda än det som sades i butiken.", "sv"),
    ("Månadsavgiften blev dyrare än utlovat", "sv"),
    ("Priset var inte som utlovat", "sv"),
    ("Det stämde inte med det som sades i telefon", "sv"),
    ("Ni lovade fri frakt men jag fick betala 79 kr", "sv"),
    ("Säljaren lovade ett bra pris. Men fakturan visade något annat", "sv"),
    ("Erbjudandet lovade 99 kr i månaden… rena bondfångeriet", "sv"),
    ("Kände mig vilseledd av annonsen", "sv"),
    ("They promised a full refund but I only got half", "en"),
    ("The plan was not as advertised", "en"),
    ("The bill was completely different from what I was told on the phone", "en"),
    ("Classic bait and switch", "en"),
    ("The price ended up higher than quoted", "en"),
    ("We were told it would take two days. Nothing arrived for a month", "en"),
])
def test_broken_promises_are_complaints(text, language):
    assert label(text, language) == "negative", (text, sentiment.analyze(text, language))


@pytest.mark.parametrize(("text", "language"), [
    ("Ni lovade leverans på fredag och den kom på fredag. Toppen!", "sv"),
    ("De lovade att ringa tillbaka och gjorde det inom en timme, bra", "sv"),
    ("They promised it would arrive Monday, but it came even earlier. Great!", "en"),
    ("Exactly as advertised, works great", "en"),
    ("Allt var precis som utlovat, mycket nöjd", "sv"),
])
def test_kept_promises_are_not_complaints(text, language):
    assert label(text, language) == "positive", (text, sentiment.analyze(text, language))


def test_a_kept_promise_is_not_read_as_broken():
    assert label("Levererat som utlovat", "sv") == "positive"
    assert label("Delivered as promised", "en") == "positive"


def test_promise_clause_carries_the_broken_promise():
    """The clause that states the promise reports what was promised, not what happened: when the
    next clause says it was broken, the promise clause reads negative too (its topics are the complaint)."""
    result = sentiment.analyze("Ni lovade ett bra pris men jag fick betala mer", "sv")
    assert [c.label for c in result.clauses] == ["negative", "negative"]
    result = sentiment.analyze("Kampanjen lovade 149 kr… ren lögn", "sv")
    assert result.clauses[0].label == "negative"


# --- A mention's sentiment is its own clause's ------------------------------------------------------

TOPICS = [
    TopicSpec("staff", 'trevlig OR polite OR personalen OR agent OR friendly'),
    TopicSpec("billing", 'faktura* OR billing OR bill'),
    TopicSpec("support", 'kundtjänst* OR "customer service" OR support'),
    TopicSpec("delivery", 'leverans* OR delivery'),
    TopicSpec("price", 'pris* OR price OR kr'),
    TopicSpec("campaign", 'kampanj* OR erbjudande*'),
]


def mentions(text, lang):
    return {m.code: m.label for m in Pipeline(TOPICS).analyze(text, lang).topics}


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("The agent was polite but could not sort out my billing problem", "en",
     {"staff": "positive", "billing": "negative"}),
    ("Customer service was friendly, however the bill is still wrong", "en",
     {"support": "positive", "staff": "positive", "billing": "negative"}),
    ("Personalen var trevlig men kundtjänsten kunde inte lösa felet på fakturan", "sv",
     {"staff": "positive", "support": "negative", "billing": "negative"}),
    ("Snabb leverans, dock var fakturan fel", "sv", {"delivery": "positive", "billing": "negative"}),
    ("Snabb leverans, otrevlig personal", "sv", {"delivery": "positive", "staff": "negative"}),
    ("Trevlig personal, fast leveransen tog tre veckor och var försenad", "sv",
     {"staff": "positive", "delivery": "negative"}),
    ("Kampanjen lovade 99 kr i månaden… ren bluff", "sv", {"campaign": "negative", "price": "negative"}),
])
def test_topic_sentiment_comes_from_the_mentions_clause(text, lang, expected):
    assert mentions(text, lang) == expected


def test_topic_in_two_clauses_weighs_both():
    # "priset" in a positive and a negative clause: neither clause alone decides.
    found = {m.code: m for m in Pipeline(TOPICS).analyze("Bra pris i butiken, men priset på fakturan var fel",
                                                         "sv").topics}
    clauses = sentiment.analyze("Bra pris i butiken, men priset på fakturan var fel", "sv").clauses
    assert min(c.score for c in clauses) < found["price"].sentiment < max(c.score for c in clauses)


@pytest.mark.parametrize(("text", "language"), [
    ("De lovade att ringa tillbaka.", "sv"),
    ("They promised a callback.", "en"),
])
def test_a_promise_reported_with_no_outcome_is_a_complaint(text, language):
    """Feedback names what was promised when it is not what happened; said in a question, or with
    praise anywhere in the comment, it is not read so."""
    assert label(text, language) == "negative"


def test_a_promise_in_a_question_or_beside_praise_is_not_a_complaint():
    assert label("Is the advertised fare still available?", "en") == "neutral"
    assert label("De lovade att ringa tillbaka, och det gjorde de. Bra!") == "positive"


@pytest.mark.parametrize(("text", "language"), [
    ("Fick ett presentkort istället för pengarna tillbaka", "sv"),
    ("Got a voucher instead of a refund", "en"),
    ("Erbjudandet gäller endast nya kunder", "sv"),
    ("The discount only applied to new customers", "en"),
    ("Ingen informerade mig om avgiften", "sv"),
    ("They didn't honour the price", "en"),
])
def test_the_catch_and_the_substitute_are_complaints(text, language):
    assert label(text, language) == "negative"


@pytest.mark.parametrize(("text", "language"), [("Tydligen", "sv"), ("Honestly, the seats", "en"),
                                                ("Ärligt talat vet jag inte", "sv")])
def test_sentence_adverbs_are_not_praise(text, language):
    """"Tydligen" (apparently) and "honestly" are not "tydlig" (clear) and "honest"."""
    assert score(text, language) == 0


def test_the_writer_saying_something_is_no_promise():
    assert label("Enligt mig är personalen bra") == "positive"
    assert label("As I said, great service but a bit slow", "en") == label("Great service but a bit slow", "en")
