"""XLSX sheets read as tables: the first sheet, its cells as the text a CSV of the same sheet
would hold, so both formats key alike."""

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterator

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from glapp.responses.importing.reading import Table, TableError, clean_header

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


def open_xlsx(path: str | os.PathLike) -> Table:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise TableError(f"not a readable XLSX file: {exc}") from exc
    sheet = workbook.worksheets[0]
    # Cells, not bare values: a date cell's number format tells a date from a midnight time
    # (about 3 % slower to read than values alone).
    iterator = sheet.iter_rows()
    try:
        header = clean_header([cell.value for cell in next(iterator, ())])
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
