"""Feedback on a rejected return: the analyst's own workbook marked up, or an issues workbook for other formats."""

from __future__ import annotations

from openpyxl import load_workbook
from support.return_files import write_csv, write_xlsx

from etl.returns.feedback import ERROR_FILL, WARNING_FILL
from etl.returns.ingest import ingest_file


def test_rejected_xlsx_comes_back_with_bad_cells_marked_and_an_issues_sheet(tmp_path, warehouse_file, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))
    rows = [
        ["A1", "2.1.17", "Customs", "Ongoing", "2014-01-01", None, None, "Atlantis"],
        ["A2", "2.1.6", "Health", "Sort of"],
    ]
    source = write_xlsx(tmp_path / "KHM return.xlsx", rows)
    result = ingest_file(source, warehouse_file=warehouse_file, report_dir=tmp_path / "feedback")
    assert result.status == "rejected"
    report = tmp_path / "feedback" / "KHM_return-checked.xlsx"
    assert result.report_path == str(report)

    workbook = load_workbook(report)
    assert workbook.sheetnames == ["Issues", "Cover", "Activities"]
    activities = workbook["Activities"]
    measure_cell, status_cell, partner_cell = activities["B2"], activities["D3"], activities["H2"]
    assert measure_cell.value == "2.1.17"  # the analyst's own values are untouched
    assert measure_cell.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert "is not a measure of section 2.1 (2.1.1-2.1.16)" in measure_cell.comment.text
    assert "unknown-status" in status_cell.comment.text
    assert partner_cell.fill.fgColor.rgb.endswith(WARNING_FILL.fgColor.rgb[-6:])
    assert activities["C2"].comment is None

    issues = list(workbook["Issues"].iter_rows(values_only=True))
    assert issues[0] == ("Severity", "Code", "Sheet", "Row", "Column", "Value", "Message")
    assert [(r[0], r[1], r[3], r[4]) for r in issues[1:]] == [
        ("error", "unknown-measure", 2, "Measure IDs"),
        ("warning", "unknown-partner", 2, "Partner countries"),
        ("error", "unknown-status", 3, "Status"),
    ]


def test_rejected_csv_gets_an_issues_workbook(tmp_path, warehouse_file, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))
    source = write_csv(tmp_path / "acts.csv", [["A1", "9.9.9", "T", "Planned"]])
    result = ingest_file(source, warehouse_file=warehouse_file, country="KHM", year=2015, report_dir=tmp_path / "fb")
    workbook = load_workbook(result.report_path)
    assert result.report_path.endswith("acts-issues.xlsx") and workbook.sheetnames == ["Issues"]
    rows = list(workbook["Issues"].iter_rows(values_only=True))
    assert rows[1][:5] == ("error", "unknown-measure", "Activities", 2, "Measure IDs")
