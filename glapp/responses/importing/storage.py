"""Uploaded files, stored before their import runs in the background: one folder per
organization, each file under its SHA-256, and each job's error file beside them."""

import hashlib
import os
import re
import time
from pathlib import Path

from django.conf import settings


def import_dir(organization_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(organization_id)


def stored_file_path(organization_id: int, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a file digest")
    return import_dir(organization_id) / sha256


def error_file_path(organization_id: int, job_id: int) -> Path:
    """A job's error file (importing/errorfile.py), beside the organization's uploads: erasure and
    retention treat it as they treat the file it quotes."""
    return import_dir(organization_id) / f"errors-{int(job_id)}.csv"


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


def erase_uploads_holding(organization_id: int, needles) -> int:
    """Delete the organization's stored uploads in which any cell holds the person (read as the
    importer reads them: CSV in any encoding, XLSX); a file that cannot be read as a table is
    searched as text. The person's rows were imported or rejected long since; another run of a
    job whose file is gone fails with "cannot read the file". Returns the files deleted."""
    from glapp.responses.importing.reading import TableError, open_table  # reading imports nothing back

    folder = import_dir(organization_id)
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        try:
            with open_table(path) as table:
                held = any(needles.in_cell(c) for c in table.header) or any(
                    needles.in_cell(c) for _line, cells in table.rows for c in cells)
        except TableError:
            held = needles.found_in(path.read_bytes().decode("utf-8", "replace"))
        if held:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def erase_uploads_before(organization_id: int, cutoff_timestamp: float, keep: set[str],
                         dry_run: bool = False) -> int:
    """Delete the organization's stored uploads last written before `cutoff_timestamp` (seconds
    since the epoch) that no import job still needs (`keep`: their digests). Storing the same
    file again rewrites it, so a file uploaded again is as new as its latest upload. Returns
    the files deleted (or, with `dry_run`, those that would be)."""
    folder = import_dir(organization_id)
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in keep or path.stat().st_mtime >= cutoff_timestamp:
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        deleted += 1
    return deleted
