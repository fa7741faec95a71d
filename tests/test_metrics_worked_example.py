"""The worked example of the metric definitions, end to end: xlsx returns -> ingest_file -> the views."""

from __future__ import annotations

from datetime import date

import pytest
import worked_example as example

from etl import metrics, warehouse
from etl.ingest import ingest_file
from etl.template import template_catalogue, write_template


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
