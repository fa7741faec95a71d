"""Warehouses made by earlier releases (their DDL in tests/fixtures/schemas/) upgrade with every row kept."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from werkzeug.security import generate_password_hash

from etl import accounts, warehouse
from etl.cli import cli
from etl.warehouse.schema import bring_up_to_date, read_sql, views_fingerprint
from etl.warehouse.upgrade import SCHEMA_VERSION, schema_differs

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
OLD_SCHEMAS = sorted(SCHEMAS.glob("*.sql"))
PLAN = "apt-2013-2017"
PASSWORD = "an old warehouse's password 7"

# One row per table of any release, by column name: a column a release lacks is left out of its row.
SAMPLE_ROWS: dict[str, list[dict]] = {
    "submissions": [
        {
            "submission_id": 1,
            "plan_id": PLAN,
            "country": "KHM",
            "reporting_year": 2015,
            "version": 1,
            "file_name": "khm-2015.xlsx",
            "stored_path": "{returns}/KHM/2015/20151231T000000-abc-1.xlsx",
            "file_format": "xlsx",
            "sha256": "a" * 64,
            "content_sha256": "b" * 64,
            "submitted_by": "analyst-khm",
            "submitted_at": datetime(2016, 1, 5, 9, 30),
            "received_on": date(2016, 1, 5),
            "status": "accepted",
            "superseded_by": None,
            "activities": 1,
            "errors": 0,
            "warnings": 1,
            "is_synthetic": False,
        },
        {
            "submission_id": 2,
            "plan_id": PLAN,
            "country": "THA",
            "reporting_year": 2015,
            "version": None,
            "file_name": "tha.csv",
            "stored_path": "/elsewhere/old-data/returns/THA/2015/20160201T000000-def-2.csv",
            "file_format": "csv",
            "sha256": "c" * 64,
            "content_sha256": None,
            "submitted_by": "cli",
            "submitted_at": datetime(2016, 2, 1, 12, 0),
            "received_on": date(2016, 2, 1),
            "status": "rejected",
            "superseded_by": None,
            "activities": 0,
            "errors": 2,
            "warnings": 0,
            "is_synthetic": False,
        },
    ],  # fmt: skip
    "activities": [
        {
            "submission_id": 1,
            "plan_id": PLAN,
            "country": "KHM",
            "reporting_year": 2015,
            "activity_id": "KHM-001",
            "title": "Regional seminar on food security",
            "status": "ongoing",
            "start_date": date(2015, 3, 1),
            "end_date": None,
            "lead_agency": "Ministry",
            "partners": "JPN",
            "funding_source": "APT Cooperation Fund",
            "budget_usd": 12500.0,
            "description": "kept across releases",
            "source_sheet": "Activities",
            "source_row": 5,
        },
    ],  # fmt: skip
    "activity_measures": [
        {
            "submission_id": 1,
            "plan_id": PLAN,
            "country": "KHM",
            "activity_id": "KHM-001",
            "measure_id": "1.1.1",
            "sub_item": None,
        },
    ],  # fmt: skip
    "issues": [
        {
            "submission_id": 2,
            "severity": "error",
            "code": "missing-column",
            "sheet": "Activities",
            "row": 1,
            "column": "C",
            "value": None,
            "message": "The column Status is missing.",
        },
        {
            "submission_id": 1,
            "severity": "warning",
            "code": "budget-missing",
            "sheet": "Activities",
            "row": 5,
            "column": "K",
            "value": "",
            "message": "No budget.",
        },
    ],  # fmt: skip
    "users": [
        {
            "username": "old-admin",
            "password_hash": generate_password_hash(PASSWORD, method="scrypt"),
            "role": "admin",
            "country": None,
            "created_at": datetime(2015, 12, 1),
            "failed_logins": 0,
            "locked_until": None,
            "session_epoch": 3,
        },
        {
            "username": "analyst-khm",
            "password_hash": generate_password_hash(PASSWORD, method="scrypt"),
            "role": "analyst",
            "country": "KHM",
            "created_at": datetime(2015, 12, 2),
            "failed_logins": 2,
            "locked_until": None,
            "session_epoch": 0,
        },
    ],  # fmt: skip
    "schedule_loads": [
        {
            "load_id": 1,
            "plan_id": PLAN,
            "version": 1,
            "file_name": "schedule.xlsx",
            "sha256": "d" * 64,
            "loaded_by": "old-admin",
            "loaded_at": datetime(2016, 3, 1),
            "status": "accepted",
            "measures_listed": 1,
            "warnings": 0,
            "is_example": False,
        },
    ],  # fmt: skip
    "schedule_entries": [
        {
            "load_id": 1,
            "plan_id": PLAN,
            "measure_id": "1.1.1",
            "kind": "one-off",
            "start_year": 2014,
            "due_year": 2016,
            "lead_countries": ["KHM"],
            "note": "kept",
        },
    ],  # fmt: skip
    "review_meetings": [
        {
            "meeting_on": date(2016, 6, 1),
            "title": "CPR Plus Three review",
            "recorded_by": "old-admin",
            "recorded_at": datetime(2016, 6, 2),
        },
    ],  # fmt: skip
}
# What an upgrade may change: the column a release dropped, and the stored paths it makes relative.
DROPPED = {("submissions", "content_sha256"), ("users", "failed_logins"), ("users", "locked_until")}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall()
    return [name for (name,) in rows]


def build_old_warehouse(schema: Path, db: Path, returns: Path) -> dict[str, list[dict]]:
    """A warehouse made with an earlier release's DDL and filled with SAMPLE_ROWS; the rows it holds."""
    written: dict[str, list[dict]] = {}
    con = duckdb.connect(str(db))
    try:
        con.execute(schema.read_text(encoding="utf-8"))
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for table, rows in SAMPLE_ROWS.items():
            if table not in tables:
                continue
            columns = _columns(con, table)
            written[table] = []
            for row in rows:
                kept = {c: v for c, v in row.items() if c in columns}
                if isinstance(kept.get("stored_path"), str):
                    kept["stored_path"] = kept["stored_path"].format(returns=returns)
                names = ", ".join(f'"{c}"' for c in kept)
                marks = ", ".join("?" for _ in kept)
                con.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(kept.values()))
                written[table].append(kept)
        con.execute("SELECT nextval('submission_seq'), nextval('submission_seq')")  # as the two uploads did
    finally:
        con.close()
    return written


