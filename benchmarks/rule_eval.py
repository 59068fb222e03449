"""Alert rules on ingest: 20 compiled rules evaluated on every response, against ingest itself.

    .venv/bin/python benchmarks/rule_eval.py [--responses 100000] [--repeat 3] [--ingest-rows 20000]

Every response on ingest is evaluated against the organization's alert rules
(`glapp/cases/conditions.py`), so their cost is a share of ingest's. The responses are the demo
generator's (55 % with a comment, Swedish and English), turned into `ResponseFacts` outside the
timing; 20 rules of the kinds a CX team writes (detractors per touchpoint, high-value customers,
CES and CSAT floors, a unit subtree, metadata, churn phrases), compiled once. Timed, median of
`--repeat` after a first pass that fills the stem caches (as in a long-running process; the
first pass is printed too): all 20 rules on every response, and the 15 without phrases alone (phrases are what
costs: the comment is tokenized once per response, shared by every rule). Facts objects are
rebuilt for each repeat, so no comment's prepared words carry over.

Same-run baseline: glapp's file import of `--ingest-rows` demo rows (`benchmarks/import_speed.py`,
the whole ingest path into SQLite: read, validate, store, rollups), in µs per row, and the share
the rules would add to it. `--ingest-rows 0` skips it.

Last line: rules_us=<µs per response, 20 rules> no_phrase_us=<15 rules> ingest_us=<µs per row>
share=<rules_us / ingest_us>
"""

import argparse
import datetime as dt
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from glapp.cases.conditions import ResponseFacts, compile_rule  # noqa: E402
from glapp.demo.generator import DemoGenerator  # noqa: E402
from glapp.surveys import question_types as qt  # noqa: E402

CHURN = ["säga upp", "byta operatör", "avsluta abonnemanget", "cancel", "switch provider", "uppsägning"]
RULES = [
    {"all": [{"score": "nps", "op": "<=", "value": 6}, {"touchpoint": ["kundtjanst-telefon"]}]},
    {"all": [{"score": "nps", "op": "<=", "value": 6}, {"touchpoint": ["hemleverans", "webbkassa"]}]},
    {"all": [{"score": "nps", "op": "<=", "value": 6}, {"attribute": "annual_value", "op": ">", "value": 10000}]},
    {"score": "ces", "op": "<=", "value": 3},
    {"score": "csat", "op": "<=", "value": 2},
    {"all": [{"unit": [2]}, {"score": "nps", "op": "<=", "value": 4}]},
    {"all": [{"segment": ["business"]}, {"score": "nps", "op": "<=", "value": 6}]},
    {"all": [{"metadata": "delivery_partner", "op": "==", "value": "PostNord"},
             {"score": "csat", "op": "<=", "value": 2}]},
    {"any": [{"score": "nps", "op": "==", "value": 0}, {"score": "ces", "op": "==", "value": 1}]},
    {"all": [{"channel": ["phone"]}, {"not": {"score": "nps", "op": ">=", "value": 7}}]},
    {"all": [{"language": ["en"]}, {"score": "nps", "op": "<=", "value": 6}]},
    {"all": [{"score": "nps", "op": ">=", "value": 9}, {"attribute": "annual_value", "op": ">=", "value": 5000}]},
    {"all": [{"metadata": "agent", "op": "==", "value": "Maja"}, {"score": "nps", "op": "<=", "value": 6}]},
    {"any": [{"all": [{"unit": [3]}, {"score": "csat", "op": "<", "value": 3}]},
             {"all": [{"unit": [4]}, {"score": "ces", "op": "<", "value": 3}]}]},
    {"all": [{"survey": [1, 2]}, {"score": "nps", "op": "<=", "value": 2}]},
    # With phrases: evaluated on the comment text.
    {"phrase": CHURN},
    {"all": [{"score": "nps", "op": "<=", "value": 8}, {"phrase": ["säga upp", "byta operatör", "cancel"]}]},
    {"phrase": ["lång kö", "vänta länge", "long queue", "kö*"]},
    {"all": [{"touchpoint": ["kundtjanst-telefon"]}, {"phrase": ["ringa två gånger", "called twice"]}]},
    {"any": [{"phrase": ["fel på fakturan", "wrong invoice", "faktura"]}, {"score": "nps", "op": "==", "value": 0}]},
]


