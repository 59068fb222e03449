"""Topic precision and recall against hand labels, Swedish and English, as an organization reads them.

    .venv/bin/python benchmarks/topic_precision.py [--split test|dev] [--packs travel] [--datasets DIR]

Labels: `benchmarks/data/topic_labels_{sv,en}.csv`, written by hand following
docs/topic-labelling-guide.md (which also gives the sample and the seeded 50/50 split; the rule
is in `benchmarks/topic_sample.py`). The comments are read from `../shared/datasets/`; every row's
text must still have the SHA-256 in its label row, or the run stops (exit 2), as it does when the
datasets are missing.

What runs: glapp's pipeline as an organization's default pipeline is built: its topics are the
built-in taxonomy's, with the general topics on and industry-pack topics off (`--packs travel`
switches that pack on, as an airline would), no classifiers trained from tags, language detected
with the response's language as the hint, exactly as ingest calls it. A topic is "found" when the
pipeline reports a mention of it.

Figures, per language, on the chosen split (test unless `--split dev`; rules are tuned on dev
only): per-topic precision, recall and support (hand-labelled positives) for every topic that is
on; the micro average (pooled over topics) and the macro average (mean of per-topic figures) over
the topics that are on and have at least 15 positives in that split. Topics with fewer positives
are printed but not averaged: a precision from four examples says little. Because that average
leaves out false alarms of rare topics (a topic nobody labelled that still fires), a pooled line
over every topic that is on is printed beside it.

Also the share of the demo's detractor comments about its campaign that the same kind of pipeline
reads negative (`benchmarks/demo_complaints.py`, which prints the detail; no data set needed).

Last line: sv_topic_precision=.. sv_topic_recall=.. en_topic_precision=.. en_topic_recall=..
demo_complaints_negative=.. (micro averages; a further figure is one more entry in `figures()`).
"""

import argparse
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import demo_complaints  # noqa: E402
import topic_sample  # noqa: E402

from glapp.textanalytics.analyzers import taxonomy  # noqa: E402
from glapp.textanalytics.analyzers.pipeline import Pipeline, TopicSpec  # noqa: E402

LANGUAGES = ("sv", "en")
MIN_SUPPORT = 15


class LabelError(Exception):
    """The labels and the data they describe do not agree; no figure can be trusted."""


@dataclass
class TopicScore:
    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / self.support if self.support else float("nan")


@dataclass
class LanguageResult:
    lang: str
    n: int
    scores: dict[str, TopicScore]
    off: dict[str, int] = field(default_factory=dict)  # topics switched off → positives in the split

    def averaged(self, min_support: int = MIN_SUPPORT) -> list[TopicScore]:
        return [s for s in self.scores.values() if s.support >= min_support]

    def micro(self, min_support: int = MIN_SUPPORT) -> tuple[float, float]:
        topics = self.averaged(min_support)
        tp, predicted, support = (sum(getattr(s, a) for s in topics) for a in ("tp", "predicted", "support"))
        return (tp / predicted if predicted else float("nan"), tp / support if support else float("nan"))

    def pooled_all(self) -> tuple[float, float]:
        """Micro average over every topic that is on: false alarms of rare topics count here."""
        topics = list(self.scores.values())
        tp, predicted, support = (sum(getattr(s, a) for s in topics) for a in ("tp", "predicted", "support"))
        return (tp / predicted if predicted else float("nan"), tp / support if support else float("nan"))

    def macro(self, min_support: int = MIN_SUPPORT) -> tuple[float, float]:
        topics = self.averaged(min_support)
        if not topics:
            return float("nan"), float("nan")
        # A topic that predicted nothing has no precision; for the mean it counts as 0, not as missing.
        precisions = [s.precision if s.predicted else 0.0 for s in topics]
        return sum(precisions) / len(topics), sum(s.recall for s in topics) / len(topics)


def default_topics(packs: set[str]) -> list[TopicSpec]:
    """The topics an organization starts with switched on (textanalytics.actions.ensure_builtin_topics:
    general topics active, industry packs not), plus the packs asked for."""
    return [TopicSpec(t.code, t.query) for t in taxonomy.TOPICS if t.general or t.pack in packs]


def read_labels(lang: str, path: Path | None = None) -> list[dict]:
    path = path or topic_sample.labels_path(lang)
    if not path.exists():
        raise LabelError(f"{path} not found")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != topic_sample.LABEL_COLUMNS:
            raise LabelError(f"{path}: columns {reader.fieldnames}, expected {list(topic_sample.LABEL_COLUMNS)}")
        rows = list(reader)
    known = {t.code for t in taxonomy.TOPICS}
    for r in rows:
        codes = [c for c in r["topics"].split(";") if c]
        unknown = set(codes) - known
        if unknown:
            raise LabelError(f"{path}: row {r['row_id']} names unknown topics {sorted(unknown)}")
        if r["split"] not in ("dev", "test"):
            raise LabelError(f"{path}: row {r['row_id']} has split {r['split']!r}")
        r["codes"] = set(codes)
    return rows


