"""What a rollup row counts, and how a batch of responses becomes rollup increments.

Pure Python (no Django) so the same code serves ingestion, the rebuild command and tests.

A rollup row is one cell of a cube: a day, the values of the grain's dimensions, and a *source*
(the NPS answers, the CES answers, …, or the responses themselves). It stores `n` and a vector
of counts per answer value, `c[v]` = answers with value v (0–10 for NPS and LBA, 1–7 CES, 1–5
CSAT; for emotions the index into `EMOTIONS`; for responses `c[0]` = responses with a comment;
for invitations `n` = invitations that went out and `c[0..2]` = how many of them are answered,
delivered but not answered, bounced, keyed by the day they went out).
Counts are enough for every metric and interval glapp shows, and they add up, so a week is the
sum of its days and ingest only ever adds.

A score or emotion answer is counted in its question's row (`question` = the question's id).
Pooling a source's questions (every CSAT question together) sums those rows, but such a figure
rests on fewer respondents than answers, and its interval needs per-respondent sums (`MOMENTS`:
respondents, Σ m², and for each of the source's two metric scores Σ y² and Σ y·m, where m is a
respondent's answers in the cell and y the sum of their scores), from which `metrics` takes a
cluster-robust interval. Were every answer its own respondent, those sums would follow from the
counts alone (`metrics.Respondents.of`); a response with several answers of a source adds the
difference to the source's *correction row* (`question` = 0, counts all zero, only MOMENTS). So
one question's figure reads its rows, a pooled figure reads every row of the source, and a
response with one answer a source (the common case) writes nothing more than its counts.
Choice questions are counted per option (source `choice`, `option` = the option's code); a
multiple choice question's row with `option` = "" counts the respondents who answered it (for
a single choice question that is the sum of its options).

Several grains are kept side by side, from coarse to fine. A query reads the smallest grain
that holds every dimension it groups or filters by, so the journey map reads a few thousand rows
even when the finest grain holds millions.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from glapp.surveys import question_types as qt

VALUES = 11  # c0..c10
# Per-respondent sums after the counts: respondents, Σ m², then Σ y², Σ y·m for each metric score.
MOMENTS = ("respondents", "m_sq", "y1_sq", "y1_m", "y2_sq", "y2_m")
VECTOR = 1 + VALUES + len(MOMENTS)  # n, c0..c10, MOMENTS
META_SLOTS = 4  # metadata keys an organization may select as rollup dimensions (d1..d4)

# Dimension columns in row order, with the value that means "not part of this grain" (or empty).
DIMENSIONS = ("survey", "touchpoint", "unit", "channel", "language", "segment", "d1", "d2", "d3", "d4")
EMPTY = (0, 0, 0, "", "", "", "", "", "", "")


@dataclass(frozen=True)
class Grain:
    code: int
    name: str
    dimensions: frozenset[str]


# Coarse to fine; `smallest_grain` picks the first that covers a query.
GRAINS = (
    Grain(1, "touchpoint", frozenset({"survey", "touchpoint"})),
    Grain(2, "unit", frozenset({"survey", "touchpoint", "unit"})),
    Grain(3, "profile", frozenset({"survey", "touchpoint", "unit", "channel", "language", "segment"})),
    Grain(4, "full", frozenset(DIMENSIONS)),
)

RESPONSES = "responses"
INVITATIONS = "invitations"
CHOICE = "choice"
SOURCES = (RESPONSES, qt.NPS, qt.CES, qt.CSAT, qt.LBA, qt.EMOTION, INVITATIONS, CHOICE)
SCORE_SOURCES = frozenset({qt.NPS, qt.CES, qt.CSAT, qt.LBA})
CHOICE_TYPES = frozenset({qt.SINGLE, qt.MULTI})
EMOTION_INDEX = {emotion: i for i, emotion in enumerate(qt.EMOTIONS)}
META_VALUE_LENGTH = 120
OPTION_LENGTH = 120


def _scores(values: range, score) -> tuple[int, ...]:
    """A score per count slot (slot = value; slots outside the source's values score 0)."""
    return tuple(score(v) if v in values else 0 for v in range(VALUES))


def _net(top, bottom):
    return lambda v: 1 if v in top else (-1 if v in bottom else 0)


_PROMOTERS = range(9, 11)
_DETRACTORS = range(0, 7)
_POSITIVE = range(len(qt.POSITIVE_EMOTIONS))
_NEGATIVE = range(len(qt.POSITIVE_EMOTIONS), len(qt.POSITIVE_EMOTIONS) + len(qt.NEGATIVE_EMOTIONS))

# For each pooled source, the per-answer scores (by count slot) of the metrics read from it, in
# moment order (y1, y2): a net score counts +1/−1, a share 1 for the top group, a mean the value.
# `metrics` finds each metric's own score here, so the two cannot drift apart.
CLUSTER_SCORES: dict[str, tuple[tuple[int, ...], ...]] = {
    qt.NPS: (_scores(range(0, 11), _net(_PROMOTERS, _DETRACTORS)),),
    qt.EMOTION: (_scores(range(len(qt.EMOTIONS)), _net(_POSITIVE, _NEGATIVE)),),
    qt.CSAT: (_scores(range(1, 6), lambda v: int(v >= 4)), _scores(range(1, 6), lambda v: v)),
    qt.CES: (_scores(range(1, 8), lambda v: v), _scores(range(1, 8), lambda v: int(v >= 5))),
    qt.LBA: (_scores(range(0, 11), lambda v: int(v >= 9)), _scores(range(0, 11), lambda v: v)),
}


# An answer as the accumulator reads it: (question_id, question_type, number, text, choices).
Answer = tuple[int, str, int | None, str, list | None]


class NotRolledUp(ValueError):
    """The query needs a dimension combination that no grain keeps."""


def smallest_grain(dimensions: Iterable[str]) -> Grain:
    needed = set(dimensions)
    for grain in GRAINS:
        if needed <= grain.dimensions:
            return grain
    raise NotRolledUp(", ".join(sorted(needed - GRAINS[-1].dimensions)))


def meta_value(value) -> str:
    if value is None or value == "":
        return ""
    return str(value)[:META_VALUE_LENGTH]


_ONE = ((0, 1),)  # a row's n + 1


def _respondent_sums(source: str, slots: Sequence[int]) -> list[int]:
    """One respondent's MOMENTS in a cell where they gave answers in these count slots."""
    m = len(slots)
    out = [1, m * m, 0, 0, 0, 0]
    for i, scores in enumerate(CLUSTER_SCORES[source]):
        y = sum(scores[slot - 1] for slot in slots)
        out[2 + 2 * i] = y * y
        out[3 + 2 * i] = y * m
    return out


def _correction(source: str, slots: Sequence[int]) -> list[int]:
    """What a respondent of several answers adds to the correction row: their MOMENTS pooled,
    minus what their answers' counts imply (each answer a respondent of one)."""
    pooled = _respondent_sums(source, slots)
    for slot in slots:
        for i, v in enumerate(_respondent_sums(source, [slot])):
            pooled[i] -= v
    return pooled


class Accumulator:
    """Sums increments for a batch in memory; `rows()` yields one upsert row per touched cell."""

    def __init__(self, tz: dt.tzinfo, meta_keys: tuple[str, ...] = ()):
        if len(meta_keys) > META_SLOTS:
            raise ValueError(f"at most {META_SLOTS} metadata dimensions")
        self.tz = tz
        self.meta_keys = tuple(meta_keys) + ("",) * (META_SLOTS - len(meta_keys))
        self.cells: dict[tuple, list[int]] = {}
        self.responses = 0

    def _keys(self, submitted_at: dt.datetime, survey_id: int, touchpoint_id: int | None, unit_id: int | None,
              channel: str, language: str, segment: str, meta: dict) -> tuple[tuple, ...]:
        """The cell key of a response in each grain (coarse to fine)."""
        day = submitted_at.astimezone(self.tz).date()
        tp = touchpoint_id or 0
        unit = unit_id or 0
        k1, k2, k3, k4 = self.meta_keys
        d = (
            meta_value(meta.get(k1)) if k1 else "",
            meta_value(meta.get(k2)) if k2 else "",
            meta_value(meta.get(k3)) if k3 else "",
            meta_value(meta.get(k4)) if k4 else "",
        )
        return (
            (1, day, survey_id, tp, 0, "", "", "", "", "", "", ""),
            (2, day, survey_id, tp, unit, "", "", "", "", "", "", ""),
            (3, day, survey_id, tp, unit, channel, language, segment, "", "", "", ""),
            (4, day, survey_id, tp, unit, channel, language, segment, *d),
        )

    @staticmethod
    def _answer_hits(answers: Iterable[Answer]) -> list[tuple[str, int, int]]:
        """(source, slot in the count vector, question id) for each scored answer a rollup counts."""
        hits = []
        for question_id, qtype, number, text, _choices in answers:
            if qtype in SCORE_SOURCES:
                if number is not None:
                    hits.append((qtype, number + 1, question_id))
            elif qtype == qt.EMOTION:
                index = EMOTION_INDEX.get(text)
                if index is not None:
                    hits.append((qtype, index + 1, question_id))
        return hits

    def _cell(self, source: str, key: tuple, question: int = 0, option: str = "") -> list[int]:
        cell_key = (source, question, option, *key)
        vec = self.cells.get(cell_key)
        if vec is None:
            vec = self.cells[cell_key] = [0] * VECTOR
        return vec

    def _add_to(self, keys: tuple[tuple, ...], source: str, question: int, option: str,
                increments: Iterable[tuple[int, int]]) -> None:
        cells = self.cells
        for key in keys:
            cell_key = (source, question, option, *key)
            vec = cells.get(cell_key)
            if vec is None:
                vec = cells[cell_key] = [0] * VECTOR
            for i, v in increments:
                vec[i] += v

    def _count(self, keys: tuple[tuple, ...], answers: Iterable[Answer],
               earlier: Iterable[Answer] = ()) -> None:
        """Count answers of one response: each scored answer in its question's row, each chosen
        option in its option's row; and, where the response now has several answers of a
        source, the change to that source's correction row (see the module docstring) from
        what its `earlier` answers made it."""
        # Part of the per-response loop of every ingest: locals and plain tuples, few calls.
        slots: dict[str, list[int]] | None = None
        cells = self.cells
        for question_id, qtype, number, text, choices in answers:
            if qtype in SCORE_SOURCES:
                if number is None:
                    continue
                source, slot = qtype, number + 1
            elif qtype == qt.EMOTION:
                index = EMOTION_INDEX.get(text)
                if index is None:
                    continue
                source, slot = qtype, index + 1
            elif qtype == qt.SINGLE:
                if text:  # its respondents are the sum of its options' rows
                    option = text[:OPTION_LENGTH]
                    for key in keys:
                        cell_key = (CHOICE, question_id, option, *key)
                        vec = cells.get(cell_key)
                        if vec is None:
                            vec = cells[cell_key] = [0] * VECTOR
                        vec[0] += 1
                continue
            elif qtype == qt.MULTI:
                if choices:
                    self._add_to(keys, CHOICE, question_id, "", _ONE)  # the respondents who answered it
                    for option in dict.fromkeys(str(c)[:OPTION_LENGTH] for c in choices):
                        self._add_to(keys, CHOICE, question_id, option, _ONE)
                continue
            else:
                continue
            for key in keys:
                cell_key = (source, question_id, "", *key)
                vec = cells.get(cell_key)
                if vec is None:
                    vec = cells[cell_key] = [0] * VECTOR
                vec[0] += 1
                vec[slot] += 1
            if slots is None:
                slots = {}
            slots.setdefault(source, []).append(slot)
        if slots is None:
            return
        before: dict[str, list[int]] = {}
        for source, slot, _question in self._answer_hits(earlier):
            before.setdefault(source, []).append(slot)
        for source, added in slots.items():
            old = before.get(source, [])
            if len(old) + len(added) < 2:
                continue
            change = _correction(source, old + added)
            if len(old) >= 2:
                change = [a - b for a, b in zip(change, _correction(source, old), strict=True)]
            self._add_to(keys, source, 0, "", [(1 + VALUES + i, v) for i, v in enumerate(change) if v])

    def add(self, submitted_at: dt.datetime, survey_id: int, touchpoint_id: int | None, unit_id: int | None,
            channel: str, language: str, segment: str, meta: dict,
            answers: Sequence[Answer], has_comment: bool) -> None:
        """Count one stored response; `answers` are (question_id, question_type, number, text, choices)."""
        # The per-response loop of every ingest: locals and plain tuples only.
        keys = self._keys(submitted_at, survey_id, touchpoint_id, unit_id, channel, language, segment, meta)
        cells = self.cells
        for key in keys:
            cell_key = (RESPONSES, 0, "", *key)
            vec = cells.get(cell_key)
            if vec is None:
                vec = cells[cell_key] = [0] * VECTOR
            vec[0] += 1
            if has_comment:
                vec[1] += 1
        if answers:
            self._count(keys, answers)
        self.responses += 1

    def add_answers(self, submitted_at: dt.datetime, survey_id: int, touchpoint_id: int | None,
                    unit_id: int | None, channel: str, language: str, segment: str, meta: dict,
                    answers: Sequence[Answer], first_comment: bool, earlier: Sequence[Answer] = ()) -> None:
        """Count answers added to a response that is already counted (a respondent page saves
        answer by answer): the answers' values, and the response's comment when this is its
        first one, but never the response itself again. `earlier` are the response's answers
        counted before (its correction rows change). The cells are the response's own (its
        stored submitted_at and dimensions), so the result equals a recount."""
        keys = self._keys(submitted_at, survey_id, touchpoint_id, unit_id, channel, language, segment, meta)
        self._count(keys, answers, earlier)
        if first_comment:
            for key in keys:
                self._cell(RESPONSES, key)[1] += 1  # c0 = responses with a comment; n stays

    def add_invitation(self, at: dt.datetime, survey_id: int, touchpoint_id: int | None, unit_id: int | None,
                       channel: str, language: str, segment: str, meta: dict,
                       before: int | None, after: int) -> None:
        """An invitation moving from count slot `before` (None: it had not gone out, so it now
        adds to n) to slot `after`, in the cells of the day it went out."""
        for key in self._keys(at, survey_id, touchpoint_id, unit_id, channel, language, segment, meta):
            vec = self._cell(INVITATIONS, key)
            if before is None:
                vec[0] += 1
            else:
                vec[before + 1] -= 1
            vec[after + 1] += 1

    def negated(self) -> "Accumulator":
        """The same cells with every count negated: adding it removes what this one counted."""
        out = Accumulator(self.tz, self.meta_keys)
        out.cells = {key: [-v for v in vec] for key, vec in self.cells.items()}
        out.responses = -self.responses
        return out

    def rows(self) -> Iterable[tuple]:
        """(source, grain, day, *DIMENSIONS, question, option, n, c0..c10, *MOMENTS) per touched cell."""
        for (source, question, option, grain, *rest), vec in self.cells.items():
            yield (source, grain, *rest, question, option, *vec)
