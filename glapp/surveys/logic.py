"""Skip logic: which questions a respondent sees, given the answers so far.

Pure Python (no Django). A question's `show_if` names an earlier question and a condition:
`{"question": "nps", "min": 0, "max": 6}` (a score within a range, both ends optional) or
`{"question": "reason", "in": ["price", "delivery"]}` (a choice, or any of a multiple choice).
An empty `show_if` always shows the question. A question whose condition refers to an
unanswered question is not shown: we ask a follow-up only when we know it applies.
"""

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
    """(questions done, questions on this respondent's path so far) for a progress indicator."""
    visible = visible_questions(questions, answers)
    done = sum(1 for q in visible if q["key"] in answers or q["key"] in skipped)
    return done, len(visible)
