"""File import of responses (CSV and XLSX), shared by the CLI, the web pages and the task.

A file is streamed row by row: each row is mapped to the API's response shape, validated by
`clean_response` (the one validation), given a key, and written in chunks through
`ingest_responses` (the one write path), each chunk in its own transaction. Keys make the
whole thing idempotent: a row carries its `external_id`, or gets a natural key derived from
its cleaned content, so re-importing a file, or re-running an import that was killed half
way, stores exactly the rows that are missing.
"""

import codecs
import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import os
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from glapp.core.errors import FieldError
from glapp.responses import actions
from glapp.responses.catalog import Catalog
from glapp.responses.models import ImportJob, Response, Source
from glapp.responses.tabular import META_PREFIX, STANDARD_COLUMNS
from glapp.responses.validation import CleanResponse, clean_response, confine_to_unit
from glapp.surveys import question_types as qt

CHUNK_SIZE = 5000
ERROR_CAP = 1000  # errors kept for display; every rejected row is still counted
DELIMITERS = ",;\t"
NATURAL_KEY_PREFIX = "import:"
EXPORT_KEY_PREFIX = "glapp:"  # export's id for a response that has no external id: "glapp:<pk>"
DEFAULT_FIELDS = ("survey", "touchpoint", "unit", "channel", "language", "segment")

csv.field_size_limit(1 << 24)  # long comments are legitimate; the answer validator caps them


class TableError(Exception):
    """The file cannot be read as a table (not CSV/XLSX, no header, duplicate columns, ...)."""


# --- Reading --------------------------------------------------------------------------------

@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (line number in the file, header = 1; cells)
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    progress: Callable[[], float | None] = lambda: None  # share of the file read, when known
    close: Callable[[], None] = lambda: None

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def detect_format(path: str | os.PathLike) -> str:
    with open(path, "rb") as f:
        return "xlsx" if f.read(4) == b"PK\x03\x04" else "csv"


def detect_encoding(path: str | os.PathLike) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else cp1252 (what
    Swedish Excel writes), else latin-1. One streaming pass; cheap next to parsing."""
    with open(path, "rb") as f:
        if f.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into the most columns and every sampled row alike."""
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end mid-row
    best, best_width = ",", 1
    for delimiter in DELIMITERS:
        records = [r for r in csv.reader(io.StringIO("".join(lines[:50])), delimiter=delimiter) if r][:20]
        if not records:
            continue
        width = len(records[0])
        if width > best_width and all(len(r) == width for r in records[1:-1] or records):
            best, best_width = delimiter, width
    return best


def _clean_header(cells: list) -> list[str]:
    header = ["" if c is None else str(c).strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TableError("the file has no header row")
    header = [name or f"column_{i}" for i, name in enumerate(header, start=1)]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise TableError(f"the column '{name}' appears twice in the header")
        seen.add(name)
    return header


def _open_csv(path: str | os.PathLike) -> Table:
    encoding = detect_encoding(path)
    f = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by Table.close
    try:
        delimiter = sniff_delimiter(f.read(65536))
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter)
        header = _clean_header(next(reader, []))
    except (csv.Error, TableError) as exc:
        f.close()
        raise TableError(str(exc)) from exc
    size = os.path.getsize(path) or 1

    def rows() -> Iterator[tuple[int, list]]:
        previous = reader.line_num
        try:
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if cells and any(cells):
                    yield line, cells
        except csv.Error as exc:
            raise TableError(f"line {previous + 1}: {exc}") from exc

    return Table(header, rows(), "csv", encoding, delimiter,
                 progress=lambda: min(f.buffer.tell() / size, 1.0), close=f.close)


_FORMAT_LITERALS = re.compile(r'\[(?![hms]+\])[^\]]*\]|"[^"]*"|\\.')  # [$-sv-SE], [Red], "text", \x


