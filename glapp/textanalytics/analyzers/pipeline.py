"""The one entry point of text analysis, shared by ingest-time tasks, `glapp analyze` and the API.

    redact → language → tokens and clauses → sentiment (per clause) → topics (each with the
    sentiment of its clause) → emotions → key phrases

Redaction comes first: every later step, and everything stored, sees only the redacted text, so
offsets in the result refer to `Analysis.redacted`. Pure Python (no Django): an organization's
topics and learned models are handed in, which keeps this testable and benchmarkable alone.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from glapp.core import pii
from glapp.textanalytics.analyzers import emotions as emotions_mod
from glapp.textanalytics.analyzers import keyphrases, language, sentiment, tokens
from glapp.textanalytics.analyzers import query as query_mod
from glapp.textanalytics.analyzers import topics as topics_mod

_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
ANALYZERS = (language, pii, tokens, sentiment, query_mod, topics_mod, emotions_mod, keyphrases)


@dataclass(frozen=True)
class TopicSpec:
    """An organization's topic as the pipeline needs it: code and query (and an optional classifier)."""

    code: str
    query: str
    classifier: object | None = None  # topics.TopicClassifier trained from analysts' tags


@dataclass
class TopicMention:
    code: str
    sentiment: float
    label: str
    spans: list[tuple[int, int]]
    source: str = "query"  # "query" or "model"


@dataclass
class Analysis:
    language: str
    redacted: str
    pii: list[str]
    sentiment: float
    label: str
    sentiment_source: str
    clauses: list[dict]
    topics: list[TopicMention] = field(default_factory=list)
    emotions: list[dict] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _label(score: float) -> str:
    return sentiment.label_for(score)


class Pipeline:
    """Built once per organization (topics compiled, models loaded), then `analyze` per comment."""

    def __init__(self, topics: Sequence[TopicSpec] | None = None, learned: dict | None = None):
        self.topics = list(topics if topics is not None else builtin_topics())
        self.compiled = [(t, query_mod.parse(t.query)) for t in self.topics]
        self.learned = dict(learned or {})  # language → learned sentiment model in use
        digest = hashlib.sha256()
        for module in ANALYZERS:
            digest.update(getattr(module, "VERSION", module.__name__).encode())
        for t in self.topics:
            fingerprint = getattr(t.classifier, "fingerprint", "") if t.classifier else ""
            digest.update(f"{t.code}\0{t.query}\0{fingerprint}".encode())
        for lang, model in sorted(self.learned.items()):
            digest.update(f"{lang}\0{getattr(model, 'fingerprint', '')}".encode())
        # Stored with every analysis: anything that changes the output changes this.
        self.version = digest.hexdigest()[:16]

    def analyze(self, text: str, lang: str = "auto", hint: str | None = None) -> Analysis:
        redaction = pii.redact(text, lang if lang in ("sv", "en") else "auto")
        clean = redaction.text
        code = lang if lang in ("sv", "en") else language.detect(clean, hint=hint).code
        toks = tokens.tokenize(clean)
        result = sentiment.analyze(clean, code, toks)
        score, label, source = result.score, result.label, "builtin"
        model = self.learned.get(code)
        if model is not None:
            score, label = model.predict(clean, code)
            source = "learned"
        clause_list = [{"start": c.start, "end": c.end, "score": c.score, "label": c.label} for c in result.clauses]
        doc = query_mod.Doc(clean, code, toks)
        mentions = []
        for spec, compiled in self.compiled:
            spans = compiled.match(doc)
            source_kind = "query"
            if not spans and spec.classifier is not None and spec.classifier.predict(clean, code):
                spans, source_kind = [], "model"
            elif not spans:
                continue
            clause_score = _clause_score(spans, result.clauses, score)
            mentions.append(TopicMention(spec.code, clause_score, _label(clause_score), spans, source_kind))
        found = emotions_mod.detect(clean, code, toks)
        return Analysis(
            language=code, redacted=clean, pii=sorted({s.kind for s in redaction.spans}), sentiment=score,
            label=label, sentiment_source=source, clauses=clause_list, topics=mentions,
            emotions=[{"code": e.code, "strength": e.strength} for e in found],
            # Placeholders such as [PHONE] are not what the customer talked about.
            key_phrases=keyphrases.extract(_PLACEHOLDER.sub(" ", clean), code) if redaction.spans
            else keyphrases.extract(clean, code, toks),
        )


def _clause_score(spans, clauses, default: float) -> float:
    """A mention's sentiment is that of the clause it is in ("polite | but could not solve my billing
    problem": staff positive, billing negative), or of the comma-separated part of the clause when
    the parts disagree ("Snabb leverans, otrevlig personal"). A topic named in several clauses takes
    the mean of them, each clause counted once."""
    seen = {}
    for start, _end in spans:
        for index, clause in enumerate(clauses):
            if clause.start <= start < clause.end:
                key, score = (index, -1), clause.score
                for part_index, (p_start, p_end, p_score) in enumerate(clause.parts):
                    if p_start <= start < p_end:
                        key, score = (index, part_index), p_score
                        break
                seen[key] = score
                break
    return sum(seen.values()) / len(seen) if seen else default


def builtin_topics(packs: Sequence[str] = ()) -> list[TopicSpec]:
    """The topics a new organization has switched on (the general ones), plus those of the
    industry `packs` named: the same set whether comments are analyzed in an organization or
    in a file."""
    from glapp.textanalytics.analyzers import taxonomy

    return [TopicSpec(t.code, t.query) for t in taxonomy.TOPICS if t.general or t.pack in packs]


# --- Process pools: one pipeline per worker process, built once --------------------------------

_worker: Pipeline | None = None


def init_worker(topics: Sequence[TopicSpec], learned: dict) -> None:
    global _worker
    _worker = Pipeline(topics, learned)


def analyze_in_worker(items: Sequence[tuple[str, str, str | None]]) -> list[Analysis]:
    """(text, language or "auto", hint) → analyses, in the worker's own pipeline."""
    return [_worker.analyze(text, lang, hint=hint or None) for text, lang, hint in items]
