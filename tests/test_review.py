"""Since the last review: the changes between two dates read from the warehouse, and the meetings an admin records."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from factories import add_return

from etl import reviews, warehouse

APTMON = str(Path(sys.executable).with_name("aptmon"))
FIRST_REVIEW, SECOND_REVIEW = date(2015, 6, 1), date(2016, 6, 1)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> Path:
    """A year between two reviews: two first arrivals, a new version of an older return, and every kind of change."""
    path = tmp_path_factory.mktemp("review") / "warehouse.duckdb"
    warehouse.initialise(path)
    add_return(
        path, "KHM", 2014, [("A1", "ongoing", ["5.1"]), ("A2", "planned", ["5.2"])], received_on=date(2015, 2, 1)
    )
    reviews.add_meeting(FIRST_REVIEW, "First review", "admin", path)
    khm_2015 = [("A1", "completed", ["5.1"]), ("A2", "cancelled", ["5.2"]), ("A3", "planned", ["5.3"])]
    add_return(path, "KHM", 2015, khm_2015, received_on=date(2016, 3, 1))
    khm_2014_v2 = [("A1", "ongoing", ["5.1"]), ("A2", "planned", ["5.2"]), ("A4", "ongoing", ["5.4"])]
    add_return(path, "KHM", 2014, khm_2014_v2, received_on=date(2016, 4, 1))
    add_return(path, "JPN", 2015, [("J1", "ongoing", ["5.2"])], received_on=date(2016, 5, 1))
    reviews.add_meeting(SECOND_REVIEW, "Second review", "admin", path)
    # After the second review: not part of it.
    add_return(path, "LAO", 2015, [("L1", "ongoing", ["5.2"])], received_on=date(2016, 7, 1))
    return path


def rows(path: Path, sql: str, params: list) -> list[tuple]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params).fetchall()


def test_returns_received_between_the_reviews(reviewed):
    received = rows(
        reviewed,
        "SELECT country, reporting_year, version, first_received, on_time FROM review_returns(?, ?)",
        [FIRST_REVIEW, SECOND_REVIEW],
    )
    assert received == [
        ("KHM", 2015, 1, True, True),  # by 31 March 2016
        ("KHM", 2014, 2, False, False),  # a new version of a return known at the first review
        ("JPN", 2015, 1, True, False),
    ]


def test_activities_added_completed_and_gone_back(reviewed):
    changed = rows(
        reviewed,
        "SELECT activity_id, status_before, status_now, change FROM review_activities(?, ?)",
        [FIRST_REVIEW, SECOND_REVIEW],
    )
    assert sorted(changed, key=lambda r: r[0]) == [
        ("A1", "ongoing", "completed", "completed"),
        ("A2", "planned", "cancelled", "went back"),
        ("A3", None, "planned", "added"),
        ("A4", None, "ongoing", "added"),  # listed in the 2014 return's second version
        ("J1", None, "ongoing", "added"),
    ]
    # Nothing changes between a date and itself, or before anything arrived.
    assert rows(reviewed, "SELECT * FROM review_activities(?, ?)", [SECOND_REVIEW, SECOND_REVIEW]) == []
    assert rows(reviewed, "SELECT * FROM review_returns(?, ?)", [date(2013, 1, 1), date(2015, 1, 1)]) == []


def test_a_date_speaks_for_the_last_year_whose_returns_were_due(reviewed):
    years = rows(
        reviewed,
        "SELECT review_as_of_year(DATE '2016-06-01'), review_as_of_year(DATE '2016-03-30'), "
        "review_as_of_year(DATE '2014-03-30'), review_as_of_year(DATE '2024-01-01')",
        [],
    )
    assert years == [(2015, 2014, None, 2017)]


def test_default_dates_are_the_last_two_meetings_else_the_last_uploads(reviewed, tmp_path):
    import os

    from dashboard import data
    from dashboard.app import create_app

    before = os.environ.get("APTMON_WAREHOUSE")
    try:
        create_app(reviewed)
        data.clear_cache()
        assert data.review_default_dates() == (FIRST_REVIEW, SECOND_REVIEW)
        bare = tmp_path / "bare.duckdb"
        warehouse.initialise(bare)
        add_return(bare, "KHM", 2014, [("A1", "ongoing", ["5.1"])], received_on=date(2015, 2, 1))
        create_app(bare)
        assert data.review_default_dates() is None  # one upload day: nothing to compare yet
        add_return(bare, "KHM", 2015, [("A1", "ongoing", ["5.1"])], received_on=date(2016, 2, 1))
        data.clear_cache()
        assert data.review_default_dates() == (date(2015, 2, 1), date(2016, 2, 1))
        reviews.add_meeting(date(2015, 6, 1), "", "admin", bare)
        data.clear_cache()
        assert data.review_default_dates() == (date(2015, 6, 1), date(2016, 2, 1))
    finally:
        if before is None:
            os.environ.pop("APTMON_WAREHOUSE", None)
        else:
            os.environ["APTMON_WAREHOUSE"] = before


def aptmon(*args, db: Path):
    return subprocess.run([APTMON, *args, "--warehouse", str(db)], capture_output=True, text=True, timeout=120)


def test_an_admin_records_lists_and_removes_meetings_from_the_command_line(warehouse_file):
    added = aptmon(
        "reviews", "add", "2016-06-15", "--title", "CPR Plus Three, June 2016", "--by", "sec", db=warehouse_file
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Recorded CPR Plus Three, June 2016 on 2016-06-15."
    assert aptmon("reviews", "add", "2017-06-15", db=warehouse_file).returncode == 0
    listed = aptmon("reviews", "list", db=warehouse_file).stdout.splitlines()
    assert listed[0].startswith("2017-06-15  CPR Plus Three meeting of 15 June 2017")
    assert listed[1] == "2016-06-15  CPR Plus Three, June 2016  (recorded by sec)"
    again = aptmon("reviews", "add", "2016-06-15", db=warehouse_file)
    assert again.returncode == 2 and "already recorded" in again.stderr and "Traceback" not in again.stderr
    future = aptmon("reviews", "add", "2999-01-01", db=warehouse_file)
    assert future.returncode == 2 and "in the future" in future.stderr
    assert aptmon("reviews", "remove", "2017-06-15", db=warehouse_file).returncode == 0
    assert [m.meeting_on for m in reviews.list_meetings(warehouse_file)] == [date(2016, 6, 15)]
    missing = aptmon("reviews", "remove", "2017-06-15", db=warehouse_file)
    assert missing.returncode == 2 and "No meeting on 2017-06-15" in missing.stderr


def test_measures_newly_delivered_between_the_years_the_reviews_speak_for(reviewed):
    # 1 June 2015 speaks for the end of 2014, 1 June 2016 for the end of 2015: A1 completed 5.1 in the 2015 return.
    changed = rows(
        reviewed,
        "SELECT measure_id, year_before, year_now, change FROM review_measures(?, ?)",
        [FIRST_REVIEW, SECOND_REVIEW],
    )
    assert changed == [("5.1", 2014, 2015, "newly delivered")]
    delivered = rows(
        reviewed,
        "SELECT as_of_year, delivered FROM measure_progress WHERE measure_id = '5.1' AND country = 'ALL' "
        "AND as_of_year IN (2014, 2015) ORDER BY as_of_year",
        [],
    )
    assert delivered == [(2014, False), (2015, True)]