@pytest.fixture
def returns(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "returns"
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(folder))
    return folder


@pytest.mark.parametrize("schema", OLD_SCHEMAS, ids=lambda p: p.stem)
def test_a_warehouse_of_an_earlier_release_upgrades_keeping_every_row(schema, tmp_path, returns):
    db = tmp_path / "old.duckdb"
    written = build_old_warehouse(schema, db, returns)

    result = warehouse.initialise(db)

    assert result["upgraded_from"] == 1
    with warehouse.read_connection(db) as con:
        for table, rows in written.items():
            columns = [c for c in rows[0] if (table, c) not in DROPPED]
            names = ", ".join(f'"{c}"' for c in columns)
            kept = con.execute(f"SELECT {names} FROM {table} ORDER BY ALL").fetchall()
            expected = sorted(tuple(_upgraded(table, c, row[c]) for c in columns) for row in rows)
            assert sorted(kept) == expected, table
        assert con.execute("SELECT max(version) FROM schema_versions").fetchone()[0] == SCHEMA_VERSION
        assert not schema_differs(con, read_sql("schema.sql"))  # the next start has nothing left to do
        # The metric views read the old rows: KHM's activity is ongoing as of 2015, under measure 1.1.1.
        listed = con.execute(
            "SELECT status, title, measure_ids FROM activities_as_of WHERE country = 'KHM' AND as_of_year = 2015"
        ).fetchall()
        assert listed == [("ongoing", "Regional seminar on food security", "1.1.1")]
    # The old users sign in with their passwords, and new writes work.
    assert accounts.authenticate("old-admin", PASSWORD, db).ok
    assert not accounts.authenticate("old-admin", "wrong", db).ok
    accounts.add_user("new-viewer", "a new viewer's password 9", "viewer", None, db)
    assert {u.username for u in accounts.list_users(db)} == {"old-admin", "analyst-khm", "new-viewer"}


def _upgraded(table: str, column: str, value):
    """A value as the upgrade leaves it: a stored return's path becomes relative to the returns folder."""
    if (table, column) == ("submissions", "stored_path") and value:
        return "/".join(Path(value).parts[-3:])
    return value


def test_the_warehouse_of_finding_5_upgrades_through_aptmon_init(tmp_path, returns):
    """Issue 28 finding 5: `aptmon init` failed on a warehouse made before 7cb68c7 ('18 columns but 19 values')."""
    db = tmp_path / "before-7cb68c7.duckdb"
    build_old_warehouse(SCHEMAS / "2026-11-28-7cb68c7-before-held-returns-18-columns.sql", db, returns)

    run = CliRunner().invoke(cli, ["init", "--warehouse", str(db)])

    assert run.exit_code == 0, run.output
    assert "upgraded" in run.output and f"schema 1 to {SCHEMA_VERSION}" in run.output
    again = CliRunner().invoke(cli, ["init", "--warehouse", str(db)])
    assert again.exit_code == 0 and "upgraded" not in again.output


def test_an_upgrade_that_fails_changes_nothing(tmp_path, returns, monkeypatch):
    db = tmp_path / "old.duckdb"
    build_old_warehouse(SCHEMAS / "2026-11-28-f07d5da-first-release.sql", db, returns)
    before = _dump(db)

    def broken(con):
        raise RuntimeError("the upgrade stops half way")

    from etl.warehouse import upgrade

    monkeypatch.setattr(upgrade, "_STEPS", (broken,))
    with pytest.raises(RuntimeError):
        warehouse.initialise(db)
    assert _dump(db) == before


