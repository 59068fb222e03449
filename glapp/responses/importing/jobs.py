"""The import runner: read, map, validate, confine and key each row (no database access per
row), write valid rows chunk by chunk, each chunk in its own transaction, and report; and the
job record around a run.

A job records its counts in each chunk's transaction, so after a crash it knows exactly which
rows are stored: a re-run (the worker's lease ran out and the task runs again) resumes after
them, with the counts it had, and writes only the rest."""

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from glapp.core.errors import FieldError
from glapp.responses import actions
from glapp.responses.catalog import Catalog
from glapp.responses.importing import dates as date_formats
from glapp.responses.importing.create import create_missing
from glapp.responses.importing.errorfile import JobErrorFile
from glapp.responses.importing.keys import NaturalKeys, known_export_ids
from glapp.responses.importing.layout import ANSWER, QUESTION, Grouped, is_long, widen
from glapp.responses.importing.mapping import MappingUnusable, RowMapper, check_mapping, question_keys
from glapp.responses.importing.options import ImportOptions, zone
from glapp.responses.importing.reading import Table, TableError, Uncalculated, open_table
from glapp.responses.importing.storage import error_file_path, stored_file_path
from glapp.responses.importing.tuning import bulk_write_settings, quiet_gc
from glapp.responses.importing.values import (
    ColumnValues,
    References,
    column_values,
    missing_references,
    question_labels,
)
from glapp.responses.models import ImportJob, Source
from glapp.responses.queries import ERASED_MESSAGE, erased_customers_among
from glapp.responses.validation import CleanResponse, clean_response, confine_to_unit

CHUNK_SIZE = 5000
ERROR_CAP = 1000  # errors kept for display; every rejected row is still counted


@dataclass
class ImportReport:
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)
    total: int = 0
    valid: int = 0
    rejected: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)  # [{line, field, message}], first ERROR_CAP
    error_count: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    # The dates read and how, each mapped column's values and what they became, what is missing
    # (importing/summary, shown by the dry run); see ImportJob.summary.
    summary: dict = field(default_factory=dict)

    @classmethod
    def resumed(cls, job: ImportJob) -> "ImportReport":
        """The counts a job committed with its last chunk, to go on from."""
        return cls(total=job.total_rows, valid=job.created_count + job.duplicate_count, rejected=job.rejected_count,
                   created=job.created_count, duplicates=job.duplicate_count, errors=list(job.errors),
                   error_count=job.error_count, dry_run=job.dry_run, summary=dict(job.summary or {}))

    def add_errors(self, line: int, mapper: RowMapper, errors: list[FieldError]) -> list[dict]:
        self.rejected += 1
        items = [{"line": line, "field": mapper.column_of(e), "message": e.message} for e in errors]
        self.error_count += len(items)
        room = ERROR_CAP - len(self.errors)
        if room > 0:
            self.errors.extend(items[:room])
        return items


def _write_chunk(organization_id: int, chunk: list[CleanResponse], report: ImportReport, dry_run: bool,
                 job_id: int = 0) -> None:
    exported = known_export_ids(organization_id, chunk)
    if exported:
        report.duplicates += sum(1 for r in chunk if r.external_id in exported)
        chunk = [r for r in chunk if r.external_id not in exported]
    if dry_run:
        # Nothing is written; say how many rows are already stored, as the import would.
        known = actions.existing_external_ids(organization_id, [r.external_id for r in chunk])
        fresh = {r.external_id for r in chunk if r.external_id not in known}
        report.created += len(fresh)
        report.duplicates += len(chunk) - len(fresh)
        return
    for result in actions.ingest_responses(organization_id, chunk, Source.IMPORT, import_job_id=job_id):
        if result.created:
            report.created += 1
        else:
            report.duplicates += 1


@dataclass
class Batch:
    """What validation hands to the writer: up to a chunk of clean rows, plus the rows read
    and rejected since the last batch."""

    rows: list[CleanResponse]
    total: int
    rejected: list[tuple[int, list, list[FieldError]]]
    progress: float | None
    lines: list[tuple[int, list]] = field(default_factory=list)  # each row's (line, cells), for a late refusal


