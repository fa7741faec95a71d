"""A write to one plan rebuilds that plan's snapshot rows only: every other plan's rows stay byte for byte, and every
snapshot still holds exactly its view's rows, in the view's order."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from support.factories import add_return

from etl import warehouse
from etl.cli import cli
from etl.warehouse import metrics
from etl.warehouse.snapshots import LISTING_VIEWS, METRIC_VIEWS, SNAPSHOT_SUFFIX, refresh_metrics

EXAMPLE = Path(__file__).parent / "plan_texts" / "example-2018-2022.txt"
SEED, LATER = "apt-2013-2017", "ex-2018-2022"
SNAPSHOT_VIEWS = (*METRIC_VIEWS, *LISTING_VIEWS)


def aptmon(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def two_plans(warehouse_file, tmp_path):
    """The seed plan and a later one, a crosswalk between them (the template's suggestions: the later plan's 1.1.1
    continues the seed plan's 1.1.2), and returns in both."""
    aptmon("plan", "add", EXAMPLE, "--id", LATER, "--years", "2018-2022", "--warehouse", warehouse_file)
    crosswalk = tmp_path / "crosswalk.xlsx"
    aptmon("plan", "crosswalk", "template", "--from", SEED, "--to", LATER, "-o", crosswalk,
           "--warehouse", warehouse_file)  # fmt: skip
    aptmon("plan", "crosswalk", "load", crosswalk, "--warehouse", warehouse_file)
    add_return(warehouse_file, "KHM", 2014, [("K1", "completed", ["5.1"]), ("K2", "cancelled", ["1.1.2"]),
                                             ("K3", "ongoing", ["1.1.1", "1.1.3"])])  # fmt: skip
    add_return(warehouse_file, "KHM", 2015, [("K1", "completed", ["5.1"]), ("K3", "cancelled", ["1.1.1"])])
    add_return(warehouse_file, "JPN", 2018, [("J1", "ongoing", ["1.1.1"]), ("J2", "cancelled", ["2.1.1"])],
               plan_id=LATER)  # fmt: skip
    return warehouse_file


def _rows_of(con, plan_id: str) -> dict[str, list[tuple]]:
    """Each snapshot's rows of one plan, in the table's own order (a measure link's plan is its upload's)."""
    of_plan = {view: "plan_id = ?" for view in SNAPSHOT_VIEWS}
    of_plan["measure_link_spans"] = "submission_id IN (SELECT submission_id FROM submissions WHERE plan_id = ?)"
    return {
        view: con.execute(f"SELECT * FROM {view}{SNAPSHOT_SUFFIX} WHERE {of_plan[view]}", [plan_id]).fetchall()
        for view in SNAPSHOT_VIEWS
    }


def _assert_snapshots_are_the_views(con) -> None:
    for view in METRIC_VIEWS + ("carried_over",):
        # Ordered by plan first like their views: the whole table, row for row and in order.
        snapshot = con.execute(f"SELECT * FROM {view}{SNAPSHOT_SUFFIX}").fetchall()
        assert snapshot == con.execute(f"SELECT * FROM {view}").fetchall(), view
    # In measure order, which does not order the rows of one measure: the same rows.
    snapshot = con.execute(f"SELECT * FROM measure_link_spans{SNAPSHOT_SUFFIX} ORDER BY ALL").fetchall()
    assert snapshot == con.execute("SELECT * FROM measure_link_spans ORDER BY ALL").fetchall()


def test_a_return_for_one_plan_leaves_every_other_plans_rows_as_they_were(two_plans):
    with warehouse.read_connection(two_plans) as con:
        assert metrics.snapshots_current(con)
        seed_before = _rows_of(con, SEED)
        later_before = _rows_of(con, LATER)
    # 5.1 is delivered (K1 completed): the other 182 measures are carried over, in each of the later plan's 5 years
    assert len(seed_before["measure_link_spans"]) == 6 and len(later_before["carried_over"]) == 5 * 182

    add_return(two_plans, "JPN", 2019, [("J1", "completed", ["1.1.1"])], plan_id=LATER)
    with warehouse.read_connection(two_plans) as con:
        assert metrics.snapshots_current(con)
        assert _rows_of(con, SEED) == seed_before
        assert _rows_of(con, LATER) != later_before
        _assert_snapshots_are_the_views(con)
        # the later plan's new return counts (J1 completed in 2019, under measure 1.1.1)
        progress = metrics.read_metric(con, "measure_progress", plan_id=LATER, as_of_year=2019, country="JPN",
                                       measure_id="1.1.1")  # fmt: skip
        assert progress[["activities_completed", "delivered"]].values.tolist() == [[1, True]]
        carried = con.execute(
            f"SELECT outcome FROM carried_over{SNAPSHOT_SUFFIX} WHERE plan_id = ? AND as_of_year = 2019 "
            "AND measure_id = '1.1.2'",
            [LATER],
        ).fetchall()
        assert carried == [("continued and delivered",)]
        later_before = _rows_of(con, LATER)

    # A return for the earlier plan: the later plan's own metrics stay, and its carried-over listing, which reads
    # what the earlier plan left undelivered, is built again (1.1.2 is delivered now, so it is carried over no more).
    add_return(two_plans, "VNM", 2017, [("V1", "completed", ["1.1.2"])])
    with warehouse.read_connection(two_plans) as con:
        after = _rows_of(con, LATER)
        for view in (*METRIC_VIEWS, "measure_link_spans"):
            assert after[view] == later_before[view], view
        assert len(after["carried_over"]) == len(later_before["carried_over"]) - 5
        _assert_snapshots_are_the_views(con)


class _Statements:
    """A connection that records the statements it runs."""

    def __init__(self, con):
        self.con, self.run = con, []

    def execute(self, sql, params=None):
        self.run.append((sql, params or []))
        return self.con.execute(sql, params)


def test_only_the_plan_a_write_changed_is_computed_again(two_plans):
    con = duckdb.connect(str(two_plans))
    try:
        # An admin's own session moves the later plan's return (received a day late), then the rebuild is watched.
        con.execute("UPDATE submissions SET received_on = DATE '2019-04-01' WHERE plan_id = ?", [LATER])
        assert _computed_for(con) == [[LATER]]
        assert metrics.snapshots_current(con)
        _assert_snapshots_are_the_views(con)
        on_time = f"SELECT returns_on_time FROM metrics_reporting{SNAPSHOT_SUFFIX} WHERE plan_id = ? AND as_of_year = ?"
        assert con.execute(on_time + " AND country = 'JPN'", [LATER, 2018]).fetchall() == [(0,)]
    finally:
        con.close()


def test_snapshots_whose_state_was_dropped_are_all_built_again(two_plans):
    """Dropping the state table is how a rebuild of every snapshot is forced (benchmarks, an operator)."""
    con = duckdb.connect(str(two_plans))
    try:
        con.execute("DROP TABLE metrics_snapshot_state")
        assert _computed_for(con) == [[]]  # every plan at once
        assert metrics.snapshots_current(con)
        _assert_snapshots_are_the_views(con)
    finally:
        con.close()


def _computed_for(con) -> list[list[str]]:
    """Rebuild the snapshots (in a transaction of their own); the plans each computation of the shared views
    covered ([] for every plan)."""
    watched = _Statements(con)
    con.execute("BEGIN")
    assert refresh_metrics(watched)
    con.execute("COMMIT")
    shared = [
        (sql, params)
        for sql, params in watched.run
        if sql.startswith("CREATE OR REPLACE TEMP TABLE activity_link_spans")
    ]
    return [list(params) if "WHERE plan_id IN" in sql else [] for sql, params in shared]


def test_a_setting_or_the_day_passing_a_deadline_rebuilds_what_it_reaches(two_plans):
    con = duckdb.connect(str(two_plans))
    try:
        con.execute("UPDATE settings SET value = 0.9 WHERE name = 'on_track_pace'")  # every plan's status
        assert _computed_for(con) == [[]]
        _assert_snapshots_are_the_views(con)
        # The day the monitor is read passes the seed plan's last deadline (its 2017 return falls due in 2018): the
        # seed plan's expected returns change; the later plan's deadlines are all to come, so its rows stay.
        con.execute("SET VARIABLE aptmon_today = DATE '2017-12-31'")
        _computed_for(con)
        later_before = _rows_of(con, LATER)
        con.execute("SET VARIABLE aptmon_today = DATE '2018-12-31'")
        assert _computed_for(con) == [[SEED]]
        assert metrics.snapshots_current(con)
        _assert_snapshots_are_the_views(con)
        later_after = _rows_of(con, LATER)
        assert later_after == later_before
        reporting = con.execute(
            f"SELECT returns_expected FROM metrics_reporting{SNAPSHOT_SUFFIX} WHERE plan_id = ? AND as_of_year = 2017 "
            "AND country = 'ALL'",
            [SEED],
        ).fetchall()
        assert reporting == [(5 * 13,)]
    finally:
        con.close()