def xlsx_cell(value, number_format: str = "General") -> str:
    """Cells become the text a CSV of the same sheet would hold, so both formats key alike:
    a cell formatted as a date alone is that date (Excel stores it as midnight), which the
    validation reads as the CSV's date is read, not as 00:00."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time() and _date_only(number_format):
        return value.date().isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _date_only(number_format: str) -> bool:
    """True for a date format without hours or seconds ("yyyy-mm-dd", "d mmm yyyy")."""
    tokens = _FORMAT_LITERALS.sub("", number_format or "").lower()
    return "h" not in tokens and "s" not in tokens


def _open_xlsx(path: str | os.PathLike) -> Table:
    import openpyxl  # only needed for XLSX files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise TableError(f"not a readable XLSX file: {exc}") from exc
    sheet = workbook.worksheets[0]
    # Cells, not bare values: a date cell's number format tells a date from a midnight time
    # (about 3 % slower to read than values alone).
    iterator = sheet.iter_rows()
    try:
        header = _clean_header([cell.value for cell in next(iterator, ())])
    except TableError:
        workbook.close()
        raise
    total = sheet.max_row or 0
    state = {"line": 1}

    def rows() -> Iterator[tuple[int, list]]:
        for line, values in enumerate(iterator, start=2):
            state["line"] = line
            cells = [xlsx_cell(c.value, getattr(c, "number_format", "General")) for c in values]
            if any(cells):
                yield line, cells

    return Table(header, rows(), "xlsx", progress=lambda: (state["line"] / total) if total > 1 else None,
                 close=workbook.close)


def open_table(path: str | os.PathLike, fmt: str | None = None) -> Table:
    try:
        fmt = fmt or detect_format(path)
    except OSError as exc:
        raise TableError(f"cannot read the file: {exc}") from exc
    if fmt == "xlsx":
        return _open_xlsx(path)
    if fmt == "csv":
        return _open_csv(path)
    raise TableError(f"unknown format '{fmt}' (csv or xlsx)")


def read_preview(path: str | os.PathLike, rows: int = 3) -> tuple[list[str], list[list[str]], Table]:
    """The header and the first rows, for the mapping form."""
    with open_table(path) as table:
        sample = []
        for _, cells in table.rows:
            sample.append([str(c) for c in cells])
            if len(sample) >= rows:
                break
        return table.header, sample, table


# --- Mapping ------------------------------------------------------------------------------

def normalize_name(text: str) -> str:
    """Case- and diacritic-insensitive name: "Språk " → "sprak", "Kund-ID" → "kund_id"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


ALIASES = {
    "submitted_at": {"datum", "date", "svarsdatum", "tidpunkt", "timestamp", "tid", "besvarad", "answered_at",
                     "created", "created_at", "submitted", "inskickad"},
    "customer_id": {"kundnummer", "kundnr", "kund_id", "kundid", "kund", "customer", "customer_number",
                    "customer_no", "kund_nr"},
    "external_id": {"id", "svar_id", "svarsid", "svars_id", "response_id", "responseid"},
    "channel": {"kanal"},
    "language": {"sprak", "lang", "locale"},
    "unit": {"enhet", "butik", "store", "avdelning", "kontor"},
    "touchpoint": {"kontaktpunkt", "beroringspunkt"},
    "survey": {"enkat", "enkatkod", "survey_code"},
    "segment": {"kundsegment", "kundtyp"},
}
NPS_ALIASES = {"betyg", "nps", "rekommendation", "score", "nps_score", "rekommendera", "rating"}
TEXT_ALIASES = {"kommentar", "kommentarer", "comment", "comments", "fritext", "motivering", "feedback",
                "synpunkter", "text"}


def question_keys(catalog: Catalog, survey_code: str | None = None) -> dict[str, str]:
    """question key → type, for the given survey or every active survey of the organization."""
    surveys = [catalog.surveys[survey_code]] if survey_code in catalog.surveys else catalog.surveys.values()
    keys: dict[str, str] = {}
    for survey in surveys:
        for key, question in survey.questions.items():
            keys.setdefault(key, question.type)
    return keys


def targets(catalog: Catalog, survey_code: str | None = None) -> list[str]:
    """Every column a file column may map to ("" = ignore is always allowed too)."""
    return [*STANDARD_COLUMNS, *question_keys(catalog, survey_code)]


