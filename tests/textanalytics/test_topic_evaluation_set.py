"""The hand-labelled topic evaluation set and benchmarks/topic_precision.py, without the shared datasets:
the label files hold no comment text and only known topics, and the benchmark refuses to score
labels that no longer describe the data (changed text, missing data set)."""

import csv
import re
import sys
from pathlib import Path

import pytest

from glapp.textanalytics.analyzers import taxonomy
from glapp.textanalytics.analyzers.pipeline import Pipeline, TopicSpec
from tests.benchmark_modules import load_benchmark

topic_sample = load_benchmark("topic_sample")
topic_precision = load_benchmark("topic_precision")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_label_files_hold_hashes_not_text_and_only_built_in_topics(lang):
    path = topic_sample.labels_path(lang)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == topic_sample.LABEL_COLUMNS
    assert len(rows) >= 400
    assert all(len(r) == len(header) for r in rows)
    assert len({r[1] for r in rows}) == len(rows), "a row id is labelled twice"
    assert all(re.fullmatch(r"[0-9a-f]{64}", r[2]) for r in rows)
    labels = topic_precision.read_labels(lang)  # also rejects unknown topic codes and splits
    splits = [r["split"] for r in labels]
    assert abs(splits.count("dev") - splits.count("test")) <= len(topic_sample.SOURCES[lang][3])
    assert {c for r in labels for c in r["codes"]} <= {t.code for t in taxonomy.TOPICS}


def _datasets(tmp_path: Path, reviews: list[tuple[str, int]]) -> Path:
    folder = tmp_path / "trustpilot_sv"
    folder.mkdir(parents=True)
    with (folder / "reviews.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["review", "rating"])
        w.writerows(reviews)
    return tmp_path


def _labels_for(datasets: Path, codes: dict[str, str]) -> list[dict]:
    return [{"dataset": i.dataset, "row_id": i.row_id, "sha256": i.sha256, "split": i.split,
             "topics": codes.get(i.text, ""), "codes": set(filter(None, codes.get(i.text, "").split(";")))}
            for i in topic_sample.sample(datasets, "sv")]


def test_a_changed_text_stops_the_benchmark(tmp_path):
    datasets = _datasets(tmp_path, [("Snabb leverans.", 5), ("Otrevlig personal.", 1)])
    labels = _labels_for(datasets, {})
    assert len(topic_precision.labelled_texts("sv", datasets, labels)) == 2

    with (datasets / "trustpilot_sv" / "reviews.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["review", "rating"], ["Snabb leverans!", 5], ["Otrevlig personal.", 1]])
    with pytest.raises(topic_precision.LabelError, match="SHA-256"):
        topic_precision.labelled_texts("sv", datasets, labels)


def test_missing_datasets_exit_non_zero_with_the_path(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["topic_precision.py", "--datasets", str(tmp_path / "nowhere")])
    assert topic_precision.main() == 2
    assert "nowhere" in capsys.readouterr().err


def test_precision_recall_and_averages_count_per_topic(tmp_path):
    texts = {"Snabb leverans och bra pris.": "delivery;price", "Leveransen kom aldrig.": "delivery",
             "Dyrt men bra.": "price", "Paketet var fint inslaget.": "", "Priset var rimligt.": "price"}
    datasets = _datasets(tmp_path, [(t, 5) for t in texts])
    rows = topic_precision.labelled_texts("sv", datasets, _labels_for(datasets, texts))
    pipeline = Pipeline([TopicSpec("delivery", "leverans OR paket"), TopicSpec("price", "pris")])
    both = [(dict(r, split="test"), t) for r, t in rows]  # score every row here

    result = topic_precision.score("sv", both, pipeline, "test")

    d, p = result.scores["delivery"], result.scores["price"]
    assert (d.tp, d.fp, d.fn) == (2, 1, 0)  # "Paketet" is found but was not labelled delivery
    assert (p.tp, p.fp, p.fn) == (2, 0, 1)  # "Dyrt" is price but the query has no "dyr"
    assert result.micro(min_support=1) == pytest.approx((4 / 5, 4 / 5))
    assert result.macro(min_support=1) == pytest.approx(((2 / 3 + 1) / 2, (1 + 2 / 3) / 2))
    assert result.micro(min_support=3) == pytest.approx((1.0, 2 / 3))  # only price has 3 positives
