"""Skip logic: which questions a respondent sees, given the answers so far.

Pure Python (no Django). A question's `show_if` names an earlier question and a condition:
`{"question": "nps", "min": 0, "max": 6}` (a score within a range, both ends optional) or
`{"question": "reason", "in": ["price", "delivery"]}` (a choice, or any of a multiple choice).
An empty `show_if` always shows the question. A question whose condition refers to an
unanswered question is not shown: we ask a follow-up only when we know it applies.
"""

import itertools
import math
from collections.abc import Mapping, Sequence


def condition_holds(show_if: Mapping | None, answers: Mapping) -> bool:
    if not show_if:
        return True
    value = answers.get(show_if.get("question"))
    if value is None or value == "" or value == []:
        return False
    if "in" in show_if:
        wanted = set(show_if.get("in") or [])
        given = set(value) if isinstance(value, list | tuple) else {value}
        return bool(wanted & {str(v) for v in given})
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    low, high = show_if.get("min"), show_if.get("max")
    return (low is None or value >= low) and (high is None or value <= high)


def visible_questions(questions: Sequence[Mapping], answers: Mapping) -> list[Mapping]:
    """The questions this respondent is asked, in order."""
    return [q for q in questions if condition_holds(q.get("show_if"), answers)]


def next_question(questions: Sequence[Mapping], answers: Mapping, skipped: Sequence[str] = ()) -> Mapping | None:
    """The first visible question not yet answered (or skipped, for optional questions); None when done.

    Later answers can only add visibility to later questions (a condition names an earlier
    question), so walking in order is enough.
    """
    for q in visible_questions(questions, answers):
        if q["key"] not in answers and q["key"] not in skipped:
            return q
    return None


def progress(questions: Sequence[Mapping], answers: Mapping, skipped: Sequence[str] = ()) -> tuple[int, int]:
    """(questions done, questions on the longest path still open to this respondent) for a
    progress indicator: before the score that decides a follow-up is given, the follow-up
    still counts, so the first page does not say "1 of 1" and the second "2 of 2"."""
    visible = visible_questions(questions, answers)
    done = sum(1 for q in visible if q["key"] in answers or q["key"] in skipped)
    return done, max(len(visible), _longest_path(questions, answers, skipped))


MAX_BRANCHES = 256


def _longest_path(questions: Sequence[Mapping], answers: Mapping, skipped: Sequence[str] = ()) -> int:
    """The most questions any answers still to come could show (0: no follow-up is open). Each
    question not yet answered or skipped that a condition names is tried with one value on each
    side of every bound, each listed choice (all of them at once for a multiple choice) and no
    answer; a survey has a handful of questions, so the combinations are few."""
    multi = {q["key"] for q in questions if q.get("type") == "multi_choice"}
    candidates: dict[str, set] = {}
    ticked: dict[str, set[str]] = {}  # a multiple choice: every listed choice that opens something
    for q in questions:
        show_if = q.get("show_if") or {}
        key = show_if.get("question")
        if not key or key in answers or key in skipped:
            continue
        values = candidates.setdefault(key, {None})
        listed = [str(v) for v in show_if.get("in") or []]
        values.update(listed)
        if key in multi:
            ticked.setdefault(key, set()).update(listed)
        for bound in (show_if.get("min"), show_if.get("max")):
            if isinstance(bound, int | float) and not isinstance(bound, bool):
                values.update((bound - 1, bound, bound + 1))
    for key, choices in ticked.items():
        candidates[key].add(tuple(sorted(choices)))
    keys = list(candidates)
    if not keys or math.prod(len(candidates[k]) for k in keys) > MAX_BRANCHES:
        return 0
    best = 0
    for values in itertools.product(*(sorted(candidates[k], key=repr) for k in keys)):
        supposed = dict(zip(keys, values, strict=True))
        world, shown = dict(answers), 0
        for q in questions:  # in order: a supposed answer counts only if its question is shown
            if condition_holds(q.get("show_if"), world):
                shown += 1
                if q["key"] not in world and supposed.get(q["key"]) is not None:
                    world[q["key"]] = supposed[q["key"]]
        best = max(best, shown)
    return best