def demo_facts(responses: int) -> list[ResponseFacts]:
    """The demo generator's responses as the facts a receiver would build."""
    surveys, units, scores = {}, {}, set(qt.SCORE_TYPES)
    out = []
    for raw in itertools.islice(DemoGenerator(7, responses, dt.date(2026, 6, 30)), responses):
        survey_id = surveys.setdefault(raw["survey"], len(surveys) + 1)
        unit_id = units.setdefault(raw["unit"], len(units) + 2)
        customer = raw.get("customer") or {}
        answers = raw.get("answers", {})
        out.append(ResponseFacts(
            survey_id=survey_id, touchpoint=raw.get("touchpoint", ""), unit_id=unit_id,
            unit_path=f"/1/{unit_id}/", channel=raw.get("channel", ""), language=raw.get("language", ""),
            segment=raw.get("segment", ""), metadata=raw.get("metadata", {}),
            attributes=customer.get("attributes", {}),
            scores=tuple((i, key, value) for i, (key, value) in enumerate(answers.items()) if key in scores),
            comment=answers.get("comment", ""),
        ))
    return out


def fresh(facts: list[ResponseFacts]) -> list[ResponseFacts]:
    return [ResponseFacts(f.survey_id, f.touchpoint, f.unit_id, f.unit_path, f.channel, f.language, f.segment,
                          f.metadata, f.attributes, f.scores, f.comment) for f in facts]


def timed(rules, facts: list[ResponseFacts], repeat: int) -> tuple[float, int]:
    times, fired = [], 0
    for _ in range(repeat):
        batch = fresh(facts)
        started = time.perf_counter()
        fired = 0
        for f in batch:
            for rule in rules:
                if rule.matches(f):
                    fired += 1
        times.append(time.perf_counter() - started)
    return statistics.median(times), fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ingest-rows", type=int, default=20_000)
    args = parser.parse_args()

    facts = demo_facts(args.responses)
    started = time.perf_counter()
    rules = [compile_rule(tree) for tree in RULES]
    compile_ms = (time.perf_counter() - started) * 1000
    plain = [r for r in rules if not r.needs_comment_text]
    with_comment = sum(1 for f in facts if f.comment)
    # The first pass fills the stem and word caches, as a long-running process has them filled.
    cold_seconds, _ = timed(rules, facts, 1)

    all_seconds, fired = timed(rules, facts, args.repeat)
    plain_seconds, plain_fired = timed(plain, facts, args.repeat)
    n = len(facts)
    rules_us, plain_us = all_seconds / n * 1e6, plain_seconds / n * 1e6
    print(f"{n:,} responses ({with_comment / n:.0%} with a comment), {len(rules)} rules compiled in "
          f"{compile_ms:.1f} ms")
    print(f"first pass, cold caches: {cold_seconds:6.2f} s  {cold_seconds / n * 1e6:6.2f} µs/response")
    print(f"all {len(rules)} rules:         {all_seconds:6.2f} s  {rules_us:6.2f} µs/response  "
          f"({n / all_seconds:,.0f} responses/s; {fired:,} rule hits)")
    print(f"the {len(plain)} without phrases: {plain_seconds:6.2f} s  {plain_us:6.2f} µs/response  "
          f"({plain_fired:,} rule hits)")

    ingest_us = float("nan")
    if args.ingest_rows:
        import import_speed

        result = import_speed.run(args.ingest_rows)
        ingest_us = 1e6 / result["glapp_rows_per_second"]
        print(f"ingest (file import of {result['rows']:,} demo rows into SQLite): {ingest_us:6.1f} µs/row; "
              f"the rules would add {rules_us / ingest_us:.1%} (without phrases {plain_us / ingest_us:.1%})")
    print(f"rules_us={rules_us:.2f} no_phrase_us={plain_us:.2f} ingest_us={ingest_us:.1f} "
          f"share={rules_us / ingest_us:.3f}")


if __name__ == "__main__":
    main()
