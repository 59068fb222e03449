"""The hand-labelled topic evaluation set: which real comments it holds and how they are split.

    .venv/bin/python benchmarks/topic_sample.py --lang sv --show 0:40 [--datasets DIR]

Shared by `benchmarks/topic_precision.py` (which scores glapp against the labels) and by the
labeller (`--show` prints a slice of the sample with row ids, to read while labelling; the text
is never written into the repository). The rule, also in docs/topic-labelling-guide.md:

- Swedish: `trustpilot_sv/reviews.csv`. Row id = the record's 1-based number among the file's
  data records (csv module, header not counted). Empty reviews are dropped, then exact duplicates
  (text after stripping whitespace; the first occurrence is kept). Strata: rating 1–5, 80 each.
- English: `twitter_airline/Tweets.csv`. Row id = `tweet_id`. Repeated tweet ids and exact
  duplicate texts are dropped (first kept). Strata: `airline_sentiment`, negative 350, neutral
  125, positive 125 (negative tweets carry most topics; praise and neutral questions stay in).
- In each stratum the candidates are shuffled by `random.Random(f"topic-eval:{lang}:{stratum}")`
  and the first k are taken; position i in that order goes to dev when i is even, to test when
  odd. So the split is 50/50 within every stratum (dev has one more where k is odd), and a
  larger k keeps every earlier row, its order and its split.

Labels (`benchmarks/data/topic_labels_{lang}.csv`) hold the row id and the SHA-256 of the exact
source text (the field as read, not stripped), never the text.
"""

import argparse
import csv
import hashlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
LABELS_DIR = ROOT / "benchmarks" / "data"

SOURCES = {
    "sv": ("trustpilot_sv/reviews.csv", "review", "rating", {"1": 80, "2": 80, "3": 80, "4": 80, "5": 80}),
    "en": ("twitter_airline/Tweets.csv", "text", "airline_sentiment",
           {"negative": 350, "neutral": 125, "positive": 125}),
}
LABEL_COLUMNS = ("dataset", "row_id", "sha256", "split", "topics")


@dataclass(frozen=True)
class Item:
    dataset: str
    row_id: str
    text: str
    stratum: str
    split: str

    @property
    def sha256(self) -> str:
        return text_hash(self.text)


class DatasetMissing(Exception):
    pass


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_path(datasets: Path, lang: str) -> Path:
    path = Path(datasets) / SOURCES[lang][0]
    if not path.exists():
        raise DatasetMissing(f"{path} not found: the topic evaluation reads its comments from the shared "
                             f"datasets folder beside the repository (see --datasets)")
    return path


def read_rows(datasets: Path, lang: str) -> dict[str, tuple[str, str]]:
    """Every usable record of the source: row id → (exact text, stratum), duplicates dropped."""
    _, text_col, stratum_col, _ = SOURCES[lang]
    rows: dict[str, tuple[str, str]] = {}
    seen_texts: set[str] = set()
    with source_path(datasets, lang).open(encoding="utf-8", newline="") as fh:
        for number, record in enumerate(csv.DictReader(fh), start=1):
            row_id = record["tweet_id"] if lang == "en" else str(number)
            text = record[text_col] or ""
            key = text.strip()
            if not key or key in seen_texts or row_id in rows:
                continue
            seen_texts.add(key)
            rows[row_id] = (text, record[stratum_col].strip())
    return rows


def sample(datasets: Path, lang: str) -> list[Item]:
    """The evaluation sample in labelling order (stratum by stratum, shuffled order within)."""
    dataset, _, _, sizes = SOURCES[lang]
    rows = read_rows(datasets, lang)
    items = []
    for stratum, k in sizes.items():
        candidates = sorted((rid for rid, (_, s) in rows.items() if s == stratum), key=_id_key)
        random.Random(f"topic-eval:{lang}:{stratum}").shuffle(candidates)
        for i, rid in enumerate(candidates[:k]):
            items.append(Item(dataset, rid, rows[rid][0], stratum, "dev" if i % 2 == 0 else "test"))
    return items


def _id_key(row_id: str):
    return (len(row_id), row_id)  # numeric order for numeric ids without converting


def labels_path(lang: str) -> Path:
    return LABELS_DIR / f"topic_labels_{lang}.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=sorted(SOURCES), required=True)
    parser.add_argument("--datasets", default=str(DEFAULT_DATASETS))
    parser.add_argument("--show", default="0:20", help="slice of the sample to print, start:stop")
    args = parser.parse_args()
    start, stop = (int(x) for x in args.show.split(":"))
    try:
        items = sample(Path(args.datasets), args.lang)
    except DatasetMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    for n, item in enumerate(items[start:stop], start=start):
        text = " ".join(item.text.split())
        print(f"#{n} row {item.row_id} [{item.stratum}/{item.split}] {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
