"""Checking returns: every rule of the return format, on real workbooks written by openpyxl."""

from __future__ import annotations

from datetime import date

import pytest
from support.return_files import write_xlsx

from etl.plan.catalogue import load_catalogue
from etl.returns.issue_codes import make_issue
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import read_return
from etl.returns.validate import _links_in_bulk, validate_return


@pytest.fixture(scope="module")
def lookup() -> MeasureLookup:
    return MeasureLookup(load_catalogue())


def check(tmp_path, rows, lookup, **kwargs):
    flags = {k: kwargs.pop(k) for k in ("flag_country", "flag_year") if k in kwargs}
    path = write_xlsx(tmp_path / "return.xlsx", rows, **kwargs)
    return validate_return(read_return(path), lookup, country=flags.get("flag_country"), year=flags.get("flag_year"))


def codes(result) -> list[tuple[str, int | None, str | None]]:
    return [(i.code, i.row, i.column) for i in result.issues]


def test_a_good_return_is_accepted_with_measures_rolled_up(tmp_path, lookup):
    result = check(tmp_path, None, lookup)
    assert result.accepted and result.issues == []
    assert (result.country, result.year) == ("KHM", 2015)
    activities = result.activities.to_pylist()
    assert [a["status"] for a in activities] == ["ongoing", "completed", "planned"]
    assert activities[0]["partners"] == "JPN;KOR" and activities[0]["source_row"] == 2
    assert activities[1]["end_date"] == date(2015, 6, 30)
    assert activities[2]["funding_source"] == "APT Cooperation Fund" and activities[2]["budget_usd"] == 25000.0
    links = {(m["activity_id"], m["measure_id"], m["sub_item"]) for m in result.measures.to_pylist()}
    assert links == {
        ("KHM-001", "2.1.6", None),
        ("KHM-002", "3.1.2", "3.1.2(a);3.1.2(b)"),
        ("KHM-003", "5.1", None),
        ("KHM-003", "5.2", None),
    }


@pytest.mark.parametrize(
    ("typed", "status"),
    [("in progress", "ongoing"), ("On-going", "ongoing"), ("done", "completed"), ("Complete", "completed"),
     (2, "ongoing"), ("5", "cancelled"), (6, "suspended"), ("PLANNED", "planned"), ("on hold", "suspended")],
)  # fmt: skip
def test_status_variants_and_iati_codes(tmp_path, lookup, typed, status):
    rows = [["A1", "2.1.6", "T", typed, date(2015, 1, 1), date(2015, 2, 1)]]
    result = check(tmp_path, rows, lookup)
    assert result.accepted, result.issues
    assert result.activities.column("status") == [status]


def test_unknown_status_and_missing_required_values_are_errors(tmp_path, lookup):
    rows = [["A1", "2.1.6", "T", "sort of"], [None, "2.1.6", None, "Planned"], ["A3", "", "T", None]]
    result = check(tmp_path, rows, lookup)
    assert not result.accepted
    assert codes(result) == [
        ("unknown-status", 2, "Status"),
        ("missing-value", 3, "Activity ID"),
        ("missing-value", 3, "Title"),
        ("missing-value", 4, "Measure IDs"),
        ("missing-value", 4, "Status"),
    ]
    assert result.issues[0].message.startswith('Row 2, Status: "sort of" is not a status')


def test_unknown_measures_get_a_hint_naming_the_real_ids(tmp_path, lookup):
    rows = [
        ["A1", "2.1.17", "T", "Planned"],
        ["A2", "3.1.2(z)", "T", "Planned"],
        ["A3", "2.1", "T", "Planned"],
        ["A4", "5.9", "T", "Planned"],
        ["A5", "banana", "T", "Planned"],
        ["A6", "Measure 2.1.6.", "T", "Planned"],
    ]
    result = check(tmp_path, rows, lookup)
    messages = [i.message for i in result.issues]
    assert messages[0].startswith('Row 2, Measure IDs: "2.1.17" is not a measure of section 2.1 (2.1.1-2.1.16)')
    assert messages[1] == 'Row 3, Measure IDs: "3.1.2(z)" is not a sub-item of 3.1.2 (3.1.2(a)-3.1.2(i))'
    assert messages[2] == 'Row 4, Measure IDs: "2.1" is a section, not a measure; name its measures (2.1.1-2.1.16)'
    assert messages[3].startswith('Row 5, Measure IDs: "5.9" is not a measure of pillar 5 (5.1-5.6)')
    assert messages[4].startswith('Row 6, Measure IDs: "banana" is not a measure id')
    assert len(messages) == 5 and {i.code for i in result.issues} == {"unknown-measure"}


def test_dates_in_every_accepted_form(tmp_path, lookup):
    rows = [
        ["A1", "2.1.6", "T", "Completed", "2014-03-01", "15/06/2015"],
        ["A2", "2.1.6", "T", "Ongoing", 2014, None],
        ["A3", "2.1.6", "T", "Ongoing", date(2010, 5, 1), None],
    ]
    result = check(tmp_path, rows, lookup)
    assert result.accepted
    starts = result.activities.column("start_date")
    assert starts == [date(2014, 3, 1), date(2014, 1, 1), date(2010, 5, 1)]
    assert result.activities.column("end_date")[0] == date(2015, 6, 15)
    assert codes(result) == [("year-only-date", 3, "Start date"), ("date-outside-plan", 4, "Start date")]
    assert {i.severity for i in result.issues} == {"warning"}


