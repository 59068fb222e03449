"""benchmarks/demo_complaints.py: the demo's detractor comments about its campaign, chosen by the
scenario's metadata, read negative."""

import datetime as dt
from collections import Counter

from glapp.demo import generator
from tests.benchmark_modules import load_benchmark

demo_complaints = load_benchmark("demo_complaints")
SIZE, SEED, END = 8_000, 3, dt.date(2026, 3, 31)


def test_selection_is_the_scenarios_campaign_detractors_with_a_comment():
    chosen = list(demo_complaints.campaign_complaints(SIZE, SEED, END))
    expected = [(r["answers"]["comment"], r["language"]) for r in generator.DemoGenerator(SEED, SIZE, END)
                if r["metadata"].get("campaign") == generator.CAMPAIGN
                and r.get("touchpoint") in generator.CAMPAIGN_VOLUME
                and r["answers"]["nps"] <= 6 and r["answers"].get("comment")]
    assert chosen == expected
    assert len(chosen) >= 40
    # Campaign-tagged purchases (normal scores, comments about other things) are not in it.
    purchases = Counter(r.get("touchpoint") for r in generator.DemoGenerator(SEED, SIZE, END)
                        if r["metadata"].get("campaign") == generator.CAMPAIGN)
    assert set(purchases) - set(generator.CAMPAIGN_VOLUME)


def test_campaign_complaints_read_negative():
    result = demo_complaints.run(SIZE, SEED, END)
    assert result.n == sum(result.labels.values()) >= 40
    assert result.share >= 0.95, result.labels
    for code in demo_complaints.TOPICS:
        counts = result.topics[code]
        assert counts["negative"] >= 0.9 * sum(counts.values()), (code, counts)


def test_topic_precision_last_line_ends_with_the_demo_share():
    topic_precision = load_benchmark("topic_precision")
    result = demo_complaints.Result(n=4, labels=Counter(negative=3, neutral=1))
    empty = {lang: topic_precision.LanguageResult(lang, 0, {}) for lang in topic_precision.LANGUAGES}
    line = topic_precision.figures(empty, result)
    assert list(line)[-1] == "demo_complaints_negative"
    assert line["demo_complaints_negative"] == 0.75