def _replay_keys(rows: Iterator, skip: int, mapper: RowMapper, catalog: Catalog, keys: NaturalKeys, tz, now,
                 unit_path: str | None, width: int) -> None:
    """Consume the first `skip` rows (stored by an earlier run) without collecting them, only
    giving each valid row without an external id its natural key: the n-th identical row keys
    differently from the first, so the rows after them must see the counts the first run saw."""
    for _ in range(skip):
        _line, cells = next(rows, (None, None))
        if cells is None:
            return
        if len(cells) > width and any(c for c in cells[width:]):
            continue
        if type(cells) is Grouped and cells.problems:
            continue
        raw = mapper(cells)
        result = clean_response(raw, catalog, tz=tz, now=now)
        if type(result) is list or mapper.errors or result.external_id is not None:
            continue
        if unit_path is not None and confine_to_unit(unit_path, catalog, result, "unit"):
            continue
        keys.key(result, "submitted_at" in raw)


def _validated_batches(table: Table, mapper: RowMapper, catalog: Catalog, chunk_size: int,
                       unit_path: str | None = None, skip: int = 0, tz=None) -> Iterator[Batch]:
    """The per-row hot path: map, clean, confine to the importer's units, key (no database access).
    The first `skip` rows were stored by an earlier run: only their keys are replayed. `tz` is
    the source's time zone, for times written without an offset."""
    tz = tz or timezone.get_current_timezone()
    now = timezone.now()
    keys = NaturalKeys()
    width = len(table.header)
    chunk: list[CleanResponse] = []
    lines: list[tuple[int, list]] = []
    rejected: list = []
    total = 0
    spreadsheet = table.format == "xlsx"
    rows = iter(table.rows)
    if skip:
        _replay_keys(rows, skip, mapper, catalog, keys, tz, now, unit_path, width)
    for line, cells in rows:
        total += 1
        if spreadsheet and (uncalculated := [(i, c) for i, c in enumerate(cells) if type(c) is Uncalculated]):
            rejected.append((line, cells, [FieldError(table.header[i] if i < width else "", c.problem())
                                            for i, c in uncalculated]))
            continue
        if len(cells) > width and any(c for c in cells[width:]):
            rejected.append((line, cells, [FieldError("", f"has {len(cells)} cells but the header has {width} "
                                                          "columns")]))
            continue
        if type(cells) is Grouped and cells.problems:
            rejected.append((line, cells, cells.problems))
            continue
        raw = mapper(cells)
        result = clean_response(raw, catalog, tz=tz, now=now)
        if mapper.errors:
            rejected.append((line, cells, [*mapper.errors, *(result if type(result) is list else [])]))
            continue
        if type(result) is list:
            rejected.append((line, cells, result))
            continue
        if unit_path is not None:
            denied = confine_to_unit(unit_path, catalog, result, "unit")
            if denied:
                rejected.append((line, cells, [denied]))
                continue
        if result.external_id is None:
            result.external_id = keys.key(result, "submitted_at" in raw)
        chunk.append(result)
        lines.append((line, cells))
        if len(chunk) >= chunk_size:
            yield Batch(chunk, total, rejected, table.progress(), lines)
            chunk, lines, rejected, total = [], [], [], 0
    if chunk or rejected or total:
        yield Batch(chunk, total, rejected, 1.0, lines)


def _refuse_erased(organization_id: int, batch: Batch) -> None:
    """Rows naming an erased customer become row errors (one query a batch; none while nobody
    of the organization was erased)."""
    erased = erased_customers_among(organization_id, batch.rows)
    if not erased:
        return
    for index in sorted(erased):
        line, cells = batch.lines[index]
        batch.rejected.append((line, cells, [FieldError("customer.external_id", ERASED_MESSAGE, "erased")]))
    batch.rows = [r for i, r in enumerate(batch.rows) if i not in erased]
    batch.lines = [x for i, x in enumerate(batch.lines) if i not in erased]


class DatesUnconfirmed(TableError):
    """The date format was detected (or could not be) and the user has not confirmed one: an
    import writes nothing until they do. `summary` is what the dry run shows about the dates."""

    def __init__(self, message: str, summary: dict):
        super().__init__(message)
        self.summary = summary


