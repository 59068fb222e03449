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

Several grains are kept side by side, from coarse to fine. A query reads the smallest grain
that holds every dimension it groups or filters by, so the journey map reads a few thousand rows
even when the finest grain holds millions.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from glapp.surveys import question_types as qt

VALUES = 11  # c0..c10
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
SOURCES = (RESPONSES, qt.NPS, qt.CES, qt.CSAT, qt.LBA, qt.EMOTION, INVITATIONS)
SCORE_SOURCES = frozenset({qt.NPS, qt.CES, qt.CSAT, qt.LBA})
EMOTION_INDEX = {emotion: i for i, emotion in enumerate(qt.EMOTIONS)}
META_VALUE_LENGTH = 120


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
    def _answer_hits(answers: Iterable[tuple[str, int | None, str]]) -> list[tuple[str, int]]:
        """(source, slot in the count vector) for each answer that a rollup counts."""
        hits = []
        for qtype, number, text in answers:
            if qtype in SCORE_SOURCES:
                if number is not None:
                    hits.append((qtype, number + 1))
            elif qtype == qt.EMOTION:
                index = EMOTION_INDEX.get(text)
                if index is not None:
                    hits.append((qtype, index + 1))
        return hits

    def _cell(self, source: str, key: tuple) -> list[int]:
        cell_key = (source, *key)
        vec = self.cells.get(cell_key)
        if vec is None:
            vec = self.cells[cell_key] = [0] * (VALUES + 1)
        return vec

    def add(self, submitted_at: dt.datetime, survey_id: int, touchpoint_id: int | None, unit_id: int | None,
            channel: str, language: str, segment: str, meta: dict,
            answers: Iterable[tuple[str, int | None, str]], has_comment: bool) -> None:
        """Count one stored response; `answers` are (question_type, number, text)."""
        # The per-response loop of every ingest: locals and plain tuples only.
        keys = self._keys(submitted_at, survey_id, touchpoint_id, unit_id, channel, language, segment, meta)
        hits = [(RESPONSES, 1 if has_comment else 0), *self._answer_hits(answers)]
        cells = self.cells
        for source, slot in hits:
            for key in keys:
                cell_key = (source, *key)
                vec = cells.get(cell_key)
                if vec is None:
                    vec = cells[cell_key] = [0] * (VALUES + 1)
                vec[0] += 1
                if source != RESPONSES or slot:
                    vec[slot] += 1
        self.responses += 1

    def add_answers(self, submitted_at: dt.datetime, survey_id: int, touchpoint_id: int | None,
                    unit_id: int | None, channel: str, language: str, segment: str, meta: dict,
                    answers: Iterable[tuple[str, int | None, str]], first_comment: bool) -> None:
        """Count answers added to a response that is already counted (a respondent page saves
        answer by answer): the answers' values, and the response's comment when this is its
        first one, but never the response itself again. The cells are the response's own (its
        stored submitted_at and dimensions), so the result equals a recount."""
        keys = self._keys(submitted_at, survey_id, touchpoint_id, unit_id, channel, language, segment, meta)
        for source, slot in self._answer_hits(answers):
            for key in keys:
                vec = self._cell(source, key)
                vec[0] += 1
                vec[slot] += 1
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
        """(source, grain, day, *DIMENSIONS, n, c0..c10) per touched cell."""
        for (source, grain, *rest), vec in self.cells.items():
            yield (source, grain, *rest, *vec)
