"""API writers queue on one lock per SQLite database file, across threads and processes."""

import fcntl
import os
import threading
import time

import pytest
from django.db import connection

from glapp.core import writelock


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock exists only for SQLite")
def test_writers_in_other_processes_wait(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "glapp.sqlite3"))
    with writelock.serialized():
        pid = os.fork()
        if pid == 0:  # another worker process, with its own descriptor on the lock file
            code = 1
            try:
                fd = os.open(str(tmp_path / "glapp.sqlite3.writelock"), os.O_RDWR)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                code = 0  # held by the parent, as it should be
            except BaseException:
                code = 2
            finally:
                os._exit(code)  # never fall back into the test runner in the child
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    fd = os.open(str(tmp_path / "glapp.sqlite3.writelock"), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released afterwards
    os.close(fd)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL needs no write lock")
def test_writers_in_one_process_take_turns():
    # Threads share one flock descriptor, so the thread lock is what keeps them apart.
    inside = []
    overlaps = []

    def writer():
        for _ in range(20):
            with writelock.serialized():
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                time.sleep(0.0005)
                inside.pop()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL needs no write lock")
def test_a_turn_taken_again_by_its_holder_nests(tmp_path, monkeypatch):
    # The analysis stores in the writers' turn; run inside a request that holds it (a task run
    # at once, as tests do), it must nest, not wait for itself. The file lock is held throughout.
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "glapp.sqlite3"))
    done, held_inside, held_after = [], [], []

    def nested():
        with writelock.serialized(), writelock.serialized():
            held_inside.append(_flock_taken(tmp_path))
        with writelock.serialized():
            held_after.append(_flock_taken(tmp_path))
        done.append(1)

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert done == [1] and held_inside == [True] and held_after == [True]
    assert not _flock_taken(tmp_path)  # released by the outermost turn


def _flock_taken(tmp_path) -> bool:
    """Whether another process would wait for the lock file (a child process asks)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fd = os.open(str(tmp_path / "glapp.sqlite3.writelock"), os.O_RDWR)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            code = 0
        except BaseException:
            code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0