DETECTION_SAMPLE = 1000  # rows that show a column is ISO text, so no full pass is needed


def source_zone(organization_id: int, options: ImportOptions):
    """The time zone of times written without an offset: the mapping's, else the organization's
    customers' (their contact policy's), else the installation's."""
    chosen = zone(options.time_zone)
    if chosen is not None:
        return chosen
    from glapp.contacts.queries import contact_policy  # contacts is below responses

    return zone(contact_policy(organization_id).time_zone) or timezone.get_current_timezone()


def detect_dates(path, fmt: str | None, encoding: str | None, index: int) -> date_formats.Detection:
    """The date column's format from every cell; a column whose first rows are ISO text is taken
    as ISO without reading on (a later cell that is not is reported on its row)."""
    detector = date_formats.Detector()
    with open_table(path, fmt, encoding) as table:
        for n, (_line, cells) in enumerate(table.rows):
            detector.add(str(cells[index]) if index < len(cells) else "")
            if n == DETECTION_SAMPLE and set(detector.shapes) <= {"iso", "ymd-slash"}:
                break
    return detector.result()


def _date_summary(column: str, fmt: str, detection: date_formats.Detection | None) -> dict:
    out = {"column": column, "format": fmt, "detected": detection is not None}
    if detection is not None:
        out.update(ambiguous=detection.ambiguous, mixed=detection.mixed, evidence=detection.evidence)
    return out


def _date_question(summary: dict) -> str:
    column = summary["column"]
    if summary.get("ambiguous"):
        return (f"every date in '{column}' has a day of 12 or less (for example {summary['evidence']}), so "
                "DD/MM and MM/DD cannot be told apart: choose the date format (dmy or mdy)")
    if summary.get("mixed"):
        return f"the dates in '{column}' are written in more than one format: choose the date format"
    return (f"the dates in '{column}' read as {date_formats.LABELS[summary['format']]} (detected"
            f"{': ' + summary['evidence'] if summary.get('evidence') else ''}): confirm that format "
            f"({summary['format']}) and import again")


def run_import(organization_id: int, path: str | os.PathLike, *, mapping: dict[str, str] | None = None,
               defaults: dict[str, str] | None = None, dry_run: bool = False, fmt: str | None = None,
               chunk_size: int = CHUNK_SIZE, progress: Callable[[ImportReport, float | None], None] | None = None,
               after_chunk: Callable[[ImportReport], None] | None = None,
               on_reject: Callable[[int, list, list[dict]], None] | None = None,
               unit_path: str | None = None, encoding: str | None = None,
               checkpoint: Callable[[ImportReport], None] | None = None,
               resume: ImportReport | None = None, options: dict | None = None, job_id: int = 0) -> ImportReport:
    """Validate every row and (unless dry_run) store the valid ones, chunk by chunk, each chunk
    in its own transaction. Raises TableError when the file cannot be read; rejected rows are
    reported, never fatal. `unit_path` confines the rows to an importer's units (None: the whole
    organization), as the API confines a unit-limited key.

    `options` (importing/options.py) say how cells are read: the date format (detected when not
    said: a dry run uses what it detected and says so, an import refuses to guess), the source's
    time zone, value maps; and what to create first.

    `checkpoint` runs inside each chunk's transaction (the job records its counts there, so they
    never disagree with what is stored); `resume`, the counts of an earlier run's last checkpoint,
    makes this run go on after the `resume.total` rows that run had dealt with. `job_id`: the
    import job running it, whose choice says whether its rows may open cases."""
    started = time.perf_counter()
    opts = ImportOptions.from_dict(options)
    mapping = mapping or {}
    tz = source_zone(organization_id, opts)
    if opts.create and not dry_run and not resume:
        answer_keys = [t for t in mapping.values() if t and t in question_keys(Catalog.load(organization_id))]
        create_missing(organization_id, opts.create, question_keys=answer_keys, unit_path=unit_path)
    catalog = Catalog.load(organization_id)
    report = resume or ImportReport(dry_run=dry_run)
    with quiet_gc(), bulk_write_settings(dry_run), open_table(path, fmt, encoding) as table:
        report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
        report.header = table.header
        read_date = _date_reader(path, fmt, encoding, table.header, mapping, opts, tz, report, dry_run)
        if read_date is _UNANSWERED:
            report.seconds = time.perf_counter() - started
            return report  # a dry run that asks which date format is meant before reading the rows
        references = References.load(organization_id, catalog)
        counted = {k for k, t in question_keys(catalog).items() if t != "text"}
        extra: list[ColumnValues] = []
        if is_long(mapping):
            table, mapping, extra = _widen(table, mapping, opts, catalog, (defaults or {}).get("survey"))
            counted = set()
        values = column_values(table.header, mapping, opts.values, references, counted)
        mapper = RowMapper(table.header, mapping, defaults, values=values, read_date=read_date)
        skip = resume.total if resume else 0
        for batch in _validated_batches(table, mapper, catalog, chunk_size, unit_path, skip, tz):
            _refuse_erased(organization_id, batch)
            with transaction.atomic() if checkpoint else contextlib.nullcontext():
                report.total += batch.total
                for line, cells, errors in batch.rejected:
                    items = report.add_errors(line, mapper, errors)
                    if on_reject:
                        on_reject(line, cells, items)
                if batch.rows:
                    report.valid += len(batch.rows)
                    _write_chunk(organization_id, batch.rows, report, dry_run, job_id)
                _summarize(report, [*extra, *values.values()], defaults, references)
                if checkpoint:
                    checkpoint(report)
            if progress:
                progress(report, batch.progress)
            if after_chunk and batch.rows:
                after_chunk(report)
    report.seconds = time.perf_counter() - started
    return report


