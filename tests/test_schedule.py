"""The implementation schedule: its workbook read and checked like a return, versions kept, the views judging by it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from support.factories import add_return
from support.schedule_files import write_schedule
from test_cli import run

from etl import warehouse
from etl.schedule.load import current_schedule, load_schedule_file, schedule_version
from etl.schedule.template import write_schedule_template
from etl.warehouse import metrics


def _state(path) -> tuple:
    """Everything a schedule load may change: its tables and the metrics' fingerprint."""
    with warehouse.read_connection(path) as con:
        return (
            con.execute("SELECT * FROM schedule_loads ORDER BY load_id").fetchall(),
            con.execute("SELECT * FROM schedule_entries ORDER BY ALL").fetchall(),
            con.execute("SELECT fingerprint FROM metrics_source_state").fetchone()[0],
        )


def _rejected(warehouse_file, tmp_path, rows, code: str, header=None) -> dict:
    """Load a workbook that must be rejected for `code`; the warehouse is left as it was. Its one issue."""
    before = _state(warehouse_file)
    path = write_schedule(tmp_path / "schedule.xlsx", rows, header=header)
    result = load_schedule_file(path, warehouse_file=warehouse_file, report_dir=tmp_path / "feedback")
    assert result.status == "rejected" and result.version is None
    assert [i.code for i in result.issues if i.severity == "error"] == [code], result.issues
    assert _state(warehouse_file) == before
    return next(i for i in result.issues if i.code == code).to_dict()


def test_an_unknown_measure_is_rejected_with_the_nearest_ids(warehouse_file, tmp_path):
    issue = _rejected(warehouse_file, tmp_path, [{"measure_id": "5.1"}, {"measure_id": "5.9"}], "unknown-measure")
    assert (issue["sheet"], issue["row"], issue["column"], issue["value"]) == ("Schedule", 3, "Measure ID", "5.9")
    assert issue["message"].startswith('Row 3, Measure ID: "5.9" is not a measure')


def test_a_sub_item_is_refused_with_its_measure(warehouse_file, tmp_path):
    issue = _rejected(warehouse_file, tmp_path, [{"measure_id": "3.1.2(a)", "kind": "one-off"}], "schedule-sub-item")
    assert (issue["row"], issue["column"], issue["value"]) == (2, "Measure ID", "3.1.2(a)")
    assert "type its measure 3.1.2" in issue["message"]


def test_an_unknown_kind_is_rejected_saying_what_to_type(warehouse_file, tmp_path):
    issue = _rejected(warehouse_file, tmp_path, [{"measure_id": "5.1", "kind": "sometimes"}], "unknown-kind")
    assert (issue["row"], issue["column"], issue["value"]) == (2, "Kind", "sometimes")
    assert "type One-off (delivered once) or Recurring (every year)" in issue["message"]


@pytest.mark.parametrize(("column", "value"), [("start_year", 2012), ("due_year", 2018), ("due_year", "soon")])
def test_a_year_outside_the_plan_is_rejected(warehouse_file, tmp_path, column, value):
    issue = _rejected(warehouse_file, tmp_path, [{"measure_id": "5.1", column: value}], "invalid-schedule-year")
    header = {"start_year": "Start year", "due_year": "Due year"}[column]
    assert (issue["row"], issue["column"], issue["value"]) == (2, header, str(value))
    assert "type a year from 2013 to 2017" in issue["message"]


def test_due_before_start_is_rejected(warehouse_file, tmp_path):
    rows = [{"measure_id": "5.1", "start_year": 2016, "due_year": 2015}]
    issue = _rejected(warehouse_file, tmp_path, rows, "due-before-start")
    assert (issue["row"], issue["column"], issue["value"]) == (2, "Due year", "2015")
    assert "before the start year 2016" in issue["message"]


def test_a_due_year_before_the_default_start_is_impossible_but_a_blank_due_takes_2017(warehouse_file, tmp_path):
    # Start 2016 with the due year left blank: due by 2017, accepted.
    path = write_schedule(tmp_path / "ok.xlsx", [{"measure_id": "5.1", "start_year": 2016}])
    assert load_schedule_file(path, warehouse_file=warehouse_file).status == "accepted"
    with warehouse.read_connection(warehouse_file) as con:
        row = current_schedule(con).set_index("measure_id").loc["5.1"]
    assert (row.kind, row.start_year, row.due_year, bool(row.is_default)) == ("one-off", 2016, 2017, False)


def test_an_unknown_lead_country_is_rejected(warehouse_file, tmp_path):
    rows = [{"measure_id": "5.6", "lead_countries": "Japan; Narnia"}]
    issue = _rejected(warehouse_file, tmp_path, rows, "unknown-lead-country")
    assert (issue["row"], issue["column"], issue["value"]) == (2, "Lead countries", "Narnia")


