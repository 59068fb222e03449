"""One writer at a time on SQLite, handed over without SQLite's sleep-and-retry.

SQLite allows one write transaction at a time. A writer that finds the lock taken waits in
SQLite's busy handler, which sleeps in growing steps (1, 2, 5 … 100 ms) and polls; under a
steady stream of API writes from several threads and processes, those sleeps are the slowest
requests. Queuing API writers on a thread lock (within a worker) and an `flock` on a file next
to the database (between workers) wakes the next writer the moment the previous one commits.
The background analysis stores its results through the same turn (`textanalytics.actions._store`):
its transactions are the longest a busy server sees, and an API writer that met one in SQLite's
busy handler slept in those steps while every other writer queued behind it. Other writers
(imports, other tasks) still work through the busy handler. A turn taken again by the thread
that holds it (a task run in the request, as tests do) nests instead of waiting for itself.

PostgreSQL needs none of this: there `serialized()` does nothing.
"""

import contextlib
import fcntl
import os
import threading

from django.db import connection

_thread_lock = threading.RLock()
_held = threading.local()  # how deep this thread's turns are nested
# (process id, lock file path) → fd. Keyed by pid too: a descriptor inherited across fork shares
# its flock with the parent, so each worker process opens its own.
_files: dict[tuple[int, str], int] = {}


def _lock_fd() -> int | None:
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None  # in-memory (tests): one process, the thread lock is enough
    path = name + ".writelock"
    key = (os.getpid(), path)
    fd = _files.get(key)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        _files[key] = fd
    return fd


@contextlib.contextmanager
def serialized():
    if connection.vendor != "sqlite":
        yield
        return
    with _thread_lock:
        depth = getattr(_held, "depth", 0)
        fd = _lock_fd() if depth == 0 else None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
