import pytest

from glapp.textanalytics.analyzers import query, taxonomy, topics

POSITIVE = ["Leveransen var sen igen", "Paketet kom aldrig fram", "The parcel was delivered to the wrong address",
            "Budet lämnade paketet utanför", "Delivery took two weeks", "Hemleveransen strulade",
            "My package never arrived", "Ombudet hade inte mitt paket", "Tracking says delivered but nothing here",
            "Fraktkostnaden var hög och paketet sent"]
NEGATIVE = ["Trevlig personal i butiken", "The staff were rude", "Appen kraschar hela tiden",
            "Too expensive for what it is", "Fakturan var fel", "Bra priser", "Lovely service at the counter",
            "Kundtjänst svarade snabbt", "Login does not work", "Kvaliteten är dålig"]


def test_match_topics_reports_clause():
    compiled = topics.compile_topics(taxonomy.TOPICS)
    text = "Priset var högt. Men personalen var trevlig."
    doc = query.Doc(text, "sv")
    hits = topics.match_topics(doc, compiled, [(0, 16), (17, len(text))])
    by_code = {h.code: h for h in hits}
    assert text[by_code["price"].start:by_code["price"].end] == "Priset"
    assert by_code["price"].clause_index == 0
    assert by_code["staff_attitude"].clause_index == 1


@pytest.fixture(scope="module")
def classifier():
    texts = POSITIVE * 3 + NEGATIVE * 3
    labels = [True] * (len(POSITIVE) * 3) + [False] * (len(NEGATIVE) * 3)
    return topics.TopicClassifier.train(texts, labels, "other", feature_queries=[taxonomy.BY_CODE["delivery"].query])


def test_classifier_learns(classifier):
    probs = classifier.predict_proba(["Paketet har inte kommit", "Personalen var otrevlig"], "sv")
    assert probs[0] > 0.5 > probs[1]
    assert classifier.predict("Where is my parcel?", "en")
    assert not classifier.predict("Great prices", "en")


def test_classifier_round_trip(classifier):
    blob = classifier.to_bytes()
    assert b"pickle" not in blob and blob.startswith(b"GLTC1")
    again = topics.TopicClassifier.from_bytes(blob)
    texts = ["Paketet har inte kommit", "Personalen var otrevlig", "delivery was late"]
    assert again.predict_proba(texts, "sv") == pytest.approx(classifier.predict_proba(texts, "sv"), abs=1e-5)
    assert again.query_sources == classifier.query_sources
    assert again.fingerprint == classifier.fingerprint
    with pytest.raises(ValueError):
        topics.TopicClassifier.from_bytes(b"not a model")


def test_uncertain_returns_least_sure(classifier):
    texts = ["Paketet kom aldrig fram och budet svarar inte", "Hej", "Trevlig personal"]
    probs = classifier.predict_proba(texts)
    order = classifier.uncertain(texts, 2)
    assert len(order) == 2
    distance = [abs(p - 0.5) for p in probs]
    assert order == sorted(range(3), key=lambda i: distance[i])[:2]


def test_training_needs_both_kinds_of_tag():
    with pytest.raises(ValueError):
        topics.TopicClassifier.train(["a", "b"], [True, True])