def test_a_measure_listed_twice_is_rejected(warehouse_file, tmp_path):
    rows = [{"measure_id": "5.1", "kind": "recurring"}, {"measure_id": "5.2"}, {"measure_id": " 5.1. "}]
    issue = _rejected(warehouse_file, tmp_path, rows, "duplicate-measure")
    assert (issue["row"], issue["column"], issue["value"]) == (4, "Measure ID", "5.1")
    assert "already scheduled in row 2" in issue["message"]


def test_a_row_without_a_measure_id_is_rejected(warehouse_file, tmp_path):
    issue = _rejected(warehouse_file, tmp_path, [{"measure_id": None, "kind": "recurring"}], "missing-value")
    assert (issue["row"], issue["column"]) == (2, "Measure ID")


def test_a_workbook_without_the_schedule_sheet_is_refused(warehouse_file, tmp_path):
    before = _state(warehouse_file)
    path = write_schedule(tmp_path / "wrong.xlsx", [{"measure_id": "5.1"}], sheet="Activities")
    result = load_schedule_file(path, warehouse_file=warehouse_file)
    assert [i.code for i in result.issues] == ["missing-sheet"]
    assert result.issues[0].message == (
        "The workbook has no Schedule sheet (sheets found: Activities); put the measures on a sheet named Schedule."
    )
    assert _state(warehouse_file) == before


def test_a_rejected_xlsx_comes_back_annotated(warehouse_file, tmp_path):
    rows = [{"measure_id": "5.1", "kind": "annual"}, {"measure_id": "5.2", "kind": "sometimes", "due_year": 2020}]
    path = write_schedule(tmp_path / "schedule.xlsx", rows)
    result = load_schedule_file(path, warehouse_file=warehouse_file, report_dir=tmp_path / "feedback")
    assert result.status == "rejected" and result.report_path.endswith("schedule-checked.xlsx")
    workbook = load_workbook(result.report_path)
    assert workbook.sheetnames[:2] == ["Issues", "Schedule"]
    marked = workbook["Schedule"]
    assert "unknown-kind" in marked["B3"].comment.text and "invalid-schedule-year" in marked["D3"].comment.text
    assert marked["B2"].comment is None  # 'annual' is read as recurring
    listed = [[c.value for c in row] for row in workbook["Issues"].iter_rows(min_row=2)]
    assert [(r[1], r[2], r[3], r[4]) for r in listed] == [
        ("unknown-kind", "Schedule", 3, "Kind"),
        ("invalid-schedule-year", "Schedule", 3, "Due year"),
    ]


def test_kinds_are_read_forgivingly(warehouse_file, tmp_path):
    words = {"5.1": "once", "5.2": "One off", "5.3": "annual", "5.4": "Yearly", "5.5": "continuous", "5.6": None}
    path = write_schedule(
        tmp_path / "kinds.xlsx", [{"measure_id": m, "kind": k, "note": "x"} for m, k in words.items()]
    )
    assert load_schedule_file(path, warehouse_file=warehouse_file).status == "accepted"
    with warehouse.read_connection(warehouse_file) as con:
        kinds = dict(current_schedule(con)[["measure_id", "kind"]].itertuples(index=False))
    assert [kinds[m] for m in words] == ["one-off", "one-off", "recurring", "recurring", "recurring", "one-off"]


def test_a_csv_schedule_is_read_by_the_same_reader(warehouse_file, tmp_path):
    path = tmp_path / "schedule.csv"
    path.write_text("Measure ID;Kind;Due;Lead\n5.6;one-off;2016;Japan, KOR\n\n5.1;recurring;;\n", encoding="utf-8")
    result = load_schedule_file(path, warehouse_file=warehouse_file)
    assert (result.status, result.version, result.measures) == ("accepted", 1, 2)
    with warehouse.read_connection(warehouse_file) as con:
        shown = current_schedule(con).set_index("measure_id")
    assert shown.loc["5.6", "lead_countries"] == "JPN; KOR" and shown.loc["5.6", "due_year"] == 2016
    assert shown.loc["5.1", "kind"] == "recurring" and shown.loc["5.2", "is_default"]


