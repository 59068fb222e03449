"""Personal data redaction: recall, precision and ordinary numbers redacted on the generated labelled set.

    .venv/bin/python benchmarks/pii_eval.py [--seed 0] [--n 5000] [--show 5]

The set comes from tests.textanalytics.pii_testset.py (fixed seed): Swedish and English
customer comments with embedded, valid identifiers (labelled with kind and span) and decoys that
must survive (order numbers, phone-shaped order numbers, prices, dates, times, quantities,
percentages, flight numbers, years, checksum-invalid personnummer/cards/IBANs, Luhn-valid digit
groups without a bankgiro/plusgiro word, long tracking numbers).

A label is found when a span of the same kind covers it; a decoy is redacted when any span
overlaps it. Names and addresses are reported separately (best effort).
Speed: comments per second of CPU time on one core (so other jobs on a shared machine do not count),
for a typical mix (one comment in ten with any digit or "@") and for the generated set (every comment
has identifiers or decoys).

Goals: recall >= 0.99 on structured identifiers; 0 ordinary numbers redacted; >= 20,000 comments/s.
Last line: pii_recall=<x> ordinary_numbers_redacted=<n>
"""

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from glapp.core.pii import STRUCTURED_KINDS, VERSION, find, redact  # noqa: E402
from tests.textanalytics.pii_testset import _ORDINARY, generate, score  # noqa: E402


def rate(texts: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for text in texts:
            redact(text)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--show", type=int, default=5, help="misses and false positives to print")
    args = parser.parse_args()

    examples = generate(seed=args.seed, n=args.n)
    result = score(examples, find)
    print(f"{VERSION}: {len(examples)} generated comments (seed {args.seed}), {result['decoys_total']} decoys")
    print(f"{'kind':<18} {'labels':>7} {'recall':>8} {'precision':>10}")
    for kind in (*STRUCTURED_KINDS, "address", "name"):
        if kind == "address":
            print("best effort:")
        print(
            f"{kind:<18} {result['count'][kind]:>7} {result['recall'][kind]:>8.4f} {result['precision'][kind]:>10.4f}"
        )
    print(f"structured identifiers: recall {result['pii_recall']:.4f}, precision {result['pii_precision']:.4f}")
    print(f"decoys redacted: {result['ordinary_numbers_redacted']} of {result['decoys_total']} {result['decoys_hit']}")
    for title, rows in (("misses", result["misses"]), ("false positives", result["false_positives"])):
        if rows and args.show:
            print(f"{title} (first {args.show}):")
            for kind, value, text in rows[: args.show]:
                print(f"  {kind}: {value!r} in {text!r}")

    rng = random.Random(args.seed)
    plain = _ORDINARY["sv"] + _ORDINARY["en"]
    with_numbers = [e.text for e in examples]
    typical = [rng.choice(with_numbers) if rng.random() < 0.1 else rng.choice(plain) for _ in range(20000)]
    print(f"speed: typical mix {rate(typical):,.0f} comments/s; generated set {rate(with_numbers):,.0f} comments/s")
    print(f"pii_recall={result['pii_recall']:.4f} ordinary_numbers_redacted={result['ordinary_numbers_redacted']}")


if __name__ == "__main__":
    main()
