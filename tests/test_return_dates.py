"""Dates in a return: 01/07/2017 names both readings unless its column settles it; a carried early date warns once."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from support.return_files import write_xlsx

from etl.returns.ingest import ingest_file, plans_and_catalogue
from etl.returns.read import read_return
from etl.returns.validate import validate_return


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def _checked(tmp_path, warehouse_file, starts: list[str]):
    rows = [[f"KHM-00{i}", "2.1.6", "Customs training", "Ongoing", start] for i, start in enumerate(starts, 1)]
    path = write_xlsx(tmp_path / "dates.xlsx", rows, year=2017)
    validated = validate_return(read_return(path), plans_and_catalogue(warehouse_file)[1])
    return validated.activities.column("start_date"), [i for i in validated.issues if i.code == "ambiguous-date"]


def test_a_date_that_reads_two_ways_names_both(tmp_path, warehouse_file):
    starts, warnings = _checked(tmp_path, warehouse_file, ["01/07/2017"])
    assert starts == [date(2017, 7, 1)]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert (warnings[0].row, warnings[0].column) == (2, "Start date")
    assert warnings[0].message == (
        'Row 2, Start date: "01/07/2017" could be 1 July 2017 (day/month/year) or 7 January 2017 (month/day/year); '
        "read as 1 July 2017. If that is wrong, type the date as year-month-day (2017-07-01 is 1 July 2017)."
    )


def test_a_day_over_12_in_the_column_settles_it_day_first(tmp_path, warehouse_file):
    starts, warnings = _checked(tmp_path, warehouse_file, ["01/07/2017", "13/07/2017"])
    assert starts == [date(2017, 7, 1), date(2017, 7, 13)] and warnings == []


def test_a_month_first_column_is_read_month_first(tmp_path, warehouse_file):
    starts, warnings = _checked(tmp_path, warehouse_file, ["07/01/2017", "07/13/2017"])
    assert starts == [date(2017, 7, 1), date(2017, 7, 13)] and warnings == []


def test_the_same_day_and_month_is_not_ambiguous(tmp_path, warehouse_file):
    starts, warnings = _checked(tmp_path, warehouse_file, ["05/05/2017"])
    assert starts == [date(2017, 5, 5)] and warnings == []


def test_a_carried_start_before_the_plan_warns_once(tmp_path, warehouse_file):
    old = ["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2011, 3, 1)]
    first = ingest_file(write_xlsx(tmp_path / "v1.xlsx", [old], year=2016), warehouse_file=warehouse_file)
    assert [i.code for i in first.issues] == ["date-outside-plan"]

    # The next year's return carries the activity (as the prefilled template does) and adds one that starts early.
    new = ["KHM-002", "5.1", "Connectivity study", "Ongoing", date(2012, 6, 1)]
    path = write_xlsx(tmp_path / "v2.xlsx", [old, new], year=2017)
    checked = ingest_file(path, warehouse_file=warehouse_file, dry_run=True)
    loaded = ingest_file(path, warehouse_file=warehouse_file)
    for result in (checked, loaded):
        outside = [(i.row, i.value) for i in result.issues if i.code == "date-outside-plan"]
        assert outside == [(3, "2012-06-01")], result.issues
    assert loaded.status == "accepted" and loaded.warnings == 1

    # A carried date that changed is new again.
    moved = ["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2010, 3, 1)]
    again = ingest_file(write_xlsx(tmp_path / "v3.xlsx", [moved, new], year=2017), warehouse_file=warehouse_file,
                        dry_run=True)  # fmt: skip
    assert [(i.row, i.value) for i in again.issues if i.code == "date-outside-plan"] == [(2, "2010-03-01")]


def test_a_carried_date_is_not_warned_about_in_a_rejected_return_either(tmp_path, warehouse_file):
    # A file rejected for another error said "Row 2, Start date: 2011-03-01 is outside the plan's years" of the
    # carried date, which the same rows accepted did not: a rejected return keeps no checked rows to match it by.
    old = ["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2011, 3, 1)]
    ingest_file(write_xlsx(tmp_path / "v1.xlsx", [old], year=2016), warehouse_file=warehouse_file)

    unknown_measure = ["KHM-002", "9.9.9", "Connectivity study", "Ongoing", date(2012, 6, 1)]
    path = write_xlsx(tmp_path / "v2.xlsx", [old, unknown_measure], year=2017)
    checked = ingest_file(path, warehouse_file=warehouse_file, dry_run=True)
    recorded = ingest_file(path, warehouse_file=warehouse_file, report_dir=tmp_path / "feedback")
    for result in (checked, recorded):
        assert result.status == "rejected"
        outside = [(i.row, i.value) for i in result.issues if i.code == "date-outside-plan"]
        assert outside == [(3, "2012-06-01")], result.issues  # the new activity's early start is still news

    # The marked workbook lists what the result lists: the carried date is not among its findings.
    issues_sheet = load_workbook(recorded.report_path)["Issues"]
    listed = [" ".join(str(v) for v in row if v is not None) for row in issues_sheet.iter_rows(values_only=True)]
    assert any("2012-06-01" in line for line in listed)
    assert not any("2011-03-01" in line for line in listed), listed
