"""Re-uploads through the command line: what would undo the record is held until confirmed, and the prefill
starts from the record."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from support.return_files import write_xlsx

from etl import warehouse

pytestmark = pytest.mark.slow  # every test runs aptmon in a subprocess

APTMON = str(Path(sys.executable).with_name("aptmon"))

# Version 1 of Cambodia's 2017 return.
VERSION_1 = [
    ["KHM-001", "2.1.6", "Customs training", "Completed", date(2017, 1, 10), date(2017, 6, 30)],
    ["KHM-002", "3.1.2(a); 3.1.2(b)", "Rural health pilot", "Completed", date(2017, 2, 1), date(2017, 9, 30)],
    ["KHM-003", "5.1", "Connectivity study", "Ongoing", date(2017, 3, 1)],
    ["KHM-004", "5.2", "Port survey", "Planned"],
]


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def aptmon(*args, warehouse_file) -> subprocess.CompletedProcess:
    command = [APTMON, *map(str, args), "--warehouse", str(warehouse_file)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def ingest_json(path, warehouse_file, *flags) -> tuple[int, dict]:
    result = aptmon("ingest", path, "--json", *flags, warehouse_file=warehouse_file)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout.splitlines()[-1])


def submissions(warehouse_file) -> list[tuple]:
    with warehouse.read_connection(warehouse_file) as con:
        return con.execute(
            "SELECT s.status, s.version, v.version_state FROM submissions s JOIN submission_states v "
            "USING (submission_id) ORDER BY submission_id"
        ).fetchall()


def loaded_statuses(warehouse_file) -> dict[str, str]:
    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(
            "SELECT a.activity_id, a.status FROM activities a JOIN current_submissions s USING (submission_id) "
            "WHERE s.country = 'KHM' AND s.reporting_year = 2017"
        ).fetchall()
    return dict(rows)


def first_version(tmp_path, warehouse_file) -> None:
    code, result = ingest_json(write_xlsx(tmp_path / "v1.xlsx", VERSION_1, year=2017), warehouse_file)
    assert (code, result["status"], result["version"]) == (0, "accepted", 1)


def test_each_kind_of_change_to_the_record_holds_the_return_until_confirmed(tmp_path, warehouse_file):
    first_version(tmp_path, warehouse_file)
    second = [
        ["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2017, 1, 10)],  # back from completed
        ["KHM-002", "3.1.2(a)", "Rural health pilot", "Completed", date(2017, 2, 1), date(2017, 9, 30)],  # measures
        ["KHM-004", "5.2", "Port survey", "Planned"],  # KHM-003 (ongoing) is gone
        ["KHM-005", "6.1", "New forum", "Planned"],
    ]
    path = write_xlsx(tmp_path / "v2.xlsx", second, year=2017)

    code, held = ingest_json(path, warehouse_file)
    assert code == 1 and held["status"] == "held" and held["version"] == 2
    changes = {(i["code"], i["activity_id"], i["old"], i["new"]) for i in held["issues"] if "activity_id" in i}
    assert changes == {
        ("completed-undone", "KHM-001", "completed", "ongoing"),
        ("measures-changed", "KHM-002", "3.1.2(a); 3.1.2(b)", "3.1.2(a)"),
        ("activity-removed", "KHM-003", "ongoing", None),
    }
    assert all(i["severity"] == "warning" for i in held["issues"])
    undone = next(i for i in held["issues"] if i["code"] == "completed-undone")
    assert (undone["sheet"], undone["row"], undone["column"]) == ("Activities", 2, "Status")
    assert "KHM-001 was completed in version 1 of this return" in undone["message"]
    assert "check the Status" in undone["message"]
    assert loaded_statuses(warehouse_file) == {"KHM-001": "completed", "KHM-002": "completed",
                                               "KHM-003": "ongoing", "KHM-004": "planned"}  # fmt: skip

    table = aptmon("ingest", path, warehouse_file=warehouse_file)
    assert table.returncode == 1
    assert "held, nothing loaded" in table.stdout and "--confirm-changes" in table.stdout
    assert "1 activity goes back from completed, 1 removed, 1 changes measures" in table.stdout

    code, confirmed = ingest_json(path, warehouse_file, "--confirm-changes")
    assert (code, confirmed["status"], confirmed["version"]) == (0, "accepted", 2)
    assert loaded_statuses(warehouse_file) == {"KHM-001": "ongoing", "KHM-002": "completed",
                                               "KHM-004": "planned", "KHM-005": "planned"}  # fmt: skip
    states = submissions(warehouse_file)
    assert [s[:2] for s in states] == [("accepted", 1), ("held", 2), ("held", 2), ("accepted", 2)]
    assert states[0][2].startswith("superseded by version 2 on ")
    # The two held runs were never confirmed themselves: the confirming run is an upload of its own.
    assert states[1][2] == states[2][2] == "held: its changes to the record were not confirmed"
    assert states[3][2] == "current"


def test_a_dry_run_says_held_and_records_nothing(tmp_path, warehouse_file):
    first_version(tmp_path, warehouse_file)
    path = write_xlsx(tmp_path / "v2.xlsx", VERSION_1[1:], year=2017)  # KHM-001, completed, dropped
    code, result = ingest_json(path, warehouse_file, "--dry-run")
    assert (code, result["status"]) == (1, "held")
    assert [(i["code"], i["activity_id"]) for i in result["issues"]] == [("activity-removed", "KHM-001")]
    assert len(submissions(warehouse_file)) == 1
    code, result = ingest_json(path, warehouse_file, "--dry-run", "--confirm-changes")
    assert (code, result["status"], result["version"]) == (0, "accepted", 2)


def test_a_return_that_only_adds_and_moves_forward_is_not_held(tmp_path, warehouse_file):
    first_version(tmp_path, warehouse_file)
    forward = [*VERSION_1[:2], ["KHM-003", "5.1", "Connectivity study", "Completed", date(2017, 3, 1),
                                date(2017, 12, 1)], VERSION_1[3], ["KHM-009", "6.2", "Added", "Planned"]]  # fmt: skip
    code, result = ingest_json(write_xlsx(tmp_path / "v2.xlsx", forward, year=2017), warehouse_file)
    assert (code, result["status"], result["version"]) == (0, "accepted", 2)
    assert not any("activity_id" in i for i in result["issues"])


def test_an_activity_completed_in_an_earlier_year_cannot_silently_reopen(tmp_path, warehouse_file):
    done = [["KHM-001", "2.1.6", "Customs training", "Completed", date(2016, 1, 10), date(2016, 6, 30)]]
    assert ingest_json(write_xlsx(tmp_path / "2016.xlsx", done, year=2016), warehouse_file)[0] == 0
    reopened = [["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2016, 1, 10)]]
    code, result = ingest_json(write_xlsx(tmp_path / "2017.xlsx", reopened, year=2017), warehouse_file)
    assert (code, result["status"]) == (1, "held")
    [finding] = result["issues"]
    assert (finding["code"], finding["activity_id"], finding["old"], finding["new"]) == (
        "completed-undone", "KHM-001", "completed", "ongoing")  # fmt: skip
    assert "in the 2016 return" in finding["message"]
    # Not listing a finished activity again in a later year is how returns work: not a change to the record.
    later = [["KHM-002", "5.1", "Something else", "Planned"]]
    code, result = ingest_json(write_xlsx(tmp_path / "2017b.xlsx", later, year=2017), warehouse_file)
    assert (code, result["status"]) == (0, "accepted")


def test_the_prefill_starts_from_the_years_current_version_and_says_so(tmp_path, warehouse_file):
    earlier = [["KHM-000", "1.1.1", "Earlier ongoing", "Ongoing", date(2016, 1, 1)],
               ["KHM-00X", "1.1.2", "Earlier done", "Completed", date(2016, 1, 1), date(2016, 5, 1)]]  # fmt: skip
    assert ingest_json(write_xlsx(tmp_path / "2016.xlsx", earlier, year=2016), warehouse_file)[0] == 0
    out = tmp_path / "KHM-2017.xlsx"
    command = ("template", "--country", "KHM", "--year", 2017, "--prefill", "-o", out)

    # A year without a version starts from the latest earlier return's unfinished activities.
    result = aptmon(*command, warehouse_file=warehouse_file)
    assert "1 activity carried forward from the unfinished activities of the 2016 return" in result.stdout
    assert [r[0] for r in load_workbook(out)["Activities"].iter_rows(min_row=2, max_row=3, values_only=True)] == [
        "KHM-000", None]  # fmt: skip

    first_version(tmp_path, warehouse_file)
    result = aptmon(*command, warehouse_file=warehouse_file)
    assert result.returncode == 0, result.stderr
    assert "4 activities carried forward from version 1 of the 2017 return" in result.stdout
    workbook = load_workbook(out)
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row and row[0]}
    assert cover["Prefilled from"] == "version 1 of the 2017 return"
    rows = [row[:6] for row in workbook["Activities"].iter_rows(min_row=2, max_row=5, values_only=True)]
    assert [r[0] for r in rows] == ["KHM-001", "KHM-002", "KHM-003", "KHM-004"]  # completed ones too
    assert rows[1][1] == "3.1.2(a); 3.1.2(b)" and rows[0][3] == "Completed" and rows[0][5].date() == date(2017, 6, 30)
    # The prefilled file, uploaded as it is, changes nothing.
    code, again = ingest_json(out, warehouse_file)
    assert (code, again["status"]) == (0, "unchanged")


def test_a_warehouse_from_before_held_returns_is_upgraded_by_init(tmp_path):
    db = tmp_path / "old.duckdb"
    old_schema = (Path(warehouse.SQL_DIR) / "schema.sql").read_text().replace(", 'held'", "")
    con = duckdb.connect(str(db))
    con.execute(old_schema)
    con.execute(
        "INSERT INTO submissions (plan_id, country, reporting_year, version, file_name, sha256, submitted_by, "
        "submitted_at, received_on, status) VALUES ('apt-2013-2017', 'KHM', 2015, 1, 'a.xlsx', 'x', 't', now(), "
        "DATE '2016-02-01', 'accepted')"
    )
    con.close()
    assert aptmon("init", warehouse_file=db).returncode == 0
    with warehouse.write_connection(db) as con:
        assert con.execute("SELECT country, version, status FROM submissions").fetchall() == [("KHM", 1, "accepted")]
        con.execute(
            "INSERT INTO submissions (plan_id, file_name, sha256, submitted_by, submitted_at, received_on, status) "
            "VALUES ('apt-2013-2017', 'b.xlsx', 'y', 't', now(), DATE '2016-02-01', 'held')"
        )
