"""Fixtures of the hostile suite (a plugin, not a conftest: one conftest module name serves the whole tests folder)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl import warehouse
from etl.returns.ingest import ingest_file
from support.hostile.bounded_run import BoundedRun, run_bounded
from support.hostile.corpus import BASELINE_ROWS, baseline_xlsx
from support.return_files import write_csv, write_xlsx

APTMON = str(Path(sys.executable).with_name("aptmon"))
RECORD_TABLES = ("submissions", "activities", "activity_measures", "issues")


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> Path:
    """Where the corpus files are written (each built once, on first use)."""
    return tmp_path_factory.mktemp("hostile-corpus")


@pytest.fixture(scope="session")
def template_warehouse(tmp_path_factory, hostile_dir) -> Path:
    """A warehouse holding three accepted returns (the baseline Cambodia 2015 among them), built once."""
    folder = tmp_path_factory.mktemp("hostile-template")
    db = folder / "template.duckdb"
    warehouse.initialise(db)
    before = os.environ.get("APTMON_RETURNS_DIR")
    os.environ["APTMON_RETURNS_DIR"] = str(folder / "returns")
    try:
        results = [
            ingest_file(baseline_xlsx(hostile_dir.joinpath), warehouse_file=db),
            ingest_file(
                write_csv(folder / "vnm.csv", [["VNM-1", "2.7.10", "Energy forum", "Completed", "2014-01-01",
                                               "2014-06-30"]]),
                warehouse_file=db, country="VNM", year=2014,
            ),
            ingest_file(write_xlsx(folder / "tha.xlsx", [["THA-1", "5.1", "Study", "Ongoing", "2016-02-01"]],
                                   country="Thailand", year=2016), warehouse_file=db),
        ]  # fmt: skip
    finally:
        if before is None:
            os.environ.pop("APTMON_RETURNS_DIR", None)
        else:
            os.environ["APTMON_RETURNS_DIR"] = before
    assert [r.status for r in results] == ["accepted"] * 3, [r.issues for r in results]
    assert results[0].activities == len(BASELINE_ROWS)
    return db


@pytest.fixture(scope="session")
def baseline_export(template_warehouse, tmp_path_factory) -> dict[str, str]:
    return exported_tables(template_warehouse, tmp_path_factory.mktemp("baseline-export"))


@pytest.fixture
def fresh_warehouse(template_warehouse, tmp_path) -> Path:
    """A private copy of the template (a file copy, far cheaper than loading again)."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(template_warehouse, db)
    return db


@pytest.fixture
def returns_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "returns"
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(folder))
    return folder


def run_aptmon(*args: str, returns: Path) -> BoundedRun:
    """`aptmon` from the venv's console script, as a child process held to the time limit and measured."""
    env = {**os.environ, "APTMON_RETURNS_DIR": str(returns)}
    env.pop("APTMON_DEBUG", None)
    return run_bounded([APTMON, *args], env=env)


def exported_tables(db: Path, folder: Path) -> dict[str, str]:
    """Every table of the CSV export (metric views, activities, catalogue) as text."""
    try:
        from etl.outputs.export import export
    except ImportError:  # the export module is not there: dump the metric views directly
        return _dump_metric_views(db)
    export(folder, warehouse_file=db, output_format="csv")
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}


def _dump_metric_views(db: Path) -> dict[str, str]:
    # Through the warehouse's lock: an upload page may be rebuilding the metric snapshots in the background.
    with warehouse.read_connection(db) as con:
        return {
            view: con.execute(f"SELECT * FROM {view} ORDER BY ALL").df().to_csv(index=False)
            for view in warehouse.METRIC_VIEWS
        }


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with warehouse.read_connection(db) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def new_records(fresh_warehouse) -> Iterator:
    """A function giving the rows each record table gained since the test started, each as {column: value}."""
    before = {t: set(query(fresh_warehouse, f"SELECT * FROM {t}")) for t in RECORD_TABLES}
    names = {t: [row[0] for row in query(fresh_warehouse, f"DESCRIBE {t}")] for t in RECORD_TABLES}

    def added() -> dict[str, list[dict]]:
        return {
            t: [
                dict(zip(names[t], row, strict=True))
                for row in sorted(set(query(fresh_warehouse, f"SELECT * FROM {t}")) - before[t], key=str)
            ]
            for t in RECORD_TABLES
        }

    yield added
