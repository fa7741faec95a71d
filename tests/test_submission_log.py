"""The submissions log records what happened: one row per upload, confirmed only when that upload was confirmed."""

from __future__ import annotations

from datetime import date

import pytest
from support.return_files import write_xlsx

from etl import warehouse
from etl.returns.ingest import ingest_file
from etl.returns.load import HeldUploadGone
from etl.returns.regressions import change_keys

VERSION_1 = [
    ["KHM-001", "2.1.6", "Customs training", "Completed", date(2017, 1, 10), date(2017, 6, 30)],
    ["KHM-002", "5.1", "Connectivity study", "Ongoing", date(2017, 3, 1)],
]
# Drops the completed KHM-001 (held), and carries a start date before 2013 (a warning of its own).
VERSION_2 = [
    ["KHM-002", "5.1", "Connectivity study", "Ongoing", date(2012, 3, 1)],
]


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def _log(warehouse_file) -> list[tuple]:
    with warehouse.read_connection(warehouse_file) as con:
        return con.execute(
            "SELECT s.submission_id, s.status, s.version, v.version_state, s.warnings, "
            "(SELECT count(*) FROM issues i WHERE i.submission_id = s.submission_id) AS findings "
            "FROM submissions s JOIN submission_states v USING (submission_id) ORDER BY submission_id"
        ).fetchall()


def test_two_tabs_confirming_one_change_record_one_version_and_one_unchanged(tmp_path, warehouse_file):
    first = ingest_file(write_xlsx(tmp_path / "v1.xlsx", VERSION_1, year=2017), warehouse_file=warehouse_file)
    assert (first.status, first.version) == ("accepted", 1)
    second = write_xlsx(tmp_path / "v2.xlsx", VERSION_2, year=2017)
    # Held three times: left alone once, then checked in tab A and in tab B.
    left, tab_a, tab_b = (ingest_file(second, warehouse_file=warehouse_file) for _ in range(3))
    assert {left.status, tab_a.status, tab_b.status} == {"held"}
    shown = change_keys(tab_a.issues)

    confirmed = ingest_file(
        second, warehouse_file=warehouse_file, confirm_changes=shown, held_submission=tab_a.submission_id
    )
    assert (confirmed.status, confirmed.version, confirmed.submission_id) == ("accepted", 2, tab_a.submission_id)
    again = ingest_file(
        second, warehouse_file=warehouse_file, confirm_changes=shown, held_submission=tab_b.submission_id
    )
    assert (again.status, again.version, again.submission_id) == ("unchanged", 2, tab_b.submission_id)

    log = _log(warehouse_file)
    assert [row[0] for row in log] == [first.submission_id, left.submission_id, tab_a.submission_id,
                                       tab_b.submission_id]  # fmt: skip
    assert [row[1:3] for row in log] == [("accepted", 1), ("held", 2), ("accepted", 2), ("unchanged", 2)]
    states = [row[3] for row in log]
    assert states[0].startswith("superseded by version 2 on ")
    assert states[1] == "held: its changes to the record were not confirmed"
    assert states[2].startswith("held, then confirmed as version 2 on ") and states[2].endswith("(current)")
    assert states[3].startswith("held, then confirmed on ")
    assert states[3].endswith(": unchanged, version 2 already made the same change")
    # Each row keeps its own findings, the removal and the pre-2013 start date, and counts both of them.
    for _, _, _, _, warnings, findings in log[1:]:
        assert (warnings, findings) == (2, 2)

    with warehouse.read_connection(warehouse_file) as con:
        current = con.execute(
            "SELECT submission_id, version FROM current_submissions WHERE country = 'KHM' AND reporting_year = 2017"
        ).fetchall()
        loaded = con.execute("SELECT activity_id FROM activities WHERE submission_id = ?", [tab_a.submission_id])
        assert loaded.fetchall() == [("KHM-002",)]
    assert current == [(tab_a.submission_id, 2)]


def test_a_held_upload_is_confirmed_once(tmp_path, warehouse_file):
    ingest_file(write_xlsx(tmp_path / "v1.xlsx", VERSION_1, year=2017), warehouse_file=warehouse_file)
    second = write_xlsx(tmp_path / "v2.xlsx", VERSION_2, year=2017)
    held = ingest_file(second, warehouse_file=warehouse_file)
    ingest_file(second, warehouse_file=warehouse_file, confirm_changes=True, held_submission=held.submission_id)
    with pytest.raises(HeldUploadGone, match="already submitted"):
        ingest_file(second, warehouse_file=warehouse_file, confirm_changes=True, held_submission=held.submission_id)
    assert len(_log(warehouse_file)) == 2


def test_an_unchanged_upload_keeps_its_findings(tmp_path, warehouse_file):
    rows = [["KHM-002", "5.1", "Connectivity study", "Ongoing", "01/07/2017"]]  # a date that reads two ways
    path = write_xlsx(tmp_path / "v1.xlsx", rows, year=2017)
    ingest_file(path, warehouse_file=warehouse_file)
    again = ingest_file(path, warehouse_file=warehouse_file)
    assert again.status == "unchanged" and again.warnings >= 1
    *_, (_, status, _, _, warnings, findings) = _log(warehouse_file)
    assert (status, findings) == ("unchanged", warnings)
    with warehouse.read_connection(warehouse_file) as con:
        codes = con.execute("SELECT code FROM issues WHERE submission_id = ?", [again.submission_id]).fetchall()
    assert codes == [("ambiguous-date",)]


def test_a_held_rows_warnings_count_what_would_be_undone_before_and_after_it_is_confirmed(tmp_path, warehouse_file):
    # The log said Warnings 0 beside a held upload whose three changes to confirm were listed when its row was opened.
    ingest_file(write_xlsx(tmp_path / "v1.xlsx", VERSION_1, year=2017), warehouse_file=warehouse_file)
    undone = [["KHM-002", "5.1", "Connectivity study", "Ongoing", date(2017, 3, 1)]]  # drops the completed KHM-001
    second = write_xlsx(tmp_path / "v2.xlsx", undone, year=2017)
    held = ingest_file(second, warehouse_file=warehouse_file)
    assert (held.status, held.warnings, held.errors) == ("held", 1, 0)
    assert _log(warehouse_file)[-1][1:] == ("held", 2, "held: its changes to the record were not confirmed", 1, 1)

    ingest_file(second, warehouse_file=warehouse_file, confirm_changes=True, held_submission=held.submission_id)
    (_, status, version, _, warnings, findings) = _log(warehouse_file)[-1]
    assert (status, version, warnings, findings) == ("accepted", 2, 1, 1)


def test_confirming_a_row_held_with_a_wrong_count_sets_it_right(tmp_path, warehouse_file):
    # A warehouse whose held row was recorded before its count included what it would undo.
    ingest_file(write_xlsx(tmp_path / "v1.xlsx", VERSION_1, year=2017), warehouse_file=warehouse_file)
    second = write_xlsx(tmp_path / "v2.xlsx", VERSION_2, year=2017)
    held = ingest_file(second, warehouse_file=warehouse_file)
    with warehouse.write_connection(warehouse_file) as con:
        con.execute("UPDATE submissions SET warnings = 1 WHERE submission_id = ?", [held.submission_id])
    ingest_file(second, warehouse_file=warehouse_file, confirm_changes=True, held_submission=held.submission_id)
    assert _log(warehouse_file)[-1][1:3] + _log(warehouse_file)[-1][4:] == ("accepted", 2, 2, 2)
