"""Topic mentions from queries, and topic classifiers learned from analysts' tags.

`match_topics` runs every compiled topic query on one `query.Doc` and reports each matched span
with the clause it falls in (so a mention gets its own clause's sentiment).

`TopicClassifier` learns one topic from tagged comments: logistic regression (scikit-learn, at
training time only) on hashed features of the comment (word keys: stems, base forms and Swedish
compound parts; word bigrams; character 4-grams) plus, optionally, whether each of some topic
queries matched. It is stored as its non-zero coefficients with a JSON header (no pickle), and
predicts with plain dictionary lookups. `uncertain` proposes the comments it is least sure of,
for analysts to tag next (active learning).

`TopicModel` is the single-label counterpart: one multinomial (softmax) logistic regression over
the same features that puts a comment into exactly one of an organization's topics (e.g. a
complaint's main reason). Its regularisation can be chosen by stratified cross-validation on the
training comments (`choose_c`). Stored the same way (no pickle).
"""

import hashlib
import json
import math
import struct
import zlib
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import NamedTuple

from glapp.textanalytics.analyzers import query as query_mod

VERSION = "topics-1"
_MAGIC = b"GLTC1\n"
_MODEL_MAGIC = b"GLTM1\n"


class TopicHit(NamedTuple):
    code: str
    start: int
    end: int
    clause_index: int  # -1 when no clause holds the span


def compile_topics(topics: Iterable) -> list[tuple[str, query_mod.Query]]:
    """(code, Query) pairs from objects with .code and .query (e.g. taxonomy.TOPICS)."""
    return [(t.code, query_mod.parse(t.query)) for t in topics]


def match_topics(doc: query_mod.Doc, compiled_topics: Sequence[tuple[str, query_mod.Query]],
                 clauses: Sequence[tuple[int, int]] = ()) -> list[TopicHit]:
    """Every matched span of every topic, with the index of the clause (char span) holding it."""
    hits = []
    for code, compiled in compiled_topics:
        for start, end in compiled.match(doc):
            clause_index = -1
            for i, (c_start, c_end) in enumerate(clauses):
                if c_start <= start < c_end:
                    clause_index = i
                    break
            hits.append(TopicHit(code, start, end, clause_index))
    return hits


# --- Learned topic classifiers ---------------------------------------------------------------


# Relative weight of each feature group (first letter of the feature name: word keys, bigrams,
# character grams, query hits) before normalisation. Query hits weigh 3: chosen on a validation
# part of the airline TRAIN split (benchmarks/topic_eval.py), never on its test part.
GROUP_WEIGHTS = {"k": 1.0, "b": 1.0, "c": 1.0, "q": 3.0}


def _hash(feature: str, mask: int) -> int:
    return zlib.crc32(feature.encode()) & mask


def features(doc: query_mod.Doc, queries: Sequence[query_mod.Query] = ()) -> list[str]:
    """The comment's feature names (hashed later): word keys, bigrams, character 4-grams, query hits."""
    out = ["k:" + key for key in doc.index]
    norms = doc.norms
    out.extend("b:" + a + " " + b for a, b in pairwise(norms))
    for norm in set(norms):
        padded = f"<{norm}>"
        out.extend("c:" + padded[i:i + 4] for i in range(max(1, len(padded) - 3)))
    for i, q in enumerate(queries):
        if q.root.hits(doc):
            out.append(f"q:{i}")
    return out


def _vector(doc: query_mod.Doc, queries, mask: int, group_weights: dict[str, float]) -> dict[int, float]:
    """Hashed features with their group weight, L2-normalised."""
    vec: dict[int, float] = {}
    for f in features(doc, queries):
        vec[_hash(f, mask)] = group_weights.get(f[0], 1.0)
    if vec:
        norm = math.sqrt(sum(v * v for v in vec.values()))
        vec = {i: v / norm for i, v in vec.items()}
    return vec


