"""Writes of analytics data: rollups kept in step with ingestion, rebuilt on demand.

`add_responses` runs inside the ingest transaction (the in-transaction event `core.events.ResponsesStored`), so a
response and its counts commit together or not at all: rollups never drift from the responses
they summarize, and a retried or repeated ingest (which stores nothing new) adds nothing.
"""

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection, transaction

from glapp.analytics import rate_counting
from glapp.analytics.models import Rollup, RollupDimension
from glapp.analytics.rollup_keys import (
    CHOICE_TYPES,
    CLUSTER_SCORES,
    DIMENSIONS,
    INVITATIONS,
    META_SLOTS,
    MOMENTS,
    SCORE_SOURCES,
    Accumulator,
)
from glapp.core import bulk, events
from glapp.core.errors import FieldError, ValidationFailed
from glapp.surveys import question_types as qt

ROLLUP_KEY = ("organization", "source", "grain", "day", *DIMENSIONS, "question", "option")  # rollup_cell_unique
ROLLUP_COUNTS = ("n", *(f"c{i}" for i in range(11)), *MOMENTS)
REBUILD_CHUNK = 20_000  # responses read per step of a rebuild
REBUILD_FLUSH = 100_000  # responses counted in memory before the counts are written
ROLLED_TYPES = (*sorted(SCORE_SOURCES), qt.EMOTION, *sorted(CHOICE_TYPES))


def rollup_time_zone() -> dt.tzinfo:
    """Days are the organization's local days (the deployment's time zone)."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def meta_keys(organization_id: int) -> tuple[str, ...]:
    """The selected metadata keys in slot order, with "" for an empty slot.

    Read on every write, inside the writer's transaction, and deliberately not cached: a worker
    holding stale keys after `set_rollup_dimensions` (in another process) would count new
    responses into the wrong cells. Plain SQL instead, since building the ORM's query costs
    several times more than this indexed lookup of at most four rows."""
    by_slot = dict(bulk.select_rows(RollupDimension, ("slot", "key"), {"organization": organization_id}))
    return tuple(by_slot.get(slot, "") for slot in range(1, META_SLOTS + 1))


def write_counts(organization_id: int, accumulator: Accumulator) -> int:
    """Add an accumulator's counts to the stored rollups; returns the number of cells touched."""
    adapt_date = connection.ops.adapt_datefield_value
    rows = [(organization_id, source, grain, adapt_date(day), *rest)
            for source, grain, day, *rest in accumulator.rows()]
    if rows:
        bulk.insert_or_add(Rollup, ROLLUP_KEY, ROLLUP_COUNTS, rows)
    return len(rows)


def add_responses(organization_id: int, responses: Sequence) -> None:
    """Count freshly stored responses (`CleanResponse`s) into the rollups. Caller holds the transaction."""
    acc = Accumulator(rollup_time_zone(), meta_keys(organization_id))
    add = acc.add
    for r in responses:
        add(r.submitted_at, r.survey_id, r.touchpoint_id, r.unit_id, r.channel, r.language, r.segment,
            r.metadata, [(a.question_id, a.question_type, a.number, a.text, a.choices) for a in r.answers],
            r.has_comment)
    write_counts(organization_id, acc)


def add_answers_to_rollups(organization_id: int, response, answers: Sequence, first_comment: bool) -> None:
    """Count answers added to a response already counted (`responses.add_answers`): the response
    itself is not counted again, its comment only if it is the first. Caller holds the transaction."""
    from glapp.responses.queries import rollup_answers  # reads of another app go through its queries

    added = [(a.question_id, a.question_type, a.number, a.text, a.choices) for a in answers]
    new_questions = {a[0] for a in added}
    # A scored answer joins the response's earlier ones of its kind (its correction row, see
    # rollup_keys): those stored before these, read only then (the respondent's path counts queries).
    scored = sorted({a[1] for a in added if a[1] in CLUSTER_SCORES})
    earlier = [a for a in rollup_answers(response.id, tuple(scored)) if a[0] not in new_questions] if scored else []
    acc = Accumulator(rollup_time_zone(), meta_keys(organization_id))
    acc.add_answers(response.submitted_at, response.survey_id, response.touchpoint_id, response.unit_id,
                    response.channel, response.language, response.segment, response.metadata or {},
                    added, first_comment, earlier)
    write_counts(organization_id, acc)


RATE_SLOTS = {state: i for i, state in enumerate(rate_counting.STATES)}  # state → count slot c0..c2


def _add_rate_changes(acc: Accumulator, changes: Sequence) -> None:
    for c in changes:
        acc.add_invitation(c.at, c.survey_id, c.touchpoint_id, c.unit_id, c.channel, c.language, c.segment,
                           c.metadata, None if c.before is None else RATE_SLOTS[c.before], RATE_SLOTS[c.after])


def add_rate_changes(organization_id: int, changes: Sequence) -> None:
    """Count invitations going out, being answered or bouncing (`analytics.rate_counting`)
    into the response-rate rollups. Caller holds the transaction."""
    acc = Accumulator(rollup_time_zone(), meta_keys(organization_id))
    _add_rate_changes(acc, changes)
    write_counts(organization_id, acc)



