"""After a write outside our tools, the server rebuilds the stale metric snapshots in the background, and
answers from the views meanwhile."""

from __future__ import annotations

import time

import duckdb
from support.factories import add_return

from dashboard.data import connection, overview
from etl import warehouse
from etl.warehouse import metrics


def _wait_until_current(path, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with warehouse.read_connection(path) as con:
            if metrics.snapshots_current(con):
                return True
        time.sleep(0.05)
    return False


def test_a_read_of_stale_snapshots_answers_from_the_views_and_rebuilds_them(warehouse_file, monkeypatch):
    monkeypatch.setenv("APTMON_WAREHOUSE", str(warehouse_file))
    add_return(warehouse_file, "VNM", 2014, [("V1", "completed", ["5.1"]), ("V2", "ongoing", ["5.2"])])
    con = duckdb.connect(str(warehouse_file))  # an admin's own DuckDB session: our writes rebuild, this one not
    con.execute("UPDATE settings SET value = 0.9 WHERE name = 'on_track_pace'")
    con.close()
    connection.clear_cache()
    with warehouse.read_connection(warehouse_file) as con:
        assert not metrics.snapshots_current(con)
    stale = overview.pillar_metrics(2014, "VNM").set_index("pillar")
    assert stale.loc["5", ["measures_covered", "measures_completed", "activities_total"]].tolist() == [2, 1, 2]
    assert _wait_until_current(warehouse_file)
    connection.clear_cache()
    fresh = overview.pillar_metrics(2014, "VNM").set_index("pillar")
    assert fresh.equals(stale)
    with warehouse.read_connection(warehouse_file) as con:
        assert metrics.metric_source(con, "metrics_pillar_country") == "metrics_pillar_country_snapshot"
