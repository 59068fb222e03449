"""Worker processes on the test's own database: PostgreSQL's test database, or for SQLite (whose
test database lives in memory) a copy of it in a file."""

import os
import sqlite3

import pytest
from django.db import connection, connections

# Seconds: how long a dead worker's task waits before it runs again. A new worker takes about
# as long to start, so this costs no time, and a heartbeat held up by a busy machine (or, on
# SQLite, by a chunk's write lock) still renews the lease in time.
LEASE = 5


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """Environment for worker processes that use the test's database (committed as it goes: the
    test must not run in a transaction, which the workers could not see past)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GLAPP_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(GLAPP_SECRET_KEY="s" * 50, GLAPP_DATA_DIR=str(tmp_path), GLAPP_TASK_LEASE_SECONDS=str(LEASE),
               GLAPP_DISPATCH_EVERY="1", GLAPP_LOG_JSON="0")
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        env["DATABASE_URL"] = (f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST']}:"
                               f"{params['PORT']}/{params['NAME']}")
        yield env
        return
    # SQLite: copy the migrated in-memory database to the file the workers open, and use that
    # file here too for the length of the test.
    path = tmp_path / "glapp.sqlite3"
    original = connections["default"]
    original.ensure_connection()
    # A copy taken inside a transaction waits for its end for ever (sqlite3's backup retries).
    assert not original.in_atomic_block, "the crash test needs django_db(transaction=True)"
    with sqlite3.connect(path) as target:
        original.connection.backup(target)
    target.close()
    shared = type(original)({**original.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield env
    finally:
        shared.close()
        connections["default"] = original
