"""Question types and how an answer value of each is validated.

Pure Python (no Django) so ingestion, the importer and the survey builder share one rule.
"""

import math
import re
from dataclasses import dataclass

from glapp.core.hostile import text_problem
from glapp.core.i18n import gettext_noop  # marks UI text; translated where it is shown

NPS = "nps"
CES = "ces"
CSAT = "csat"
LBA = "lba"
EMOTION = "emotion"
RATING = "rating"
SINGLE = "single_choice"
MULTI = "multi_choice"
TEXT = "text"



# The fixed emotion set (NES = share of positive minus share of negative emotions).
POSITIVE_EMOTIONS = ("joy", "trust", "relief", "surprise_positive")
NEGATIVE_EMOTIONS = ("disappointment", "frustration", "anger", "worry")
EMOTIONS = (*POSITIVE_EMOTIONS, *NEGATIVE_EMOTIONS, "neutral")
# Their names, in English (the msgids): what respondents choose from is what analysts read.
EMOTION_LABELS = {
    "joy": gettext_noop("Joy"),
    "trust": gettext_noop("Trust"),
    "relief": gettext_noop("Relief"),
    "surprise_positive": gettext_noop("Pleasant surprise"),
    "disappointment": gettext_noop("Disappointment"),
    "frustration": gettext_noop("Frustration"),
    "anger": gettext_noop("Anger"),
    "worry": gettext_noop("Worry"),
    "neutral": gettext_noop("Neutral"),
}


@dataclass(frozen=True)
class QuestionType:
    code: str
    kind: str  # "number", "choice", "choices", "text"
    min: int | None = None
    max: int | None = None


TYPES: dict[str, QuestionType] = {
    NPS: QuestionType(NPS, "number", 0, 10),
    CES: QuestionType(CES, "number", 1, 7),
    CSAT: QuestionType(CSAT, "number", 1, 5),
    LBA: QuestionType(LBA, "number", 0, 10),
    RATING: QuestionType(RATING, "number", 1, 10),
    EMOTION: QuestionType(EMOTION, "choice"),
    SINGLE: QuestionType(SINGLE, "choice"),
    MULTI: QuestionType(MULTI, "choices"),
    TEXT: QuestionType(TEXT, "text"),
}
SCORE_TYPES = (NPS, CES, CSAT, LBA, RATING)
MAX_TEXT_LENGTH = 10_000


class AnswerInvalid(ValueError):
    pass


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


def score_number(value) -> int:
    """A scale answer as a whole number, whatever sent it: JSON numbers, file cells and form
    fields ("9", " 9 ", "9.0", "9,0"). Only plain decimals count, so "nan", "inf", "1e309",
    NaN, Infinity and 1e400 are refused here, the one place a score becomes a number."""
    if isinstance(value, bool):
        raise AnswerInvalid("must be a whole number")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40 or not _DECIMAL.fullmatch(text):
            raise AnswerInvalid("must be a whole number")
        value = float(text.replace(",", "."))
    if isinstance(value, int):
        return value
    if not isinstance(value, float) or not math.isfinite(value) or not value.is_integer():
        raise AnswerInvalid("must be a whole number")
    return int(value)


def clean_answer(qtype: str, value, options: list[str] | None = None, scale_max: int | None = None):
    """Return (number, text, choices) for one answer or raise AnswerInvalid with a readable reason."""
    spec = TYPES[qtype]
    if spec.kind == "number":
        value = score_number(value)
        high = scale_max if (qtype == RATING and scale_max) else spec.max
        if not spec.min <= value <= high:
            raise AnswerInvalid(f"must be between {spec.min} and {high}")
        return value, "", None
    if spec.kind == "choice":
        if not isinstance(value, str) or not value.strip():
            raise AnswerInvalid("must be one of the options")
        value = value.strip()
        allowed = EMOTIONS if qtype == EMOTION else (options or [])
        if value not in allowed:
            raise AnswerInvalid(f"'{value[:40]}' is not one of: {', '.join(allowed)}")
        return None, value, None
    if spec.kind == "choices":
        if isinstance(value, str):
            value = [v.strip() for v in value.split("|") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerInvalid("must be a list of options")
        bad = [v for v in value if v not in (options or [])]
        if bad:
            raise AnswerInvalid(f"unknown option(s): {', '.join(b[:40] for b in bad)}")
        return None, "", value
    # text
    if not isinstance(value, str):
        raise AnswerInvalid("must be text")
    problem = text_problem(value)
    if problem:
        raise AnswerInvalid(problem)
    if len(value) > MAX_TEXT_LENGTH:
        raise AnswerInvalid(f"is longer than {MAX_TEXT_LENGTH} characters")
    return None, value.strip(), None
