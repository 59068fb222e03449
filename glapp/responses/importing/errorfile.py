"""The error file: every rejected row as the file had it, in the header's shape (its columns,
then `import_error` with the line and the reasons), so it can be corrected and imported again
with the same mapping (the error column is ignored on import). A row with more cells than the
header keeps its shape: the surplus cells are quoted in the reason; a long file's respondent
is all of its rows."""

import csv

from glapp.responses.importing.layout import Grouped
from glapp.responses.importing.mapping import ERROR_COLUMN


class ErrorFile:
    def __init__(self, out, header: list[str]):
        self.width = len(header)
        self.writer = csv.writer(out)
        self.writer.writerow([*header, ERROR_COLUMN])

    def __call__(self, line: int, cells: list, errors: list[dict]) -> None:
        reason = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        sources = cells.sources if type(cells) is Grouped else [(line, cells)]
        for source_line, source_cells in sources:
            row = [str(c) for c in source_cells]
            surplus = [c for c in row[self.width:] if c]
            row = [*row[:self.width], *[""] * (self.width - len(row))]
            said = f"line {source_line}: {reason}"
            if surplus:
                said += f" (cells past the header: {' | '.join(surplus)[:500]})"
            self.writer.writerow([*row, said])
