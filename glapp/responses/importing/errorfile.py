"""The error file: every rejected row as the file had it, in the header's shape (its columns,
then `import_error` with the line and the reasons), so it can be corrected and imported again
with the same mapping (the error column is ignored on import). A row with more cells than the
header keeps its shape: the surplus cells are quoted in the reason; a long file's respondent
is all of its rows.

Cells that a spreadsheet would run as formulas are written as export writes them (a leading
apostrophe), which the import takes off again: the file is opened in spreadsheets to be fixed.

`JobErrorFile` is an import job's error file, downloadable from the job's page."""

import csv
import io
from pathlib import Path

from glapp.responses.importing.layout import Grouped
from glapp.responses.importing.mapping import ERROR_COLUMN
from glapp.responses.tabular import guard_formula


class ErrorFile:
    def __init__(self, out, header: list[str], *, header_written: bool = False):
        self.width = len(header)
        self.writer = csv.writer(out)
        if not header_written:
            self.writer.writerow([*header, ERROR_COLUMN])  # as the file had it: the saved mapping names it

    def __call__(self, line: int, cells: list, errors: list[dict]) -> None:
        reason = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        sources = cells.sources if type(cells) is Grouped else [(line, cells)]
        for source_line, source_cells in sources:
            row = [guard_formula(str(c)) for c in source_cells]
            surplus = [c for c in row[self.width:] if c]
            row = [*row[:self.width], *[""] * (self.width - len(row))]
            said = f"line {source_line}: {reason}"
            if surplus:
                said += f" (cells past the header: {' | '.join(surplus)[:500]})"
            self.writer.writerow([*row, said])


class JobErrorFile:
    """An import job's error file, written as its chunks commit: the rows a chunk rejects are
    kept (this is the run's `on_reject`) until the chunk's checkpoint, then appended, and the
    file's new length is recorded with the job's counts in that chunk's transaction. A job that
    goes on after its worker died cuts off what the dead run wrote past its last commit, so every
    rejected row is in the file exactly once."""

    def __init__(self, path: Path, size: int = 0):
        self.path, self.size = Path(path), size
        self.pending: list[tuple[int, list, list[dict]]] = []

    def __call__(self, line: int, cells: list, errors: list[dict]) -> None:
        self.pending.append((line, cells, errors))

    def flush(self, header: list[str]) -> int:
        """Append the pending rows (the header first, into a new file); the file's length."""
        if not self.pending:
            return self.size
        if self.size:
            # Erased since (it quoted an erased person): the rest starts a new file. Shorter than
            # recorded (lost with a machine's crash): go on from what is there, never pad it.
            self.size = min(self.size, self.path.stat().st_size) if self.path.exists() else 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "r+b" if self.size else "wb") as raw:
            raw.truncate(self.size)
            raw.seek(self.size)
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = ErrorFile(out, header, header_written=bool(self.size))
            for line, cells, errors in self.pending:
                writer(line, cells, errors)
            out.flush()
            self.size = raw.tell()
            out.detach()
        self.pending.clear()
        return self.size
