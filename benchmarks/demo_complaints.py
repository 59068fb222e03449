"""How the demo's campaign complaints read: the share of detractor comments about the campaign that
an organization's pipeline reads negative.

    .venv/bin/python benchmarks/demo_complaints.py [--responses 50000] [--seed 42] [--end 2026-06-30]

The comments are the demo generator's (`glapp demo` loads the same responses: same seed, size and
end date give the same comments), so no data set is needed. They are chosen by the demo's own
scenario, never by their text: responses to the contact touchpoints whose extra volume the
campaign causes (`generator.CAMPAIGN_VOLUME`) that carry `metadata.campaign = generator.CAMPAIGN`,
scored 0–6 (detractors), with a comment. The generator has every such comment talk about the
campaign's price or terms.

What runs: the pipeline as an organization's default pipeline is built (the built-in topics a new
organization has on, no learned models), language detected with the response's language as the
hint, exactly as ingest calls it. A comment counts as read right when its label is negative. Beside
the comment-level share the script prints, per language, the labels, and the labels of the
campaign and price topic mentions in these comments (each takes its own clause's sentiment).

Last line: demo_complaints_negative=<share>
"""

import argparse
import datetime as dt
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from glapp.demo import generator  # noqa: E402
from glapp.textanalytics.analyzers.pipeline import Pipeline, builtin_topics  # noqa: E402

RESPONSES, SEED, END = 50_000, 42, dt.date(2026, 6, 30)
TOPICS = ("offers_campaigns", "price")


@dataclass
class Result:
    n: int = 0
    labels: Counter = field(default_factory=Counter)
    by_language: dict[str, Counter] = field(default_factory=dict)
    topics: dict[str, Counter] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.labels["negative"] / self.n if self.n else float("nan")


def campaign_complaints(responses: int = RESPONSES, seed: int = SEED, end: dt.date = END):
    """(comment, language) of the demo's detractor comments about the campaign, chosen by the
    scenario's metadata (see the module docstring)."""
    for raw in generator.DemoGenerator(seed, responses, end):
        answers = raw["answers"]
        comment = answers.get("comment")
        if (raw["metadata"].get("campaign") == generator.CAMPAIGN and raw.get("touchpoint") in generator.CAMPAIGN_VOLUME
                and answers.get("nps", 10) <= 6 and comment):
            yield comment, raw["language"]


def run(responses: int = RESPONSES, seed: int = SEED, end: dt.date = END) -> Result:
    pipeline = Pipeline(builtin_topics())
    result = Result()
    for text, lang in campaign_complaints(responses, seed, end):
        analysis = pipeline.analyze(text, "auto", hint=lang)
        result.n += 1
        result.labels[analysis.label] += 1
        result.by_language.setdefault(analysis.language, Counter())[analysis.label] += 1
        for mention in analysis.topics:
            if mention.code in TOPICS:
                result.topics.setdefault(mention.code, Counter())[mention.label] += 1
    return result


def report(result: Result, responses: int, seed: int, end: dt.date) -> None:
    def fmt(counter: Counter) -> str:
        total = sum(counter.values())
        return ", ".join(f"{label} {counter[label]} ({counter[label] / total:.1%})"
                         for label in ("negative", "neutral", "positive")) if total else "none"

    print(f"demo: {responses:,} responses, seed {seed}, ending {end}; {result.n} detractor comments about the campaign")
    print(f"  comments: {fmt(result.labels)}")
    for lang, counter in sorted(result.by_language.items()):
        print(f"    read as {lang}: {fmt(counter)}")
    for code in TOPICS:
        print(f"  topic {code} mentions: {fmt(result.topics.get(code, Counter()))}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=RESPONSES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=END)
    args = parser.parse_args(argv)
    result = run(args.responses, args.seed, args.end)
    report(result, args.responses, args.seed, args.end)
    print(f"demo_complaints_negative={result.share:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
