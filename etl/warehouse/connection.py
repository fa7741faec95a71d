"""Connecting to the warehouse safely across processes: many readers at once, one writer at a time."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl.private_files import make_private
from etl.warehouse.errors import WarehouseError
from etl.warehouse.location import warehouse_path
from etl.warehouse.locks import file_lock, process_lock
from etl.warehouse.published import bump_version, publish_copy, published_copy, reading_published_copy
from etl.warehouse.snapshots import rebuild_stale_snapshots

# A reader waits this long for a writer to finish, a writer for readers and other writers.
READ_TIMEOUT_S = 20.0
WRITE_TIMEOUT_S = 60.0


@contextmanager
def read_connection(path: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one piece of work; many processes may hold one at once, and none waits for a writer.

    It is a cursor on the copy the last writer published (see write_connection), so an upload or a snapshot rebuild
    in progress never holds a reader up: readers see the data as of the last commit until the next one is published.
    Without a published copy (a warehouse last written by an older version, or by a DuckDB session of its own),
    it reads the file itself under the shared lock, waiting for a writer as before.
    """
    db = warehouse_path(path)
    if not db.exists():
        raise WarehouseError(f"No warehouse at {db}. Run `aptmon init` first.")
    with reading_published_copy(db) as con:
        if con is not None:
            yield con
            return
    with process_lock, file_lock(db, exclusive=False, timeout=READ_TIMEOUT_S):
        con = _open(db, read_only=True)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def write_connection(path: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one read-write connection; other writers wait until it closes, readers read the last commit meanwhile.

    Before it publishes, a write that changed what the metrics are computed from rebuilds their snapshots, in a
    transaction of its own: the readers' copy of every commit carries snapshots of its own data, so no reader ever
    computes the metric views live (seconds on a large warehouse, for every question asked) while they catch up.
    """
    db = warehouse_path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    with process_lock, file_lock(db, exclusive=True, timeout=WRITE_TIMEOUT_S):
        con = _open(db, read_only=False)
        # It holds every password hash and every country's returns: readable by the service's account only,
        # whatever the umask of the process that made it (an older file is made private on its next write).
        for part in (db, db.with_name(db.name + ".wal")):
            make_private(part)
        try:
            yield con
            rebuild_stale_snapshots(con)
        finally:
            try:
                con.close()
                published = publish_copy(db)
            finally:
                # Still under the writer's lock: a reader that sees the new version reads the new data.
                bump_version(db, published)


def ensure_readers_copy(path: str | os.PathLike | None = None) -> None:
    """Publish a readers' copy of the last commit if there is none (a warehouse copied, restored, or last written
    outside the monitor): without one every reader opens the file itself, about 30 ms a question on a large
    warehouse, and waits for any writer."""
    db = warehouse_path(path)
    if db.exists() and published_copy(db) is None:
        with write_connection(db):
            pass  # closing checkpoints the file and publishes its copy, as every write does


def _open(db: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying briefly when a process outside our lock (a notebook) holds it."""
    deadline = time.monotonic() + 5.0
    while True:
        try:
            return duckdb.connect(str(db), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise WarehouseError(f"Cannot open the warehouse {db}: {exc}") from exc
            time.sleep(0.05)