def suggest_mapping(header: list[str], catalog: Catalog, survey_code: str | None = None) -> dict[str, str]:
    """A starting mapping: identity for glapp's own columns, known Swedish/English names for the
    rest, and metadata for anything unknown so no column is silently dropped."""
    keys = question_keys(catalog, survey_code)
    by_norm = {normalize_name(t): t for t in (*STANDARD_COLUMNS, *keys)}
    nps_key = next((k for k, t in keys.items() if t == qt.NPS), None)
    text_key = next((k for k, t in keys.items() if t == qt.TEXT), None)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in header:
        norm = normalize_name(column)
        if column in by_norm.values() or column.startswith(META_PREFIX):
            target = column
        elif norm in by_norm:
            target = by_norm[norm]
        elif norm in NPS_ALIASES and nps_key:
            target = nps_key
        elif norm in TEXT_ALIASES and text_key:
            target = text_key
        else:
            target = next((t for t, names in ALIASES.items() if norm in names), None)
        if target is None or target in used:
            target = META_PREFIX + (norm or "column")
        used.add(target)
        mapping[column] = target
    return mapping


def parse_assignments(items: list[str] | None, what: str) -> dict[str, str]:
    """["Betyg=nps", "Kanal="] → {"Betyg": "nps", "Kanal": ""}."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{what} '{item}' is not NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def check_mapping(header: list[str], mapping: dict[str, str], catalog: Catalog,
                  defaults: dict[str, str] | None = None) -> list[str]:
    """Problems that make a mapping unusable (unknown targets, two columns on one target)."""
    allowed = set(targets(catalog))
    problems = []
    seen: dict[str, str] = {}
    for column in header:
        target = mapping.get(column, column)
        if not target:
            continue
        if target.startswith(META_PREFIX):
            if not re.fullmatch(r"[A-Za-z0-9_\-]{1,60}", target[len(META_PREFIX):]):
                problems.append(f"{column}: '{target}' is not a valid metadata key (letters, digits, _ and -)")
        elif target not in allowed:
            problems.append(f"{column}: '{target}' is not a glapp column or question key")
        if target in seen:
            problems.append(f"{column}: '{target}' is already mapped from '{seen[target]}'")
        seen[target] = column
    for name in mapping:
        if name not in header:
            problems.append(f"'{name}' is not a column of this file")
    for name in defaults or {}:
        if name not in DEFAULT_FIELDS and name != "customer_id" and not name.startswith(META_PREFIX):
            problems.append(f"'{name}' cannot have a default (one of: {', '.join(DEFAULT_FIELDS)}, meta.<key>)")
    return problems


def unguard_formula(cell: str) -> str:
    """Undo export's guard against spreadsheet formulas ("'=SUM(A1)" → "=SUM(A1)")."""
    if cell[:1] == "'" and cell[1:2] and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


