"""Writes of responses. Every ingestion path (API, bulk API, file import, demo) ends here.

One call = one transaction: either every accepted response of the batch and its answers is
stored, or nothing is. Re-sending a response with the same `external_id` is a no-op that
returns the stored response's id, which is what makes retries and re-imports safe.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from glapp.accounts.models import Unit
from glapp.contacts import tombstones
from glapp.contacts.models import Customer
from glapp.core import bulk, events
from glapp.core.errors import NotFound
from glapp.responses.models import Answer, IdempotencyRecord, ImportJob, ImportSource, Response
from glapp.responses.validation import CleanAnswer, CleanResponse
from glapp.surveys import question_types as qt

RESPONSE_FIELDS = (
    "id", "organization", "survey", "survey_version", "customer", "touchpoint", "unit", "channel",
    "language", "segment", "submitted_at", "external_id", "source", "metadata", "has_comment", "created_at",
)
ANSWER_FIELDS = ("response", "question", "question_type", "number", "text", "choices")
CUSTOMER_FIELDS = (
    "organization", "external_id", "first_name", "email", "phone", "language", "segment", "region",
    "attributes", "created_at", "consent_email", "consent_sms", "unit",
)


@dataclass(frozen=True)
class IngestResult:
    id: int
    created: bool  # False: an earlier response with the same external_id was kept


def _ids_by_external_id(model, organization_id: int, external_ids: Sequence[str]) -> dict[str, int]:
    """external_id → id within one organization. Plain SQL: the ORM's `__in` costs several
    microseconds per value to build, which dominates this lookup at import speeds."""
    return bulk.lookup(model, "external_id", external_ids, {"organization": organization_id})


def existing_external_ids(organization_id: int, external_ids: Sequence[str]) -> dict[str, int]:
    return _ids_by_external_id(Response, organization_id, external_ids)


def ensure_customers(organization_id: int, customers: dict[str, dict],
                     units: dict[str, int | None] | None = None) -> dict[str, int]:
    """Map external ids to customer ids, creating the customers we have not seen, owned by
    `units[external id]` (the unit of the response that brought them; none: organization-wide).

    Existing customers are not modified here: a response is not the place to overwrite the
    customer register (the contacts app owns that), nor to move a customer to another unit.
    """
    units = units or {}
    ids = _ids_by_external_id(Customer, organization_id, list(customers))
    missing = [ext for ext in customers if ext not in ids]
    if missing:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        to_json = bulk.json_adapter()
        # Ids allocated up front (under the caller's write lock) spare a second lookup.
        new_ids = bulk.allocate_ids(Customer, len(missing))
        rows = []
        for cid, ext in zip(new_ids, missing, strict=True):
            c = customers[ext]
            rows.append((
                cid, organization_id, ext, str(c.get("first_name") or "")[:120], str(c.get("email") or "")[:254],
                str(c.get("phone") or "")[:32], str(c.get("language") or "")[:8],
                str(c.get("segment") or "")[:80], str(c.get("region") or "")[:80],
                to_json(c.get("attributes") or {}), now, False, False, units.get(ext),
            ))
        bulk.insert_rows(Customer, ("id", *CUSTOMER_FIELDS), rows)
        ids.update(zip(missing, new_ids, strict=True))
    return ids


def ingest_responses(organization_id: int, responses: Sequence[CleanResponse], source: str,
                     complete: bool = True, import_job_id: int = 0) -> list[IngestResult]:
    """Store validated responses in one transaction; returns one result per input, in order.
    `complete=False` when more answers will follow (a respondent page stores its first answer).
    `import_job_id`: the import job storing them (what acts on responses asks it whether its rows
    may open cases)."""
    with transaction.atomic():
        wanted = [r.external_id for r in responses if r.external_id]
        known = existing_external_ids(organization_id, wanted) if wanted else {}

        new: list[CleanResponse] = []
        slots: list[tuple[str, object]] = []  # ("known", id) or ("new", index into new) or ("dup", ext id)
        batch_ids: dict[str, int] = {}
        for r in responses:
            if r.external_id and r.external_id in known:
                slots.append(("known", known[r.external_id]))
            elif r.external_id and r.external_id in batch_ids:
                slots.append(("dup", r.external_id))  # repeated inside the same batch: first one wins
            else:
                if r.external_id:
                    batch_ids[r.external_id] = len(new)
                slots.append(("new", len(new)))
                new.append(r)

        customers = {r.customer["external_id"]: r.customer for r in new if r.customer}
        owners: dict[str, int | None] = {}
        for r in new:  # a new customer is owned by the unit of its first response in the batch
            if r.customer:
                owners.setdefault(r.customer["external_id"], r.unit_id)
        customer_ids = ensure_customers(organization_id, customers, owners) if customers else {}
        ids = bulk.allocate_ids(Response, len(new))

        ops = connection.ops
        adapt_datetime = bulk.datetime_adapter()
        adapt_json = bulk.json_adapter()
        now = ops.adapt_datetimefield_value(timezone.now())
        text_type = qt.TEXT
        empty_json = adapt_json({})
        response_rows = []
        answer_rows = []
        add_response, add_answer = response_rows.append, answer_rows.append
        # The per-row loop of every import: locals only, no property or attribute chains.
        for rid, r in zip(ids, new, strict=True):
            customer = r.customer
            metadata = r.metadata
            has_comment = False
            for a in r.answers:
                choices = a.choices
                text = a.text
                if text and a.question_type == text_type:
                    has_comment = True
                add_answer((rid, a.question_id, a.question_type, a.number, text,
                            None if choices is None else adapt_json(choices)))
            add_response((
                rid, organization_id, r.survey_id, r.survey_version_id,
                customer_ids[customer["external_id"]] if customer else None,
                r.touchpoint_id, r.unit_id, r.channel, r.language, r.segment,
                adapt_datetime(r.submitted_at), r.external_id, source,
                adapt_json(metadata) if metadata else empty_json, has_comment, now,
            ))
        if response_rows:
            bulk.insert_rows(Response, RESPONSE_FIELDS, response_rows)
            bulk.insert_rows(Answer, ANSWER_FIELDS, answer_rows)
            # Derived data (rollups) that must commit or roll back with these rows.
            comments = sum(r[-2] for r in response_rows)
            events.ResponsesStored(organization_id, responses=new, first_id=ids[0], last_id=ids[-1],
                                   comments=comments).send()
            events.ResponsesCreated(organization_id, first_id=ids[0], last_id=ids[-1], count=len(ids), source=source,
                                    comments=comments).send()
            if complete:
                events.ResponseCompleted(organization_id, response_ids=ids, source=source,
                                         import_job_id=import_job_id).send()

    results = []
    for kind, value in slots:
        if kind == "known":
            results.append(IngestResult(value, False))
        elif kind == "dup":
            results.append(IngestResult(ids[batch_ids[value]], False))
        else:
            results.append(IngestResult(ids[value], True))
    return results


def add_answers(organization_id: int, response_id: int | None, answers: Sequence[CleanAnswer], *,
                external_id: str = "") -> int:
    """Add answers to a stored response (by id, or by `external_id` when `response_id` is None);
    returns how many were stored. Raises NotFound when there is no such response.

    The respondent page saves each answer as it is given: the first creates the response
    (`ingest_responses`), later ones arrive here. An answer to a question the response already
    has is ignored, so a replayed POST or a double click stores nothing twice. The rollups get
    only the new answers (and the response's first comment) in the same transaction, so they
    stay equal to a recount; new comments are queued for text analysis after the commit.
    """
    with transaction.atomic():
        response = _locked_response(organization_id, response_id, external_id)
        if response is None:
            raise NotFound(f"No response {response_id or external_id}.")
        # The unique (response, question) index decides what is new, also against a concurrent
        # addition (PostgreSQL waits for it, then skips): only rows really inserted come back,
        # and only those are counted.
        by_question = {}
        for a in answers:
            by_question.setdefault(a.question_id, a)
        inserted = _insert_new_answers(response.id, list(by_question.values()))
        new = [by_question[q] for q in by_question if q in inserted]
        if not new:
            return 0
        comments = sum(1 for a in new if a.question_type == qt.TEXT and a.text)
        # Conditional: of two concurrent first comments only one finds has_comment still false.
        first_comment = bool(comments) and not response.has_comment and bool(
            Response.objects.filter(id=response.id, has_comment=False).update(has_comment=True))
        events.AnswersAdded(organization_id, response=response, answers=new, first_comment=first_comment).send()
        if comments:
            events.CommentsAdded(organization_id, first_id=response.id, last_id=response.id, comments=comments).send()
    return len(new)


def _locked_response(organization_id: int, response_id: int | None, external_id: str) -> Response | None:
    """The response row, locked on PostgreSQL (SQLite's IMMEDIATE transaction holds the write
    lock already). Plain SQL: on the respondent's path the ORM's query building costs more than
    the query."""
    field, value = ("id", response_id) if response_id is not None else ("external_id", external_id)
    return bulk.locked_row(Response, {"organization": organization_id, field: value})


def _insert_new_answers(response_id: int, answers: Sequence[CleanAnswer]) -> set[int]:
    """The question ids of the answers stored now, none for those the response already had
    (skipped on the unique (response, question) key, and not returned)."""
    adapt_json = bulk.json_adapter()
    rows = [(response_id, a.question_id, a.question_type, a.number, a.text,
             None if a.choices is None else adapt_json(a.choices)) for a in answers]
    return set(bulk.insert_values(Answer, ANSWER_FIELDS, rows, returning="question",
                                  ignore_conflicts_on=("response", "question")))


# --- File imports: the job record and the saved column mapping --------------------------------

def save_import_source(organization_id: int, name: str, mapping: dict[str, str], defaults: dict[str, str],
                       options: dict | None = None):
    """Create or update the named source so the next file of the same kind needs no mapping:
    its columns, defaults, and how its cells read (date format, time zone, value maps)."""
    values = {"mapping": dict(mapping), "defaults": {k: v for k, v in defaults.items() if v not in (None, "")}}
    if options is not None:
        values["options"] = dict(options)
    source, _ = ImportSource.objects.update_or_create(
        organization_id=organization_id, name=name.strip()[:120], defaults=values,
    )
    return source


def create_import_job(organization_id: int, *, filename: str, file_sha256: str, dry_run: bool,
                      source=None, created_by=None, unit_path: str | None = None):
    return ImportJob.objects.create(
        organization_id=organization_id, filename=filename[:255], file_sha256=file_sha256, dry_run=dry_run,
        source=source, created_by=created_by, unit_path=unit_path or "",
    )


def follow_unit_move(organization_id: int, old_path: str, new_path: str) -> int:
    """An import job keeps its importer's unit path (it runs in the background, after the
    request); when that unit moves, the copy moves with it, so the job stays confined to and
    visible in the same units."""
    return (ImportJob.objects.for_org(organization_id).filter(Unit.subtree_filter("unit_path", old_path))
            .update(unit_path=Unit.moved_path("unit_path", old_path, new_path)))


def record_import_progress(job, **counts) -> None:
    """Counts are written in every chunk's transaction, so a watcher sees the job move, and a
    killed import shows exactly how far it got and goes on from there when it runs again."""
    for name, value in counts.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**counts)


def finish_import_job(job, *, status: str, errors: list[dict], message: str = "", **counts) -> None:
    job.status, job.errors, job.message, job.finished_at = status, errors, message, timezone.now()
    for name, value in counts.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, errors=errors, message=message, finished_at=job.finished_at, **counts
    )


def fail_unfinished_import(job_id: int, reason: str) -> bool:
    """An import task ended in failure without its run recording it (the worker kept dying):
    the job says it stopped, keeping what it counted, instead of running for ever."""
    job = ImportJob.objects.filter(pk=job_id, finished_at__isnull=True).first()
    if job is None:
        return False
    finish_import_job(job, status=ImportJob.Status.FAILED, errors=job.errors, message=reason.strip()[:2000])
    return True


def replace_comment_texts(organization_id: int, texts: dict[int, str]) -> int:
    """Overwrite comments (answer id → new text) of one organization, e.g. with their redacted
    text where the organization keeps no originals. Returns the number of answers changed."""
    changed = 0
    with transaction.atomic():
        for answer_id, text in texts.items():
            changed += Answer.objects.filter(id=answer_id, response__organization_id=organization_id,
                                             question_type=qt.TEXT).exclude(text=text).update(text=text)
    return changed


# --- Erasure of one customer (glapp.privacy orchestrates; these are responses' own tables) ----

def anonymise_responses(organization_id: int, response_ids: Sequence[int], keep_metadata: Sequence[str],
                        needles) -> int:
    """Unlink responses from their customer and delete their comment text, keeping scores,
    choices and what the rollups count (comment flag, the rolled-up metadata keys), so figures
    already reported stay equal to a recount. Other metadata goes: it may describe the person.
    A response's own id stays (a re-send is still a duplicate) unless it holds one of the
    person's identifiers (`needles`): then it becomes a keyed hash of itself.
    Returns the number of comments deleted."""
    ids = list(response_ids)
    with transaction.atomic():
        cleared = Answer.objects.filter(response__organization_id=organization_id, response_id__in=ids,
                                        question_type=qt.TEXT).exclude(text="").update(text="")
        keep = set(keep_metadata)
        for response in Response.objects.for_org(organization_id).filter(pk__in=ids).only(
                "id", "metadata", "external_id"):
            values = {"customer": None,
                      "metadata": {k: v for k, v in (response.metadata or {}).items() if k in keep}}
            if needles.found_in(response.external_id):
                values["external_id"] = "erased:" + tombstones.digest(organization_id, "response",
                                                                      response.external_id)[:32]
            Response.objects.filter(pk=response.pk).update(**values)
    return cleared


def delete_responses(organization_id: int, response_ids: Sequence[int]) -> int:
    """Delete responses and their answers (the caller has subtracted their counts in the same
    transaction and let the apps that refer to them delete their rows first)."""
    with transaction.atomic():
        rows = Response.objects.for_org(organization_id).filter(pk__in=list(response_ids))
        Answer.objects.filter(response__in=rows).delete()
        deleted, _by_model = rows.delete()
    return deleted


def forget_idempotency_records(organization_id: int, needles) -> int:
    """Delete stored request outcomes that hold the person (a replay would hand their data out
    again); a retry after this is judged afresh, and external ids still keep it from storing twice."""
    doomed = [pk for pk, body in IdempotencyRecord.objects.for_org(organization_id).values_list("id", "body")
              if needles.found_in(body)]
    return delete_idempotency_records(organization_id, doomed)


def forget_in_import_jobs(organization_id: int, needles) -> int:
    """Drop the error entries (and a file name) of import jobs that quote the person; the counts stay."""
    changed = 0
    for job in ImportJob.objects.for_org(organization_id).only("id", "errors", "filename", "message"):
        errors = [e for e in (job.errors or []) if not needles.found_in(json.dumps(e, ensure_ascii=False))]
        values = {}
        if len(errors) != len(job.errors or []):
            values["errors"] = errors
        if needles.found_in(job.filename):
            values["filename"] = "(erased)"
        if needles.found_in(job.message):
            values["message"] = ""
        if values:
            ImportJob.objects.filter(pk=job.pk).update(**values)
            changed += 1
    return changed


# --- Retention (glapp.privacy orchestrates) -----------------------------------------------------

def delete_idempotency_records(organization_id: int, record_ids: Sequence[int]) -> int:
    """Delete stored request outcomes (and the bodies they replay); a later retry is judged afresh,
    and external ids still keep it from storing twice."""
    return IdempotencyRecord.objects.for_org(organization_id).filter(pk__in=list(record_ids)).delete()[0]


def forget_import_errors(organization_id: int, job_ids: Sequence[int]) -> int:
    """Drop the rejected rows import jobs list (they quote the file's cells); the counts stay."""
    return ImportJob.objects.for_org(organization_id).filter(pk__in=list(job_ids)).exclude(errors=[]) \
        .update(errors=[])
