"""The DuckDB warehouse: where it lives, how to connect safely across processes, and its schema."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from etl.errors import AptmonError
from etl.paths import DEFAULT_WAREHOUSE
from etl.plan import catalogue as cat
from etl.plan.countries import COUNTRIES
from etl.plan.definitions import PLAN_FIRST_YEAR, PLAN_LAST_YEAR, SETTINGS
from etl.warehouse import private_files
from etl.warehouse.snapshots import (  # noqa: F401 (METRIC_VIEWS and refresh_metrics: part of the public API)
    METRIC_VIEWS,
    rebuild_stale_snapshots,
    refresh_metrics,
    snapshots_stale,
)

SQL_DIR = Path(__file__).resolve().parent / "sql"

# A reader waits this long for a writer to finish, a writer for readers and other writers.
READ_TIMEOUT_S = 20.0
WRITE_TIMEOUT_S = 60.0
_POLL_S = 0.02
# One thread of a process uses DuckDB at a time: connections of one process share one database instance, and
# DuckDB's Python client races on it (registering a frame while another thread does fails with "pandas_scan does
# not exist"). Re-entrant, as a reader may open the users table inside a callback's own read.
_in_process = threading.RLock()


class WarehouseError(AptmonError, RuntimeError):
    """The warehouse cannot be used as asked; the message says what to do."""


class WarehouseBusy(WarehouseError):
    """Another process held the warehouse for longer than we are willing to wait."""


def warehouse_path(path: str | os.PathLike | None = None) -> Path:
    """The warehouse file: the argument, else $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb."""
    return Path(path or os.environ.get("APTMON_WAREHOUSE") or DEFAULT_WAREHOUSE)


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
    with _reading_published_copy(db) as con:
        if con is not None:
            yield con
            return
    with _in_process, _lock(db, exclusive=False, timeout=READ_TIMEOUT_S):
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
    with _in_process, _lock(db, exclusive=True, timeout=WRITE_TIMEOUT_S):
        con = _open(db, read_only=False)
        # It holds every password hash and every country's returns: readable by the service's account only,
        # whatever the umask of the process that made it (an older file is made private on its next write).
        for part in (db, db.with_name(db.name + ".wal")):
            private_files.make_private(part)
        try:
            yield con
            rebuild_stale_snapshots(con)
        finally:
            try:
                con.close()
                published = _publish_copy(db)
            finally:
                # Still under the writer's lock: a reader that sees the new version reads the new data.
                _bump_version(db, published)


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


def _bump_version(db: Path, published: Path | None) -> None:
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


def _publish_copy(db: Path) -> Path | None:
    """Copy the file just closed for the readers (under a temporary name until the version names it)."""
    if db.with_name(db.name + ".wal").exists():
        return None  # not checkpointed on close: readers read the file itself, under the lock, until the next write
    temporary = db.with_name(f".{db.name}{COPY_INFIX}{os.getpid()}")
    try:
        shutil.copyfile(db, temporary)
        private_files.make_private(temporary)
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
def _reading_published_copy(db: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
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
    data = _lock_file(db, ".lock")
    try:
        fcntl.flock(data, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True  # a writer of ours is at work: the copy is the last commit readers may see
    else:
        fcntl.flock(data, fcntl.LOCK_UN)
        return False
    finally:
        os.close(data)


@contextmanager
def _lock(db: Path, exclusive: bool, timeout: float) -> Iterator[None]:
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


def _lock_file(db: Path, suffix: str) -> int:
    return os.open(db.with_name(db.name + suffix), os.O_RDWR | os.O_CREAT, private_files.PRIVATE_FILE_MODE)


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


def initialise(
    path: str | os.PathLike | None = None,
    force: bool = False,
    plan_file: Path | str = cat.DEFAULT_PLAN_FILE,
    plan_id: str = cat.DEFAULT_PLAN_ID,
) -> dict:
    """Create the schema and views, and load the catalogue; idempotent.

    With force=True the catalogue is rebuilt from the plan text; submissions stay as they are.
    Returns what was done, for the CLI to print.
    """
    plan_file = Path(plan_file)
    source = plan_file.read_bytes()
    catalogue = cat.parse_catalogue(source.decode("utf-8"), plan_id)
    sha = hashlib.sha256(source).hexdigest()
    with write_connection(path) as con:
        con.execute("BEGIN")
        try:
            con.execute(read_sql("schema.sql"))
            _allow_held_submissions(con)
            _write_settings(con)
            _write_countries(con)
            known = con.execute("SELECT source_sha256 FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
            loaded = force or known is None or known[0] != sha
            if loaded:
                _write_catalogue(con, catalogue, plan_file, sha)
            create_views(con)
            # A rebuilt catalogue is not part of the data fingerprint: rebuild the snapshots with it.
            refresh_metrics(con, force=loaded)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return {
        "warehouse": str(warehouse_path(path)),
        "plan_id": plan_id,
        "catalogue_loaded": loaded,
        "measures": len(catalogue.measures),
        "sub_items": len(catalogue.sub_items),
    }


def _allow_held_submissions(con: duckdb.DuckDBPyConnection) -> None:
    """Give a warehouse made before held uploads existed the submissions table of today's schema.

    DuckDB cannot alter a CHECK constraint, so the table is rebuilt with its rows (views bind to it by name).
    """
    checks = con.execute(
        "SELECT expression FROM duckdb_constraints() WHERE table_name = 'submissions' AND constraint_type = 'CHECK'"
    ).fetchall()
    if not any("status" in expression and "held" not in expression for (expression,) in checks):
        return
    con.execute("CREATE TEMP TABLE submissions_before AS SELECT * FROM submissions")
    con.execute("DROP TABLE submissions")
    con.execute(read_sql("schema.sql"))
    con.execute("INSERT INTO submissions SELECT * FROM submissions_before")
    con.execute("DROP TABLE submissions_before")


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every metric view from etl/warehouse/sql/, in file-name order (files start with a number)."""
    for sql_file in sorted(SQL_DIR.glob("[0-9]*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))


def refresh_snapshots(path: str | os.PathLike | None = None) -> bool:
    """Rebuild the metric snapshots if the data changed since they were built; False when that failed.

    Our own writes rebuild them as they close (write_connection); this catches up after a write made outside
    it (an admin's own DuckDB session, an older version of the tools). A failure is logged, never raised:
    readers keep reading the views, which give the same numbers.
    """
    log = logging.getLogger(__name__)
    if not warehouse_path(path).exists():  # never create an empty warehouse just to refresh it
        return False
    try:
        # Asked for by every server process that notices stale snapshots: the ones after the first find them
        # rebuilt with a read, and neither take the writer's lock nor move the data version (their caches stay).
        with read_connection(path) as con:
            if not snapshots_stale(con):
                return True
        with write_connection(path):
            pass  # a write rebuilds stale snapshots as it closes
        with read_connection(path) as con:
            return not snapshots_stale(con)
    except (duckdb.Error, WarehouseError) as exc:
        log.warning("Could not refresh the metric snapshots (readers use the views): %s", exc)
        return False


def _write_settings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM settings")
    con.executemany("INSERT INTO settings VALUES (?, ?, ?)", [(s.name, s.value, s.description) for s in SETTINGS])


def _write_countries(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM countries")
    con.executemany(
        "INSERT INTO countries VALUES (?, ?, ?, ?)", [(c.iso3, c.name, c.group, i) for i, c in enumerate(COUNTRIES, 1)]
    )


def _write_catalogue(con: duckdb.DuckDBPyConnection, catalogue: cat.Catalogue, plan_file: Path, sha: str) -> None:
    plan_id = catalogue.plan_id
    for table in ("plans", "pillars", "sections", "measures", "sub_items"):
        con.execute(f"DELETE FROM {table} WHERE plan_id = ?", [plan_id])
    con.execute(
        "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
        [plan_id, catalogue.title, PLAN_FIRST_YEAR, PLAN_LAST_YEAR, plan_file.name, sha, datetime.now()],
    )
    con.executemany(
        "INSERT INTO pillars VALUES (?, ?, ?, ?)", [(plan_id, p.pillar, p.roman, p.title) for p in catalogue.pillars]
    )
    con.executemany(
        "INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?)",
        [(plan_id, s.section_id, s.pillar, s.title, s.ordinal, s.is_direct_group) for s in catalogue.sections],
    )
    con.executemany(
        "INSERT INTO measures VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(plan_id, m.measure_id, m.pillar, m.section_id, m.parent_id, m.ordinal, m.text) for m in catalogue.measures],
    )
    con.executemany(
        "INSERT INTO sub_items VALUES (?, ?, ?, ?, ?)",
        [(plan_id, s.sub_item_id, s.measure_id, s.letter, s.text) for s in catalogue.sub_items],
    )