def labelled_texts(lang: str, datasets: Path, labels: list[dict]) -> list[tuple[dict, str]]:
    """Each label row with its comment, after checking the row is the one that was labelled."""
    source = topic_sample.read_rows(datasets, lang)
    expected = {item.row_id: item.split for item in topic_sample.sample(datasets, lang)}
    out = []
    for r in labels:
        if r["row_id"] not in source:
            raise LabelError(f"{lang}: row {r['row_id']} is not in {r['dataset']} (was the data set replaced?)")
        text = source[r["row_id"]][0]
        if topic_sample.text_hash(text) != r["sha256"]:
            raise LabelError(f"{lang}: row {r['row_id']} of {r['dataset']} does not match the labelled text's "
                             "SHA-256; the data set changed, so these labels no longer describe it")
        if expected.get(r["row_id"]) != r["split"]:
            raise LabelError(f"{lang}: row {r['row_id']} is labelled {r['split']!r} but the sampling rule "
                             f"gives {expected.get(r['row_id'])!r} (benchmarks/topic_sample.py)")
        out.append((r, text))
    return out


def score(lang: str, rows: list[tuple[dict, str]], pipeline: Pipeline, split: str) -> LanguageResult:
    on = [t.code for t in pipeline.topics]
    scores = {code: TopicScore(code) for code in on}
    off: dict[str, int] = {}
    n = 0
    for label, text in rows:
        if label["split"] != split:
            continue
        n += 1
        gold = label["codes"]
        found = {m.code for m in pipeline.analyze(text, "auto", hint=lang).topics}
        for code, s in scores.items():
            s.tp += code in gold and code in found
            s.fp += code not in gold and code in found
            s.fn += code in gold and code not in found
        for code in gold - set(on):
            off[code] = off.get(code, 0) + 1
    return LanguageResult(lang, n, scores, off)


def run(datasets: Path, split: str = "test", packs: set[str] = frozenset(), verbose: bool = True) -> dict:
    pipeline = Pipeline(default_topics(set(packs)))
    results = {}
    for lang in LANGUAGES:
        rows = labelled_texts(lang, datasets, read_labels(lang))
        results[lang] = score(lang, rows, pipeline, split)
        if verbose:
            report(results[lang], split, packs)
    return results


def report(result: LanguageResult, split: str, packs) -> None:
    print(f"\n{result.lang}: {result.n} hand-labelled comments in {split}; topics of an organization's default "
          f"pipeline{' with pack ' + ', '.join(sorted(packs)) if packs else ''}")
    print(f"  {'topic':<24}{'support':>8}{'found':>7}{'right':>7}{'precision':>11}{'recall':>8}")
    for s in sorted(result.scores.values(), key=lambda s: (-s.support, s.code)):
        note = "" if s.support >= MIN_SUPPORT else f"   (< {MIN_SUPPORT} positives: not averaged)"
        print(f"  {s.code:<24}{s.support:>8}{s.predicted:>7}{s.tp:>7}{s.precision:>11.3f}{s.recall:>8.3f}{note}")
    for code, n in sorted(result.off.items(), key=lambda kv: -kv[1]):
        pack = taxonomy.BY_CODE[code].pack
        print(f"  {code:<24}{n:>8}   off by default (pack {pack}); --packs {pack} to include")
    (mp, mr), (ap, ar) = result.micro(), result.macro()
    averaged = ", ".join(s.code for s in result.averaged()) or "none"
    print(f"  micro over {len(result.averaged())} topics with ≥ {MIN_SUPPORT} positives: precision {mp:.3f}, "
          f"recall {mr:.3f}   macro: precision {ap:.3f}, recall {ar:.3f}")
    print(f"  averaged: {averaged}")
    pp, pr = result.pooled_all()
    print(f"  all {len(result.scores)} topics that are on, pooled (false alarms of rare topics count): "
          f"precision {pp:.3f}, recall {pr:.3f}")


def figures(results: dict[str, LanguageResult], demo: "demo_complaints.Result | None" = None) -> dict[str, float]:
    """The machine-readable last line, in order; a further benchmark figure is one more entry."""
    out = {}
    for lang in LANGUAGES:
        out[f"{lang}_topic_precision"], out[f"{lang}_topic_recall"] = results[lang].micro()
    if demo is not None:
        out["demo_complaints_negative"] = demo.share
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default=str(topic_sample.DEFAULT_DATASETS))
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--packs", default="", help="industry packs to switch on, comma-separated (e.g. travel)")
    args = parser.parse_args()
    packs = {p for p in args.packs.split(",") if p}
    unknown = packs - set(taxonomy.PACKS)
    if unknown:
        parser.error(f"unknown pack(s) {sorted(unknown)}; the taxonomy has {[p for p in taxonomy.PACKS if p]}")
    try:
        results = run(Path(args.datasets), args.split, packs)
    except (topic_sample.DatasetMissing, LabelError) as exc:
        print(exc, file=sys.stderr)
        return 2
    demo = demo_complaints.run()
    print()
    demo_complaints.report(demo, demo_complaints.RESPONSES, demo_complaints.SEED, demo_complaints.END)
    print(" ".join(f"{k}={v:.3f}" for k, v in figures(results, demo).items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
