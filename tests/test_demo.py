"""The synthetic demo: every country and year through the real template and ingest path, labelled as synthetic."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from etl import demo, warehouse
from etl.catalogue import load_catalogue

APTMON = str(Path(sys.executable).with_name("aptmon"))


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    db, returns = folder / "demo.duckdb", folder / "returns"
    env = {**os.environ, "APTMON_RETURNS_DIR": str(returns)}
    result = subprocess.run(
        [APTMON, "demo", "--warehouse", str(db)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return db, returns, result.stdout


def query(db: Path, sql: str) -> list[tuple]:
    with warehouse.read_connection(db) as con:
        return con.execute(sql).fetchall()


def test_demo_covers_the_countries_and_years_with_realistic_gaps(demo_warehouse):
    db, returns, stdout = demo_warehouse
    assert "1 rejected" in stdout
    current = query(
        db, "SELECT country, reporting_year FROM submissions WHERE status = 'accepted' AND superseded_by IS NULL"
    )
    assert len({c for c, _ in current}) == 13
    assert len(current) == 13 * 5 - len(demo.MISSING_RETURNS)
    assert not {(c, y) for c, y in current} & set(demo.MISSING_RETURNS)
    late = query(db, "SELECT count(*) FROM submissions WHERE received_on > make_date(reporting_year + 1, 3, 31)")
    assert late[0][0] >= 3


def test_demo_has_a_second_version_and_a_rejected_return_with_feedback(demo_warehouse):
    db, returns, _ = demo_warehouse
    country, year = demo.REUPLOADED
    versions = query(db, f"SELECT version, superseded_by IS NULL FROM submissions WHERE country = '{country}' "
                         f"AND reporting_year = {year} AND status = 'accepted' ORDER BY version")  # fmt: skip
    assert versions == [(1, False), (2, True)]
    rejected = query(db, "SELECT country, reporting_year, errors FROM submissions WHERE status = 'rejected'")
    assert rejected == [(*demo.REJECTED_FIRST, 3)]
    feedback = list((returns / "demo" / "feedback").glob("*-checked.xlsx"))
    assert [f.name for f in feedback] == [f"{demo.REJECTED_FIRST[0]}-{demo.REJECTED_FIRST[1]}-first-try-checked.xlsx"]
    assert len(list((returns / "demo").glob("*.xlsx"))) == 13 * 5 - len(demo.MISSING_RETURNS) + 2


def test_everything_synthetic_is_labelled_so(demo_warehouse):
    db, _, _ = demo_warehouse
    assert query(db, "SELECT DISTINCT is_synthetic FROM submissions") == [(True,)]
    assert query(db, "SELECT count(*) FROM activities WHERE title NOT LIKE '[Synthetic]%'") == [(0,)]
    statuses = {s for (s,) in query(db, "SELECT DISTINCT status FROM activities")}
    assert statuses == {"planned", "ongoing", "suspended", "completed", "cancelled"}
    several = query(db, "SELECT count(*) FROM (SELECT submission_id, activity_id FROM activity_measures "
                        "GROUP BY submission_id, activity_id HAVING count(*) > 1)")  # fmt: skip
    assert several[0][0] > 50


def test_demo_if_empty_leaves_a_filled_warehouse_alone(demo_warehouse):
    db, _, _ = demo_warehouse
    before = query(db, "SELECT count(*) FROM submissions")
    result = subprocess.run([APTMON, "demo", "--if-empty", "--warehouse", str(db)], capture_output=True, text=True)
    assert result.returncode == 0 and "already has submissions" in result.stdout
    assert query(db, "SELECT count(*) FROM submissions") == before


def test_demo_is_deterministic_for_a_seed():
    catalogue = load_catalogue()
    first = demo._plan_uploads(catalogue, random.Random(5))
    again = demo._plan_uploads(catalogue, random.Random(5))
    other = demo._plan_uploads(catalogue, random.Random(6))
    assert first == again and first != other