def _docs(texts: Sequence[str], languages) -> list[query_mod.Doc]:
    if languages is None or isinstance(languages, str):
        languages = [languages or "other"] * len(texts)
    return [query_mod.Doc(t, lang) for t, lang in zip(texts, languages, strict=True)]


def _matrix(vectors: Sequence[dict[int, float]], n_bits: int):
    """Sparse (scipy CSR) matrix of hashed feature vectors, for training only."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for vec in vectors:
        indices.extend(vec)
        data.extend(vec.values())
        indptr.append(len(indices))
    return csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
                      shape=(len(vectors), 1 << n_bits))


class TopicClassifier:
    """A binary classifier for one topic; `predict(text, language)` → bool."""

    def __init__(self, weights: dict[int, float], bias: float, n_bits: int = 18,
                 queries: Sequence[str] = (), threshold: float = 0.5, trained_on: int = 0,
                 group_weights: dict[str, float] | None = None):
        self.weights = weights
        self.bias = bias
        self.n_bits = n_bits
        self.mask = (1 << n_bits) - 1
        self.query_sources = tuple(queries)
        self.queries = [query_mod.parse(q) for q in self.query_sources]
        self.threshold = threshold
        self.trained_on = trained_on
        self.group_weights = dict(group_weights or GROUP_WEIGHTS)

    # -- features ------------------------------------------------------------------------------

    def _vector(self, doc: query_mod.Doc) -> dict[int, float]:
        return _vector(doc, self.queries, self.mask, self.group_weights)

    @staticmethod
    def _docs(texts: Sequence[str], languages) -> list[query_mod.Doc]:
        return _docs(texts, languages)

    # -- training ------------------------------------------------------------------------------

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence, languages=None, feature_queries: Sequence[str] = (),
              c: float = 1.0, class_weight: str | None = "balanced", n_bits: int = 18,
              seed: int = 0) -> "TopicClassifier":
        """Learn from tagged comments (labels truthy = about the topic). Needs both kinds of tag."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        y = np.array([1 if label else 0 for label in labels])
        if len(set(y.tolist())) < 2:
            raise ValueError("A topic classifier needs comments tagged with and without the topic.")
        model = cls({}, 0.0, n_bits, feature_queries, trained_on=len(texts))
        x = _matrix([model._vector(doc) for doc in _docs(texts, languages)], n_bits)
        clf = LogisticRegression(C=c, class_weight=class_weight, max_iter=2000, random_state=seed)
        clf.fit(x, y)
        coef = clf.coef_[0]
        nonzero = np.flatnonzero(np.abs(coef) > 1e-7)
        model.weights = {int(i): float(coef[i]) for i in nonzero}
        model.bias = float(clf.intercept_[0])
        return model

    # -- prediction ----------------------------------------------------------------------------

    def proba_doc(self, doc: query_mod.Doc) -> float:
        get = self.weights.get
        z = self.bias + sum(get(i, 0.0) * v for i, v in self._vector(doc).items())
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def predict_proba(self, texts: Sequence[str], languages=None) -> list[float]:
        return [self.proba_doc(d) for d in self._docs(texts, languages)]

    def predict(self, text: str, language: str = "other") -> bool:
        return self.proba_doc(query_mod.Doc(text, language)) >= self.threshold

    def uncertain(self, texts: Sequence[str], k: int, languages=None) -> list[int]:
        """Indices of the k comments whose probability is closest to the decision threshold."""
        probs = self.predict_proba(texts, languages)
        order = sorted(range(len(probs)), key=lambda i: (abs(probs[i] - self.threshold), i))
        return order[:k]

    # -- storage -------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        keys = sorted(self.weights)
        header = json.dumps({"version": VERSION, "n_bits": self.n_bits, "bias": self.bias,
                             "threshold": self.threshold, "queries": list(self.query_sources),
                             "trained_on": self.trained_on, "group_weights": self.group_weights,
                             "count": len(keys)}).encode()
        body = struct.pack(f"<{len(keys)}i", *keys) + struct.pack(f"<{len(keys)}f", *(self.weights[k] for k in keys))
        return _MAGIC + struct.pack("<I", len(header)) + header + body

    @classmethod
    def from_bytes(cls, blob: bytes) -> "TopicClassifier":
        if not blob.startswith(_MAGIC):
            raise ValueError("Not a glapp topic classifier.")
        at = len(_MAGIC)
        (size,) = struct.unpack_from("<I", blob, at)
        at += 4
        header = json.loads(blob[at:at + size])
        at += size
        count = header["count"]
        keys = struct.unpack_from(f"<{count}i", blob, at)
        values = struct.unpack_from(f"<{count}f", blob, at + 4 * count)
        return cls(dict(zip(keys, values, strict=True)), header["bias"], header["n_bits"], header["queries"],
                   header["threshold"], header.get("trained_on", 0), header.get("group_weights"))

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()[:16]