_UNANSWERED = object()


def _date_reader(path, fmt, encoding, header, mapping, opts: ImportOptions, tz, report: ImportReport,
                 dry_run: bool):
    """How the submitted_at column is read: None (ISO text, clean_response reads it), a parser in
    the chosen or detected format, or _UNANSWERED when a dry run must ask first. Raises
    DatesUnconfirmed for an import whose detected format nobody confirmed."""
    column = next((c for c in header if mapping.get(c, c) == "submitted_at"), None)
    if column is None:
        return None
    chosen = opts.date_format
    detection = None
    if not chosen:
        detection = detect_dates(path, fmt, encoding, header.index(column))
        chosen = detection.format or ""
    report.summary["dates"] = summary = _date_summary(column, chosen, detection)
    if detection is not None and chosen != "iso":
        if not dry_run:
            raise DatesUnconfirmed(_date_question(summary), report.summary)
        if not chosen:
            return _UNANSWERED
    if chosen in ("", "iso"):
        return None
    return lambda text: date_formats.parse(text, chosen, tz)


def _widen(table: Table, mapping: dict[str, str], opts: ImportOptions, catalog: Catalog, survey: str | None):
    q_column = next(c for c in table.header if mapping.get(c) == QUESTION)
    a_column = next(c for c in table.header if mapping.get(c) == ANSWER)
    known, keys = question_labels(catalog, survey)
    questions = ColumnValues(q_column, QUESTION, opts.values.get(q_column, {}), known=known, codes=keys)
    answers = ColumnValues(a_column, ANSWER, opts.values.get(a_column, {}))
    wide, wide_mapping = widen(table, mapping, questions, answers)
    return wide, wide_mapping, [questions, answers]


def _summarize(report: ImportReport, columns: list[ColumnValues], defaults, references) -> None:
    report.summary["values"] = {c.column: c.summary() for c in columns}
    report.summary["missing"] = missing_references(columns, defaults, references)


