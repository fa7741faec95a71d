"""The warehouse's schema: its tables and metric views from sql/, and the settings, countries and catalogue in it."""

from __future__ import annotations

import functools
import hashlib
import os
from datetime import datetime
from pathlib import Path

import duckdb

from etl.plan import catalogue as cat
from etl.plan.countries import COUNTRIES
from etl.plan.definitions import SETTINGS
from etl.plan.plans import SEED_PLAN, PlanEntry
from etl.warehouse import upgrade
from etl.warehouse.connection import read_connection, write_connection
from etl.warehouse.location import warehouse_path
from etl.warehouse.snapshots import refresh_metrics

SQL_DIR = Path(__file__).resolve().parent / "sql"


def initialise(path: str | os.PathLike | None = None, force: bool = False, plan: PlanEntry = SEED_PLAN) -> dict:
    """Create the schema and views, and load the seed plan's catalogue; idempotent.

    With force=True the catalogue is rebuilt from the plan text; submissions stay as they are. Other plans
    (`aptmon plan add`) are left as they are. Returns what was done, for the CLI to print.
    """
    plan_id = plan.plan_id
    plan_file = Path(plan.source)
    source = plan_file.read_bytes()
    catalogue = cat.parse_catalogue(source.decode("utf-8"), plan_id)
    sha = hashlib.sha256(source).hexdigest()
    with write_connection(path) as con:
        con.execute("BEGIN")
        try:
            # A warehouse of an earlier release is upgraded in this same transaction: all of it, or none.
            found = upgrade.recorded_version(con, warehouse_path(path))
            ddl = read_sql("schema.sql")
            con.execute(ddl)
            upgraded = upgrade.upgrade(con, found, ddl)
            _write_settings(con)
            _write_countries(con)
            known = con.execute("SELECT source_sha256 FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
            loaded = force or known is None or known[0] != sha
            if loaded:
                write_catalogue(con, catalogue, plan, plan_file.name, sha)
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
        "upgraded_from": found if upgraded and found is not None else None,
        "measures": len(catalogue.measures),
        "sub_items": len(catalogue.sub_items),
    }


def bring_up_to_date(path: str | os.PathLike | None = None) -> int | None:
    """Upgrade a warehouse of an earlier release, or one that lacks what today's DDL adds or holds other view
    definitions (the server's start calls this); the version it had, if its version was raised.

    Raises upgrade.SchemaRefused for a newer release's warehouse or a file that is none; does nothing to a current one.
    """
    db = warehouse_path(path)
    if not db.exists():
        return None
    with read_connection(db) as con:
        found = upgrade.recorded_version(con, db)
        stale = found is not None and (upgrade.schema_differs(con, read_sql("schema.sql")) or _views_differ(con))
    if found is None or (found == upgrade.SCHEMA_VERSION and not stale):
        return None
    return initialise(db)["upgraded_from"]


def read_sql(name: str) -> str:
    """The text of one file of etl/warehouse/sql/."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every metric view from etl/warehouse/sql/, in file-name order (files start with a number), and
    record which definitions the warehouse now holds."""
    for sql_file in _view_files():
        con.execute(sql_file.read_text(encoding="utf-8"))
    con.execute("DELETE FROM view_definitions")
    con.execute(
        "INSERT INTO view_definitions (fingerprint, created_at) VALUES (?, ?)", [views_fingerprint(), datetime.now()]
    )


@functools.cache
def views_fingerprint() -> str:
    """The SHA-256 of this release's view and macro definitions, file names and texts in order."""
    digest = hashlib.sha256()
    for sql_file in _view_files():
        digest.update(sql_file.name.encode() + b"\0" + sql_file.read_bytes() + b"\0")
    return digest.hexdigest()


def _view_files() -> list[Path]:
    return sorted(SQL_DIR.glob("[0-9]*.sql"))


def _views_differ(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds the views and macros of another release (a page would call one by a signature
    it no longer has): these are not tables, so the schema comparison does not see them."""
    recorded = con.execute("SELECT max(fingerprint) FROM view_definitions").fetchone()[0]
    return recorded != views_fingerprint()


def _write_settings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM settings")
    con.executemany(
        "INSERT INTO settings (name, value, description) VALUES (?, ?, ?)",
        [(s.name, s.value, s.description) for s in SETTINGS],
    )


def _write_countries(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM countries")
    con.executemany(
        "INSERT INTO countries (iso3, name, country_group, ordinal) VALUES (?, ?, ?, ?)",
        [(c.iso3, c.name, c.group, i) for i, c in enumerate(COUNTRIES, 1)],
    )


def write_catalogue(
    con: duckdb.DuckDBPyConnection,
    catalogue: cat.Catalogue,
    plan: PlanEntry,
    source_name: str,
    sha: str,
    is_example: bool | None = None,
) -> None:
    """Write one plan's row and catalogue, replacing what the warehouse held for that plan id (caller's transaction).

    is_example None keeps what the plan was (a rebuilt seed catalogue stays official)."""
    plan_id = catalogue.plan_id
    if is_example is None:
        known = con.execute("SELECT coalesce(is_example, false) FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
        is_example = bool(known and known[0])
    for table in ("plans", "pillars", "sections", "measures", "sub_items"):
        con.execute(f"DELETE FROM {table} WHERE plan_id = ?", [plan_id])
    con.execute(
        "INSERT INTO plans (plan_id, title, start_year, end_year, source_file, source_sha256, loaded_at, is_example)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [plan_id, plan.title or catalogue.title, plan.first_year, plan.last_year, source_name, sha, datetime.now(),
         is_example],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO pillars (plan_id, pillar, roman, title) VALUES (?, ?, ?, ?)",
        [(plan_id, p.pillar, p.roman, p.title) for p in catalogue.pillars],
    )
    con.executemany(
        "INSERT INTO sections (plan_id, section_id, pillar, title, ordinal, is_direct_group) VALUES (?, ?, ?, ?, ?, ?)",
        [(plan_id, s.section_id, s.pillar, s.title, s.ordinal, s.is_direct_group) for s in catalogue.sections],
    )
    con.executemany(
        "INSERT INTO measures (plan_id, measure_id, pillar, section_id, parent_id, ordinal, text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(plan_id, m.measure_id, m.pillar, m.section_id, m.parent_id, m.ordinal, m.text) for m in catalogue.measures],
    )
    if catalogue.sub_items:  # executemany refuses an empty list, and a plan may have no sub-items
        con.executemany(
            "INSERT INTO sub_items (plan_id, sub_item_id, measure_id, letter, text) VALUES (?, ?, ?, ?, ?)",
            [(plan_id, s.sub_item_id, s.measure_id, s.letter, s.text) for s in catalogue.sub_items],
        )
