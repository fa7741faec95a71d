"""The locks that let processes and threads share the warehouse: file locks across processes, one lock within each."""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.private_files import PRIVATE_FILE_MODE
from etl.warehouse.errors import WarehouseBusy

_POLL_S = 0.02
# One thread of a process uses DuckDB at a time: connections of one process share one database instance, and
# DuckDB's Python client races on it (registering a frame while another thread does fails with "pandas_scan does
# not exist"). Re-entrant, as a reader may open the users table inside a callback's own read.
process_lock = threading.RLock()


@contextmanager
def file_lock(db: Path, exclusive: bool, timeout: float) -> Iterator[None]:
    """Readers share the data lock, a writer holds it alone.

    A writer first takes the gate, which new readers must pass, so a steady stream of chart
    reads cannot starve an upload (Linux flock has no writer preference of its own).
    """
    gate = _lock_file(db, ".gate.lock")
    data = _lock_file(db, ".lock")
    deadline = time.monotonic() + timeout
    try:
        if exclusive:
            _acquire(gate, fcntl.LOCK_EX, deadline, db)
            _acquire(data, fcntl.LOCK_EX, deadline, db)
        else:
            _acquire(gate, fcntl.LOCK_SH, deadline, db)
            fcntl.flock(gate, fcntl.LOCK_UN)
            _acquire(data, fcntl.LOCK_SH, deadline, db)
        yield
    finally:
        for fd in (data, gate):
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def writer_at_work(db: Path) -> bool:
    """Whether a writer of ours holds the data lock now; asked without waiting."""
    data = _lock_file(db, ".lock")
    try:
        fcntl.flock(data, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(data, fcntl.LOCK_UN)
        return False
    finally:
        os.close(data)


def _lock_file(db: Path, suffix: str) -> int:
    return os.open(db.with_name(db.name + suffix), os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)


def _acquire(fd: int, mode: int, deadline: float, db: Path) -> None:
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() > deadline:
            raise WarehouseBusy(f"The warehouse {db} is busy with another upload; try again in a minute.")
        time.sleep(_POLL_S)
