"""The streaming XLSX writer: values keep their types, text is escaped and neutralised, foreign readers open it."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from etl.outputs.xlsx_writer import AMOUNT, DECIMAL2, PERCENT, PLAIN, StreamingWorkbook
from etl.returns.cell_references import column_letter

ROWS = [
    ["name", "count", "rate", "flag", "day", "moment", "amount", "empty"],
    ["plain", 3, 0.25, True, date(2015, 3, 31), datetime(2016, 1, 2, 12, 30), Decimal("12.50"), None],
    ["a <b> & 'c'", -4, float("nan"), False, date(2013, 1, 1), datetime(2017, 12, 31, 23, 59, 59), 0, None],
    ["=1+2", 0, 1e-9, None, None, None, None, None],
    ["line\nbreak\rcr\x01ctl", 10**12, -0.5, None, None, None, None, None],
]


@pytest.fixture
def workbook_path(tmp_path):
    path = tmp_path / "streamed.xlsx"
    with StreamingWorkbook(path) as workbook:
        assert workbook.add_sheet("Data: 2015/16", ROWS, widths=[12] * 8, freeze_rows=1, bold_rows=[1]) == 5
        workbook.add_sheet("Second", [["only"]])
        workbook.add_sheet(
            "Table",
            [["A title well longer than any column"], [], ["id", "rate", "pace", "budget_usd", "note"],
             ["x", 0.8333, 0.956, 125000, "a note of some forty characters, or so.."], ["y", 1, None, 2.5, None],
             ["z", float("nan"), 1.2, None, "short"]],
            freeze_rows=3, bold_rows=[3], table_header=3, column_styles=[PLAIN, PERCENT, DECIMAL2, AMOUNT, PLAIN],
            fit_widths=True,
        )  # fmt: skip
    return path


def test_openpyxl_reads_types_and_values(workbook_path):
    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == ["Data  2015 16", "Second", "Table"]
    sheet = workbook["Data  2015 16"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["plain", 3, 0.25, True, datetime(2015, 3, 31), datetime(2016, 1, 2, 12, 30),
                                          12.5, None]  # fmt: skip
    assert [c.data_type for c in sheet[2]][:4] == ["s", "n", "n", "b"]
    assert sheet["E2"].number_format == "yyyy-mm-dd" and sheet["F3"].value == datetime(2017, 12, 31, 23, 59, 59)
    assert sheet["A3"].value == "a <b> & 'c'" and sheet["C3"].value is None  # NaN is left empty
    assert sheet["A4"].value == "'=1+2" and sheet["A4"].data_type == "s"
    assert sheet["A5"].value == "line\nbreak\rcrctl" and sheet["B5"].value == 10**12


def test_a_table_gets_filter_buttons_number_formats_and_fitted_widths(workbook_path):
    sheet = load_workbook(workbook_path)["Table"]
    assert sheet.auto_filter.ref == "A3:E6" and sheet.freeze_panes == "A4"
    assert [(c.value, c.number_format) for c in sheet[4]] == [
        ("x", "General"), (0.8333, "0.0%"), (0.956, "0.00"), (125000, "#,##0"),
        ("a note of some forty characters, or so..", "General")]  # fmt: skip
    assert (sheet["B5"].value, sheet["B5"].number_format) == (1, "0.0%")  # an int rate is a rate too
    assert sheet["B6"].value is None and sheet["A1"].number_format == "General"  # NaN empty; the title untouched
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDE"}
    # Each column fits its longest value or its name with the filter button, not the long title above the table.
    assert widths == {"A": 11, "B": 11, "C": 11, "D": 13, "E": 43}
    with zipfile.ZipFile(workbook_path) as package:  # the hidden name Excel keeps for a filtered range
        assert (
            '<definedName name="_xlnm._FilterDatabase" localSheetId="2" hidden="1">'
            "'Table'!$A$3:$E$6</definedName>" in package.read("xl/workbook.xml").decode()
        )


def test_calamine_reads_it(workbook_path):
    rows = CalamineWorkbook.from_path(str(workbook_path)).get_sheet_by_name("Data  2015 16").to_python()
    assert rows[1][:4] == ["plain", 3.0, 0.25, True] and rows[3][0] == "'=1+2"


@pytest.mark.slow  # LibreOffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is a system dependency of the test suite")
def test_libreoffice_opens_it(workbook_path, tmp_path):
    out = tmp_path / "converted"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "csv",
         "--outdir", str(out), str(workbook_path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with open(out / "streamed.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["name", "count", "rate"]
    assert rows[1][:4] == ["plain", "3", "0.25", "TRUE"] and rows[3][0] == "'=1+2"


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_duplicate_sheet_names_are_refused(tmp_path):
    with StreamingWorkbook(tmp_path / "x.xlsx") as workbook:
        workbook.add_sheet("A", [[1]])
        with pytest.raises(ValueError, match="already has a sheet"):
            workbook.add_sheet("A", [[2]])
