"""The synthetic demo: every country and year through the real template and ingest path, labelled as synthetic."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from etl import warehouse
from etl.demo import returns as demo
from etl.plan.catalogue import load_catalogue

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


@pytest.mark.slow  # aptmon demo in a subprocess (the module's warehouse)
def test_demo_covers_the_countries_and_years_with_realistic_gaps(demo_warehouse):
    db, returns, stdout = demo_warehouse
    assert "1 rejected" in stdout
    # The one rejected upload is explained, in one line, as deliberate.
    explained = [line for line in stdout.splitlines() if "wrong on purpose" in line]
    assert len(explained) == 1 and f"{demo.REJECTED_FIRST[0]}-{demo.REJECTED_FIRST[1]}-first-try.xlsx" in explained[0]
    assert "(3 errors)" in explained[0]
    current = query(
        db,
        "SELECT country, reporting_year FROM submissions WHERE status = 'accepted' AND superseded_by IS NULL "
        "AND plan_id = 'apt-2013-2017'",  # the example second plan's returns are tested in test_demo_example_plan
    )
    assert len({c for c, _ in current}) == 13
    assert len(current) == 13 * 5 - len(demo.MISSING_RETURNS)
    assert not {(c, y) for c, y in current} & set(demo.MISSING_RETURNS)
    late = query(db, "SELECT count(*) FROM submissions WHERE received_on > make_date(reporting_year + 1, 3, 31)")
    assert late[0][0] >= 3


@pytest.mark.slow  # aptmon demo in a subprocess (the module's warehouse)
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


@pytest.mark.slow  # aptmon demo in a subprocess (the module's warehouse)
def test_everything_synthetic_is_labelled_so(demo_warehouse):
    db, _, _ = demo_warehouse
    assert query(db, "SELECT DISTINCT is_synthetic FROM submissions") == [(True,)]
    assert query(db, "SELECT count(*) FROM activities WHERE title NOT LIKE '[Synthetic]%'") == [(0,)]
    statuses = {s for (s,) in query(db, "SELECT DISTINCT status FROM activities")}
    assert statuses == {"planned", "ongoing", "suspended", "completed", "cancelled"}
    several = query(db, "SELECT count(*) FROM (SELECT submission_id, activity_id FROM activity_measures "
                        "GROUP BY submission_id, activity_id HAVING count(*) > 1)")  # fmt: skip
    assert several[0][0] > 50


@pytest.mark.slow  # aptmon demo in a subprocess (the module's warehouse)
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


@pytest.mark.slow  # aptmon demo in a subprocess (the module's warehouse)
def test_activity_titles_are_written_from_the_measure_they_serve(demo_warehouse):
    db, _, _ = demo_warehouse
    # Every activity's measures sit in one section, and its title carries the words of the first of them.
    sections = query(
        db,
        "SELECT count(DISTINCT m.section_id) FROM activity_measures am JOIN measures m USING (plan_id, measure_id) "
        "GROUP BY am.submission_id, am.activity_id ORDER BY 1 DESC LIMIT 1",
    )
    assert sections == [(1,)]
    titled = query(
        db,
        "SELECT a.title, list(coalesce(si.text, m.text)) FROM activities a "
        "JOIN activity_measures am USING (submission_id, activity_id) "
        "LEFT JOIN sub_items si ON si.sub_item_id = am.sub_item LEFT JOIN measures m ON m.measure_id = am.measure_id "
        "GROUP BY a.submission_id, a.activity_id, a.title",
    )
    assert len(titled) > 300
    assert "Database on" not in " ".join(t for t, _ in titled)
    for title, texts in titled:
        # "<kind of activity> to|on <the opening words of a measure or sub-item linked to it>"
        kind_and_gist = title.removeprefix(demo.SYNTHETIC_PREFIX).strip()
        opening = [" ".join(kind_and_gist.split(f" {joint} ", 1)[-1].split()[:3]).lower() for joint in ("to", "on")]
        assert any(t.lower().startswith(o) for t in texts for o in opening), (title, texts)


def test_an_energy_dialogue_measure_gets_a_dialogue_title():
    title = demo.activity_title(
        "Promote dialogue with Middle East oil and gas producing countries to enhance mutual understanding", 0
    )
    assert title in {f"{kind} to promote dialogue with Middle East oil and gas producing countries" for kind in
                     demo.ACTIONS_FOR[0][1]}  # fmt: skip
    assert demo.activity_title("technology transfer", 3, sub_item=True).endswith(" on technology transfer")


@pytest.mark.slow  # aptmon demo in a subprocess (the module's warehouse)
def test_the_demo_loads_an_example_schedule_marked_as_one(demo_warehouse):
    from etl.schedule.load import schedule_version

    db, returns, stdout = demo_warehouse
    assert "it is an example, not the Secretariat's" in stdout
    assert (returns / "demo" / "schedule" / "schedule-example.xlsx").exists()
    with warehouse.read_connection(db) as con:
        version = schedule_version(con)
        recurring, led, early = con.execute(
            "SELECT count(*) FILTER (WHERE kind = 'recurring'), count(*) FILTER (WHERE lead_countries IS NOT NULL), "
            "count(*) FILTER (WHERE kind = 'one-off' AND due_year < 2017) FROM measure_schedule"
        ).fetchone()
    assert (version.version, version.is_example, version.loaded_by, version.file_name) == (
        1,
        True,
        "demo",
        "schedule-example.xlsx",
    )
    assert "an example, not the Secretariat's schedule" in version.label
    assert recurring >= 3 and led >= 5 and early >= 5