class RowMapper:
    """Turns a row's cells into the API's response shape; the same result as
    `tabular.row_to_raw` (tested), compiled once per file because it runs per row."""

    def __init__(self, header: list[str], mapping: dict[str, str], defaults: dict[str, str] | None = None):
        self.header = header
        self.width = len(header)
        self.standard: list[tuple[int, str]] = []
        self.answers: list[tuple[int, str]] = []
        self.metadata: list[tuple[int, str]] = []
        self.customer: int | None = None
        self.field_column: dict[str, str] = {}  # validation's field name → the file's column name
        for index, column in enumerate(header):
            target = mapping.get(column, column)
            if not target:
                continue
            if target == "customer_id":
                self.customer = index
                self.field_column["customer"] = self.field_column["customer.external_id"] = column
            elif target in STANDARD_COLUMNS:
                self.standard.append((index, target))
                self.field_column[target] = column
            elif target.startswith(META_PREFIX):
                self.metadata.append((index, target[len(META_PREFIX):]))
                self.field_column["metadata." + target[len(META_PREFIX):]] = column
            else:
                self.answers.append((index, target))
                self.field_column["answers." + target] = column
        defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
        self.default_raw = {k: v for k, v in defaults.items() if k in DEFAULT_FIELDS}
        self.default_customer = defaults.get("customer_id")
        self.default_meta = {k[len(META_PREFIX):]: v for k, v in defaults.items() if k.startswith(META_PREFIX)}
        self.has_timestamp_column = any(t == "submitted_at" for _, t in self.standard)

    def __call__(self, cells: list[str]) -> dict:
        if len(cells) < self.width:
            cells = [*cells, *[""] * (self.width - len(cells))]
        if "'" in "".join(cells):  # rare: one C-level scan instead of a check per cell
            cells = [unguard_formula(c) for c in cells]
        # Most cells of a wide file are empty: test before stripping.
        raw: dict = {}
        for index, name in self.standard:
            value = cells[index]
            if value and (value := value.strip()):
                raw[name] = value
        if self.customer is not None:
            value = cells[self.customer]
            if value and (value := value.strip()):
                raw["customer"] = value
        answers = {}
        for index, key in self.answers:
            value = cells[index]
            if value and (value := value.strip()):
                answers[key] = value
        metadata = {}
        for index, key in self.metadata:
            value = cells[index]
            if value and (value := value.strip()):
                metadata[key] = value
        for key, value in self.default_raw.items():
            raw.setdefault(key, value)
        if self.default_customer is not None:
            raw.setdefault("customer", self.default_customer)
        for key, value in self.default_meta.items():
            metadata.setdefault(key, value)
        raw["answers"] = answers
        if metadata:
            raw["metadata"] = metadata
        return raw

    def column_of(self, error: FieldError) -> str:
        return self.field_column.get(error.field, error.field)


# --- Keys -----------------------------------------------------------------------------------

def content_digest(clean: CleanResponse, with_time: bool) -> bytes:
    """A digest of what the row says, after cleaning (so "9", "9.0" and 9 agree, and a
    timestamp in any offset is the same instant)."""
    parts = [
        str(clean.survey_id),
        clean.customer["external_id"] if clean.customer else "",
        clean.submitted_at.astimezone(dt.UTC).isoformat() if with_time else "",
    ]
    for a in sorted(clean.answers, key=lambda a: a.question_id):
        choices = "|".join(a.choices) if a.choices is not None else ""
        parts.append(f"{a.question_id}\x1f{'' if a.number is None else a.number}\x1f{a.text}\x1f{choices}")
    for key in sorted(clean.metadata):
        parts.append(f"{key}\x1f{clean.metadata[key]}")
    return hashlib.sha256("\x1e".join(parts).encode()).digest()


class NaturalKeys:
    """Keys for rows without an external id. The n-th identical row of a file gets its own
    key (identical rows are real, e.g. many "9" scores on one day with no customer), and
    the n-th occurrence keys the same in every file, so re-imports stay no-ops."""

    def __init__(self):
        self.seen: dict[int, int] = {}  # 8 bytes of digest → occurrences (small ints: ~70 B a row)

    def key(self, clean: CleanResponse, with_time: bool) -> str:
        digest = content_digest(clean, with_time)
        short = int.from_bytes(digest[:8], "big")
        count = self.seen.get(short, 0) + 1
        self.seen[short] = count
        if count > 1:
            digest = hashlib.sha256(digest + b"#%d" % count).digest()
        return NATURAL_KEY_PREFIX + digest.hex()[:32]


# --- Running ---------------------------------------------------------------------------------

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

    def add_errors(self, line: int, mapper: RowMapper, errors: list[FieldError]) -> list[dict]:
        self.rejected += 1
        items = [{"line": line, "field": mapper.column_of(e), "message": e.message} for e in errors]
        self.error_count += len(items)
        room = ERROR_CAP - len(self.errors)
        if room > 0:
            self.errors.extend(items[:room])
        return items