def subtract_responses(organization_id: int, response_ids: Sequence[int]) -> int:
    """Take stored responses out of the rollups before they are deleted (erasure): exactly what
    a recount counts for them (the count of each answer added since, too), subtracted. Caller
    holds the transaction that deletes them; returns the responses subtracted."""
    from glapp.responses.queries import iter_rollup_source  # reads of another app go through its queries

    acc = Accumulator(rollup_time_zone(), meta_keys(organization_id))
    for rows in iter_rollup_source(organization_id, ROLLED_TYPES, REBUILD_CHUNK, response_ids=response_ids):
        for (submitted_at, survey_id, tp_id, unit_id, channel, language, segment, metadata, has_comment,
             answers) in rows:
            acc.add(submitted_at, survey_id, tp_id, unit_id, channel, language, segment, _load_json(metadata),
                    answers, has_comment)
    write_counts(organization_id, acc.negated())
    return acc.responses


def subtract_rate_changes(organization_id: int, changes: Sequence) -> None:
    """Take invitations out of the response-rate rollups before they are deleted (erasure):
    `changes` are what a recount counts for them (from nothing to their state). Caller holds the
    transaction."""
    acc = Accumulator(rollup_time_zone(), meta_keys(organization_id))
    _add_rate_changes(acc, changes)
    write_counts(organization_id, acc.negated())


def _load_json(value):
    if isinstance(value, str):
        return json.loads(value) if value else {}
    return value or {}


def rebuild_rollups(organization_id: int, progress: Callable[[int], None] | None = None,
                    invitations: bool = True) -> int:
    """Recount every rollup of an organization from its stored responses and the invitations
    that went out; returns responses counted.

    One transaction: readers see the old counts until the new ones are complete, and a failed
    rebuild leaves the old counts in place. On SQLite this holds the write lock for the whole
    rebuild (ingestion waits), so it is an operator's command, not something a page triggers.
    `invitations=False` leaves the invitation counts alone (for the migration that ran before
    invitations were counted, on a schema that may not have their columns yet).
    """
    from glapp.responses.queries import iter_rollup_source  # reads of another app go through its queries

    tz = rollup_time_zone()
    counted = 0
    with transaction.atomic():
        stale = Rollup.objects.filter(organization_id=organization_id)
        (stale if invitations else stale.exclude(source=INVITATIONS)).delete()
        keys = meta_keys(organization_id)
        acc = Accumulator(tz, keys)
        pending = 0
        for rows in iter_rollup_source(organization_id, ROLLED_TYPES, REBUILD_CHUNK):
            add = acc.add
            for (submitted_at, survey_id, tp_id, unit_id, channel, language, segment, metadata, has_comment,
                 answers) in rows:
                add(submitted_at, survey_id, tp_id, unit_id, channel, language, segment, _load_json(metadata),
                    answers, has_comment)
            counted += len(rows)
            pending += len(rows)
            if pending >= REBUILD_FLUSH:
                write_counts(organization_id, acc)
                acc = Accumulator(tz, keys)
                pending = 0
            if progress:
                progress(len(rows))
        write_counts(organization_id, acc)
        if invitations:
            _count_invitations(organization_id, tz, keys)
    return counted


def _count_invitations(organization_id: int, tz: dt.tzinfo, keys: tuple[str, ...], displays: bool = True) -> None:
    """Invitations that went out and, unless `displays` is False, widget displays (the widget's
    invitations to answer)."""
    # What went out is held by the apps above this one (distribution, respond): they answer.
    sources = events.RateSourcesWanted(organization_id, chunk=REBUILD_CHUNK, displays=displays).ask()
    acc = Accumulator(tz, keys)
    for source in sources:
        for changes in source:
            _add_rate_changes(acc, changes)
            if len(acc.cells) >= REBUILD_FLUSH:
                write_counts(organization_id, acc)
                acc = Accumulator(tz, keys)
    write_counts(organization_id, acc)


def rebuild_invitation_rollups(organization_id: int, displays: bool = True) -> None:
    """Recount only the response-rate rollups, for invitation histories written in bulk (the demo).
    `displays=False` is for the migration that ran before widget displays had their columns."""
    with transaction.atomic():
        Rollup.objects.filter(organization_id=organization_id, source=INVITATIONS).delete()
        _count_invitations(organization_id, rollup_time_zone(), meta_keys(organization_id), displays)


def set_rollup_dimensions(organization_id: int, keys: Sequence[str]) -> tuple[str, ...]:
    """Choose the metadata keys rolled up (at most four, in order). The caller rebuilds afterwards:
    until then, the new keys have no counts."""
    cleaned = []
    for key in keys:
        key = str(key).strip()
        if key and key not in cleaned:
            cleaned.append(key[:80])
    if len(cleaned) > META_SLOTS:
        raise ValidationFailed([FieldError("dimensions", f"at most {META_SLOTS} metadata keys", "too_many")])
    with transaction.atomic():
        RollupDimension.objects.for_org(organization_id).delete()
        RollupDimension.objects.bulk_create(
            RollupDimension(organization_id=organization_id, key=key, slot=slot)
            for slot, key in enumerate(cleaned, start=1)
        )
    return tuple(cleaned)