def _dump(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: (_columns(con, t), con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()) for t in tables}
    finally:
        con.close()


def test_a_newer_or_unknown_warehouse_is_refused_in_one_line(tmp_path, returns):
    newer = tmp_path / "newer.duckdb"
    warehouse.initialise(newer)
    with warehouse.write_connection(newer) as con:
        con.execute("INSERT INTO schema_versions VALUES (?, now(), 'a later release')", [SCHEMA_VERSION + 1])
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE measurements (x INTEGER)")
    con.close()

    for db, says in ((newer, "made by a newer release"), (other, "is not a warehouse of the APT Work Plan Monitor")):
        run = CliRunner().invoke(cli, ["init", "--warehouse", str(db)])
        assert run.exit_code == 2 and says in run.output and "restore" in run.output
        assert len(run.output.strip().splitlines()) == 1
    assert duckdb.connect(str(other), read_only=True).execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (1,)


def test_a_new_warehouse_records_this_release_s_version(warehouse_file):
    with warehouse.read_connection(warehouse_file) as con:
        assert con.execute("SELECT version, note FROM schema_versions").fetchall() == [(SCHEMA_VERSION, "created")]
        assert not schema_differs(con, read_sql("schema.sql"))
    assert bring_up_to_date(warehouse_file) is None


def test_a_column_today_s_ddl_adds_is_added_at_the_next_start_under_the_same_version(warehouse_file):
    """A release that only adds to schema.sql keeps the version number; the server's start still adds it."""
    with warehouse.write_connection(warehouse_file) as con:
        con.execute("ALTER TABLE submissions DROP COLUMN confirmed_by")
        assert schema_differs(con, read_sql("schema.sql"))
    assert bring_up_to_date(warehouse_file) is None  # the version stays
    with warehouse.read_connection(warehouse_file) as con:
        assert "confirmed_by" in _columns(con, "submissions") and not schema_differs(con, read_sql("schema.sql"))


def test_views_and_macros_of_another_release_are_made_again_at_the_next_start(warehouse_file):
    """A release that changes only a view or a macro keeps the schema; the server's start still brings them in, so a
    page never calls a macro by a signature the warehouse no longer has."""
    with warehouse.write_connection(warehouse_file) as con:
        # An earlier release's macro: no plan argument.
        con.execute(
            "CREATE OR REPLACE MACRO measures_not_taken_up(as_of, only_pillar) AS TABLE SELECT 0 AS not_taken_up"
        )
        con.execute("UPDATE view_definitions SET fingerprint = 'an earlier release'")
        assert not schema_differs(con, read_sql("schema.sql"))
    assert bring_up_to_date(warehouse_file) is None  # the version stays
    with warehouse.read_connection(warehouse_file) as con:
        assert con.execute("SELECT fingerprint FROM view_definitions").fetchall() == [(views_fingerprint(),)]
        counts = con.execute("SELECT * FROM measures_not_taken_up(?, 2015, NULL)", [PLAN]).fetchall()
        measures = con.execute("SELECT count(*) FROM measures WHERE plan_id = ?", [PLAN]).fetchone()[0]
    assert counts == [(measures, measures)]  # no returns: no measure taken up


def test_each_worker_s_start_upgrades_an_earlier_release_s_warehouse(tmp_path, returns, monkeypatch):
    from dashboard import start_up
    from dashboard.app import create_app

    db = tmp_path / "old.duckdb"
    build_old_warehouse(SCHEMAS / "2026-12-06-4cfc293-before-schema-versions.sql", db, returns)
    create_app(db)

    assert start_up.prepare_warehouse() is True

    with warehouse.read_connection(db) as con:
        assert con.execute("SELECT max(version) FROM schema_versions").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == len(SAMPLE_ROWS["submissions"])


def test_aptmon_serve_refuses_a_newer_warehouse_in_one_line(tmp_path, returns, monkeypatch):
    from support.server import free_port

    def started(*_args):
        raise AssertionError("aptmon serve started gunicorn over a newer release's warehouse")

    monkeypatch.setattr("os.execv", started)  # had it gone on, this test's own process would have become the server

    newer = tmp_path / "newer.duckdb"
    warehouse.initialise(newer)
    with warehouse.write_connection(newer) as con:
        con.execute("INSERT INTO schema_versions VALUES (?, now(), 'a later release')", [SCHEMA_VERSION + 1])

    run = CliRunner().invoke(cli, ["serve", "--port", str(free_port()), "--warehouse", str(newer)])

    assert run.exit_code == 2 and "made by a newer release" in run.output
    assert len(run.output.strip().splitlines()) == 1
