"""Per-organization sentiment model learned from the organization's own comments (weak labels).

An organization's comments come with a score (NPS 0–10, stars 1–5, ...). Promoters' comments lean
positive and detractors' negative, so `weak_label` turns the score into a label and `train` fits a
logistic regression (one-vs-rest for three classes) on those labels. Features: hashed word 1–2-grams
and character 2–5-grams within words (scikit-learn's HashingVectorizer: stateless, so only the
document frequencies seen in training and the coefficients are stored), TF-IDF weighted with
sublinear tf; plus the built-in analyzer's judgement (score, its labels, the lowest, highest and
last clause scores, whether the comment asks a question), so the model starts from the built-in
analysis and learns the organization's own vocabulary ("kön", "leveransen", product names).

The model is used only where it beats the built-in analyzer on held-out comments of the same
organization (`train_for_organization`, `choose`).

Serialisation (`to_bytes`/`from_bytes`) is a NumPy .npz holding only numeric arrays and a JSON
header, loaded with allow_pickle=False: a stored model cannot run code when it is loaded.
"""

import hashlib
import io
import json
import math
import random
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils import murmurhash3_32

from glapp.textanalytics.analyzers import sentiment

VERSION = "learned-1"
FORMAT = 1

_N_FEATURES = 2**20  # per block (words, characters); fewer collide on long reviews' character n-grams
_N_BUILTIN = 8
# Regularisation and class weighting, chosen on a slice of the organization's own train data.
_GRID = ((2.0, None), (8.0, None), (2.0, "balanced"), (8.0, "balanced"))
# Words of one letter count too ("ok", "i"), and so do "!", "?" and pictographs.
_WORDS = r"(?u)\b\w+\b|[!?]|[\U0001F300-\U0001FAFF\u2600-\u27BF]"


def weak_label(score: float | None, scale: str) -> str | None:
    """Label implied by a comment's score, or None where the score says nothing clear.

    scale "nps" (0–10): 9–10 positive, 0–6 negative, 7–8 None. "stars5" (1–5): 4–5 positive,
    1–2 negative, 3 None. "csat5" is the same as stars5."""
    if score is None:
        return None
    if scale == "nps":
        return "positive" if score >= 9 else "negative" if score <= 6 else None
    if scale in ("stars5", "csat5"):
        return "positive" if score >= 4 else "negative" if score <= 2 else None
    raise ValueError(f"unknown scale {scale!r}")


def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    # Fixed parameters: they are part of the model format (FORMAT), not stored per model.
    words = HashingVectorizer(n_features=_N_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm=None,
                              token_pattern=_WORDS)
    chars = HashingVectorizer(n_features=_N_FEATURES, analyzer="char_wb", ngram_range=(2, 5), alternate_sign=False,
                              norm=None)
    return words, chars


_VEC = None


def _counts(texts: Sequence[str]):
    """Raw hashed n-gram counts, words and characters side by side."""
    global _VEC
    if _VEC is None:
        _VEC = _vectorizers()
    words, chars = _VEC
    return sparse.hstack([words.transform(texts), chars.transform(texts)], format="csr")


def _idf(counts) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    n = counts.shape[0]
    return np.where(df > 0, np.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0)


def _weight(counts, idf: np.ndarray):
    """Sublinear TF-IDF, each block (words, characters) scaled to unit length."""
    x = counts.astype(np.float64, copy=True)
    x.data = 1.0 + np.log(x.data)
    x = x.multiply(idf).tocsr()
    blocks = []
    for lo in (0, _N_FEATURES):
        block = x[:, lo:lo + _N_FEATURES]
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        blocks.append(sparse.diags(1.0 / norms) @ block)
    return blocks


