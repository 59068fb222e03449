"""XLSX sheets read as tables: the first sheet, its cells as the text a CSV of the same sheet
would hold, so both formats key alike."""

import datetime as dt
import os
import re
import threading
import zipfile
from collections.abc import Iterator

import openpyxl
from django.conf import settings
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet import _read_only
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from glapp.responses.importing.reading import Table, TableError, Uncalculated, clean_header, peek_width

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


def check_unpacked_sizes(path: str | os.PathLike, max_part: int, max_total: int) -> None:
    """Refuse a workbook whose parts unpack to more than the limits, from the zip's directory,
    before anything is decompressed: a few MB of XLSX can hold shared strings that take GBs of
    memory to parse. Worksheets are streamed, so only the total bounds them."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError(f"not a readable XLSX file: {exc}") from exc
    total = 0
    for member in members:
        total += member.file_size
        streamed = member.filename.startswith("xl/worksheets/")
        if not streamed and member.file_size > max_part:
            raise TableError(f"the workbook's part {member.filename[:80]} unpacks to {_mb(member.file_size)}, more "
                             f"than the {_mb(max_part)} an import reads; save the sheet as CSV and import that")
    if total > max_total:
        raise TableError(f"the workbook unpacks to {_mb(total)}, more than the {_mb(max_total)} an import reads; "
                         "save the sheet as CSV and import that")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, marking a formula cell that has no saved result (a file written
    by a program that does not calculate): with data_only it would be an empty cell, silently."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if self.data_only and cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["data_type"] = "f"
        return cell


class _Sheet(ReadOnlyWorksheet):
    def _cells_by_row(self, *args, **kwargs):
        # openpyxl's read-only sheet builds its parser from a module name when its row generator
        # first runs: that one step happens with our parser in its place, under a lock, so no
        # other reader ever sees the swap.
        rows = super()._cells_by_row(*args, **kwargs)
        with _PARSER_SWAP:
            previous, _read_only.WorkSheetParser = _read_only.WorkSheetParser, _Parser
            try:
                first = next(rows, None)
            finally:
                _read_only.WorkSheetParser = previous
        if first is not None:
            yield first
            yield from rows


_PARSER_SWAP = threading.Lock()


def open_xlsx(path: str | os.PathLike, max_part: int | None = None, max_total: int | None = None) -> Table:
    check_unpacked_sizes(path, max_part or settings.GLAPP_XLSX_MAX_PART_MB * 1_000_000,
                         max_total or settings.GLAPP_XLSX_MAX_TOTAL_MB * 1_000_000)
    # A file object, not its path: openpyxl refuses a path without an .xlsx extension, and an
    # upload is stored under its digest.
    stream = open(path, "rb")  # noqa: SIM115 - closed by Table.close
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        stream.close()
        raise TableError(f"not a readable XLSX file: {exc}") from exc

    def close() -> None:
        workbook.close()
        stream.close()

    sheet = workbook.worksheets[0]
    if isinstance(sheet, ReadOnlyWorksheet):
        sheet.__class__ = _Sheet
    # Cells, not bare values: a date cell's number format tells a date from a midnight time
    # (about 3 % slower to read than values alone).
    iterator = sheet.iter_rows()
    first = [cell.value for cell in next(iterator, ())]
    total = sheet.max_row or 0
    state = {"line": 1}

    def converted() -> Iterator[tuple[int, list]]:
        for line, values in enumerate(iterator, start=2):
            state["line"] = line
            yield line, [Uncalculated(c.coordinate) if c.value is None and getattr(c, "data_type", None) == "f"
                         else xlsx_cell(c.value, getattr(c, "number_format", "General")) for c in values]

    lines = converted()
    width, ahead, pending = peek_width(lines)
    try:
        header = clean_header(first, width)
    except TableError:
        close()
        raise

    def rows() -> Iterator[tuple[int, list]]:
        for line, cells in ahead:
            if any(cells):
                yield line, cells
        if pending is not None:
            raise pending
        for line, cells in lines:
            if any(cells):
                yield line, cells

    return Table(header, rows(), "xlsx", progress=lambda: (state["line"] / total) if total > 1 else None,
                 close=close)
