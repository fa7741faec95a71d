"""The warehouse's schema version: recognising a warehouse of an earlier release and bringing it up to this one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePath

import duckdb

from etl.paths import STORED_RETURN_DEPTH, returns_dir
from etl.warehouse.errors import WarehouseError

# The schema this release writes. 1 stands for every release before versions were recorded (recognised by its
# tables, see recorded_version); 2 records its version and keeps stored returns' paths relative to returns_dir().
# A change that idempotent DDL in sql/schema.sql cannot express (a CHECK, a dropped column, rewritten values) adds
# a step to _STEPS and raises this number; tests/fixtures/schemas/ then gains the schema of the release before.
SCHEMA_VERSION = 2
LEGACY_VERSION = 1
# Every release's warehouse has these; a file without them is some other DuckDB database.
_LEGACY_TABLES = {"plans", "submissions", "users"}


class SchemaRefused(WarehouseError):
    """The file is a warehouse this release cannot use (a newer release's) or no warehouse at all."""


def base_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The names of the tables (not views, not temporary ones) of the file's main schema."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary"
    ).fetchall()
    return {name for (name,) in rows}


def recorded_version(con: duckdb.DuckDBPyConnection, db: Path) -> int | None:
    """The schema version of the open warehouse; None for an empty file. Refuses a newer or an unknown one."""
    tables = base_tables(con)
    if not tables:
        return None
    if "schema_versions" in tables:
        version = con.execute("SELECT max(version) FROM schema_versions").fetchone()[0] or LEGACY_VERSION
    elif tables >= _LEGACY_TABLES:
        version = LEGACY_VERSION
    else:
        raise SchemaRefused(
            f"{db.name} is not a warehouse of the APT Work Plan Monitor (it has no {', '.join(sorted(_LEGACY_TABLES))} "
            "tables); give --warehouse the monitor's file, or `aptmon restore` a backup."
        )
    if version > SCHEMA_VERSION:
        raise SchemaRefused(
            f"{db.name} was made by a newer release of the monitor (schema {version}; this release reads up to "
            f"{SCHEMA_VERSION}): install that release or a later one, or `aptmon restore` a backup made by this one."
        )
    return version


def upgrade(con: duckdb.DuckDBPyConnection, found: int | None, reference_ddl: str) -> bool:
    """Bring a warehouse of version `found` to SCHEMA_VERSION, inside the caller's transaction; True if it did.

    Call after sql/schema.sql ran (it adds what idempotent DDL can); `reference_ddl` is that file's text, from which
    tables whose columns or checks no longer match today's are rebuilt with every row, column by column by name.
    """
    _rebuild_changed_tables(con, reference_ddl)
    if found == SCHEMA_VERSION:
        return False
    if found is not None:
        for step in _STEPS[found - LEGACY_VERSION :]:
            step(con)
    con.execute(
        "INSERT INTO schema_versions (version, applied_at, note) VALUES (?, ?, ?)",
        [SCHEMA_VERSION, datetime.now(), "created" if found is None else f"upgraded from {found}"],
    )
    return True


def _relative_stored_paths(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: a stored return's path is relative to returns_dir(), so the data can move and be restored."""
    root = returns_dir().resolve()
    rows = con.execute("SELECT DISTINCT stored_path FROM submissions WHERE stored_path LIKE '/%'").fetchall()
    for (stored,) in rows:
        path = PurePath(stored)
        try:
            relative = Path(stored).resolve().relative_to(root).as_posix()
        except ValueError:  # kept under another folder then (the data moved since): its <country>/<year>/<file> part
            relative = PurePath(*path.parts[-STORED_RETURN_DEPTH:]).as_posix()
        con.execute("UPDATE submissions SET stored_path = ? WHERE stored_path = ?", [relative, stored])


# _STEPS[v - 1] takes a warehouse from version v to v + 1.
_STEPS = (_relative_stored_paths,)


def _rebuild_changed_tables(con: duckdb.DuckDBPyConnection, reference_ddl: str) -> None:
    """Rebuild each table whose columns or CHECK constraints differ from today's DDL, keeping every row.

    DuckDB cannot alter a CHECK constraint or drop a column others depend on, so such a table (submissions before
    held returns, users with the old lockout columns) is made again from the DDL and its rows copied by column name:
    a column the release dropped goes, a new one takes its default (never a positional INSERT ... SELECT *).
    """
    present = _shapes(con)  # read once: rebuilding one table changes no other table's shape
    for table, shape in sorted(_wanted_shapes(reference_ddl).items()):
        found = present.get(table, (frozenset(), ()))
        if found == shape:
            continue
        kept = sorted(set(_columns_of_shape(found)) & set(_columns_of_shape(shape)))
        names = ", ".join(f'"{c}"' for c in kept)
        con.execute(f'CREATE TEMP TABLE "{table}_before_upgrade" AS SELECT * FROM "{table}"')
        con.execute(f'DROP TABLE "{table}"')
        con.execute(reference_ddl)  # idempotent: makes again only the table just dropped
        con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{table}_before_upgrade"')
        con.execute(f'DROP TABLE "{table}_before_upgrade"')


def schema_differs(con: duckdb.DuckDBPyConnection, reference_ddl: str) -> bool:
    """Whether the warehouse lacks a table or column of today's DDL, or has one whose type or checks changed: a
    release that only adds to sql/schema.sql keeps SCHEMA_VERSION, and the server's start still brings it in."""
    present = _shapes(con)
    return any(present.get(table) != shape for table, shape in _wanted_shapes(reference_ddl).items())


def _wanted_shapes(reference_ddl: str) -> dict[str, tuple[frozenset, tuple[str, ...]]]:
    """Each table's columns and checks as today's DDL makes them, in a database of its own in memory."""
    reference = duckdb.connect(":memory:")
    try:
        reference.execute(reference_ddl)
        return _shapes(reference)
    finally:
        reference.close()


def _shapes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[frozenset, tuple[str, ...]]]:
    """Each base table's columns (name, type, nullable) and CHECK expressions: two catalogue queries for them all
    (one pair per table cost every worker's start about 0.1 s)."""
    tables = base_tables(con)
    columns: dict[str, set] = {table: set() for table in tables}
    checks: dict[str, list[str]] = {table: [] for table in tables}
    for table, *column in con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall():
        if table in columns:
            columns[table].add(tuple(column))
    for table, expression in con.execute(
        "SELECT table_name, expression FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND constraint_type = 'CHECK'"
    ).fetchall():
        if table in checks:
            checks[table].append(expression)
    return {table: (frozenset(columns[table]), tuple(sorted(checks[table]))) for table in tables}


def _columns_of_shape(shape: tuple[frozenset, tuple[str, ...]]) -> list[str]:
    return [name for name, _, _ in shape[0]]
