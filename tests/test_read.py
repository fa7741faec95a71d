"""Reading returns as people save them: title rows, shuffled headers, extra columns, CSV, and LibreOffice's formats."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from support.return_files import GOOD_ROWS, HEADER, convert_with_libreoffice, write_csv, write_xlsx

from etl.plan.catalogue import load_catalogue
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import inspect_return, read_return
from etl.returns.validate import validate_return


@pytest.fixture(scope="module")
def lookup() -> MeasureLookup:
    return MeasureLookup(load_catalogue())


def test_header_below_title_rows_in_any_order_and_spelling(tmp_path, lookup):
    header = ["  STATUS ", "title", "measure-ids", "Activity_ID", "Start Date", "End date", "Notes for HQ"]
    rows = [["Ongoing", "Customs training", "2.1.6", "K1", date(2015, 1, 5), None, "ask Sok"],
            [None, None, None, None, None, None, None],
            ["Planned", "Study", "5.1", "K2", None, None, None]]  # fmt: skip
    raw = read_return(write_xlsx(tmp_path / "r.xlsx", rows, header=header, title_rows=3))
    table = raw.table
    assert table.header_row == 4 and table.rows == [5, 7]
    assert table.columns["activity_id"].index == 4 and table.columns["status"].header == "STATUS"
    assert [(i.code, i.row, i.column) for i in raw.issues] == [("extra-column", 4, "Notes for HQ")]
    result = validate_return(raw, lookup)
    assert result.accepted and result.activities.column("activity_id") == ["K1", "K2"]
    assert result.activities.column("source_row") == [5, 7]


def test_csv_utf8_with_bom_and_semicolons(tmp_path, lookup):
    text = ";".join(HEADER) + "\nK1;2.1.6;Formation douanière;En cours;;\n"
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("En cours", "Ongoing").encode("utf-8"))
    raw = read_return(path)
    assert raw.file_format == "csv" and raw.table.rows == [2]
    result = validate_return(raw, lookup, country="KHM", year=2015)
    assert [i.code for i in result.issues] == ["missing-date"]
    assert result.activities.num_rows == 0  # rejected: an ongoing activity needs a start date
    assert raw.table.values["title"] == ["Formation douanière"]


@pytest.fixture(scope="module")
def foreign_files(tmp_path_factory) -> dict[str, Path]:
    """One openpyxl return re-saved by LibreOffice as .ods and .xls, and one with formulas as .xlsx."""
    folder = tmp_path_factory.mktemp("foreign")
    source = write_xlsx(folder / "return.xlsx")
    formulas = write_xlsx(
        folder / "formulas.xlsx",
        [['="KHM-"&"001"', "2.1.6", '=UPPER("customs training")', '="Ongoing"', "=DATE(2015,3,1)", None,
          None, None, None, "=2*1500"]],
    )  # fmt: skip
    return {
        "ods": convert_with_libreoffice(source, "ods", folder / "out"),
        "xls": convert_with_libreoffice(source, "xls", folder / "out"),
        "formulas": convert_with_libreoffice(formulas, "xlsx", folder / "out"),
    }


@pytest.mark.slow  # LibreOffice converts the files
@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_libreoffice_ods_and_xls_read_like_the_original(foreign_files, lookup, kind):
    raw = read_return(foreign_files[kind])
    assert raw.file_format == kind
    result = validate_return(raw, lookup)
    assert result.accepted, result.issues
    assert (result.country, result.year) == ("KHM", 2015)
    activities = result.activities.to_pylist()
    assert [a["activity_id"] for a in activities] == [r[0] for r in GOOD_ROWS]
    assert activities[1]["start_date"] == date(2014, 1, 15) and activities[1]["end_date"] == date(2015, 6, 30)
    assert activities[2]["budget_usd"] == 25000.0


@pytest.mark.slow  # LibreOffice converts the files
def test_formulas_are_read_as_their_values(foreign_files, lookup):
    result = validate_return(read_return(foreign_files["formulas"]), lookup)
    assert result.accepted, result.issues
    (activity,) = result.activities.to_pylist()
    assert activity["activity_id"] == "KHM-001" and activity["title"] == "CUSTOMS TRAINING"
    assert activity["status"] == "ongoing" and activity["start_date"] == date(2015, 3, 1)
    assert activity["budget_usd"] == 3000.0


def _with_cells_replaced(path: Path, cells: dict[str, str]) -> Path:
    """The workbook with the Activities cells at the given references rewritten as raw XML (as Excel saves them)."""
    with zipfile.ZipFile(path) as archive:
        parts = {item: archive.read(item) for item in archive.infolist()}
    for item, data in parts.items():
        if item.filename.startswith("xl/worksheets/") and b'<c r="B3"' in data:
            xml = data.decode("utf-8")
            for ref, cell in cells.items():
                xml = re.sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', cell, xml, count=1)
            parts[item] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item, data in parts.items():
            archive.writestr(item, data)
    return path


def test_spreadsheet_errors_left_by_formulas_are_named_where_they_are(tmp_path, lookup):
    rows = [list(r) + [None] * (10 - len(r)) + ["Outputs"] for r in GOOD_ROWS]
    rows[0][9] = 1  # placeholders for the cells rewritten below
    path = _with_cells_replaced(
        write_xlsx(tmp_path / "errors.xlsx", rows),
        {
            # a broken lookup in a required column, its type written before its reference
            "B3": '<c t="e" r="B3"><f>VLOOKUP(A3,Lists!A:B,2,0)</f><v>#REF!</v></c>',
            # an optional column: without this the budget would be read as blank and the return accepted
            "J2": '<c r="J2" s="0" t="e"><f>C2/0</f><v>#DIV/0!</v></c>',
            # an error cell that holds no value stays blank (the scan does not run on into the next cell)
            "K2": '<c r="K2" t="e"/>',
        },
    )
    raw = read_return(path)
    assert raw.table.values["measure_ids"][1] == "#REF!" and raw.table.values["description"][:2] == ["", "Outputs"]
    result = validate_return(raw, lookup)
    assert [(i.code, i.row, i.column, i.value) for i in result.issues] == [
        ("cell-error", 2, "Budget (USD)", "#DIV/0!"),
        ("cell-error", 3, "Measure IDs", "#REF!"),
    ]
    assert not result.accepted and "fix the formula" in result.issues[1].message


def test_the_size_pre_scan_notes_error_values_on_its_way_through_an_ordinary_sheet(tmp_path, lookup):
    plain = write_xlsx(tmp_path / "plain.xlsx", [list(r) for r in GOOD_ROWS])
    assert inspect_return(plain).error_value_parts == frozenset()
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][2] = "placeholder"
    broken = _with_cells_replaced(
        write_xlsx(tmp_path / "broken.xlsx", rows), {"C3": '<c r="C3" s="0" t="e"><f>Titles!B7</f><v>#N/A</v></c>'}
    )
    inspected = inspect_return(broken)
    assert inspected.error_value_parts == {"xl/worksheets/sheet2.xml"}  # Excel's own form: the quick pass sees it
    result = validate_return(inspected.read(), lookup)
    assert [(i.code, i.row, i.column, i.value) for i in result.issues] == [("cell-error", 3, "Title", "#N/A")]


def test_csv_without_a_header_row(tmp_path):
    raw = read_return(write_csv(tmp_path / "r.csv", [["K1", "2.1.6"]], header=["foo", "bar"]))
    assert [i.code for i in raw.issues] == ["missing-header"] and raw.table is None
