"""Text analytics accuracy on real public customer feedback, beside same-run baselines.

    .venv/bin/python benchmarks/text_eval.py [--datasets DIR] [--learned-only]

--learned-only: only the learned models beside the TF-IDF + LR baseline (no built-in, VADER or topics).

Data: ../shared/datasets (beside the repository; never copied into it), see its README:
- twitter_airline/Tweets.csv: English tweets, 3-class sentiment and negative reasons;
- trustpilot_sv/reviews.csv: Swedish reviews, ratings 4–5 positive, 1–2 negative (3 left out).

Split rule (fixed): 80/20 stratified by label, seed 0 (scikit-learn train_test_split). Swedish
texts are deduplicated (exact text after stripping whitespace, first occurrence kept) before
splitting, so no text is in both parts. Anything that learns sees the train part only.

Analyzers and baselines:
- built-in: glapp's lexicon analyzer, no training. 3-class labels use sentiment.NEUTRAL_BAND, the
  threshold chosen on the English TRAIN split; pos/neg uses sentiment.POS_NEG_CUT, chosen on the
  Swedish TRAIN split. This script re-derives both on those train splits and prints the choices
  beside the shipped values.
- learned (English): learned.train on the train split's 3-class labels (NB-LR on hashed binary
  word 1–3-grams with negation marks and char 2–5-grams, plus built-in score features; C chosen on
  a slice of the train split); evaluated on test, with the single-comment predict() time.
- learned (Swedish): the score-anchored model: labels from the ratings of the train split
  (learned.weak_label(rating, "stars5")), evaluated on test.
- majority class; VADER (English, the vaderSentiment package, compound ±0.05); TF-IDF (word 1–2
  + char 2–5) + logistic regression trained on the same train split.
- topics: benchmarks/topic_eval.py's run() (the topics module's own evaluation), when present.

Last line: en_f1_builtin=.. en_f1_vader=.. en_f1_learned=.. en_f1_tfidf=.. en_topic_f1=..
en_topic_f1_tfidf=.. sv_f1_builtin=.. sv_f1_learned=.. sv_f1_tfidf=.. sv_recall_1_2_builtin=.. (the built-in
analyzer's recall of 1–2-star reviews: complaints it reads as complaints)
"""

import argparse
import csv
import importlib.util
import math
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scipy import sparse  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from glapp.textanalytics.analyzers import learned, sentiment  # noqa: E402

DEFAULT_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
BAND_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
CUT_GRID = (-0.2, -0.1, 0.0, 0.1, 0.2, 0.3)


def f1(y_true, y_pred, labels) -> float:
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))


def split(texts, labels):
    return train_test_split(texts, labels, test_size=0.2, stratify=labels, random_state=0)


def tfidf_lr(train_x, train_y, test_x):
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    xtr = sparse.hstack([word.fit_transform(train_x), char.fit_transform(train_x)], format="csr")
    xte = sparse.hstack([word.transform(test_x), char.transform(test_x)], format="csr")
    model = LogisticRegression(C=4.0, max_iter=2000)
    model.fit(xtr, train_y)
    return list(model.predict(xte))


def majority(train_y, n):
    return [Counter(train_y).most_common(1)[0][0]] * n


