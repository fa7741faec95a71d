"""The one reporting rule with a fixed "today": a return is expected once its deadline has passed or once it arrived."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from support.factories import add_return

from etl import warehouse
from etl.warehouse import metrics


@pytest.fixture(scope="module")
def reporting_warehouse(tmp_path_factory):
    """Brunei reported 2013-2016 on time and not 2017; Cambodia sent only its 2017 return, early."""
    path = tmp_path_factory.mktemp("reporting") / "warehouse.duckdb"
    warehouse.initialise(path)
    for year in range(2013, 2017):
        add_return(path, "BRN", year, [(f"B{year}", "ongoing", ["1.1.1"])], received_on=date(year + 1, 2, 1))
    add_return(path, "KHM", 2017, [("K1", "completed", ["5.1"])], received_on=date(2017, 12, 20))
    return path


def _read_on(path, today: str | None, work):
    with warehouse.read_connection(path) as con:
        if today is not None:
            con.execute(f"SET VARIABLE aptmon_today = DATE '{today}'")
        return work(con)


def _reporting(path, today, country, as_of=2017):
    def work(con):
        row = metrics.read_metric(con, "metrics_reporting", as_of_year=as_of, country=country).iloc[0]
        rates = [None if pd.isna(rate) else float(rate) for rate in (row.reporting_rate, row.on_time_rate)]
        return int(row.returns_expected), int(row.returns_received), *rates

    return _read_on(path, today, work)


def _states(path, today, country, as_of=2017):
    def work(con):
        rows = con.execute(
            "SELECT reporting_year, return_state FROM return_status_as_of(?) WHERE country = ? ORDER BY 1",
            [as_of, country],
        ).fetchall()
        return dict(rows)

    return _read_on(path, today, work)


def test_on_its_deadline_a_missing_return_is_not_yet_due(reporting_warehouse):
    # 31 March 2018 is the 2017 return's deadline: it has not passed yet.
    assert _reporting(reporting_warehouse, "2018-03-31", "BRN") == (4, 4, 1.0, 1.0)
    assert _states(reporting_warehouse, "2018-03-31", "BRN")[2017] == "not yet due"


def test_the_day_after_its_deadline_a_missing_return_is_expected(reporting_warehouse):
    assert _reporting(reporting_warehouse, "2018-04-01", "BRN") == (5, 4, 0.8, 0.8)
    states = _states(reporting_warehouse, "2018-04-01", "BRN")
    assert states == {2013: "on time", 2014: "on time", 2015: "on time", 2016: "on time", 2017: "missing"}


def test_an_early_arrival_is_expected_before_its_deadline(reporting_warehouse):
    # Cambodia's 2017 return arrived in December 2017: it counts in both numbers before March 2018.
    expected, received, rate, on_time = _reporting(reporting_warehouse, "2018-01-15", "KHM")
    assert (expected, received) == (5, 1)
    assert rate == pytest.approx(0.2) and on_time == pytest.approx(0.2)
    states = _states(reporting_warehouse, "2018-01-15", "KHM")
    assert states[2017] == "on time" and states[2016] == "missing"


def test_all_countries_count_the_same_rule(reporting_warehouse):
    # Before the 2017 deadline: 13 x 4 returns due, plus Cambodia's early 2017 one; 4 + 1 received.
    assert _reporting(reporting_warehouse, "2018-03-31", "ALL")[:2] == (53, 5)
    assert _reporting(reporting_warehouse, "2018-04-01", "ALL")[:2] == (65, 5)


def test_nothing_expected_yet_leaves_the_rate_empty_and_the_status_unwithheld(reporting_warehouse):
    # Before the first deadline (31 March 2014), Thailand owes nothing: no rate, and no 'insufficient data'.
    assert _reporting(reporting_warehouse, "2014-03-01", "THA", as_of=2013) == (0, 0, None, None)

    def status(con):
        return con.execute(
            "SELECT reporting_rate, progress_status FROM metrics_pillar_country"
            " WHERE as_of_year = 2013 AND country = 'THA' AND pillar = 'ALL'"
        ).fetchone()

    rate, progress = _read_on(reporting_warehouse, "2014-03-01", status)
    assert rate is None and progress != "insufficient data"
    assert _states(reporting_warehouse, "2014-03-01", "THA", as_of=2013) == {2013: "not yet due"}


def test_a_snapshot_built_on_another_day_is_not_read_when_the_deadlines_passed_differ(reporting_warehouse):
    # The snapshots were built today (every deadline of 2013-2017 long passed); read as of 2018-03-31 they answer
    # for another set of due returns, so the reader takes the view.
    assert _read_on(reporting_warehouse, None, lambda con: metrics.snapshots_current(con))
    assert not _read_on(reporting_warehouse, "2018-03-31", lambda con: metrics.snapshots_current(con))
    # Today, every return of the plan is due: Brunei owes 5 and sent 4.
    assert _reporting(reporting_warehouse, None, "BRN")[:2] == (5, 4)