def test_every_version_is_kept_and_an_identical_load_is_recorded_as_unchanged(warehouse_file, tmp_path):
    first = write_schedule(tmp_path / "v1.xlsx", [{"measure_id": "5.1", "kind": "recurring"}])
    second = write_schedule(tmp_path / "v2.xlsx", [{"measure_id": "5.1", "kind": "recurring"}, {"measure_id": "5.6",
                            "due_year": 2016}])  # fmt: skip
    outcomes = [
        load_schedule_file(path, warehouse_file=warehouse_file, loaded_by=who)
        for path, who in ((first, "ana"), (first, "ben"), (second, "ana"))
    ]
    assert [(r.status, r.version, r.changed) for r in outcomes] == [
        ("accepted", 1, ["5.1"]),
        ("unchanged", 1, []),
        ("accepted", 2, ["5.6"]),
    ]
    with warehouse.read_connection(warehouse_file) as con:
        loads = con.execute(
            "SELECT version, status, loaded_by, file_name, length(sha256) FROM schedule_loads ORDER BY load_id"
        ).fetchall()
        versions = con.execute(
            "SELECT l.version, count(e.measure_id) FROM schedule_loads l LEFT JOIN schedule_entries e "
            "USING (load_id) GROUP BY l.load_id, l.version ORDER BY l.load_id"
        ).fetchall()
        current = schedule_version(con)
    assert loads == [(1, "accepted", "ana", "v1.xlsx", 64), (1, "unchanged", "ben", "v1.xlsx", 64),
                     (2, "accepted", "ana", "v2.xlsx", 64)]  # fmt: skip
    assert versions == [(1, 1), (1, 0), (2, 2)]  # the unchanged load adds no entries
    assert (current.version, current.measures_set, current.loaded_by) == (2, 2, "ana")


def test_the_default_template_loaded_on_a_fresh_warehouse_changes_nothing(warehouse_file, tmp_path):
    before = _state(warehouse_file)
    path = write_schedule_template(tmp_path / "schedule.xlsx", warehouse_file)
    result = load_schedule_file(path, warehouse_file=warehouse_file)
    assert (result.status, result.version, result.measures, result.changed) == ("unchanged", 0, 183, [])
    assert _state(warehouse_file)[2] == before[2]  # the metrics' fingerprint


def test_the_template_round_trips_the_current_schedule(warehouse_file, tmp_path):
    rows = [{"measure_id": "5.1", "kind": "annual", "start_year": 2014, "lead_countries": "kor; Japan", "note": "x"}]
    load_schedule_file(write_schedule(tmp_path / "s.xlsx", rows), warehouse_file=warehouse_file)
    template = write_schedule_template(tmp_path / "template.xlsx", warehouse_file)
    sheet = load_workbook(template)["Schedule"]
    header = [c.value for c in sheet[1]]
    assert header == ["Measure ID", "Measure", "Kind", "Start year", "Due year", "Lead countries", "Note"]
    by_id = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=2)}
    assert len(by_id) == 183 and sheet.freeze_panes == "B2"
    assert by_id["5.1"][2:] == ["Recurring", 2014, 2017, "JPN; KOR", "x"]
    assert by_id["5.2"][2:] == ["One-off", 2013, 2017, None, None]
    assert {str(v.sqref).split(":")[0][0] for v in sheet.data_validations.dataValidation} == set("CDEF")
    again = load_schedule_file(template, warehouse_file=warehouse_file)
    assert (again.status, again.version) == ("unchanged", 1)


def test_a_schedule_load_changes_the_fingerprint_and_the_snapshots_follow(warehouse_file, tmp_path):
    add_return(warehouse_file, "KHM", 2013, [("K1", "ongoing", ["5.1"])])
    with warehouse.read_connection(warehouse_file) as con:
        fingerprint = con.execute("SELECT fingerprint FROM metrics_snapshot_state").fetchone()
    path = write_schedule(tmp_path / "s.xlsx", [{"measure_id": "5.1", "kind": "recurring"}])
    load_schedule_file(path, warehouse_file=warehouse_file)
    query = dict(as_of_year=2013, country="KHM", pillar="5")
    with warehouse.read_connection(warehouse_file) as con:
        # The load rebuilt the snapshots from the new schedule before readers saw it.
        assert metrics.snapshots_current(con)
        assert con.execute("SELECT fingerprint FROM metrics_snapshot_state").fetchone() != fingerprint
        from_snapshot = metrics.read_metric(con, "metrics_pillar_country", **query)
        from_view = con.execute("SELECT * FROM metrics_pillar_country WHERE as_of_year = 2013 AND country = 'KHM' "
                                "AND pillar = '5'").df()  # fmt: skip
    # 5.1 recurring, implemented in KHM's 2013 return: delivered, against a share of 1.
    assert from_view.iloc[0].measures_delivered == from_snapshot.iloc[0].measures_delivered == 1
    assert from_view.iloc[0].expected_rate == from_snapshot.iloc[0].expected_rate == 1.0


