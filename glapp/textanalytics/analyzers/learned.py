"""Per-organization sentiment model learned from the organization's own comments (weak labels).

An organization's comments come with a score (NPS 0–10, stars 1–5, ...). Promoters' comments lean
positive and detractors' negative, so `weak_label` turns the score into a label and `train` fits a
model on those labels.

Model: NB-LR (Wang & Manning 2012, "Baselines and bigrams"): binarized n-gram features, each scaled
by its log-count ratio between the class and the rest, then logistic regression (one-vs-rest for
three classes). Features: hashed word 1–3-grams where words in a negation's scope carry a "_NEG"
mark ("not_NEG good_NEG"), and character 2–5-grams within words (scikit-learn's HashingVectorizer:
stateless), each block scaled to unit length; plus the built-in analyzer's judgement (score, its
labels, the lowest, highest and last clause scores, whether the comment asks a question), so the
model starts from the built-in analysis and learns the organization's own vocabulary ("kön",
"leveransen", product names). The ratio scaling is folded into the stored coefficients (w · (r ⊙ x)
= (w ⊙ r) · x), so prediction is one sparse dot product per class.

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
import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.utils import murmurhash3_32

from glapp.textanalytics.analyzers import sentiment

VERSION = "learned-2"
FORMAT = 2  # 1 (learned-1): TF-IDF hashed word 1–2-grams, no NB scaling; still loaded, see _legacy_features

_N_FEATURES = 2**20  # per block (words, characters); fewer collide on long reviews' character n-grams
_N_BUILTIN = 8
# Regularisation and class weighting, chosen on a slice of the organization's own train data.
_GRID = ((2.0, None), (8.0, None), (8.0, "balanced"), (32.0, None))
# Words (with inner apostrophes: "don't"), "!" and "?", pictographs; ".,;:" only end a negation's scope.
_TOKEN = re.compile(r"(?u)\w+(?:'\w+)*|[!?.,;:]|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_SCOPE_END = frozenset("!?.,;:") | {"but", "men", "however", "dock", "although", "though", "fast"}
_SCOPE = 4  # words marked after a negator
_NEGATORS: frozenset[str] | None = None


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


def _negation_marked(text: str) -> list[str]:
    """Lower-cased words; up to _SCOPE words after a negator (the built-in lexicons' negators, English
    and Swedish together: the vectorizer is language-independent) get "_NEG", until punctuation or "but"."""
    global _NEGATORS
    if _NEGATORS is None:
        _NEGATORS = frozenset(sentiment.lexicon("en").negators | sentiment.lexicon("sv").negators)
    out, left = [], 0
    for tok in _TOKEN.findall(text.lower()):
        if tok in _SCOPE_END:
            left = 0
            if tok in "!?":
                out.append(tok)
        elif tok in _NEGATORS:
            out.append(tok)
            left = _SCOPE
        else:
            out.append(tok + "_NEG" if left else tok)
            left = max(0, left - 1)
    return out


def _word_ngrams(text: str) -> list[str]:
    toks = _negation_marked(text)
    out = list(toks)
    for n in (2, 3):
        out += [" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    return out


def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    # Fixed parameters: they are part of the model format (FORMAT), not stored per model.
    words = HashingVectorizer(n_features=_N_FEATURES, analyzer=_word_ngrams, alternate_sign=False, norm=None,
                              binary=True)
    chars = HashingVectorizer(n_features=_N_FEATURES, analyzer="char_wb", ngram_range=(2, 5), alternate_sign=False,
                              norm=None, binary=True)
    return words, chars


_VEC = None


def _ngrams(texts: Sequence[str]):
    """Binary hashed n-gram presence, words and characters side by side, each block of unit length."""
    global _VEC
    if _VEC is None:
        _VEC = _vectorizers()
    blocks = []
    for vec in _VEC:
        x = vec.transform(texts).astype(np.float64).tocsr()
        nnz = np.diff(x.indptr)
        x.data = np.repeat(1.0 / np.sqrt(np.maximum(nnz, 1)), nnz)
        blocks.append(x)
    return sparse.hstack(blocks, format="csr")


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


def _features(texts: Sequence[str], languages: Sequence[str]):
    return sparse.hstack([_ngrams(texts), sparse.csr_matrix(_builtin(texts, languages))], format="csr")


_LEGACY_VEC = None
_LEGACY_WORDS = r"(?u)\b\w+\b|[!?]|[\U0001F300-\U0001FAFF\u2600-\u27BF]"


def _legacy_features(texts: Sequence[str], languages: Sequence[str], idf: np.ndarray):
    """Format 1 features (sublinear TF-IDF of hashed word 1–2-grams and char 2–5-grams, each block of
    unit length), so that models stored before format 2 keep working until they are retrained."""
    global _LEGACY_VEC
    if _LEGACY_VEC is None:
        _LEGACY_VEC = (
            HashingVectorizer(n_features=_N_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm=None,
                              token_pattern=_LEGACY_WORDS),
            HashingVectorizer(n_features=_N_FEATURES, analyzer="char_wb", ngram_range=(2, 5), alternate_sign=False,
                              norm=None))
    x = sparse.hstack([v.transform(texts) for v in _LEGACY_VEC], format="csr").astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    x = x.multiply(idf).tocsr()
    blocks = []
    for lo in (0, _N_FEATURES):
        block = x[:, lo:lo + _N_FEATURES]
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        blocks.append(sparse.diags(1.0 / norms) @ block)
    return sparse.hstack([*blocks, sparse.csr_matrix(_builtin(texts, languages))], format="csr")


class LearnedSentiment:
    def __init__(self, classes: list[str], coef: sparse.csr_matrix, intercept: np.ndarray, meta: dict,
                 legacy_idf: np.ndarray | None = None):
        self.classes = list(classes)
        self.legacy_idf = legacy_idf  # set only for a format 1 model (see _legacy_features)
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
        if self.legacy_idf is not None:
            proba = self._proba(_legacy_features(texts, languages, self.legacy_idf))
        else:
            proba = self._proba(_features(texts, languages))
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
        if self.legacy_idf is not None:
            return self.predict_many([text], [language])[0]
        if self._dense is None:
            self._dense = np.ascontiguousarray(self.coef.T.toarray(), dtype=np.float32)
            self._analyzers = tuple(v.build_analyzer() for v in _vectorizers())
        z = self.intercept.copy()
        for block, analyzer in enumerate(self._analyzers):
            seen: set[int] = set()
            for feature in analyzer(text):
                h = murmurhash3_32(feature, seed=0)
                idx = (2147483647 - (_N_FEATURES - 1)) % _N_FEATURES if h == -2147483648 else abs(h) % _N_FEATURES
                seen.add(idx + block * _N_FEATURES)
            if seen:
                index = np.fromiter(seen, dtype=np.int64, count=len(seen))
                z += self._dense[index].sum(axis=0) / math.sqrt(len(seen))
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
        legacy = {}
        if self.legacy_idf is not None:
            seen = np.flatnonzero(self.legacy_idf).astype(np.int32)
            legacy = {"idf_index": seen, "idf_value": self.legacy_idf[seen].astype(np.float32)}
        header = {"format": 1 if legacy else FORMAT, "version": "learned-1" if legacy else VERSION,
                  "classes": self.classes, "meta": self.meta,
                  "shape": list(coef.shape)}
        buf = io.BytesIO()
        np.savez_compressed(
            buf, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            data=coef.data.astype(np.float32), indices=coef.indices.astype(np.int32),
            indptr=coef.indptr.astype(np.int64), intercept=self.intercept.astype(np.float64), **legacy,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "LearnedSentiment":
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            header = json.loads(z["header"].tobytes().decode())
            if header.get("format") not in (1, FORMAT):
                raise ValueError(f"unsupported learned sentiment format {header.get('format')!r}")
            coef = sparse.csr_matrix((z["data"].astype(np.float64), z["indices"], z["indptr"]),
                                     shape=tuple(header["shape"]))
            legacy_idf = None
            if header["format"] == 1:
                legacy_idf = np.zeros(2 * _N_FEATURES)
                legacy_idf[z["idf_index"]] = z["idf_value"]
            return cls(header["classes"], coef, z["intercept"], header["meta"], legacy_idf)


def _log_count_ratio(X, positive: np.ndarray) -> np.ndarray:
    """NB log-count ratio per n-gram column (add-one smoothed presence counts), 1 for the built-in columns."""
    ngrams = X[:, :2 * _N_FEATURES].copy()
    ngrams.data[:] = 1.0
    p = np.asarray(ngrams[positive].sum(axis=0)).ravel() + 1.0
    q = np.asarray(ngrams[~positive].sum(axis=0)).ravel() + 1.0
    return np.concatenate([np.log((p / p.sum()) / (q / q.sum())), np.ones(X.shape[1] - 2 * _N_FEATURES)])


def _fit(X, y: Sequence[str], c: float, class_weight: str | None = None):
    """NB-LR: liblinear logistic regression on ratio-scaled features, one-vs-rest for more than two
    classes. Returns (coefficients with the ratios folded in, intercepts, classes)."""
    y = np.asarray(list(y))
    classes = sorted(set(y.tolist()))
    targets = classes if len(classes) > 2 else classes[1:]
    coefs, intercepts = [], []
    for k in targets:
        positive = y == k
        r = _log_count_ratio(X, positive)
        model = LogisticRegression(C=c, max_iter=2000, solver="liblinear", class_weight=class_weight)
        model.fit(X @ sparse.diags(r), positive.astype(int))
        coefs.append(model.coef_[0] * r)
        intercepts.append(model.intercept_[0])
    return np.vstack(coefs), np.asarray(intercepts), [str(k) for k in classes]


def _predict_labels(X, coef, intercept, classes) -> list[str]:
    z = X @ coef.T + intercept
    if len(classes) == 2:
        return [classes[1] if v > 0 else classes[0] for v in z[:, 0]]
    return [classes[i] for i in z.argmax(axis=1)]


def train(texts: Sequence[str], languages: Sequence[str], labels: Sequence[str], c: float | None = None,
          seed: int = 0, class_weight: str | None = None) -> LearnedSentiment:
    """Fit on (text, language, label) with labels such as "positive"/"negative"(/"neutral").

    Without `c`, the regularisation and class weighting are picked from a small grid on a 20% slice
    of these same comments (macro-F1), then the model is refitted on all of them."""
    texts, languages, labels = list(texts), list(languages), list(labels)
    if len(set(labels)) < 2:
        raise ValueError("need at least two classes to train")
    X = _features(texts, languages)
    grid_f1 = {}
    if c is None:
        idx = list(range(len(texts)))
        random.Random(seed).shuffle(idx)
        cut = max(1, len(idx) // 5)
        val, fit = idx[:cut], idx[cut:]
        fit_labels = [labels[i] for i in fit]
        if len(set(fit_labels)) < 2 or len(val) < 10:
            c, class_weight = 8.0, None
        else:
            best = None
            for cand, weighting in _GRID:
                coef, intercept, classes = _fit(X[fit], fit_labels, cand, weighting)
                f1 = f1_score([labels[i] for i in val], _predict_labels(X[val], coef, intercept, classes),
                              average="macro")
                grid_f1[f"{cand}/{weighting}"] = round(float(f1), 4)
                if best is None or f1 > best[0]:
                    best = (f1, cand, weighting)
            _f1, c, class_weight = best
    coef, intercept, classes = _fit(X, labels, c, class_weight)
    coef = sparse.csr_matrix(coef)
    coef.eliminate_zeros()
    meta = {"C": c, "class_weight": class_weight, "n_train": len(texts), "languages": sorted(set(languages)),
            "grid_f1": grid_f1}
    return LearnedSentiment(classes, coef, intercept, meta)


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
