import io
import json
import random

import numpy as np
import pytest

from glapp.textanalytics.analyzers import learned

# A tiny synthetic organization: its own words ("kön", "appen", "leveransen") decide the label,
# and most of them are not in the built-in lexicon.
_POS = ["leveransen kom på en dag", "appen är smidig", "personalen löste allt", "alltid rätt vara",
        "kort kö idag", "fick pengarna direkt"]
_NEG = ["kön tog en timme", "appen kraschar", "leveransen kom aldrig", "fel vara igen", "pengarna dröjer",
        "ingen ringde upp"]


def synthetic(n, seed):
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.choice(["positive", "negative"])
        parts = rng.sample(_POS if label == "positive" else _NEG, 2)
        texts.append(" och ".join(parts) + rng.choice(["", ".", "!", " hej"]))
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model():
    texts, labels = synthetic(200, seed=1)
    return learned.train(texts, ["sv"] * len(texts), labels, c=4.0)


def test_beats_chance_on_held_out_comments(model):
    texts, labels = synthetic(100, seed=2)
    predicted = [label for _score, label in model.predict_many(texts, ["sv"] * len(texts))]
    accuracy = sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(labels)
    assert accuracy >= 0.8


def test_score_and_label_agree(model):
    score, label = model.predict("appen kraschar och kön tog en timme", "sv")
    assert -1.0 <= score < 0 and label == "negative"
    score, label = model.predict("appen är smidig och fick pengarna direkt", "sv")
    assert 0 < score <= 1.0 and label == "positive"


def test_round_trip_serialisation(model):
    blob = model.to_bytes()
    again = learned.LearnedSentiment.from_bytes(blob)
    texts, _labels = synthetic(30, seed=3)
    before = model.predict_many(texts, ["sv"] * 30)
    after = again.predict_many(texts, ["sv"] * 30)
    assert [label for _s, label in after] == [label for _s, label in before]
    for (s1, _), (s2, _) in zip(after, before, strict=True):
        assert s1 == pytest.approx(s2, abs=1e-4)
    assert again.classes == model.classes and again.fingerprint == model.fingerprint
    assert b"pickle" not in blob[:200]


def test_single_prediction_matches_batch(model):
    texts, _labels = synthetic(20, seed=5)
    texts += ["", "!!!", "helt ny text med ord som inte fanns 😡"]
    batch = model.predict_many(texts, ["sv"] * len(texts))
    for text, (score, label) in zip(texts, batch, strict=True):
        one = model.predict(text, "sv")
        assert one[1] == label and one[0] == pytest.approx(score, abs=1e-4)


def test_three_classes():
    texts = ["bra bra", "bra service", "dålig dålig", "dålig service", "adressen ändrad", "nytt nummer"] * 10
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 10
    model = learned.train(texts, ["sv"] * len(texts), labels, c=4.0)
    assert model.predict("adressen ändrad", "sv")[1] == "neutral"
    assert model.predict("dålig service", "sv")[1] == "negative"
    again = learned.LearnedSentiment.from_bytes(model.to_bytes())
    assert again.predict("bra bra", "sv")[1] == "positive"


def test_weak_labels():
    assert [learned.weak_label(s, "nps") for s in (10, 9, 8, 7, 6, 0, None)] == [
        "positive", "positive", None, None, "negative", "negative", None]
    assert [learned.weak_label(s, "stars5") for s in (5, 4, 3, 2, 1)] == [
        "positive", "positive", None, "negative", "negative"]
    with pytest.raises(ValueError):
        learned.weak_label(3, "percent")


def test_choose_prefers_builtin_unless_learned_is_better():
    assert learned.choose(0.80, 0.80) == "builtin"
    assert learned.choose(0.80, 0.805) == "builtin"
    assert learned.choose(0.80, 0.85) == "learned"


def test_train_for_organization_uses_the_learned_model_only_when_it_wins():
    texts, labels = synthetic(300, seed=4)
    scores = [9 if y == "positive" else 3 for y in labels]
    model, report = learned.train_for_organization(texts, ["sv"] * 300, scores, "nps")
    assert report["use"] == "learned" and report["learned_f1"] > report["builtin_f1"]
    assert model is not None
    few, report = learned.train_for_organization(texts[:20], ["sv"] * 20, scores[:20], "nps")
    assert few is None and report["use"] == "builtin"


def test_rejects_unknown_format(model):
    import io

    import numpy as np

    buf = io.BytesIO()
    np.savez(buf, header=np.frombuffer(b'{"format": 99}', dtype=np.uint8))
    with pytest.raises(ValueError):
        learned.LearnedSentiment.from_bytes(buf.getvalue())


def test_negation_scope_marks_words_until_punctuation():
    assert learned._negation_marked("Not good at all. Great crew!") == [
        "not", "good_NEG", "at_NEG", "all_NEG", "great", "crew", "!"]
    assert learned._negation_marked("don't like it but fine") == ["don't", "like_NEG", "it_NEG", "fine"]
    assert learned._negation_marked("Fungerar inte bra") == ["fungerar", "inte", "bra_NEG"]


def test_negated_phrase_learns_the_opposite_label():
    # "good" alone is positive, "not good" negative: only the negation mark tells them apart as unigrams.
    texts = ["good service", "good food", "not good service", "not good food", "service good", "food not good"] * 10
    labels = ["positive", "positive", "negative", "negative", "positive", "negative"] * 10
    model = learned.train(texts, ["en"] * len(texts), labels, c=4.0)
    assert model.predict("the service was not good", "en")[1] == "negative"
    assert model.predict("the food was good", "en")[1] == "positive"


def test_training_does_not_store_pickled_objects(model):
    import io

    import numpy as np

    with np.load(io.BytesIO(model.to_bytes()), allow_pickle=False) as z:
        assert all(z[name].dtype != object for name in z.files)



def test_format_1_models_still_load_and_predict():
    # A model stored before NB-LR (format 1: TF-IDF features, idf stored) keeps working until retrained.
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    texts, labels = synthetic(200, seed=6)
    learned._legacy_features(texts[:1], ["sv"], np.zeros(2 * learned._N_FEATURES))  # builds the vectorizers
    counts = sparse.hstack([v.transform(texts) for v in learned._LEGACY_VEC], format="csr")
    idf = np.where(np.bincount(counts.indices, minlength=counts.shape[1]) > 0, 1.5, 0.0)
    X = learned._legacy_features(texts, ["sv"] * 200, idf)
    lr = LogisticRegression(C=4.0, solver="liblinear").fit(X, labels)
    old = learned.LearnedSentiment(list(lr.classes_), sparse.csr_matrix(lr.coef_), lr.intercept_, {}, legacy_idf=idf)
    blob = old.to_bytes()
    again = learned.LearnedSentiment.from_bytes(blob)
    assert json.loads(np.load(io.BytesIO(blob))["header"].tobytes())["format"] == 1
    held, held_labels = synthetic(50, seed=7)
    predicted = [label for _s, label in again.predict_many(held, ["sv"] * 50)]
    assert list(lr.predict(learned._legacy_features(held, ["sv"] * 50, idf))) == predicted
    assert sum(p == y for p, y in zip(predicted, held_labels, strict=True)) >= 40
    assert again.predict(held[0], "sv") == pytest.approx(again.predict_many(held[:1], ["sv"])[0])
