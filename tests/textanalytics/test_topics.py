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


PRICE = ["Too expensive for what it is", "Priset var alldeles för högt", "Way overpriced", "Dyrt och dåligt",
         "The price went up again", "Höga priser överallt", "Costs too much money", "Billigare hos konkurrenten",
         "Prices are a rip-off", "Alldeles för dyr frakt"]
STAFF = ["The staff were rude", "Trevlig personal i butiken", "Lovely service at the counter", "Otrevlig kassör",
         "The cashier was very friendly", "Personalen ignorerade mig", "Staff were helpful", "Snäll expedit",
         "The clerk shouted at me", "Personalen var hjälpsam"]


@pytest.fixture(scope="module")
def topic_model():
    texts = (POSITIVE + PRICE + STAFF) * 3
    labels = (["delivery"] * 10 + ["price"] * 10 + ["staff"] * 10) * 3
    queries = [taxonomy.BY_CODE[c].query for c in ("delivery", "price", "staff_attitude")]
    return topics.TopicModel.train(texts, labels, "other", feature_queries=queries, c=10.0)


def test_topic_model_picks_one_topic(topic_model):
    assert topic_model.classes == ["delivery", "price", "staff"]
    texts = ["Paketet har inte kommit", "Way too expensive", "Personalen var otrevlig"]
    assert topic_model.predict_many(texts, "other") == ["delivery", "price", "staff"]
    assert topic_model.predict("My parcel never arrived", "en") == "delivery"
    probs = topic_model.predict_proba(["Where is my parcel?"], "en")[0]
    assert sum(probs.values()) == pytest.approx(1.0)
    assert max(probs, key=probs.get) == "delivery"


def test_topic_model_round_trip(topic_model):
    blob = topic_model.to_bytes()
    assert b"pickle" not in blob and blob.startswith(b"GLTM1")
    again = topics.TopicModel.from_bytes(blob)
    texts = ["Paketet har inte kommit", "Personalen var otrevlig", "delivery was late and pricey"]
    for a, b in zip(again.predict_proba(texts, "other"), topic_model.predict_proba(texts, "other"), strict=True):
        assert a == pytest.approx(b, abs=1e-5)
    assert again.classes == topic_model.classes and again.query_sources == topic_model.query_sources
    assert again.fingerprint == topic_model.fingerprint
    with pytest.raises(ValueError):
        topics.TopicModel.from_bytes(topics.TopicClassifier({}, 0.0).to_bytes())


def test_topic_model_uncertain_orders_by_margin(topic_model):
    texts = ["Paketet kom aldrig fram", "Hej", "The parcel was late and the staff were rude"]
    margins = []
    for p in topic_model.predict_proba(texts, "other"):
        first, second = sorted(p.values(), reverse=True)[:2]
        margins.append(first - second)
    assert topic_model.uncertain(texts, 2, "other") == sorted(range(3), key=lambda i: margins[i])[:2]


def test_topic_model_two_topics_and_validation():
    texts = (POSITIVE + NEGATIVE) * 2
    labels = (["delivery"] * 10 + ["other"] * 10) * 2
    model = topics.TopicModel.train(texts, labels, "other", c=10.0)
    assert model.predict("My package never arrived", "en") == "delivery"
    assert model.predict("Bra priser", "sv") == "other"
    best, scores = topics.TopicModel.choose_c(texts, labels, "other", cs=(0.01, 10.0), folds=2)
    assert set(scores) == {0.01, 10.0} and best == max(scores, key=scores.get)
    with pytest.raises(ValueError):
        topics.TopicModel.train(["a", "b"], ["x", "x"])