def run_import_job(job: ImportJob, mapping: dict[str, str] | None, defaults: dict[str, str] | None,
                   path: str | os.PathLike | None = None, progress=None, options: dict | None = None,
                   **run_options) -> ImportReport | None:
    """Run an import and keep its job record current: running → done, or failed with the reason.
    A job that was running when its worker died goes on after the rows its last chunk committed."""
    path = path or stored_file_path(job.organization_id, job.file_sha256)
    resume = ImportReport.resumed(job) if job.status == ImportJob.Status.RUNNING and job.total_rows else None
    actions.record_import_progress(job, status=ImportJob.Status.RUNNING)
    kept_errors = len(job.errors) if resume else 0
    # Every rejected row, for the job page's download (the errors above are capped).
    error_file = JobErrorFile(error_file_path(job.organization_id, job.pk), job.error_file_size if resume else 0)
    also = run_options.pop("on_reject", None)  # the command line's --errors-out

    def on_reject(line: int, cells: list, errors: list[dict]) -> None:
        error_file(line, cells, errors)
        if also:
            also(line, cells, errors)

    def checkpoint(report: ImportReport) -> None:
        nonlocal kept_errors
        counts = {"total_rows": report.total, "created_count": report.created, "duplicate_count": report.duplicates,
                  "rejected_count": report.rejected, "error_count": report.error_count}
        if len(report.errors) != kept_errors:  # the capped list, rewritten only when it grew
            counts["errors"] = report.errors
            kept_errors = len(report.errors)
        if error_file.pending:
            counts["error_file_size"] = error_file.flush(report.header)
        counts["summary"] = report.summary
        actions.record_import_progress(job, **counts)

    def tick(report: ImportReport, share: float | None) -> None:
        if progress:
            progress(report, share)

    try:
        report = run_import(job.organization_id, path, mapping=mapping, defaults=defaults, dry_run=job.dry_run,
                            progress=tick, unit_path=job.unit_path or None, checkpoint=checkpoint, resume=resume,
                            options=options, on_reject=on_reject, job_id=job.pk, **run_options)
    except TableError as exc:
        actions.finish_import_job(job, status=ImportJob.Status.FAILED, errors=[], message=str(exc),
                                  summary=getattr(exc, "summary", job.summary))
        raise
    except Exception as exc:
        # Chunks already committed stay; a re-run adds exactly the rest.
        actions.finish_import_job(job, status=ImportJob.Status.FAILED, errors=[],
                                  message=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    actions.finish_import_job(
        job, status=ImportJob.Status.DONE, errors=report.errors,
        # A record for the admin and logs, in English; the job page says it in the reader's
        # language from rejected_count (_import_job_status.html) and lists the errors.
        message=(f"{report.error_count} error{'' if report.error_count == 1 else 's'} in {report.rejected} "
                 f"rejected row{'' if report.rejected == 1 else 's'}") if report.rejected else "",
        total_rows=report.total, created_count=report.created, duplicate_count=report.duplicates,
        rejected_count=report.rejected, error_count=report.error_count, summary=report.summary,
    )
    return report


def start_import(organization_id: int, *, filename: str, file_sha256: str, mapping: dict[str, str],
                 defaults: dict[str, str], dry_run: bool, header: list[str] | None = None,
                 catalog: Catalog | None = None, save_as: str | None = None, source=None, created_by=None,
                 unit_path: str | None = None, queue: bool = True, options: dict | None = None) -> ImportJob:
    """How every import starts (the import page, its run after a dry run, `glapp import`): the
    mapping is checked against the file's `header` (a run after a checked dry run passes none)
    and saved as `save_as` for the next file of the kind; the job is recorded with its importer's
    unit limit and queued for the worker, or left to the caller to run (`queue=False`, the CLI
    shows its progress). Raises MappingUnusable, having stored nothing."""
    opts = ImportOptions.from_dict(options)
    if header is not None:
        problems = check_mapping(header, mapping, catalog or Catalog.load(organization_id), defaults)
        problems += opts.problems(header)
        if problems:
            raise MappingUnusable(problems)
    if save_as:
        source = actions.save_import_source(organization_id, save_as, mapping, defaults, opts.saved())
        mapping, defaults = source.mapping, source.defaults  # what was saved is what runs
        opts = ImportOptions.from_dict({**source.options, "create": opts.create})
    job = actions.create_import_job(organization_id, filename=filename, file_sha256=file_sha256, dry_run=dry_run,
                                    source=source, created_by=created_by, unit_path=unit_path)
    if queue:
        from glapp.responses.tasks import import_file  # the task runs run_import_job, above

        import_file.enqueue(job.pk, mapping, defaults, opts.to_dict())
    return job
