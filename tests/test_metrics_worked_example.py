"""The worked example of the metric definitions, end to end: xlsx returns -> ingest_file -> the views."""

from __future__ import annotations

import json
from datetime import date

import pytest
from support import worked_example as example

from etl import warehouse
from etl.returns.ingest import ingest_file
from etl.returns.template import template_catalogue, write_template
from etl.warehouse import metrics


def _row(activity_id: str, status: str, measure_ids: list[str], year: int) -> dict:
    # Start and end dates as the return requires them for the status.
    started = status in ("ongoing", "suspended", "completed", "cancelled")
    return {
        "activity_id": activity_id,
        "measure_ids": "; ".join(measure_ids),
        "title": f"Connectivity activity {activity_id}",
        "status": status,
        "start_date": date(year, 2, 1) if started else None,
        "end_date": date(year, 11, 30) if status == "completed" else None,
        "lead_agency": "Ministry of Public Works",
    }


def _upload(folder, warehouse_file, country: str, year: int, rows: list[dict], name: str, confirm: bool = False):
    catalogue = template_catalogue(warehouse_file)
    path = write_template(folder / name, country, year, catalogue, rows)
    return ingest_file(
        path, warehouse_file=warehouse_file, received_on=date(year + 1, 2, 15), store=False, confirm_changes=confirm
    )


@pytest.fixture(scope="module")
def example_warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worked-example")
    path = folder / "warehouse.duckdb"
    warehouse.initialise(path)
    # A first KHM 2014 version that a corrected one supersedes, and a rejected JPN upload: neither may count.
    draft = [_row("A1", "completed", ["5.5"], 2014), _row("A9", "completed", ["5.6"], 2014)]
    assert _upload(folder, path, "KHM", 2014, draft, "KHM-2014-draft.xlsx").status == "accepted"
    bad = [_row("J1", "completed", ["5.2"], 2015), _row("J7", "completed", ["5.9"], 2015)]
    assert _upload(folder, path, "JPN", 2015, bad, "JPN-2015-bad.xlsx").status == "rejected"
    for (country, year), activities in example.RETURNS.items():
        rows = [_row(activity_id, status, measures, year) for activity_id, status, measures in activities]
        # The corrected KHM 2014 takes A1 back from completed and drops A9: a correction its sender confirms.
        result = _upload(
            folder, path, country, year, rows, f"{country}-{year}.xlsx", confirm=(country, year) == ("KHM", 2014)
        )
        assert result.status == "accepted", result.issues
    return path