def _builtin(texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
    rows = np.zeros((len(texts), _N_BUILTIN))
    band = sentiment.NEUTRAL_BAND
    for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        result = sentiment.analyze(text, lang)
        s = result.score
        clause_scores = [c.score for c in result.clauses] or [0.0]
        rows[i] = (s, s >= band, s <= -band, s >= sentiment.POS_NEG_CUT, min(clause_scores), max(clause_scores),
                   clause_scores[-1], "?" in text)
    return rows


def _features(texts: Sequence[str], languages: Sequence[str], idf: np.ndarray):
    words, chars = _weight(_counts(texts), idf)
    return sparse.hstack([words, chars, sparse.csr_matrix(_builtin(texts, languages))], format="csr")


class LearnedSentiment:
    def __init__(self, classes: list[str], coef: sparse.csr_matrix, intercept: np.ndarray, idf: np.ndarray,
                 meta: dict):
        self.classes = list(classes)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = coef.tocsr()
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.meta = dict(meta)
        self._dense = None  # coefficients as a dense (features × classes) array, built on first predict()
        self._analyzers = None
        self.fingerprint = hashlib.sha256(self.to_bytes()).hexdigest()[:16]

    # --- prediction ---------------------------------------------------------------------------
    def _proba(self, X) -> np.ndarray:
        z = np.asarray((X @ self.coef.T).todense()) + self.intercept
        if len(self.classes) == 2:  # binary logistic regression: one row of coefficients
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.column_stack([1.0 - p1, p1])
        p = 1.0 / (1.0 + np.exp(-z))  # one-vs-rest, normalised as scikit-learn does
        return p / p.sum(axis=1, keepdims=True)

    def predict_many(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[float, str]]:
        if not texts:
            return []
        proba = self._proba(_features(texts, languages, self.idf))
        pos = self.classes.index("positive") if "positive" in self.classes else None
        neg = self.classes.index("negative") if "negative" in self.classes else None
        out = []
        for row in proba:
            score = (row[pos] if pos is not None else 0.0) - (row[neg] if neg is not None else 0.0)
            out.append((float(score), self.classes[int(row.argmax())]))
        return out

    def predict(self, text: str, language: str) -> tuple[float, str]:
        """(score in [-1, 1] = P(positive) − P(negative), most probable label).

        One comment at a time (the pipeline's case) skips scikit-learn's per-call overhead: the same
        hashed features are computed directly and dotted with a dense copy of the coefficients."""
        if self._dense is None:
            self._dense = np.ascontiguousarray(self.coef.T.toarray(), dtype=np.float32)
            self._analyzers = tuple(v.build_analyzer() for v in _vectorizers())
        z = self.intercept.copy()
        for block, analyzer in enumerate(self._analyzers):
            counts: dict[int, int] = {}
            for feature in analyzer(text):
                h = murmurhash3_32(feature, seed=0)
                idx = (2147483647 - (_N_FEATURES - 1)) % _N_FEATURES if h == -2147483648 else abs(h) % _N_FEATURES
                idx += block * _N_FEATURES
                counts[idx] = counts.get(idx, 0) + 1
            if counts:
                index = np.fromiter(counts, dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                values = (1.0 + np.log(tf)) * self.idf[index]
                norm = math.sqrt(float(values @ values))
                if norm:
                    z += (values / norm) @ self._dense[index]
        z += _builtin([text], [language])[0] @ self._dense[2 * _N_FEATURES:]
        if len(self.classes) == 2:
            p1 = 1.0 / (1.0 + math.exp(-z[0]))
            proba = (1.0 - p1, p1)
        else:
            p = 1.0 / (1.0 + np.exp(-z))
            proba = p / p.sum()
        scores = dict(zip(self.classes, proba, strict=True))
        score = scores.get("positive", 0.0) - scores.get("negative", 0.0)
        return float(score), self.classes[int(np.argmax(proba))]

    # --- serialisation ------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        coef = self.coef.tocsr()
        seen = np.flatnonzero(self.idf).astype(np.int32)
        header = {"format": FORMAT, "version": VERSION, "classes": self.classes, "meta": self.meta,
                  "shape": list(coef.shape)}
        buf = io.BytesIO()
        np.savez_compressed(
            buf, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            data=coef.data.astype(np.float32), indices=coef.indices.astype(np.int32),
            indptr=coef.indptr.astype(np.int64), intercept=self.intercept.astype(np.float64),
            idf_index=seen, idf_value=self.idf[seen].astype(np.float32),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "LearnedSentiment":
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            header = json.loads(z["header"].tobytes().decode())
            if header.get("format") != FORMAT:
                raise ValueError(f"unsupported learned sentiment format {header.get('format')!r}")
            coef = sparse.csr_matrix((z["data"].astype(np.float64), z["indices"], z["indptr"]),
                                     shape=tuple(header["shape"]))
            idf = np.zeros(2 * _N_FEATURES)
            idf[z["idf_index"]] = z["idf_value"]
            return cls(header["classes"], coef, z["intercept"], idf, header["meta"])


def _fit(X, y: Sequence[str], c: float, class_weight: str | None = None):
    """liblinear logistic regression (one-vs-rest for more than two classes): fast on sparse n-grams."""
    y = list(y)
    base = LogisticRegression(C=c, max_iter=2000, solver="liblinear", class_weight=class_weight)
    if len(set(y)) > 2:
        model = OneVsRestClassifier(base).fit(X, y)
        coef = np.vstack([e.coef_ for e in model.estimators_])
        intercept = np.concatenate([e.intercept_ for e in model.estimators_])
    else:
        model = base.fit(X, y)
        coef, intercept = model.coef_, model.intercept_
    return model, coef, intercept, [str(k) for k in model.classes_]


def train(texts: Sequence[str], languages: Sequence[str], labels: Sequence[str], c: float | None = None,
          seed: int = 0, class_weight: str | None = None) -> LearnedSentiment:
    """Fit on (text, language, label) with labels such as "positive"/"negative"(/"neutral").

    Without `c`, the regularisation and class weighting are picked from a small grid on a 20% slice
    of these same comments (macro-F1), then the model is refitted on all of them."""
    texts, languages, labels = list(texts), list(languages), list(labels)
    if len(set(labels)) < 2:
        raise ValueError("need at least two classes to train")
    idf = _idf(_counts(texts))
    X = _features(texts, languages, idf)
    if c is None:
        idx = list(range(len(texts)))
        random.Random(seed).shuffle(idx)
        cut = max(1, len(idx) // 5)
        val, fit = idx[:cut], idx[cut:]
        fit_labels = [labels[i] for i in fit]
        if len(set(fit_labels)) < 2 or len(val) < 10:
            c, class_weight = 4.0, None
        else:
            best = None
            for cand, weighting in _GRID:
                m = _fit(X[fit], fit_labels, cand, weighting)[0]
                f1 = f1_score([labels[i] for i in val], m.predict(X[val]), average="macro")
                if best is None or f1 > best[0]:
                    best = (f1, cand, weighting)
            _f1, c, class_weight = best
    _model, coef, intercept, classes = _fit(X, labels, c, class_weight)
    coef = sparse.csr_matrix(coef)
    coef.eliminate_zeros()
    meta = {"C": c, "class_weight": class_weight, "n_train": len(texts), "languages": sorted(set(languages))}
    return LearnedSentiment(classes, coef, intercept, idf, meta)


# --- choosing between built-in and learned ------------------------------------------------------

def builtin_binary(score: float) -> str:
    """The built-in analyzer's decision between positive and negative only."""
    return sentiment.binary_label(score)


def builtin_predictions(texts: Sequence[str], languages: Sequence[str], classes: Sequence[str]) -> list[str]:
    binary = "neutral" not in set(classes)
    out = []
    for t, lang in zip(texts, languages, strict=True):
        s = sentiment.analyze(t, lang).score
        out.append(builtin_binary(s) if binary else sentiment.label_for(s))
    return out


def choose(builtin_f1: float, learned_f1: float, margin: float = 0.01) -> str:
    """"learned" only where it beats the built-in analyzer on held-out comments by more than `margin`."""
    return "learned" if learned_f1 > builtin_f1 + margin else "builtin"


def evaluate_against_builtin(model: LearnedSentiment, texts: Sequence[str], languages: Sequence[str],
                             labels: Sequence[str]) -> dict:
    """Macro-F1 of both analyzers on held-out comments, and which one to use."""
    classes = sorted(set(labels))
    learned = [label for _score, label in model.predict_many(list(texts), list(languages))]
    builtin = builtin_predictions(texts, languages, classes)
    builtin_f1 = float(f1_score(labels, builtin, labels=classes, average="macro", zero_division=0))
    learned_f1 = float(f1_score(labels, learned, labels=classes, average="macro", zero_division=0))
    return {"builtin_f1": builtin_f1, "learned_f1": learned_f1, "n": len(labels),
            "use": choose(builtin_f1, learned_f1)}


def train_for_organization(texts: Sequence[str], languages: Sequence[str], scores: Sequence[float | None],
                           scale: str, seed: int = 0, min_per_class: int = 30) -> tuple[LearnedSentiment | None, dict]:
    """Weak-label training for one organization: label by score, hold out 20% (stratified, seeded),
    train on the rest, compare with the built-in analyzer on the held-out part. Returns the model
    (refitted on all labelled comments) and the report; the model is None when it should not be
    used (too few labelled comments, or it did not beat the built-in analyzer)."""
    rows = [(t, lang, weak_label(s, scale)) for t, lang, s in zip(texts, languages, scores, strict=True)]
    rows = [r for r in rows if r[2] is not None and r[0].strip()]
    by_class: dict[str, list] = {}
    for r in rows:
        by_class.setdefault(r[2], []).append(r)
    if len(by_class) < 2 or min(len(v) for v in by_class.values()) < min_per_class:
        return None, {"use": "builtin", "reason": "too few labelled comments", "n": len(rows)}
    rng = random.Random(seed)
    train_rows, test_rows = [], []
    for label in sorted(by_class):
        group = by_class[label][:]
        rng.shuffle(group)
        cut = len(group) // 5
        test_rows += group[:cut]
        train_rows += group[cut:]
    model = train(*zip(*train_rows, strict=True), seed=seed)
    report = evaluate_against_builtin(model, *zip(*test_rows, strict=True))
    if report["use"] != "learned":
        return None, report
    return train(*zip(*rows, strict=True), c=model.meta["C"], class_weight=model.meta["class_weight"]), report