def _known_export_ids(organization_id: int, chunk: list[CleanResponse]) -> set[str]:
    """Export writes "glapp:<pk>" for responses stored without an external id; such a row
    is the stored response itself when the pk and the instant match."""
    wanted = {}
    for r in chunk:
        if r.external_id and r.external_id.startswith(EXPORT_KEY_PREFIX):
            pk = r.external_id[len(EXPORT_KEY_PREFIX):]
            if pk.isdigit():
                wanted[int(pk)] = r
    if not wanted:
        return set()
    rows = (Response.objects.for_org(organization_id)
            .filter(pk__in=list(wanted), external_id__isnull=True).values_list("pk", "submitted_at"))
    return {EXPORT_KEY_PREFIX + str(pk) for pk, at in rows if wanted[pk].submitted_at == at}


def _write_chunk(organization_id: int, chunk: list[CleanResponse], report: ImportReport, dry_run: bool) -> None:
    exported = _known_export_ids(organization_id, chunk)
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
    for result in actions.ingest_responses(organization_id, chunk, Source.IMPORT):
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


def _validated_batches(table: Table, mapper: RowMapper, catalog: Catalog, chunk_size: int,
                       unit_path: str | None = None) -> Iterator[Batch]:
    """The per-row hot path: map, clean, confine to the importer's units, key (no database access)."""
    tz = timezone.get_current_timezone()
    now = timezone.now()
    keys = NaturalKeys()
    width = len(table.header)
    chunk: list[CleanResponse] = []
    rejected: list = []
    total = 0
    for line, cells in table.rows:
        total += 1
        if len(cells) > width and any(c for c in cells[width:]):
            rejected.append((line, cells, [FieldError("", f"has {len(cells)} cells but the header has {width} "
                                                          "columns")]))
            continue
        raw = mapper(cells)
        result = clean_response(raw, catalog, tz=tz, now=now)
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
        if len(chunk) >= chunk_size:
            yield Batch(chunk, total, rejected, table.progress())
            chunk, rejected, total = [], [], 0
    if chunk or rejected or total:
        yield Batch(chunk, total, rejected, 1.0)


@contextlib.contextmanager
def _quiet_gc():
    """The import allocates millions of short-lived dicts and lists; with default thresholds
    the collector keeps re-scanning Django's whole (long-lived) heap. Freeze what exists now
    and collect young objects less often; restored afterwards."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


WAL_PAGES_DURING_IMPORT = 100_000  # ~400 MB of WAL at most before SQLite checkpoints


@contextlib.contextmanager
def _bulk_write_settings(dry_run: bool):
    """On SQLite, checkpoint the WAL once after the import instead of after every few chunks:
    each checkpoint rewrites (and syncs) the same hot index pages again. Durability is
    unchanged: commits still go to the WAL with the connection's synchronous setting."""
    if dry_run or connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # (inside a caller's transaction nothing is checkpointed before its commit anyway)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0].lower() != "wal":
            pages = None
        else:
            cursor.execute("PRAGMA wal_autocheckpoint")
            pages = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES_DURING_IMPORT:d}")
    if pages is None:
        yield
        return
    try:
        yield
    finally:
        # A checkpoint that cannot run now (a reader holds the WAL) is harmless: SQLite runs one later.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages):d}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def run_import(organization_id: int, path: str | os.PathLike, *, mapping: dict[str, str] | None = None,
               defaults: dict[str, str] | None = None, dry_run: bool = False, fmt: str | None = None,
               chunk_size: int = CHUNK_SIZE, progress: Callable[[ImportReport, float | None], None] | None = None,
               after_chunk: Callable[[ImportReport], None] | None = None,
               on_reject: Callable[[int, list, list[dict]], None] | None = None,
               unit_path: str | None = None) -> ImportReport:
    """Validate every row and (unless dry_run) store the valid ones, chunk by chunk, each chunk
    in its own transaction. Raises TableError when the file cannot be read; rejected rows are
    reported, never fatal. `unit_path` confines the rows to an importer's units (None: the whole
    organization), as the API confines a unit-limited key."""
    started = time.perf_counter()
    catalog = Catalog.load(organization_id)
    report = ImportReport(dry_run=dry_run)
    with _quiet_gc(), _bulk_write_settings(dry_run), open_table(path, fmt) as table:
        report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
        report.header = table.header
        mapper = RowMapper(table.header, mapping or {}, defaults)
        for batch in _validated_batches(table, mapper, catalog, chunk_size, unit_path):
            report.total += batch.total
            for line, cells, errors in batch.rejected:
                items = report.add_errors(line, mapper, errors)
                if on_reject:
                    on_reject(line, cells, items)
            if batch.rows:
                report.valid += len(batch.rows)
                _write_chunk(organization_id, batch.rows, report, dry_run)
            if progress:
                progress(report, batch.progress)
            if after_chunk and batch.rows:
                after_chunk(report)
    report.seconds = time.perf_counter() - started
    return report


