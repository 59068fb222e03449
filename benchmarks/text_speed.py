"""Text pipeline speed: glapp's full pipeline against VADER alone, on the same comments, one core.

    .venv/bin/python benchmarks/text_speed.py [--comments 20000] [--batch 1000000 --workers 2]

Comments are the demo generator's (Swedish and English, composed from phrase banks with names,
numbers, prices and the odd phone number, as real comments carry), so the run needs no data
set. glapp: `Pipeline().analyze` (language, redaction, tokens and clauses, sentiment, the built-in
topics, emotions, key phrases) in this one process. Baseline: VADER's `polarity_scores` alone on
the same comments in the same run — a sentiment score only, no redaction, topics or Swedish.

With --batch N it also writes N comments to a JSONL file and runs `glapp analyze FILE --workers W`
(the batch command, with its progress bar) and reports the wall time.
Last line: comments_per_s=<n> ratio_vs_vader=<x>
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def demo_comments(count: int, seed: int = 11) -> list[str]:
    from glapp.demo.generator import DemoGenerator

    out = []
    # About half of the demo's responses carry a comment; generate enough responses to get `count`.
    for raw in DemoGenerator(seed, count * 3, dt.date(2026, 6, 30)):
        answers = raw["answers"]
        for key in ("comment", "why", "kommentar"):
            text = answers.get(key)
            if isinstance(text, str) and text:
                out.append(text)
                break
        if len(out) >= count:
            break
    return out


def rate(fn, items, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - started)
    return len(items) / best


def run_batch(count: int, workers: int, comments: list[str]) -> float:
    tmp = Path(tempfile.mkdtemp(prefix="glapp-text-"))
    source = tmp / "comments.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for i in range(count):
            f.write(json.dumps({"id": i, "text": comments[i % len(comments)]}, ensure_ascii=False) + "\n")
    env = {**os.environ, "GLAPP_DATA_DIR": str(tmp), "GLAPP_SECRET_KEY": "benchmark-only-not-secret",
           "GLAPP_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "glapp.cli.main", "analyze", str(source), "--column", "text",
                    "--out", str(tmp / "results.jsonl"), "--workers", str(workers)], check=True, env=env)
    seconds = time.perf_counter() - started
    with open(tmp / "results.jsonl", encoding="utf-8") as f:
        lines = sum(1 for _ in f)
    if lines != count:
        raise SystemExit(f"batch wrote {lines:,} results for {count:,} comments")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=20_000, help="distinct comments timed on one core")
    parser.add_argument("--batch", type=int, default=0, help="also analyze this many comments with `glapp analyze`")
    parser.add_argument("--workers", type=int, default=2, help="processes for the batch run")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glapp.config.settings")
    os.environ.setdefault("GLAPP_SECRET_KEY", "benchmark-only-not-secret")
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        raise SystemExit("VADER is the baseline: pip install vaderSentiment") from None
    from glapp.textanalytics.analyzers.pipeline import Pipeline

    comments = demo_comments(args.comments)
    swedish = sum(1 for c in comments if any(ch in c for ch in "åäöÅÄÖ"))
    print(f"{len(comments):,} demo comments (about {swedish / len(comments):.0%} Swedish), "
          f"mean {sum(map(len, comments)) / len(comments):.0f} characters")
    pipeline = Pipeline()
    vader = SentimentIntensityAnalyzer()
    pipeline.analyze(comments[0])  # warm caches that a long-running worker keeps warm too
    glapp_rate = rate(pipeline.analyze, comments)
    vader_rate = rate(vader.polarity_scores, comments)
    print(f"glapp full pipeline: {glapp_rate:10,.0f} comments/s (one core)")
    print(f"VADER alone:         {vader_rate:10,.0f} comments/s (one core)")
    if args.batch:
        seconds = run_batch(args.batch, args.workers, comments)
        print(f"batch: `glapp analyze` on {args.batch:,} comments with {args.workers} workers: {seconds:.1f} s "
              f"({args.batch / seconds:,.0f} comments/s)")
    print(f"comments_per_s={glapp_rate:.0f} ratio_vs_vader={glapp_rate / vader_rate:.2f}")


if __name__ == "__main__":
    main()
