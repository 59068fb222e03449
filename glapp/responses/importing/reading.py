"""Reading a file as a table: the format from its first bytes, CSV with its encoding and
delimiter detected, XLSX through `xlsx.py`; every reader yields the same `Table`."""

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DELIMITERS = ",;\t"

csv.field_size_limit(1 << 24)  # long comments are legitimate; the answer validator caps them


class TableError(Exception):
    """The file cannot be read as a table (not CSV/XLSX, no header, duplicate columns, ...)."""


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


def _open_csv(path: str | os.PathLike) -> Table:
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

    return Table(header, rows(), "csv", encoding, delimiter,
                 progress=lambda: min(f.buffer.tell() / size, 1.0), close=f.close)


def open_table(path: str | os.PathLike, fmt: str | None = None) -> Table:
    try:
        fmt = fmt or detect_format(path)
    except OSError as exc:
        raise TableError(f"cannot read the file: {exc}") from exc
    if fmt == "xlsx":
        from glapp.responses.importing.xlsx import open_xlsx  # and openpyxl: only for XLSX files

        return open_xlsx(path)
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
