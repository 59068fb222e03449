"""Settings held for the length of an import, so a million rows are not slowed by work meant
for small requests: the garbage collector's thresholds, SQLite's WAL checkpoints."""

import contextlib
import gc

from django.db import DatabaseError, connection

WAL_PAGES_DURING_IMPORT = 100_000  # ~400 MB of WAL at most before SQLite checkpoints


@contextlib.contextmanager
def quiet_gc():
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


@contextlib.contextmanager
def bulk_write_settings(dry_run: bool):
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
