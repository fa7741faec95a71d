"""The metric snapshots: rebuilt by every write, identical to the views, never read when stale."""

from __future__ import annotations

import duckdb
import pytest
from support.factories import add_return

from etl import warehouse
from etl.warehouse import metrics


def _view_equals_snapshot(con, view: str) -> bool:
    differ = con.execute(
        f"SELECT count(*) FROM ((SELECT * FROM {view} EXCEPT ALL SELECT * FROM {view}_snapshot)"
        f" UNION ALL (SELECT * FROM {view}_snapshot EXCEPT ALL SELECT * FROM {view}))"
    ).fetchone()[0]
    return differ == 0


def test_every_write_rebuilds_the_snapshots_before_readers_see_its_data(warehouse_file):
    for year, rows in ((2014, [("A1", "completed", ["5.1"]), ("A2", "ongoing", ["1.1.1"])]),
                       (2015, [("A1", "completed", ["5.1"])])):  # fmt: skip
        add_return(warehouse_file, "KHM", year, rows)
        with warehouse.read_connection(warehouse_file) as con:
            assert metrics.snapshots_current(con)
            for view in warehouse.METRIC_VIEWS:
                assert metrics.metric_source(con, view) == f"{view}_snapshot"
                assert _view_equals_snapshot(con, view), view
            row = metrics.read_metric(con, "metrics_pillar_country", as_of_year=year, country="KHM", pillar="5")
        assert row[["measures_completed", "activities_total"]].values.tolist() == [[1, 1]]


def test_a_write_that_changes_no_metric_input_rebuilds_nothing(warehouse_file):
    add_return(warehouse_file, "KHM", 2014, [("A1", "completed", ["5.1"])])
    built = "SELECT refreshed_at FROM metrics_snapshot_state"
    with warehouse.read_connection(warehouse_file) as con:
        before = con.execute(built).fetchone()
    with warehouse.write_connection(warehouse_file) as con:
        con.execute(
            "INSERT INTO review_meetings (meeting_on, title, recorded_by, recorded_at, plan_id) "
            "VALUES (DATE '2016-06-01', 'CPR review', 'admin', now(), 'apt-2013-2017')"
        )
    with warehouse.read_connection(warehouse_file) as con:
        assert (metrics.snapshots_current(con), con.execute(built).fetchone()) == (True, before)


def test_a_write_outside_the_warehouse_module_makes_readers_use_the_views(warehouse_file):
    add_return(warehouse_file, "JPN", 2013, [("J1", "completed", ["6.1"])])
    assert warehouse.refresh_snapshots(warehouse_file)
    con = duckdb.connect(str(warehouse_file))  # e.g. an admin's own DuckDB session
    con.execute("UPDATE submissions SET status = 'rejected'")
    con.close()
    with warehouse.read_connection(warehouse_file) as con:
        assert not metrics.snapshots_current(con)
        assert metrics.metric_source(con, "metrics_reporting") == "metrics_reporting"
        row = metrics.read_metric(con, "metrics_reporting", as_of_year=2013, country="JPN")
    assert row["returns_received"].tolist() == [0]
    assert warehouse.refresh_snapshots(warehouse_file)  # the next refresh brings them up to date
    with warehouse.read_connection(warehouse_file) as con:
        assert metrics.snapshots_current(con)


def test_changing_a_setting_makes_the_snapshots_stale(warehouse_file):
    with warehouse.read_connection(warehouse_file) as con:
        assert metrics.snapshots_current(con)
    con = duckdb.connect(str(warehouse_file))
    con.execute("UPDATE settings SET value = 0.9 WHERE name = 'on_track_pace'")
    con.close()
    with warehouse.read_connection(warehouse_file) as con:
        assert not metrics.snapshots_current(con)


def test_read_metric_filters_with_lists_and_rejects_unknown_names(warehouse_file):
    with warehouse.read_connection(warehouse_file) as con:
        rows = metrics.read_metric(
            con, "metrics_pillar_country", as_of_year=[2013, 2017], country="ALL", order_by="as_of_year, pillar"
        )
        assert len(rows) == 2 * 7 and rows["as_of_year"].tolist()[:2] == [2013, 2013]
        with pytest.raises(metrics.UnknownMetric):
            metrics.read_metric(con, "submissions")
        with pytest.raises(metrics.UnknownMetric):
            metrics.read_metric(con, "metrics_reporting", colour="red")


def test_a_failed_refresh_keeps_the_write_and_readers_use_the_views(warehouse_file, caplog):
    with warehouse.write_connection(warehouse_file) as con:
        con.execute("DROP TABLE measure_progress_snapshot")
        con.execute("CREATE VIEW measure_progress_snapshot AS SELECT 1 AS broken")  # a refresh cannot replace it
    add_return(warehouse_file, "MMR", 2013, [("M1", "completed", ["2.1.1"])])
    assert "Could not rebuild the metric snapshots" in caplog.text  # the load's own rebuild, as it closed
    assert not warehouse.refresh_snapshots(warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        assert not metrics.snapshots_current(con)
        row = metrics.read_metric(con, "measure_progress", as_of_year=2013, country="MMR", measure_id="2.1.1")
    assert row["activities_completed"].tolist() == [1]


def test_init_force_rebuilds_the_snapshots_with_the_catalogue(warehouse_file):
    add_return(warehouse_file, "LAO", 2014, [("L1", "completed", ["5.1", "5.2"])])
    con = duckdb.connect(str(warehouse_file))
    con.execute("DELETE FROM measures WHERE measure_id = '5.2'")  # a hand edit of the catalogue
    con.close()
    warehouse.initialise(warehouse_file, force=True)
    with warehouse.read_connection(warehouse_file) as con:
        assert metrics.snapshots_current(con)
        for view in warehouse.METRIC_VIEWS:
            assert _view_equals_snapshot(con, view), view
        row = metrics.read_metric(con, "metrics_pillar_country", as_of_year=2014, country="LAO", pillar="5")
    assert row[["measures_total", "measures_completed"]].values.tolist() == [[6, 2]]


def test_a_refresh_never_creates_a_missing_warehouse(tmp_path):
    missing = tmp_path / "gone" / "aptmon.duckdb"
    assert not warehouse.refresh_snapshots(missing)
    assert not missing.parent.exists()