def test_the_returns_loaded_as_written(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        current = con.execute(
            "SELECT country, reporting_year, version FROM current_submissions ORDER BY ALL"
        ).fetchall()
        statuses = con.execute("SELECT status, count(*) FROM submissions GROUP BY ALL ORDER BY ALL").fetchall()
    assert current == [("JPN", 2015, 1), ("KHM", 2014, 2), ("KHM", 2015, 1)]
    assert statuses == [("accepted", 4), ("rejected", 1)]


def test_worked_example_table_every_row_and_column(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        assert example.pillar_5_rows(con) == example.PILLAR_5


def test_worked_example_activity_completion_rates(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        rows = con.execute(
            "SELECT as_of_year, country, activity_completion_rate FROM metrics_pillar_country"
            " WHERE pillar = '5' AND (as_of_year, country) IN ((2014, 'KHM'), (2015, 'KHM'), (2015, 'JPN'),"
            " (2015, 'ALL')) ORDER BY ALL"
        ).fetchall()
    assert rows == [(2014, "KHM", pytest.approx(1 / 3)), (2015, "ALL", 0.5), (2015, "JPN", 0.0), (2015, "KHM", 1.0)]


def test_worked_example_measure_5_2(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        row = metrics.read_metric(con, "measure_progress", as_of_year=2015, measure_id="5.2", country="ALL")
    got = row[list(example.MEASURE_5_2_ALL_2015)].iloc[0].to_dict()
    assert got == example.MEASURE_5_2_ALL_2015
    assert bool(row["covered"].iloc[0]) and bool(row["completed"].iloc[0])


def test_worked_example_reporting(example_warehouse):
    with warehouse.read_connection(example_warehouse) as con:
        rows = con.execute(
            "SELECT country, returns_expected, returns_received, returns_on_time FROM metrics_reporting"
            " WHERE as_of_year = 2015 AND country IN ('KHM', 'JPN', 'ALL') ORDER BY country"
        ).fetchall()
    assert rows == [("ALL", 39, 3, 3), ("JPN", 3, 1, 1), ("KHM", 3, 2, 2)]


@pytest.fixture(scope="module")
def scheduled_warehouse(tmp_path_factory, example_warehouse):
    """The worked example's warehouse, copied, with the second table's schedule loaded by `aptmon schedule load`."""
    import shutil

    from support.schedule_files import write_schedule
    from test_cli import run

    folder = tmp_path_factory.mktemp("worked-example-scheduled")
    path = folder / "warehouse.duckdb"
    shutil.copyfile(example_warehouse, path)
    workbook = write_schedule(folder / "schedule.xlsx", example.SCHEDULE)
    result = run("schedule", "load", str(workbook), "--json", warehouse_file=path)
    assert result.returncode == 0, result.stdout + result.stderr
    loaded = json.loads(result.stdout)
    assert (loaded["status"], loaded["version"], loaded["measures"]) == ("accepted", 1, 2)
    assert loaded["changes"] == {"previous_version": None, "changed": ["5.1", "5.6"]}
    return path


@pytest.mark.slow  # aptmon schedule load in a subprocess
def test_worked_example_with_the_schedule_every_row_and_column(scheduled_warehouse):
    with warehouse.read_connection(scheduled_warehouse) as con:
        got = example.pillar_5_rows(con, example.PILLAR_5_SCHEDULED, example.SCHEDULED_COLUMNS)
    assert got == example.PILLAR_5_SCHEDULED


@pytest.mark.slow  # aptmon schedule load in a subprocess
def test_worked_example_with_the_schedule_per_measure(scheduled_warehouse):
    with warehouse.read_connection(scheduled_warehouse) as con:
        rows = con.execute(
            "SELECT as_of_year, measure_id, country, kind, start_year, due_year, lead_countries, expected_share, "
            "engaged, in_scope, delivered, overdue FROM measure_progress "
            "WHERE measure_id IN ('5.1', '5.6') AND country IN ('ALL', 'KOR', 'KHM') AND as_of_year IN (2014, 2016) "
            "ORDER BY ALL"
        ).fetchall()
    assert rows == [
        # 5.1 recurring: delivered in 2014 (A1 ongoing in the 2014 return), not in 2016 (no 2016 return)
        (2014, "5.1", "ALL", "recurring", 2013, 2017, None, 1.0, True, True, True, False),
        (2014, "5.1", "KHM", "recurring", 2013, 2017, None, 1.0, True, True, True, False),
        (2014, "5.1", "KOR", "recurring", 2013, 2017, None, 1.0, False, False, False, False),
        (2014, "5.6", "ALL", "one-off", 2015, 2016, "JPN; KOR", 0.0, False, True, False, False),
        (2014, "5.6", "KHM", "one-off", 2015, 2016, "JPN; KOR", 0.0, False, False, False, False),
        # KOR leads 5.6: in scope with no activity
        (2014, "5.6", "KOR", "one-off", 2015, 2016, "JPN; KOR", 0.0, False, True, False, False),
        (2016, "5.1", "ALL", "recurring", 2013, 2017, None, 1.0, True, True, False, False),
        (2016, "5.1", "KHM", "recurring", 2013, 2017, None, 1.0, True, True, False, False),
        (2016, "5.1", "KOR", "recurring", 2013, 2017, None, 1.0, False, False, False, False),
        # due by 2016, J2 only suspended: overdue for ALL and for KOR, which leads it
        (2016, "5.6", "ALL", "one-off", 2015, 2016, "JPN; KOR", 1.0, True, True, False, True),
        (2016, "5.6", "KHM", "one-off", 2015, 2016, "JPN; KOR", 1.0, False, False, False, False),
        (2016, "5.6", "KOR", "one-off", 2015, 2016, "JPN; KOR", 1.0, False, True, False, True),
    ]


@pytest.mark.slow  # aptmon schedule load in a subprocess
def test_worked_example_statuses_with_the_schedule(scheduled_warehouse):
    with warehouse.read_connection(scheduled_warehouse) as con:
        rows = con.execute(
            "SELECT as_of_year, country, progress_status FROM metrics_pillar_country WHERE pillar = '5' "
            "AND (as_of_year, country) IN ((2014, 'KHM'), (2015, 'KHM'), (2014, 'KOR'), (2015, 'KOR'), (2013, 'KHM'))"
            " ORDER BY ALL"
        ).fetchall()
    assert rows == [
        (2013, "KHM", "insufficient data"),  # no 2013 return
        (2014, "KHM", "on track"),
        (2014, "KOR", "insufficient data"),
        (2015, "KHM", "on track"),
        (2015, "KOR", "insufficient data"),
    ]


def test_the_default_schedule_leaves_every_all_row_as_before(example_warehouse):
    # Under the default schedule, ALL is judged as it always was: delivered = completed, expected = time elapsed,
    # and the pace is the earlier definition's one division, (completed * 5) / (total * years elapsed), exactly.
    # Every measure is due by 2017, so only then is what is not completed overdue.
    with warehouse.read_connection(example_warehouse) as con:
        rows, differing = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT ("
            "measures_in_scope = measures_total AND measures_delivered = measures_completed "
            "AND delivery_rate = completion_rate AND expected_rate = time_elapsed "
            "AND measures_overdue = CASE WHEN as_of_year = 2017 THEN measures_total - measures_completed ELSE 0 END "
            "AND pace_index = (measures_completed * 5) / (measures_total * (as_of_year - 2012)))) "
            "FROM metrics_pillar_country WHERE country = 'ALL'"
        ).fetchone()
    assert (rows, differing) == (35, 0)