def load_airline(root: Path):
    with open(root / "twitter_airline" / "Tweets.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["airline_sentiment"] for r in rows]


def load_trustpilot(root: Path):
    seen = set()
    texts, labels = [], []
    with open(root / "trustpilot_sv" / "reviews.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            text = (r["review"] or "").strip()
            if not text or text in seen:
                continue
            seen.add(text)
            label = learned.weak_label(int(r["rating"]), "stars5")
            if label is not None:
                texts.append(text)
                labels.append(label)
    return texts, labels


def learned_run(tr_x, tr_y, te_x, te_y, lang, classes) -> tuple[float, learned.LearnedSentiment, float]:
    """Train on the train split, evaluate once on test; also µs per comment of predict() (one at a time)."""
    model = learned.train(tr_x, [lang] * len(tr_x), tr_y)
    pred = [label for _s, label in model.predict_many(te_x, [lang] * len(te_x))]
    sample = te_x[:500]
    model.predict(sample[0], lang)  # builds the dense coefficients once
    t0 = time.perf_counter()
    for t in sample:
        model.predict(t, lang)
    us = (time.perf_counter() - t0) / len(sample) * 1e6
    return f1(te_y, pred, classes), model, us


def english(root: Path, learned_only: bool = False) -> dict:
    texts, labels = load_airline(root)
    classes = ["negative", "neutral", "positive"]
    tr_x, te_x, tr_y, te_y = split(texts, labels)
    print(f"English airline tweets: {len(texts)} rows, train {len(tr_x)}, test {len(te_x)} "
          f"(test: {dict(sorted(Counter(te_y).items()))})")

    out = {"en_f1_builtin": math.nan, "en_f1_vader": math.nan}
    if not learned_only:
        out.update(english_zero_shot(texts, labels, tr_x, tr_y, te_x, te_y, classes))
    t0 = time.perf_counter()
    out["en_f1_tfidf"] = f1(te_y, tfidf_lr(tr_x, tr_y, te_x), classes)
    print(f"  TF-IDF + LR (train split)    test macro-F1 {out['en_f1_tfidf']:.3f}   ({time.perf_counter() - t0:.0f} s)")
    t0 = time.perf_counter()
    out["en_f1_learned"], model, us = learned_run(tr_x, tr_y, te_x, te_y, "en", classes)
    print(f"  learned (train split 3-class labels, C={model.meta['C']}, {model.meta['class_weight']}; "
          f"train-slice grid {model.meta['grid_f1']}) test macro-F1 {out['en_f1_learned']:.3f}   "
          f"({time.perf_counter() - t0:.0f} s; model {len(model.to_bytes()) / 1e6:.1f} MB; "
          f"predict() {us:.0f} µs/tweet)")
    return out


def english_zero_shot(texts, labels, tr_x, tr_y, te_x, te_y, classes) -> dict:
    t0 = time.perf_counter()
    train_scores = [sentiment.analyze(t, "en").score for t in tr_x]
    rate = len(tr_x) / (time.perf_counter() - t0)
    band_f1 = {b: f1(tr_y, [sentiment.label_for(s, b) for s in train_scores], classes) for b in BAND_GRID}
    best_band = max(band_f1, key=band_f1.get)
    print(f"  neutral band chosen on TRAIN from {BAND_GRID}: {best_band} (train macro-F1 {band_f1[best_band]:.3f}); "
          f"shipped NEUTRAL_BAND = {sentiment.NEUTRAL_BAND}")
    test_pred = [sentiment.analyze(t, "en").label for t in te_x]
    all_pred = [sentiment.analyze(t, "en").label for t in texts]
    out = {"en_f1_builtin": f1(te_y, test_pred, classes)}
    print(f"  built-in (no training)       test macro-F1 {out['en_f1_builtin']:.3f}   all rows "
          f"{f1(labels, all_pred, classes):.3f}   ({rate:,.0f} tweets/s incl. tokenizing)")

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("  VADER: vaderSentiment not installed (pip install vaderSentiment)")
        out["en_f1_vader"] = math.nan
    else:
        vader = SentimentIntensityAnalyzer()

        def vlabel(t):
            c = vader.polarity_scores(t)["compound"]
            return "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"

        out["en_f1_vader"] = f1(te_y, [vlabel(t) for t in te_x], classes)
        print(f"  VADER (no training)          test macro-F1 {out['en_f1_vader']:.3f}   all rows "
              f"{f1(labels, [vlabel(t) for t in texts], classes):.3f}")

    print(f"  majority class               test macro-F1 {f1(te_y, majority(tr_y, len(te_y)), classes):.3f}")
    return out


def topics(root: Path) -> dict:
    path = ROOT / "benchmarks" / "topic_eval.py"
    if not path.exists():
        print("topics: not available")
        return {"en_topic_f1": math.nan, "en_topic_f1_tfidf": math.nan}
    spec = importlib.util.spec_from_file_location("topic_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run(root, seed=0)
    out = {k: float(result.get(k, math.nan)) for k in ("en_topic_f1", "en_topic_f1_tfidf")}
    print(f"topics (benchmarks/topic_eval.py): negative reason macro-F1 {out['en_topic_f1']:.3f}, "
          f"TF-IDF + LR {out['en_topic_f1_tfidf']:.3f}")
    return out


def swedish(root: Path, learned_only: bool = False) -> dict:
    texts, labels = load_trustpilot(root)
    classes = ["negative", "positive"]
    tr_x, te_x, tr_y, te_y = split(texts, labels)
    print(f"Swedish Trustpilot (deduplicated, 1–2 vs 4–5): {len(texts)} rows, train {len(tr_x)}, test {len(te_x)} "
          f"(test: {dict(sorted(Counter(te_y).items()))})")
    out = {"sv_f1_builtin": math.nan, "sv_recall_1_2_builtin": math.nan}
    if not learned_only:
        out.update(swedish_zero_shot(texts, labels, tr_x, tr_y, te_x, te_y, classes))
    t0 = time.perf_counter()
    out["sv_f1_tfidf"] = f1(te_y, tfidf_lr(tr_x, tr_y, te_x), classes)
    print(f"  TF-IDF + LR (train split)    test macro-F1 {out['sv_f1_tfidf']:.3f}   ({time.perf_counter() - t0:.0f} s)")
    t0 = time.perf_counter()
    out["sv_f1_learned"], model, us = learned_run(tr_x, tr_y, te_x, te_y, "sv", classes)
    report = learned.evaluate_against_builtin(model, te_x, ["sv"] * len(te_x), te_y)
    print(f"  learned (score-anchored: rating labels of the train split, C={model.meta['C']}, "
          f"{model.meta['class_weight']}; train-slice grid {model.meta['grid_f1']}) test macro-F1 "
          f"{out['sv_f1_learned']:.3f}   ({time.perf_counter() - t0:.0f} s; predict() {us:.0f} µs/review); "
          f"choose() → {report['use']}")
    return out


def swedish_zero_shot(texts, labels, tr_x, tr_y, te_x, te_y, classes) -> dict:
    t0 = time.perf_counter()
    test_scores = [sentiment.analyze(t, "sv").score for t in te_x]
    rate = len(te_x) / (time.perf_counter() - t0)
    train_scores = [sentiment.analyze(t, "sv").score for t in tr_x]
    cut_f1 = {c: f1(tr_y, ["positive" if s >= c else "negative" for s in train_scores], classes) for c in CUT_GRID}
    best_cut = max(cut_f1, key=cut_f1.get)
    print(f"  pos/neg cut chosen on TRAIN from {CUT_GRID}: {best_cut} (train macro-F1 {cut_f1[best_cut]:.3f}); "
          f"shipped POS_NEG_CUT = {sentiment.POS_NEG_CUT}")
    all_scores = [sentiment.analyze(t, "sv").score for t in texts]
    test_pred = [learned.builtin_binary(s) for s in test_scores]
    out = {"sv_f1_builtin": f1(te_y, test_pred, classes)}
    recall = {c: sum(p == t == c for p, t in zip(test_pred, te_y, strict=True)) / te_y.count(c) for c in classes}
    out["sv_recall_1_2_builtin"] = recall["negative"]
    strict = f1(te_y, [sentiment.label_for(s) for s in test_scores], classes)
    print(f"  built-in (no training)       test macro-F1 {out['sv_f1_builtin']:.3f}   all rows "
          f"{f1(labels, [learned.builtin_binary(s) for s in all_scores], classes):.3f}   "
          f"(3-class labels, neutral counted wrong: {strict:.3f}; {rate:,.0f} reviews/s)")
    print(f"  built-in recall on test: 1–2 stars (negative) {recall['negative']:.3f}, 4–5 stars (positive) "
          f"{recall['positive']:.3f}")
    print(f"  majority class               test macro-F1 {f1(te_y, majority(tr_y, len(te_y)), classes):.3f}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--learned-only", action="store_true", help="only the learned models and TF-IDF + LR")
    args = parser.parse_args(argv)
    root = args.datasets
    needed = [root / "twitter_airline" / "Tweets.csv", root / "trustpilot_sv" / "reviews.csv"]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        print(f"text_eval: evaluation data not found: {', '.join(missing)}\n"
              f"Put the shared datasets beside the repository (../shared/datasets) or pass --datasets DIR.",
              file=sys.stderr)
        return 2
    print(f"sentiment {sentiment.VERSION}, learned {learned.VERSION}; split 80/20 stratified, seed 0")
    out = english(root, args.learned_only)
    if args.learned_only:
        out.update({"en_topic_f1": math.nan, "en_topic_f1_tfidf": math.nan})
    else:
        out.update(topics(root))
    out.update(swedish(root, args.learned_only))
    keys = ("en_f1_builtin", "en_f1_vader", "en_f1_learned", "en_f1_tfidf", "en_topic_f1", "en_topic_f1_tfidf",
            "sv_f1_builtin", "sv_f1_learned", "sv_f1_tfidf", "sv_recall_1_2_builtin")
    print(" ".join(f"{k}={out[k]:.2f}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
