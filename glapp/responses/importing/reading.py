"""Reading a file as a table: the format from its first bytes, CSV with its encoding and
delimiter detected, XLSX through `xlsx.py`; every reader yields the same `Table`."""

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DELIMITERS = ",;\t"

csv.field_size_limit(1 << 24)  # long comments are legitimate; the answer validator caps them


class TableError(Exception):
    """The file cannot be read as a table (not CSV/XLSX, no header, duplicate columns, ...)."""


class Uncalculated:
    """A spreadsheet cell holding a formula without a saved result: reported on its row, never
    read as an empty cell."""

    __slots__ = ("cell",)

    def __init__(self, cell: str):
        self.cell = cell

    def __str__(self) -> str:
        return ""

    def problem(self) -> str:
        return (f"cell {self.cell} holds a formula without a saved result; open and save the file in Excel "
                "(or paste the values) and import it again")


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
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8. A file that is UTF-8 (it
    holds valid multi-byte characters) with a bad byte somewhere is refused, naming the line:
    reading all of it in another encoding would garble every accented letter. A file with no
    UTF-8 characters at all is in a legacy encoding: cp1252 (what Swedish Excel writes), else
    latin-1. Streaming passes; cheap next to parsing."""
    with open(path, "rb") as f:
        bom = f.read(3) == codecs.BOM_UTF8
    bad = _first_utf8_error(path)
    if bad is None:
        return "utf-8-sig" if bom else "utf-8"
    if bom or _holds_utf8(path, bad):
        raise TableError(_utf8_error_message(path, bad))
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _first_utf8_error(path: str | os.PathLike) -> int | None:
    """The file offset of the first byte that is not valid UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    base = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                pending = len(exc.object) - len(chunk)  # bytes of a character begun in the last chunk
                return base - pending + exc.start
            if not chunk:
                return None
            base += len(chunk)


def _holds_utf8(path: str | os.PathLike, bad: int) -> bool:
    """True when the file holds a valid multi-byte UTF-8 character: before the bad byte any
    byte above 0x7F is one; after it, what decodes as one."""
    with open(path, "rb") as f:
        read = 0
        while read < bad:
            chunk = f.read(min(1 << 20, bad - read))
            if not chunk:
                break
            if not chunk.isascii():
                return True
            read += len(chunk)
        f.seek(bad + 1)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while chunk := f.read(1 << 20):
            if _UTF8_CHARACTER.search(decoder.decode(chunk)):
                return True
    return False


_UTF8_CHARACTER = re.compile("[^\x00-\x7f\ufffd]")


def _utf8_error_message(path: str | os.PathLike, bad: int) -> str:
    with open(path, "rb") as f:
        before = b""
        lines = 1
        read = 0
        while read < bad:
            chunk = f.read(min(1 << 20, bad - read))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            before = (before + chunk)[-(1 << 16):]
            read += len(chunk)
        byte = f.read(1)
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return (f"line {lines}, column {column}: the byte 0x{byte.hex().upper()} (at byte {bad + 1} of the file) "
            "is not valid UTF-8; the rest of the file is UTF-8. Correct that line, or save the file again "
            "as UTF-8.")


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


PEEK_ROWS = 1000  # rows read ahead to see whether a column without a name holds data


def clean_header(cells: list, data_width: int = 0) -> list[str]:
    """The header's names, every column named: an empty name becomes "column 7" (its position),
    a repeated one "Comment (2)", so such a column can be mapped or ignored like any other
    instead of making every row unreadable. Trailing unnamed columns are kept only as far as
    the first rows hold data in them (`data_width`): spreadsheets pad rows with empty cells."""
    header = ["" if c is None else str(c).strip() for c in cells]
    while len(header) > data_width and header and not header[-1]:
        header.pop()
    if not header:
        raise TableError("the file has no header row")
    taken = {name for name in header if name}
    seen: set[str] = set()
    named = []
    for position, name in enumerate(header, start=1):
        if not name:
            name = unique_name(f"column {position}", taken)
        elif name in seen:
            name = unique_name(name, taken)
        seen.add(name)
        taken.add(name)
        named.append(name)
    return named


def unique_name(name: str, taken: set[str]) -> str:
    """`name` if free, else "name (2)", "name (3)", … whichever is free first."""
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def peek_width(rows: Iterator, limit: int = PEEK_ROWS) -> tuple[int, list, Exception | None]:
    """The widest non-empty extent of the first `limit` rows, those rows (to yield again), and
    the error that stopped the reading early, to be raised when the rows get that far."""
    ahead: list = []
    width = 0
    try:
        for item in rows:
            ahead.append(item)
            cells = item[1] if isinstance(item, tuple) else item
            for i in range(len(cells) - 1, width - 1, -1):
                if cells[i] not in (None, ""):
                    width = i + 1
                    break
            if len(ahead) >= limit:
                break
    except Exception as exc:  # re-raised in its place by the reader
        return width, ahead, exc
    return width, ahead, None


class _numbered:
    """A CSV reader's records with the line each starts on (a quoted cell may span lines)."""

    def __init__(self, reader):
        self.reader = reader
        self.previous = reader.line_num

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, list]:
        cells = next(self.reader)
        line, self.previous = self.previous + 1, self.reader.line_num
        return line, cells


def _row_error(exc: Exception, lines: "_numbered", encoding: str) -> TableError:
    if isinstance(exc, UnicodeDecodeError):
        return TableError(f"line {lines.previous + 1}: not {encoding}: {exc.reason}")
    return TableError(f"line {lines.previous + 1}: {exc}")


def _open_csv(path: str | os.PathLike, encoding: str | None = None) -> Table:
    if encoding:  # said by the importer (a legacy file): used as said, never guessed
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise TableError(f"unknown encoding '{encoding[:40]}'") from None
    else:
        encoding = detect_encoding(path)
    f = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by Table.close
    try:
        delimiter = sniff_delimiter(f.read(65536))
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter)
        first = next(reader, [])
        lines = _numbered(reader)
        width, ahead, pending = peek_width(lines)
        header = clean_header(first, width)
    except (csv.Error, TableError) as exc:
        f.close()
        raise TableError(str(exc)) from exc
    size = os.path.getsize(path) or 1

    def rows() -> Iterator[tuple[int, list]]:
        for line, cells in ahead:
            if cells and any(cells):
                yield line, cells
        try:
            if pending is not None:
                raise pending
            for line, cells in lines:
                if cells and any(cells):
                    yield line, cells
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _row_error(exc, lines, encoding) from exc

    return Table(header, rows(), "csv", encoding, delimiter,
                 progress=lambda: min(f.buffer.tell() / size, 1.0), close=f.close)


def open_table(path: str | os.PathLike, fmt: str | None = None, encoding: str | None = None) -> Table:
    try:
        fmt = fmt or detect_format(path)
    except OSError as exc:
        raise TableError(f"cannot read the file: {exc}") from exc
    if fmt == "xlsx":
        from glapp.responses.importing.xlsx import open_xlsx  # and openpyxl: only for XLSX files

        return open_xlsx(path)
    if fmt == "csv":
        return _open_csv(path, encoding)
    raise TableError(f"unknown format '{fmt}' (csv or xlsx)")


def read_preview(path: str | os.PathLike, rows: int = 3, encoding: str | None = None
                 ) -> tuple[list[str], list[list[str]], Table]:
    """The header and the first rows, for the mapping form."""
    with open_table(path, encoding=encoding) as table:
        sample = []
        for _, cells in table.rows:
            sample.append([str(c) for c in cells])
            if len(sample) >= rows:
                break
        return table.header, sample, table
