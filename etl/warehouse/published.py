"""The readers' copies of the warehouse, one published per commit, and the data version that names the newest."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.private_files import make_private
from etl.warehouse.location import warehouse_path
from etl.warehouse.locks import writer_at_work

VERSION_SUFFIX = ".version"
# Readers' copies of the warehouse, one per commit: <warehouse>.read-<version token>.
COPY_INFIX = ".read-"
# Replicas kept beside the newest, for a reader that read the version just before a publish.
_COPIES_KEPT = 2
# Guards this process's open copies (below) for the moment a reader takes or gives back a cursor, never while
# it reads: DuckDB runs the cursors of one database side by side.
_open_copies_lock = threading.Lock()


def data_version(path: str | os.PathLike | None = None) -> tuple[str, int, int]:
    """A token that changes with every commit: each write_connection bumps it as it closes.

    While readers read the published copy (read_connection), it is that copy's token alone: a writer at work
    changes the file many times before it publishes, and none of that changes what a reader sees. Otherwise the
    file's and its write-ahead log's modification times are part of it, so a write made outside write_connection
    (an admin's own DuckDB session) changes it as well. Costs one small read and a few stats, no wait: readers
    check it on every request and answer from their caches while it stands.
    """
    db = warehouse_path(path)
    token, published = _version_file(db)
    if _published_copy(db, token, published) is not None:
        return (token, published, 0)
    return (token, _mtime_ns(db), _mtime_ns(db.with_name(db.name + ".wal")))


def published_copy(db: Path) -> Path | None:
    """The readers' copy of the warehouse's last commit, or None while readers read the file itself."""
    return _published_copy(db, *_version_file(db))


def _published_copy(db: Path, token: str, published: int | None) -> Path | None:
    """The readers' copy of the last commit while it holds the file's data, else None (readers read the file)."""
    copy = db.with_name(db.name + COPY_INFIX + token)
    if published is None or not copy.exists() or not _no_write_since(db, published):
        return None
    return copy


def _version_file(db: Path) -> tuple[str, int | None]:
    """The version token and, when the commit published a readers' copy, the file's modification time then."""
    try:
        text = db.with_name(db.name + VERSION_SUFFIX).read_text(encoding="ascii")
    except FileNotFoundError:
        return "", None
    token, _, published = text.partition(" ")
    return token, int(published) if published.isdigit() else None


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def bump_version(db: Path, published: Path | None) -> None:
    """Name a new version of the warehouse, and with it the readers' copy just published (if any)."""
    # A fresh unique token (not a counter), so a warehouse deleted and made again never repeats an old version;
    # written aside and renamed into place, so a reader never reads half of it. With it goes the file's
    # modification time at publishing, by which a reader tells that a write outside our lock came after.
    token = f"{time.time_ns()}-{os.getpid()}-{os.urandom(4).hex()}"
    if published is not None:
        final = db.with_name(db.name + COPY_INFIX + token)
        os.replace(published, final)
        token += f" {_mtime_ns(db)}"
    target = db.with_name(db.name + VERSION_SUFFIX)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.write_text(token, encoding="ascii")
    os.replace(temporary, target)
    _drop_old_copies(db)


def publish_copy(db: Path) -> Path | None:
    """Copy the file just closed for the readers (under a temporary name until the version names it)."""
    if db.with_name(db.name + ".wal").exists():
        return None  # not checkpointed on close: readers read the file itself, under the lock, until the next write
    temporary = db.with_name(f".{db.name}{COPY_INFIX}{os.getpid()}")
    try:
        shutil.copyfile(db, temporary)
        make_private(temporary)
    except OSError as exc:
        logging.getLogger(__name__).warning("Could not publish a readers' copy of %s: %s", db, exc)
        with contextlib.suppress(OSError):
            temporary.unlink()
        return None
    return temporary


def _drop_old_copies(db: Path) -> None:
    copies = sorted(db.parent.glob(db.name + COPY_INFIX + "*"), key=_mtime_ns)
    for old in copies[:-_COPIES_KEPT]:
        with contextlib.suppress(OSError):
            old.unlink()  # a reader that has it open keeps reading it


@contextmanager
def reading_published_copy(db: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor on the readers' copy of the last commit, or None when there is no valid one."""
    copy = _published_copy(db, *_version_file(db))
    with _open_copies_lock:
        kept = _open_copy(copy) if copy is not None else None
        if kept is not None:
            kept.readers += 1
            cursor = kept.connection.cursor()  # its own temporary tables and registered frames, gone when it closes
    if kept is None:
        yield None  # no copy, or one dropped by later commits since the version was read: read the file itself
        return
    try:
        yield cursor
    finally:
        with _open_copies_lock:
            cursor.close()
            kept.readers -= 1
            if kept.retired and not kept.readers:
                kept.connection.close()


@dataclass
class _OpenCopy:
    """A process's connection to one published copy, and how many of its cursors are out."""

    pid: int
    connection: duckdb.DuckDBPyConnection
    readers: int = 0
    retired: bool = False  # no longer kept: closed by the last reader to give its cursor back


# A copy never changes once published, so each process keeps its newest few open: a reader then pays neither
# DuckDB's open (about 30 ms for the 1 000 000-activity warehouse: its catalogue of views is bound anew) nor a
# cold buffer cache. Entries: copy path -> _OpenCopy; a forked child opens its own.
_OPEN_COPIES: dict[Path, _OpenCopy] = {}
_OPEN_COPIES_KEPT = 2


def _open_copy(copy: Path) -> _OpenCopy | None:
    """The process's connection to a published copy, opened on first use; call under _open_copies_lock."""
    kept = _OPEN_COPIES.get(copy)
    if kept is not None and kept.pid == os.getpid():
        _OPEN_COPIES[copy] = _OPEN_COPIES.pop(copy)  # the most recently used last
        return kept
    try:
        kept = _OpenCopy(os.getpid(), duckdb.connect(str(copy), read_only=True))
    except duckdb.Error:
        return None
    _OPEN_COPIES[copy] = kept
    while len(_OPEN_COPIES) > _OPEN_COPIES_KEPT:  # an older version's copy, or another warehouse's
        old = _OPEN_COPIES.pop(next(iter(_OPEN_COPIES)))
        if old.pid != os.getpid():
            continue  # the parent's, inherited by a fork: not ours to close
        old.retired = True
        if not old.readers:
            old.connection.close()
    return kept


def _no_write_since(db: Path, published: int) -> bool:
    """Whether the copy still holds the file's data: no write since it was published, or one of ours at work.

    Our writers change the file only under the exclusive lock, and publish before they let it go; so when the file
    changed and no writer of ours holds the lock, someone wrote outside it (an admin's own DuckDB session).
    """
    if _mtime_ns(db) == published and not db.with_name(db.name + ".wal").exists():
        return True
    return writer_at_work(db)  # if so, the copy is the last commit readers may see
