"""The survey builder's "has this question been answered?" on a large organization.

    .venv/bin/python benchmarks/builder_lookup.py [--responses 1000000] [--repeat 5] [--keep DIR]

The builder asks it for every question it shows (a question with answers keeps its type and
cannot be removed), and before every type change. glapp reads the question's `answered` flag,
which the first stored answer sets in its own transaction. Same-run baseline: the lookup glapp
made before the flag existed, answers of the question among the survey's responses (answers are
indexed by (response, question) only, since every index costs on each of millions of inserts).
Both are timed for an answered question and for a new, unanswered one (the baseline's worst
case: it must look at every response of the organization to say no).

Last line: flag_ms=<x> baseline_ms=<y> speedup=<baseline / flag, unanswered question>
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_speed  # noqa: E402  (shares the demo database's setup)


def timed(fn, question, repeat: int) -> tuple[float, object]:
    fn(question)  # warm the page cache: both sides read a warm database
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(question)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="use (and keep) this directory for the database; a loaded one is reused")
    args = parser.parse_args()

    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="glapp-builder-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    org = import_speed.demo_org(data_dir, args.responses)
    from glapp.responses.models import Answer, Response
    from glapp.surveys import question_types as qt
    from glapp.surveys.models import Question
    from glapp.surveys.queries import question_has_answers

    def baseline(question) -> bool:
        responses = Response.objects.for_org(question.organization_id).filter(survey_id=question.survey_id)
        return Answer.objects.filter(question_id=question.pk, response_id__in=responses.values("id")).exists()

    answered = Question.objects.filter(organization=org, answered=True).order_by("id").first()
    survey = answered.survey
    fresh = Question.objects.create(organization=org, survey=survey, key="benchmark_new", type=qt.TEXT,
                                    position=99, texts={"sv": "Ny fråga"})
    try:
        rows = {}
        for label, question in (("answered question", answered), ("new question", fresh)):
            flag_ms, flag = timed(question_has_answers, question, args.repeat)
            base_ms, base = timed(baseline, question, args.repeat)
            assert flag == base, (label, flag, base)
            rows[label] = (flag_ms, base_ms)
            print(f"{label:<18} flag {flag_ms:8.3f} ms   baseline {base_ms:9.2f} ms   (answered: {flag})")
    finally:
        fresh.delete()
    flag_ms, base_ms = rows["new question"]
    print(f"flag_ms={flag_ms:.3f} baseline_ms={base_ms:.1f} speedup={base_ms / flag_ms:.0f}")


if __name__ == "__main__":
    main()