def run_import_job(job: ImportJob, mapping: dict[str, str] | None, defaults: dict[str, str] | None,
                   path: str | os.PathLike | None = None, progress=None, **options) -> ImportReport | None:
    """Run an import and keep its job record current: running → done, or failed with the reason."""
    path = path or stored_file_path(job.organization_id, job.file_sha256)
    actions.record_import_progress(job, status=ImportJob.Status.RUNNING)

    def tick(report: ImportReport, share: float | None) -> None:
        actions.record_import_progress(job, total_rows=report.total, created_count=report.created,
                                       duplicate_count=report.duplicates, rejected_count=report.rejected)
        if progress:
            progress(report, share)

    try:
        report = run_import(job.organization_id, path, mapping=mapping, defaults=defaults, dry_run=job.dry_run,
                            progress=tick, unit_path=job.unit_path or None, **options)
    except TableError as exc:
        actions.finish_import_job(job, status=ImportJob.Status.FAILED, errors=[], message=str(exc))
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
        rejected_count=report.rejected,
    )
    return report


class MappingUnusable(ValueError):
    """The mapping cannot be used with the file: `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def proposed_mapping(header: list[str], catalog: Catalog, source=None, survey_code: str | None = None
                     ) -> dict[str, str]:
    """Each column's target before anyone changes it: glapp's suggestion, then the saved source's choices."""
    mapping = suggest_mapping(header, catalog, survey_code)
    if source:
        mapping.update({k: v for k, v in source.mapping.items() if k in header})
    return mapping


def start_import(organization_id: int, *, filename: str, file_sha256: str, mapping: dict[str, str],
                 defaults: dict[str, str], dry_run: bool, header: list[str] | None = None,
                 catalog: Catalog | None = None, save_as: str | None = None, source=None, created_by=None,
                 unit_path: str | None = None, queue: bool = True) -> ImportJob:
    """How every import starts (the import page, its run after a dry run, `glapp import`): the
    mapping is checked against the file's `header` (a run after a checked dry run passes none)
    and saved as `save_as` for the next file of the kind; the job is recorded with its importer's
    unit limit and queued for the worker, or left to the caller to run (`queue=False`, the CLI
    shows its progress). Raises MappingUnusable, having stored nothing."""
    if header is not None:
        problems = check_mapping(header, mapping, catalog or Catalog.load(organization_id), defaults)
        if problems:
            raise MappingUnusable(problems)
    if save_as:
        source = actions.save_import_source(organization_id, save_as, mapping, defaults)
        mapping, defaults = source.mapping, source.defaults  # what was saved is what runs
    job = actions.create_import_job(organization_id, filename=filename, file_sha256=file_sha256, dry_run=dry_run,
                                    source=source, created_by=created_by, unit_path=unit_path)
    if queue:
        from glapp.responses.tasks import import_file  # the task runs this module's run_import_job

        import_file.enqueue(job.pk, mapping, defaults)
    return job


# --- Stored uploads -------------------------------------------------------------------------

def import_dir(organization_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(organization_id)


def stored_file_path(organization_id: int, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a file digest")
    return import_dir(organization_id) / sha256


def store_upload(organization_id: int, chunks) -> str:
    """Write an uploaded file under its SHA-256 (the same file twice is stored once) and
    return the digest; the organization's folder keeps tenants' files apart."""
    folder = import_dir(organization_id)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = folder / f".upload-{os.getpid()}-{time.monotonic_ns()}"
    try:
        with open(tmp, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
        os.replace(tmp, folder / digest.hexdigest())
    finally:
        tmp.unlink(missing_ok=True)
    return digest.hexdigest()
