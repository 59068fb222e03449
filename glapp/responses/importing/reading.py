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


def clean_header(cells: list) -> list[str]:
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
        header = clean_header(next(reader, []))
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
        except UnicodeDecodeError as exc:
            raise TableError(f"line {previous + 1}: not {encoding}: {exc.reason}") from exc

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
