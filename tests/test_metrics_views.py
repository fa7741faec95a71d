"""The metric views on returns written straight into the tables: each rule of the definitions."""

from __future__ import annotations

from datetime import date

import pytest
from support import worked_example as example
from support.factories import add_return

from etl import warehouse


def _one(warehouse_file, sql: str, params: list | None = None):
    with warehouse.read_connection(warehouse_file) as con:
        return con.execute(sql, params or []).fetchone()


@pytest.fixture(scope="module")
def example_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("example") / "warehouse.duckdb"
    warehouse.initialise(path)
    for (country, year), activities in example.RETURNS.items():
        add_return(path, country, year, activities)
    return path


def test_activity_keeps_its_last_status_and_cancelled_drops_out(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        rows = con.execute(
            "SELECT activity_id, reporting_year, status FROM activity_status"
            " WHERE as_of_year = 2017 AND country = 'KHM' ORDER BY activity_id"
        ).fetchall()
        linked = con.execute(
            "SELECT DISTINCT activity_id FROM activity_measure_status WHERE as_of_year = 2017 AND country = 'KHM'"
            " ORDER BY 1"
        ).fetchall()
    assert rows == [("A1", 2015, "completed"), ("A2", 2014, "completed"), ("A3", 2015, "cancelled")]
    assert linked == [("A1",), ("A2",)]


def test_nothing_exists_before_its_first_return(example_warehouse):
    row = _one(
        example_warehouse,
        "SELECT measures_covered, activities_total, reporting_rate, progress_status FROM metrics_pillar_country"
        " WHERE as_of_year = 2013 AND country = 'ALL' AND pillar = 'ALL'",
    )
    assert row == (0, 0, 0.0, "insufficient data")


def test_section_of_direct_measures_equals_its_pillar(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        section = con.execute(
            "SELECT * EXCLUDE (section_id) FROM metrics_section_country WHERE section_id = '5.0' ORDER BY ALL"
        ).fetchall()
        pillar = con.execute(
            "SELECT * EXCLUDE (pillar) FROM metrics_pillar_country WHERE pillar = '5' ORDER BY ALL"
        ).fetchall()
    assert section == pillar and len(section) == 5 * 14


def test_scopes_and_row_counts(warehouse_file):
    with warehouse.read_connection(warehouse_file) as con:
        counts = {
            view: con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
            for view in ("measure_progress", "metrics_pillar_country", "metrics_section_country", "metrics_reporting")
        }
        sections = con.execute("SELECT count(*) FROM sections").fetchone()[0]
        pillars = con.execute("SELECT DISTINCT pillar FROM metrics_pillar_country ORDER BY 1").fetchall()
        years = con.execute("SELECT DISTINCT as_of_year FROM metrics_reporting ORDER BY 1").fetchall()
    assert counts == {
        "measure_progress": 5 * 183 * 14,
        "metrics_pillar_country": 5 * 7 * 14,
        "metrics_section_country": 5 * sections * 14,
        "metrics_reporting": 5 * 14,
    }
    assert [p for (p,) in pillars] == ["1", "2", "3", "4", "5", "6", "ALL"]
    assert [y for (y,) in years] == [2013, 2014, 2015, 2016, 2017]


def test_superseded_rejected_and_unchanged_uploads_never_count(warehouse_file):
    add_return(warehouse_file, "THA", 2013, [("T1", "completed", ["1.1.1"])])
    add_return(warehouse_file, "THA", 2013, [("T1", "ongoing", ["1.1.2"])])  # supersedes the first
    add_return(warehouse_file, "THA", 2013, [("T9", "completed", ["1.1.3"])], status="rejected")
    add_return(warehouse_file, "THA", 2014, [("T8", "completed", ["1.1.4"])], status="rejected")
    add_return(warehouse_file, "THA", 2013, [("T7", "completed", ["1.1.5"])], status="unchanged")
    with warehouse.read_connection(warehouse_file) as con:
        covered = con.execute(
            "SELECT measure_id, activities_total, activities_completed FROM measure_progress"
            " WHERE as_of_year = 2017 AND country = 'THA' AND activities_total > 0"
        ).fetchall()
        reporting = con.execute(
            "SELECT returns_expected, returns_received, reporting_rate FROM metrics_reporting"
            " WHERE as_of_year = 2014 AND country = 'THA'"
        ).fetchone()
    assert covered == [("1.1.2", 1, 0)]
    assert reporting == (2, 1, 0.5)


def test_sub_items_count_for_their_measure_once(warehouse_file):
    add_return(warehouse_file, "PHL", 2016, [("P1", "completed", ["3.1.2(a)", "3.1.2(b)", "3.1.1"])])
    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(
            "SELECT measure_id, activities_total, activities_completed FROM measure_progress"
            " WHERE as_of_year = 2016 AND country = 'PHL' AND activities_total > 0 ORDER BY 1"
        ).fetchall()
        pillar = con.execute(
            "SELECT measures_covered, measures_completed, activities_total FROM metrics_pillar_country"
            " WHERE as_of_year = 2016 AND country = 'PHL' AND pillar = '3'"
        ).fetchone()
    assert rows == [("3.1.1", 1, 1), ("3.1.2", 1, 1)]
    assert pillar == (2, 2, 1)


def test_timeliness_uses_the_first_accepted_version_and_the_deadline(warehouse_file):
    add_return(warehouse_file, "VNM", 2013, [("V1", "ongoing", ["2.1.1"])], received_on=date(2014, 3, 31))
    add_return(warehouse_file, "VNM", 2013, [("V1", "completed", ["2.1.1"])], received_on=date(2014, 9, 1))
    add_return(warehouse_file, "VNM", 2014, [("V1", "completed", ["2.1.1"])], received_on=date(2015, 4, 1))
    add_return(warehouse_file, "SGP", 2013, [("S1", "ongoing", ["2.1.1"])], received_on=date(2014, 1, 15))
    with warehouse.read_connection(warehouse_file) as con:
        vnm = con.execute(
            "SELECT returns_expected, returns_received, returns_on_time, on_time_rate FROM metrics_reporting"
            " WHERE as_of_year = 2015 AND country = 'VNM'"
        ).fetchone()
        every = con.execute(
            "SELECT returns_expected, returns_received, returns_on_time FROM metrics_reporting"
            " WHERE as_of_year = 2015 AND country = 'ALL'"
        ).fetchone()
    assert vnm == (3, 2, 1, pytest.approx(1 / 3))
    assert every == (39, 3, 2)


def test_deadline_is_read_from_settings(warehouse_file):
    add_return(warehouse_file, "VNM", 2013, [("V1", "ongoing", ["2.1.1"])], received_on=date(2014, 4, 20))
    query = "SELECT returns_on_time FROM metrics_reporting WHERE as_of_year = 2013 AND country = 'VNM'"
    assert _one(warehouse_file, query) == (0,)
    with warehouse.write_connection(warehouse_file) as con:
        con.execute("UPDATE settings SET value = 4 WHERE name = 'deadline_month'")
        con.execute("UPDATE settings SET value = 30 WHERE name = 'deadline_day'")
    assert _one(warehouse_file, query) == (1,)


@pytest.mark.parametrize(
    ("completed", "reporting_years", "status"),
    [
        # KOR works on all 6 measures of pillar 5; 5 of them done by 2017: pace 0.8333.
        (5, 5, "acceleration needed"),
        (6, 5, "on track"),
        (3, 5, "limited progress"),  # pace 0.5
        (6, 2, "insufficient data"),  # 2 of 5 returns: reporting rate 0.4
    ],
)
def test_progress_status_bands(warehouse_file, completed, reporting_years, status):
    done = [(f"K{i}", "completed" if i <= completed else "ongoing", [f"5.{i}"]) for i in range(1, 7)]
    for year in range(2017 - reporting_years + 1, 2018):
        add_return(warehouse_file, "KOR", year, done)
    row = _one(
        warehouse_file,
        "SELECT measures_in_scope, measures_delivered, progress_status FROM metrics_pillar_country"
        " WHERE as_of_year = 2017 AND country = 'KOR' AND pillar = '5'",
    )
    assert row == (6, completed, status)


def test_a_country_is_judged_on_the_measures_it_took_up(warehouse_file):
    # Two measures of pillar 5 taken up, one completed: half delivered against 0.4 expected as of 2014.
    for year in (2013, 2014):
        add_return(warehouse_file, "KHM", year, [("K1", "completed", ["5.1"]), ("K2", "planned", ["5.2"])])
    row = _one(
        warehouse_file,
        "SELECT measures_total, measures_in_scope, delivery_rate, expected_rate, pace_index, progress_status "
        "FROM metrics_pillar_country WHERE as_of_year = 2014 AND country = 'KHM' AND pillar = '5'",
    )
    assert row == (6, 2, 0.5, 0.4, 1.25, "on track")


def test_a_reporting_country_with_nothing_in_scope_has_no_commitments(warehouse_file):
    # MMR reports every year, but nothing under pillar 6: no measure of it is in scope, so no pace either.
    for year in range(2013, 2016):
        add_return(warehouse_file, "MMR", year, [("M1", "ongoing", ["5.1"])])
    row = _one(
        warehouse_file,
        "SELECT measures_in_scope, delivery_rate, expected_rate, pace_index, progress_status "
        "FROM metrics_pillar_country WHERE as_of_year = 2015 AND country = 'MMR' AND pillar = '6'",
    )
    assert row == (0, None, None, None, "no commitments")


def test_pace_exactly_at_a_threshold_is_on_it(warehouse_file):
    # As of 2014 (time elapsed 0.4), 2 of 6 measures done: pace 0.8333; 3 of 6 would be 1.25.
    # Pillar 6 has 7 measures: as of 2017, 7 done gives exactly 1.0, at or above 0.95.
    for year in range(2013, 2018):
        add_return(warehouse_file, "CHN", year, [(f"C{i}", "completed", [f"6.{i}"]) for i in range(1, 8)])
    row = _one(
        warehouse_file,
        "SELECT pace_index, progress_status FROM metrics_pillar_country"
        " WHERE as_of_year = 2017 AND country = 'CHN' AND pillar = '6'",
    )
    assert row == (1.0, "on track")
