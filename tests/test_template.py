"""The return template: its sheets, dropdowns and prefill, and that LibreOffice opens it cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.return_files import convert_with_libreoffice

from etl.plan.catalogue import load_catalogue
from etl.returns.ingest import ingest_file
from etl.returns.read import read_return
from etl.returns.template import write_template
from etl.returns.validate import validate_return

APTMON = str(Path(sys.executable).with_name("aptmon"))


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def blank_template(tmp_path_factory, catalogue) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "KHM-2015.xlsx", "KHM", 2015, catalogue)


def test_template_sheets_dropdowns_and_layout(blank_template):
    workbook = load_workbook(blank_template)
    assert workbook.sheetnames == ["Cover", "Activities", "Measures", "Lists"]
    cover = workbook["Cover"]
    labels = {cover.cell(row=r, column=1).value: cover.cell(row=r, column=2).value for r in range(1, 10)}
    assert labels["Country"] == "Cambodia" and labels["Reporting year"] == 2015
    assert "Prepared by" in labels and "Email" in labels and "Date prepared" in labels
    assert any(cover.cell(row=r, column=1).value == "How to fill in this return" for r in range(1, 30))

    activities = workbook["Activities"]
    assert [c.value for c in activities[1]][:4] == ["Activity ID", "Measure IDs", "Title", "Status"]
    assert activities.freeze_panes == "A2"
    assert activities.column_dimensions["C"].width >= 40
    validations = {str(v.sqref).split(":")[0]: v for v in activities.data_validations.dataValidation}
    assert validations["D2"].formula1 == "=Lists!$A$2:$A$6" and validations["D2"].showErrorMessage
    assert validations["B2"].formula1 == "=Measures!$A$2:$A$197" and not validations["B2"].showErrorMessage
    assert validations["I2"].formula1 == "=Lists!$C$2:$C$5"
    measures = workbook["Measures"]
    assert measures.max_row == 197 and measures["A2"].value == "1.1.1"
    assert workbook["Lists"].sheet_state == "hidden"
    assert [workbook["Lists"].cell(row=r, column=1).value for r in range(2, 7)] == [
        "Planned", "Ongoing", "Suspended", "Completed", "Cancelled"
    ]  # fmt: skip


@pytest.mark.slow  # LibreOffice
def test_libreoffice_opens_the_template_and_it_reads_back(tmp_path, blank_template, catalogue):
    converted = convert_with_libreoffice(blank_template, "xlsx", tmp_path / "lo")
    workbook = load_workbook(converted)
    assert workbook.sheetnames[:3] == ["Cover", "Activities", "Measures"]
    assert workbook["Measures"].max_row == 197
    assert any(v.formula1 for v in workbook["Activities"].data_validations.dataValidation)
    raw = read_return(converted)
    assert raw.table is not None and raw.table.header_row == 1 and len(raw.table) == 0
    assert [i.code for i in validate_return(raw, catalogue).issues] == ["no-activities"]


def test_a_filled_template_is_accepted(tmp_path, catalogue):
    rows = [{"activity_id": "K1", "measure_ids": "2.1.6", "title": "T", "status": "planned"}]
    path = write_template(tmp_path / "filled.xlsx", "KHM", 2015, catalogue, rows, synthetic=True)
    result = validate_return(read_return(path), catalogue)
    assert result.accepted and result.is_synthetic and result.activities.num_rows == 1


@pytest.mark.slow  # aptmon in a subprocess
def test_prefill_carries_forward_unfinished_activities(tmp_path, warehouse_file, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))
    rows = [
        {"activity_id": "K1", "measure_ids": "2.1.6; 3.1.2(a)", "title": "Ongoing one", "status": "ongoing",
         "start_date": "2014-02-01"},
        {"activity_id": "K2", "measure_ids": "2.1.7", "title": "Done", "status": "completed",
         "start_date": "2014-01-01", "end_date": "2014-06-01"},
        {"activity_id": "K3", "measure_ids": "5.1", "title": "Planned one", "status": "planned"},
    ]  # fmt: skip
    source = write_template(tmp_path / "2014.xlsx", "KHM", 2014, load_catalogue(), rows)
    assert ingest_file(source, warehouse_file=warehouse_file).status == "accepted"
    out = tmp_path / "KHM-2015.xlsx"
    result = subprocess.run(
        [APTMON, "template", "--country", "khm", "--year", "2015", "--prefill", "-o", str(out),
         "--warehouse", str(warehouse_file)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 activities carried forward" in result.stdout
    sheet = load_workbook(out)["Activities"]
    carried = [[c.value for c in row][:4] for row in sheet.iter_rows(min_row=2, max_row=3)]
    assert carried == [["K1", "2.1.6; 3.1.2(a)", "Ongoing one", "Ongoing"], ["K3", "5.1", "Planned one", "Planned"]]


@pytest.mark.slow  # aptmon in a subprocess
def test_template_usage_errors_exit_2(tmp_path):
    command = [APTMON, "template", "--country", "KHM", "--year", "2019", "-o", str(tmp_path / "x.xlsx")]
    # Its own empty warehouse: the seed plan alone, whatever warehouse an app made earlier in this process named.
    env = {**os.environ, "APTMON_WAREHOUSE": str(tmp_path / "fresh.duckdb")}
    bad_year = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert bad_year.returncode == 2 and "outside the plan" in bad_year.stderr