class TopicModel:
    """Single-label topic model: `predict(text, language)` → the one topic (of `classes`) it is about.

    A multinomial logistic regression over `TopicClassifier`'s features; use it when each comment
    belongs to exactly one of an organization's topics (e.g. the main reason of a complaint).
    """

    def __init__(self, classes: Sequence[str], weights: dict[int, list[float]], biases: Sequence[float],
                 n_bits: int = 18, queries: Sequence[str] = (), trained_on: int = 0,
                 group_weights: dict[str, float] | None = None, c: float = 1.0):
        self.classes = [str(c_) for c_ in classes]
        self.weights = weights  # feature hash → one weight per class
        self.biases = [float(b) for b in biases]
        self.n_bits = n_bits
        self.mask = (1 << n_bits) - 1
        self.query_sources = tuple(queries)
        self.queries = [query_mod.parse(q) for q in self.query_sources]
        self.trained_on = trained_on
        self.group_weights = dict(group_weights or GROUP_WEIGHTS)
        self.c = c

    # -- training ------------------------------------------------------------------------------

    @staticmethod
    def _fit(x, y, c: float, class_weight, seed: int):
        from sklearn.linear_model import LogisticRegression

        # lbfgs fits a true multinomial (softmax) model; tol 1e-3 keeps training to seconds.
        return LogisticRegression(C=c, class_weight=class_weight, max_iter=1000, tol=1e-3,
                                  random_state=seed).fit(x, y)

    @classmethod
    def _features(cls, texts, languages, feature_queries, n_bits, group_weights):
        queries = [query_mod.parse(q) for q in feature_queries]
        mask = (1 << n_bits) - 1
        weights = dict(group_weights or GROUP_WEIGHTS)
        return _matrix([_vector(doc, queries, mask, weights) for doc in _docs(texts, languages)], n_bits)

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], languages=None,
              feature_queries: Sequence[str] = (), c: float = 1.0, class_weight: str | None = "balanced",
              n_bits: int = 18, seed: int = 0, group_weights: dict[str, float] | None = None) -> "TopicModel":
        """Learn from comments each tagged with exactly one topic. Needs at least two topics."""
        import numpy as np

        y = np.array([str(label) for label in labels])
        if len(set(y.tolist())) < 2:
            raise ValueError("A topic model needs comments tagged with at least two different topics.")
        x = cls._features(texts, languages, feature_queries, n_bits, group_weights)
        clf = cls._fit(x, y, c, class_weight, seed)
        coef = clf.coef_
        if len(clf.classes_) == 2:  # scikit-learn keeps one row for two classes; spell out both
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
        else:
            intercept = clf.intercept_
        nonzero = np.flatnonzero(np.abs(coef).max(axis=0) > 1e-7)
        weights = {int(i): [float(v) for v in coef[:, i]] for i in nonzero}
        return cls(list(clf.classes_), weights, list(intercept), n_bits, feature_queries, len(texts),
                   group_weights, c)

    @classmethod
    def choose_c(cls, texts: Sequence[str], labels: Sequence[str], languages=None,
                 feature_queries: Sequence[str] = (), cs: Sequence[float] = (1.0, 3.0, 10.0, 30.0),
                 folds: int = 5, class_weight: str | None = "balanced", n_bits: int = 18, seed: int = 0,
                 group_weights: dict[str, float] | None = None) -> tuple[float, dict[float, float]]:
        """The C with the best mean macro-F1 over stratified folds of the given (training) comments."""
        import numpy as np
        from sklearn.metrics import f1_score
        from sklearn.model_selection import StratifiedKFold

        y = np.array([str(label) for label in labels])
        x = cls._features(texts, languages, feature_queries, n_bits, group_weights)
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
        scores = {}
        for c in cs:
            per_fold = []
            for train, held_out in splits:
                clf = cls._fit(x[train], y[train], c, class_weight, seed)
                per_fold.append(f1_score(y[held_out], clf.predict(x[held_out]), average="macro", zero_division=0))
            scores[c] = float(np.mean(per_fold))
        best = max(cs, key=lambda c: (scores[c], -c))  # ties: the stronger regularisation
        return best, scores

    # -- prediction ----------------------------------------------------------------------------

    def proba_doc(self, doc: query_mod.Doc) -> dict[str, float]:
        z = list(self.biases)
        get = self.weights.get
        for i, v in _vector(doc, self.queries, self.mask, self.group_weights).items():
            row = get(i)
            if row:
                for k, w in enumerate(row):
                    z[k] += w * v
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def predict_proba(self, texts: Sequence[str], languages=None) -> list[dict[str, float]]:
        return [self.proba_doc(d) for d in _docs(texts, languages)]

    def predict_many(self, texts: Sequence[str], languages=None) -> list[str]:
        return [max(p, key=p.get) for p in self.predict_proba(texts, languages)]

    def predict(self, text: str, language: str = "other") -> str:
        p = self.proba_doc(query_mod.Doc(text, language))
        return max(p, key=p.get)

    def uncertain(self, texts: Sequence[str], k: int, languages=None) -> list[int]:
        """Indices of the k comments with the smallest margin between their two likeliest topics."""
        margins = []
        for p in self.predict_proba(texts, languages):
            first, second = [*sorted(p.values(), reverse=True), 0.0][:2]
            margins.append(first - second)
        return sorted(range(len(margins)), key=lambda i: (margins[i], i))[:k]

    # -- storage -------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        keys = sorted(self.weights)
        n = len(self.classes)
        header = json.dumps({"version": VERSION, "n_bits": self.n_bits, "classes": self.classes,
                             "biases": self.biases, "queries": list(self.query_sources), "c": self.c,
                             "trained_on": self.trained_on, "group_weights": self.group_weights,
                             "count": len(keys)}).encode()
        values = [w for k in keys for w in self.weights[k]]
        body = struct.pack(f"<{len(keys)}i", *keys) + struct.pack(f"<{len(keys) * n}f", *values)
        return _MODEL_MAGIC + struct.pack("<I", len(header)) + header + body

    @classmethod
    def from_bytes(cls, blob: bytes) -> "TopicModel":
        if not blob.startswith(_MODEL_MAGIC):
            raise ValueError("Not a glapp topic model.")
        at = len(_MODEL_MAGIC)
        (size,) = struct.unpack_from("<I", blob, at)
        at += 4
        header = json.loads(blob[at:at + size])
        at += size
        count, n = header["count"], len(header["classes"])
        keys = struct.unpack_from(f"<{count}i", blob, at)
        values = struct.unpack_from(f"<{count * n}f", blob, at + 4 * count)
        weights = {k: list(values[j * n:(j + 1) * n]) for j, k in enumerate(keys)}
        return cls(header["classes"], weights, header["biases"], header["n_bits"], header["queries"],
                   header.get("trained_on", 0), header.get("group_weights"), header.get("c", 1.0))

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()[:16]