def test_a_lead_country_is_judged_on_its_measure_before_it_is_due(warehouse_file, tmp_path):
    # KOR reports every year on pillar 2 only; it leads 5.6, which starts in 2016.
    for year in range(2013, 2018):
        add_return(warehouse_file, "KOR", year, [("K1", "ongoing", ["2.1.1"])])
    path = write_schedule(tmp_path / "s.xlsx", [{"measure_id": "5.6", "start_year": 2016, "lead_countries": "KOR"}])
    load_schedule_file(path, warehouse_file=warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(
            "SELECT as_of_year, measures_engaged, measures_in_scope, expected_rate, pace_index, measures_overdue, "
            "progress_status FROM metrics_pillar_country WHERE country = 'KOR' AND pillar = '5' ORDER BY as_of_year"
        ).fetchall()
    assert rows == [
        (2013, 0, 1, 0.0, None, 0, "not yet due"),
        (2014, 0, 1, 0.0, None, 0, "not yet due"),
        (2015, 0, 1, 0.0, None, 0, "not yet due"),
        (2016, 0, 1, 0.5, 0.0, 0, "limited progress"),
        (2017, 0, 1, 1.0, 0.0, 1, "limited progress"),
    ]


def test_a_pace_exactly_at_a_threshold_under_a_schedule_is_on_it(warehouse_file, tmp_path):
    # 20 recurring measures of pillar 2 taken up, 19 implemented in each year's return: 19 delivered against 20
    # expected, a pace of exactly 0.95, which is on track.
    with warehouse.read_connection(warehouse_file) as con:
        query = "SELECT measure_id FROM measures WHERE pillar = 2 ORDER BY ordinal LIMIT 20"
        ids = [m for (m,) in con.execute(query).fetchall()]
    rows = [{"measure_id": m, "kind": "recurring"} for m in ids]
    load_schedule_file(write_schedule(tmp_path / "s.xlsx", rows), warehouse_file=warehouse_file)
    for year in range(2013, 2016):
        activities = [(f"C{i}", "ongoing" if i < 19 else "planned", [m]) for i, m in enumerate(ids)]
        add_return(warehouse_file, "CHN", year, activities)
    with warehouse.read_connection(warehouse_file) as con:
        row = con.execute(
            "SELECT measures_in_scope, measures_delivered, expected_rate, pace_index, progress_status "
            "FROM metrics_pillar_country WHERE as_of_year = 2015 AND country = 'CHN' AND pillar = '2'"
        ).fetchone()
    assert row == (20, 19, 1.0, 0.95, "on track")


@pytest.mark.slow  # aptmon in a subprocess
def test_the_cli_loads_shows_and_templates_the_schedule(warehouse_file, tmp_path):
    path = write_schedule(tmp_path / "s.xlsx", [{"measure_id": "5.6", "due_year": 2016, "lead_countries": "JPN"}])
    dry = run("schedule", "load", str(path), "--dry-run", "--json", warehouse_file=warehouse_file)
    assert dry.returncode == 0 and json.loads(dry.stdout)["status"] == "accepted"
    assert json.loads(dry.stdout)["dry_run"] is True
    shown = run("schedule", "show", "--format", "csv", warehouse_file=warehouse_file)
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert len(rows) == 183 and all(r["is_default"] == "True" for r in rows)  # the dry run changed nothing
    loaded = run("schedule", "load", str(path), warehouse_file=warehouse_file)
    assert (
        loaded.returncode == 0 and "accepted, version 1" in loaded.stdout and "1 measures change (5.6)" in loaded.stdout
    )
    table = run("schedule", "show", warehouse_file=warehouse_file).stdout
    assert "Schedule: version 1" in table and "5.6        one-off     2013  2016  JPN" in table
    as_json = json.loads(run("schedule", "show", "--format", "json", warehouse_file=warehouse_file).stdout)
    assert next(r for r in as_json if r["measure_id"] == "5.6")["lead_countries"] == "JPN"
    written = run("schedule", "template", "-o", str(tmp_path / "t.xlsx"), warehouse_file=warehouse_file)
    assert written.returncode == 0 and (tmp_path / "t.xlsx").exists()


@pytest.mark.slow  # aptmon in a subprocess
def test_the_cli_exits_1_on_a_rejected_schedule_and_2_on_a_bad_name(warehouse_file, tmp_path):
    path = write_schedule(tmp_path / "bad.xlsx", [{"measure_id": "5.1", "kind": "sometimes"}])
    result = run("schedule", "load", str(path), "--report-dir", str(tmp_path / "fb"), warehouse_file=warehouse_file)
    assert result.returncode == 1 and "rejected" in result.stdout
    assert 'Row 2, Kind: "sometimes" is not a kind' in result.stdout and "Feedback workbook:" in result.stdout
    template = run("schedule", "template", "-o", str(tmp_path / "t.csv"), warehouse_file=warehouse_file)
    assert template.returncode == 2 and "ending in .xlsx" in template.stderr and "Traceback" not in template.stderr
