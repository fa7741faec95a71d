"""Bad input: each file is refused with a message that says what is wrong and where, and loads nothing."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import msoffcrypto
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill
from support.return_files import GOOD_ROWS, HEADER, write_csv, write_xlsx

from etl import warehouse
from etl.returns.ingest import ingest_file

DATA_TABLES = ("activities", "activity_measures", "issues")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Iterator[Path]:
    """A warehouse that already holds one accepted return, so 'nothing changed' is a real comparison."""
    folder = tmp_path_factory.mktemp("bad-input")
    db = folder / "warehouse.duckdb"
    warehouse.initialise(db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APTMON_RETURNS_DIR", str(folder / "returns"))
        ingest_file(write_xlsx(folder / "accepted.xlsx"), warehouse_file=db, country="KHM", year=2015)
        yield db


def state(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in DATA_TABLES}
        tables["submissions"] = con.execute(
            "SELECT submission_id, status, version, superseded_by FROM submissions ORDER BY ALL"
        ).fetchall()
        return tables
    finally:
        con.close()


def refused(path: Path, db: Path, code: str, **kwargs):
    """Ingest `path`, check it is rejected with `code` alone and that only the upload log grew."""
    before = state(db)
    result = ingest_file(path, warehouse_file=db, **kwargs)
    after = state(db)
    assert result.status == "rejected"
    assert [i.code for i in result.issues if i.severity == "error"][:1] == [code], result.issues
    assert after["activities"] == before["activities"] and after["activity_measures"] == before["activity_measures"]
    assert after["submissions"][: len(before["submissions"])] == before["submissions"]
    new_rows = after["submissions"][len(before["submissions"]) :]
    assert [(status, version, superseded) for _, status, version, superseded in new_rows] == [("rejected", None, None)]
    assert Path(result.stored_path).exists()  # the file as received is kept
    dry = ingest_file(path, warehouse_file=db, dry_run=True, **kwargs)
    assert dry.status == "rejected" and state(db) == after
    return result


def test_a_text_file_renamed_to_xlsx(tmp_path, loaded):
    path = tmp_path / "return.xlsx"
    path.write_text("Activity ID,Title\nA1,Something\n", encoding="utf-8")
    result = refused(path, loaded, "not-a-spreadsheet")
    assert "it is plain text" in result.issues[0].message and result.file == "return.xlsx"


def test_an_image_renamed_to_xlsx(tmp_path, loaded):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "PNG image" in refused(path, loaded, "not-a-spreadsheet").issues[0].message


def test_an_unaccepted_extension(tmp_path, loaded):
    path = tmp_path / "return.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert '".pdf"' in refused(path, loaded, "unsupported-format").issues[0].message


def test_a_corrupt_zip(tmp_path, loaded):
    data = write_xlsx(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "save it again" in refused(path, loaded, "corrupt-file").issues[0].message


def test_an_empty_workbook(tmp_path, loaded):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    refused(path, loaded, "empty-workbook")


def test_no_activities_sheet(tmp_path, loaded):
    path = write_xlsx(tmp_path / "r.xlsx", activities_sheet="Data")
    result = refused(path, loaded, "missing-sheet")
    assert "sheets found: Cover, Data" in result.issues[0].message


def test_header_missing_a_required_column(tmp_path, loaded):
    header = [h for h in HEADER if h != "Status"]
    rows = [[v for i, v in enumerate(r) if i != 3] for r in GOOD_ROWS]
    result = refused(write_xlsx(tmp_path / "r.xlsx", rows, header=header), loaded, "missing-column")
    issue = result.issues[0]
    assert (issue.sheet, issue.row, issue.column) == ("Activities", 1, "Status")
    assert issue.message.startswith("Row 1: the header has no Status column; add it")


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path, loaded):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = bytes(1 << 20)
            for _ in range(64):
                entry.write(chunk)
    assert path.stat().st_size < 1 << 20
    result = refused(path, loaded, "file-too-large")
    assert "xl/worksheets/sheet1.xml" in result.issues[0].message and ":1" in result.issues[0].message


def test_a_password_protected_workbook(tmp_path, loaded):
    plain = write_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "locked.xlsx"
    with open(plain, "rb") as source, open(path, "wb") as target:
        msoffcrypto.OfficeFile(source).encrypt("secret", target)
    result = refused(path, loaded, "password-protected")
    assert [i.code for i in result.issues] == ["password-protected"]
    assert "remove the password" in result.issues[0].message


@pytest.mark.parametrize(("encoding", "detail"), [("cp1252", "byte 0xe9 on line 2"), ("utf-16", "UTF-16")])
def test_a_csv_in_another_encoding(tmp_path, loaded, encoding, detail):
    path = write_csv(tmp_path / "acts.csv", [["A1", "2.1.6", "Café", "Planned"]], encoding=encoding)
    message = refused(path, loaded, "wrong-encoding", country="KHM", year=2016).issues[0].message
    assert detail in message and "save it as 'CSV UTF-8" in message


def test_100000_blank_rows_after_the_data_are_skipped(tmp_path, loaded):
    path = write_xlsx(tmp_path / "padded.xlsx", year=2016)
    workbook = load_workbook(path)
    sheet = workbook["Activities"]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for row in range(len(GOOD_ROWS) + 2, len(GOOD_ROWS) + 2 + 100_000):
        sheet.cell(row=row, column=1).fill = fill  # formatted but empty, as a pasted template leaves them
    workbook.save(path)
    result = ingest_file(path, warehouse_file=loaded)
    assert (result.status, result.activities, result.issues) == ("accepted", 3, [])


def test_merged_cells_warn_and_the_blank_rows_they_leave_are_errors(tmp_path, loaded):
    path = write_xlsx(tmp_path / "merged.xlsx", year=2016)
    workbook = load_workbook(path)
    workbook["Activities"].merge_cells("D2:D3")
    workbook.save(path)
    result = refused(path, loaded, "missing-value")
    assert [(i.code, i.row, i.column) for i in result.issues] == [
        ("merged-cells", 2, "Status"),
        ("missing-value", 3, "Status"),
    ]
    assert "cells D2:D3 are merged" in result.issues[0].message


def test_the_same_file_twice_is_unchanged(tmp_path, loaded):
    path = write_xlsx(tmp_path / "again.xlsx")
    before = state(loaded)
    result = ingest_file(path, warehouse_file=loaded)
    assert (result.status, result.version) == ("unchanged", 1)
    after = state(loaded)
    assert {k: v for k, v in after.items() if k != "submissions"} == {
        k: v for k, v in before.items() if k != "submissions"
    }
    assert [row[1] for row in after["submissions"][len(before["submissions"]) :]] == ["unchanged"]