def test_date_errors(tmp_path, lookup):
    rows = [
        ["A1", "2.1.6", "T", "Completed", date(2015, 5, 1), date(2015, 4, 1)],
        ["A2", "2.1.6", "T", "Ongoing", date(1999, 12, 31)],
        ["A3", "2.1.6", "T", "Ongoing", "soon"],
        ["A4", "2.1.6", "T", "Completed", None, None],
        ["A5", "2.1.6", "T", "Planned", None, date(2031, 1, 1)],
    ]
    result = check(tmp_path, rows, lookup)
    assert codes(result) == [
        ("end-before-start", 2, "End date"),
        ("date-out-of-range", 3, "Start date"),
        ("invalid-date", 4, "Start date"),
        ("missing-date", 5, "Start date"),
        ("missing-date", 5, "End date"),
        ("date-out-of-range", 6, "End date"),
    ]
    assert all(i.severity == "error" for i in result.issues)
    assert (
        result.issues[0].message
        == "Row 2, End date: 2015-04-01 is before the Start date 2015-05-01; correct one of the two dates."
    )


def test_duplicate_ids_partners_funding_and_budget(tmp_path, lookup):
    rows = [
        ["A1", "2.1.6", "T", "Planned", None, None, None, "Korea, Republic of; Atlantis", "Government", "USD 1,500"],
        ["a1", "2.1.6", "T", "Planned", None, None, None, None, "Lottery", -5],
        ["A3", "2.1.6", "T", "Planned", None, None, None, None, None, "lots"],
    ]
    result = check(tmp_path, rows, lookup)
    assert codes(result) == [
        ("unknown-partner", 2, "Partner countries"),
        ("duplicate-activity", 3, "Activity ID"),
        ("unknown-funding-source", 3, "Funding source"),
        ("invalid-budget", 3, "Budget (USD)"),
        ("invalid-budget", 4, "Budget (USD)"),
    ]
    assert (
        result.issues[1].message == 'Row 3, Activity ID: "a1" is already used in row 2; each activity needs its own ID.'
    )


def test_cover_must_agree_with_the_upload(tmp_path, lookup):
    result = check(tmp_path, None, lookup, country="Japan", year=2016, flag_country="KHM", flag_year=2015)
    assert codes(result) == [("country-mismatch", 1, "Country"), ("year-mismatch", 2, "Reporting year")]
    assert all(i.sheet == "Cover" for i in result.issues)


@pytest.mark.parametrize(
    ("year", "code"), [(2012, "year-outside-plan"), (2018, "year-outside-plan"), ("soon", "invalid-year")]
)
def test_reporting_year_within_the_plan(tmp_path, lookup, year, code):
    result = check(tmp_path, None, lookup, year=year)
    assert [i.code for i in result.issues] == [code] and not result.accepted


def test_country_and_year_are_required_somewhere(tmp_path, lookup):
    result = check(tmp_path, None, lookup, cover=False)
    assert [i.code for i in result.issues] == ["missing-country", "missing-year"]
    with_flags = check(tmp_path, None, lookup, cover=False, flag_country="khm", flag_year="2015")
    assert with_flags.accepted and (with_flags.country, with_flags.year) == ("KHM", 2015)


@pytest.mark.parametrize(
    ("cells", "in_bulk", "links"),
    [
        (  # every id known and named once: the column is linked in bulk
            ["2.1.6", "2.1.6; 3.1.2(a)", " 5.1;5.2 "],
            True,
            {("KHM-0", "2.1.6", None), ("KHM-1", "2.1.6", None), ("KHM-1", "3.1.2", "3.1.2(a)"),
             ("KHM-2", "5.1", None), ("KHM-2", "5.2", None)},
        ),
        (  # two sub-items of one measure share its row
            ["2.1.6", "3.1.2(a); 3.1.2(b)"],
            False,
            {("KHM-0", "2.1.6", None), ("KHM-1", "3.1.2", "3.1.2(a);3.1.2(b)")},
        ),
        (["2.1.6; 2.1.6", "5.1"], False, {("KHM-0", "2.1.6", None), ("KHM-1", "5.1", None)}),  # named twice
        (["2.1.6, 5.1", "5.2"], False, {("KHM-0", "2.1.6", None), ("KHM-0", "5.1", None), ("KHM-1", "5.2", None)}),
        (["2.1.6;", "5.1"], False, {("KHM-0", "2.1.6", None), ("KHM-1", "5.1", None)}),  # an empty piece
    ],
)  # fmt: skip
def test_measure_links_in_bulk_or_cell_by_cell(tmp_path, lookup, cells, in_bulk, links):
    """A plain column of known ids is linked in bulk; any other cell by cell; both give one row per measure."""
    rows = [[f"KHM-{i}", cell, f"Activity {i}", "Ongoing", "2015-01-01"] for i, cell in enumerate(cells)]
    result = check(tmp_path, rows, lookup)
    assert result.accepted, result.issues
    assert {(m["activity_id"], m["measure_id"], m["sub_item"]) for m in result.measures.to_pylist()} == links
    ids = [row[0] for row in rows]
    assert (_links_in_bulk(cells, ids, lookup) is not None) == in_bulk


def test_a_missing_end_date_reads_as_english():
    """The message names the column in a sentence that reads right for both dates ("needs its End date")."""
    issue = make_issue("missing-date", sheet="Activities", row=5, column="End date", detail="completed")
    assert issue.message == "Row 5, End date: an activity that is completed needs its End date; type the date."
