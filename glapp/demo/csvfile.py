"""Write demo responses as a file in glapp's tabular format (the one import reads without a mapping).

Pure Python: no Django imports, so a million-row benchmark file needs no database.
"""

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from glapp.demo import company as co
from glapp.responses import tabular

FLUSH_EVERY = 5000


def write_csv(responses: Iterable[dict], path: str | Path,
              progress: Callable[[int], None] | None = None) -> int:
    """Stream `responses` to `path` (UTF-8, comma-separated, RFC 4180 quoting); returns the row count."""
    columns = tabular.header(co.QUESTION_KEYS, co.METADATA_KEYS)
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        batch = []
        for raw in responses:
            batch.append(tabular.raw_to_row(raw, columns))
            if len(batch) >= FLUSH_EVERY:
                writer.writerows(batch)
                written += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        writer.writerows(batch)
        written += len(batch)
        if progress and batch:
            progress(len(batch))
    return written
