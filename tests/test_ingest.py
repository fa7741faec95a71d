"""Loading returns end to end: versions, unchanged uploads, rejections, dry runs and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.return_files import GOOD_ROWS, write_csv, write_xlsx

from etl.returns.ingest import ingest_file

APTMON = str(Path(sys.executable).with_name("aptmon"))
TABLES = ("submissions", "activities", "activity_measures", "issues")


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "returns"
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(folder))
    return folder


def snapshot(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_first_upload_is_accepted_and_stored_under_a_generated_name(tmp_path, warehouse_file, returns_dir):
    path = write_xlsx(tmp_path / "my return (final).xlsx")
    result = ingest_file(path, warehouse_file=warehouse_file, received_on=date(2016, 2, 1), submitted_by="analyst1")
    assert (result.status, result.version, result.activities, result.errors) == ("accepted", 1, 3, 0)
    assert result.changes["added"] == ["KHM-001", "KHM-002", "KHM-003"]
    stored = Path(result.stored_path)
    assert stored.parent == returns_dir / "KHM" / "2015" and stored.read_bytes() == path.read_bytes()
    assert "final" not in stored.name and stored.suffix == ".xlsx"
    row = query(
        warehouse_file,
        "SELECT status, version, file_name, submitted_by, received_on, superseded_by, activities, is_synthetic, "
        "length(sha256), stored_path FROM submissions",
    )
    assert row == [
        (
            "accepted",
            1,
            "my return (final).xlsx",
            "analyst1",
            date(2016, 2, 1),
            None,
            3,
            False,
            64,
            f"KHM/2015/{stored.name}",
        )
    ]  # fmt: skip  (relative to the returns folder: the data can move)
    links = query(warehouse_file, "SELECT activity_id, measure_id, sub_item FROM activity_measures ORDER BY ALL")
    assert links == [("KHM-001", "2.1.6", None), ("KHM-002", "3.1.2", "3.1.2(a);3.1.2(b)"),
                     ("KHM-003", "5.1", None), ("KHM-003", "5.2", None)]  # fmt: skip
    statuses = query(warehouse_file, "SELECT status FROM activities ORDER BY activity_id")
    assert statuses == [("ongoing",), ("completed",), ("planned",)]


def test_reupload_makes_a_new_version_and_reports_the_changes(tmp_path, warehouse_file):
    first = ingest_file(write_xlsx(tmp_path / "v1.xlsx"), warehouse_file=warehouse_file)
    rows = [list(r) for r in GOOD_ROWS[:2]] + [["KHM-004", "6.1", "New forum", "Planned"]]
    rows[0][3], rows[0][5] = "Completed", date(2015, 12, 1)
    second = ingest_file(write_xlsx(tmp_path / "v2.xlsx", rows), warehouse_file=warehouse_file)
    assert (second.status, second.version) == ("accepted", 2)
    assert second.changes == {
        "previous_version": 1,
        "added": ["KHM-004"],
        "removed": ["KHM-003"],
        "status_changed": [{"activity_id": "KHM-001", "from": "ongoing", "to": "completed"}],
    }
    current = query(
        warehouse_file,
        "SELECT submission_id, version, superseded_by FROM submissions WHERE status = 'accepted' ORDER BY version",
    )
    assert current == [(first.submission_id, 1, second.submission_id), (second.submission_id, 2, None)]


def test_identical_content_is_recorded_as_unchanged_and_changes_nothing_else(tmp_path, warehouse_file):
    ingest_file(write_xlsx(tmp_path / "a.xlsx"), warehouse_file=warehouse_file)
    before = snapshot(warehouse_file)
    # the same rows in another order, saved again: a different file, the same content
    again = ingest_file(write_xlsx(tmp_path / "b.xlsx", list(reversed(GOOD_ROWS))), warehouse_file=warehouse_file)
    assert (again.status, again.version) == ("unchanged", 1)
    after = snapshot(warehouse_file)
    assert after["activities"] == before["activities"] and after["issues"] == before["issues"]
    assert len(after["submissions"]) == 2
    assert query(warehouse_file, "SELECT status FROM submissions ORDER BY submission_id") == [
        ("accepted",),
        ("unchanged",),
    ]


def test_a_rejected_return_is_logged_with_its_issues_and_loads_nothing(tmp_path, warehouse_file):
    rows = [["A1", "2.1.17", "T", "Planned"], ["A2", "2.1.6", "T", "Maybe"]]
    result = ingest_file(write_xlsx(tmp_path / "bad.xlsx", rows), warehouse_file=warehouse_file)
    assert (result.status, result.errors, result.activities, result.version) == ("rejected", 2, 0, None)
    assert query(warehouse_file, "SELECT count(*) FROM activities") == [(0,)]
    assert query(warehouse_file, "SELECT count(*) FROM activity_measures") == [(0,)]
    logged = query(warehouse_file, 'SELECT code, sheet, "row", "column", value FROM issues ORDER BY "row"')
    assert logged == [("unknown-measure", "Activities", 2, "Measure IDs", "2.1.17"),
                      ("unknown-status", "Activities", 3, "Status", "Maybe")]  # fmt: skip
    assert query(warehouse_file, "SELECT status, errors FROM submissions") == [("rejected", 2)]
    assert Path(result.stored_path).exists()


def test_dry_run_reports_the_outcome_and_writes_nothing(tmp_path, warehouse_file, returns_dir):
    before = snapshot(warehouse_file)
    result = ingest_file(write_xlsx(tmp_path / "r.xlsx"), warehouse_file=warehouse_file, dry_run=True)
    assert (result.status, result.version, result.dry_run, result.stored_path) == ("accepted", 1, True, None)
    assert snapshot(warehouse_file) == before and not returns_dir.exists()


def test_csv_takes_country_and_year_from_the_upload(tmp_path, warehouse_file):
    path = write_csv(tmp_path / "acts.csv", [["C1", "2.1.6", "Café training", "Ongoing", "2015-02-01"]])
    result = ingest_file(path, warehouse_file=warehouse_file, country="VNM", year=2016)
    assert (result.status, result.country, result.year) == ("accepted", "VNM", 2016)
    assert query(
        warehouse_file, "SELECT title, file_format FROM activities JOIN submissions USING (submission_id)"
    ) == [("Café training", "csv")]


def run(*args):
    return subprocess.run([APTMON, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # aptmon in a subprocess
def test_cli_ingest_json_summary_and_exit_codes(tmp_path, warehouse_file):
    good = write_xlsx(tmp_path / "good.xlsx")
    bad = write_xlsx(tmp_path / "bad.xlsx", [["A1", "9.9.9", "T", "Planned"]], country="Japan")
    revised = write_xlsx(tmp_path / "revised.xlsx", GOOD_ROWS[:2])
    # Each file is read while the one before it loads: the results still come in the order given.
    result = run("ingest", str(good), str(bad), str(revised), "--json", "--report-dir", str(tmp_path / "fb"),
                 "--warehouse", str(warehouse_file))  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Checking returns" in result.stderr  # the progress bar goes to stderr, the JSON alone to stdout
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["file"], o["status"], o["country"], o["version"]) for o in objects] == [
        ("good.xlsx", "accepted", "KHM", 1),
        ("bad.xlsx", "rejected", "JPN", None),
        ("revised.xlsx", "accepted", "KHM", 2),
    ]
    assert objects[2]["changes"]["removed"] == ["KHM-003"]
    issue = objects[1]["issues"][0]
    assert set(issue) == {"severity", "code", "sheet", "row", "column", "value", "message"}
    assert issue["message"].startswith('Row 2, Measure IDs: "9.9.9" is not a measure')
    assert {"file", "country", "year", "status", "version", "activities", "errors", "warnings", "changes"} <= set(
        objects[0]
    )
    assert Path(objects[1]["report"]).exists()

    table = run("ingest", str(revised), "--warehouse", str(warehouse_file))
    assert table.returncode == 0 and "unchanged" in table.stdout and "KHM" in table.stdout

    usage = run("ingest", str(good), "--country", "Atlantis", "--warehouse", str(warehouse_file))
    assert usage.returncode == 2 and "Atlantis" in usage.stderr and "Traceback" not in usage.stderr
    missing = run("ingest", str(tmp_path / "nope.xlsx"), "--warehouse", str(warehouse_file))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


@pytest.mark.parametrize("as_parameters", [True, False])
def test_rows_reach_duckdb_alike_as_parameters_or_as_numpy_arrays(monkeypatch, as_parameters):
    """A few rows go to DuckDB as list parameters, more as NumPy arrays: the same values and types either way."""
    from etl.returns import rows as rows_module

    monkeypatch.setattr(rows_module, "_ROWS_AS_PARAMETERS", 10**9 if as_parameters else -1)
    columns = {"text": "VARCHAR", "day": "DATE", "amount": "DOUBLE", "row": "INTEGER"}
    values = {
        "text": ["KHM-001", None, "Kampuchea – ខ្មែរ", "a\nb", ""],
        "day": [date(2015, 1, 1), None, date(2030, 12, 31), date(2000, 1, 1), None],
        "amount": [0.0, None, 1e15, 2.5, float("nan")],
        "row": [2, 3, None, 100_000, 6],
    }
    con = duckdb.connect()
    for rows in (rows_module.Rows(columns, values), rows_module.Rows.empty(columns)):
        with rows.registered(con, "new_rows") as select:
            cursor = con.execute(f"SELECT * FROM ({select})")
            got = [tuple(d[:2]) for d in cursor.description], cursor.fetchall()
        expected_types = [("text", "VARCHAR"), ("day", "DATE"), ("amount", "DOUBLE"), ("row", "INTEGER")]
        assert got[0] == expected_types
        expected = [tuple(None if v != v else v for v in row) for row in zip(*rows.data.values(), strict=True)]
        assert got[1] == expected  # a NaN (v != v) reads as NULL either way
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'new_rows'").fetchone() == (0,)
