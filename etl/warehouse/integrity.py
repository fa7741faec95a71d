"""Whether the warehouse and the stored returns are whole: every block read back, every file against its SHA-256."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.paths import stored_return_path
from etl.warehouse.location import warehouse_path
from etl.warehouse.locks import file_lock, process_lock

# The tables every page and the sign-in read: small, so the dashboard reads them all back once per data version.
FIRST_READ_TABLES = ("plans", "pillars", "sections", "measures", "sub_items", "countries", "settings", "users")
# What DuckDB says of a file it cannot read (a block overwritten, the file cut short, not a database at all), as
# against a mistake in a query: only these mean the data is damaged.
_DAMAGE_SIGNS = (
    "corrupt",
    "checksum",
    "could not read",
    "not a valid duckdb database",
    "io error",
    "serialization",
    "the file is not a valid",
    "truncated",
)
_CHUNK = 1024 * 1024
# `aptmon serve` reads the whole warehouse back once before the workers start (too slow for each worker: 2 s for a
# million activities) and names here the data version it found damaged; workers show the unreadable page for it.
DAMAGED_VERSION_ENV = "APTMON_DAMAGED_VERSION"
READ_TIMEOUT_S = 20.0


@dataclass
class Finding:
    """One thing found wrong: what (the warehouse, a table, a stored return) and how."""

    what: str
    problem: str

    def __str__(self) -> str:
        return f"{self.what}: {self.problem}"


def open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """The file opened read-only for reading back, without a progress bar (a setting of the session, not of the
    database: a global one is refused when this process already has the file open with other settings)."""
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    return con


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error says the file itself cannot be read (rather than a query being wrong)."""
    if isinstance(exc, duckdb.IOException | duckdb.SerializationException):
        return True
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(sign in text for sign in _DAMAGE_SIGNS)


def first_line(exc: BaseException) -> str:
    """An error's first line, without the file's path (it may reach people who need not know where data lives)."""
    text = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
    return text.split(' from file "')[0].split(" from file ")[0]


def read_back(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] | None = None) -> list[Finding]:
    """Read every value of the given tables (all of them by default): DuckDB checks each block's checksum on read."""
    if tables is None:
        tables = _table_names(con)
    findings = []
    for table in tables:
        try:
            # hash() of every column touches every value: count(*) alone would read no data block.
            con.execute(f'SELECT count(*), max(hash(COLUMNS(*))) FROM "{table}"').fetchall()
        except duckdb.CatalogException:
            continue  # a table this release's warehouse does not have yet (it is made by `aptmon init`)
        except duckdb.Error as exc:
            if not is_damage(exc):
                raise
            findings.append(Finding(f"table {table}", first_line(exc)))
    return findings


@dataclass
class Report:
    """What `aptmon check` found: how many tables and stored files it read, and everything wrong."""

    tables: int
    files: int
    findings: list[Finding]


def check(path: str | os.PathLike | None = None) -> Report:
    """Open the warehouse file itself (not a readers' copy), read back every table, then check every stored return."""
    db = warehouse_path(path)
    if not db.exists():
        return Report(0, 0, [Finding(db.name, "there is no warehouse file here")])
    with process_lock, file_lock(db, exclusive=False, timeout=READ_TIMEOUT_S):
        try:
            con = open_read_only(db)
        except duckdb.Error as exc:
            return Report(0, 0, [Finding(db.name, f"cannot be opened: {first_line(exc)}")])
        try:
            tables = _table_names(con)
            findings = read_back(con, tables)
            try:
                files, stored = verify_stored_returns(con)
            except duckdb.Error as exc:
                if not is_damage(exc):
                    raise
                files, stored = 0, [Finding("the upload log", f"cannot be read: {first_line(exc)}")]
            return Report(len(tables), files, findings + stored)
        finally:
            con.close()


def check_tables(path: str | os.PathLike | None = None) -> list[Finding]:
    """check() without the stored returns: every table of the warehouse file read back."""
    db = warehouse_path(path)
    with process_lock, file_lock(db, exclusive=False, timeout=READ_TIMEOUT_S):
        try:
            con = open_read_only(db)
        except duckdb.Error as exc:
            return [Finding(db.name, f"cannot be opened: {first_line(exc)}")]
        try:
            return read_back(con)
        finally:
            con.close()


def _table_names(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    return tuple(
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
        ).fetchall()
    )


def verify_stored_returns(con: duckdb.DuckDBPyConnection) -> tuple[int, list[Finding]]:
    """Every stored return the log names, against the SHA-256 recorded when it arrived: (files checked, findings)."""
    rows = con.execute(
        "SELECT submission_id, stored_path, sha256 FROM submissions WHERE stored_path IS NOT NULL ORDER BY 1"
    ).fetchall()
    findings = []
    for submission_id, stored, recorded in rows:
        what = f"submission {submission_id} ({stored})"
        try:
            digest = file_sha256(stored_return_path(stored))
        except FileNotFoundError:
            findings.append(Finding(what, "the stored file is missing"))
            continue
        except OSError as exc:
            findings.append(Finding(what, f"the stored file cannot be read: {exc.strerror or exc}"))
            continue
        if digest != recorded:
            findings.append(Finding(what, "the stored file differs from the one received (SHA-256 mismatch)"))
    return len(rows), findings


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
