"""Feedback on a rejected return: the analyst's own workbook with bad cells marked, or an issues workbook."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from etl.returns.issue_codes import ERROR, Issue
from etl.returns.layout import ISSUES_SHEET
from etl.spreadsheet_text import keep_sheet_text

ERROR_FILL = PatternFill("solid", fgColor="F4B6B6")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
ISSUE_COLUMNS = ("Severity", "Code", "Sheet", "Row", "Column", "Value", "Message")
ISSUE_WIDTHS = (10, 22, 12, 7, 18, 24, 100)
COMMENT_AUTHOR = "APT Work Plan Monitor"
# Above this much sheet XML (about 15 000 rows) the feedback is the issues workbook alone, not the marked copy.
MARK_MAX_SHEET_BYTES = 8 * 1024 * 1024
# The analyst's file name is shortened to this many characters in the feedback's own: a file system takes 255 bytes a
# name, and a 250-character upload plus "-checked.xlsx" would not be kept (issue 28, finding 10).
MAX_STEM = 100


def write_feedback(path: Path, file_format: str | None, issues: list[Issue], report_dir: Path, file_name: str) -> Path:
    """Write the feedback workbook into report_dir and return its path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(file_name).stem).strip("._")[:MAX_STEM].rstrip("._") or "return"
    if file_format in ("xlsx", "xlsm") and _small_enough_to_mark(path):
        try:
            return _annotate_workbook(path, file_format, issues, report_dir / f"{stem}-checked.{file_format}")
        except Exception:  # a workbook calamine read but openpyxl cannot: fall back to the plain list
            pass
    return _issues_workbook(issues, report_dir / f"{stem}-issues.xlsx")


def _small_enough_to_mark(path: Path) -> bool:
    """Whether openpyxl can load the workbook quickly: it holds every cell in memory (7 s for 200 000 rows)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sum(e.file_size for e in archive.infolist() if e.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, OSError):
        return False
    return sheets <= MARK_MAX_SHEET_BYTES


def _annotate_workbook(path: Path, file_format: str, issues: list[Issue], target: Path) -> Path:
    workbook = load_workbook(path, keep_vba=file_format == "xlsm", rich_text=False)
    if ISSUES_SHEET in workbook.sheetnames:
        del workbook[ISSUES_SHEET]
    notes: dict[tuple[str, int, int], list[Issue]] = {}
    for issue in issues:
        if issue.sheet in workbook.sheetnames and issue.row and issue.column_index:
            notes.setdefault((issue.sheet, issue.row, issue.column_index), []).append(issue)
    for (sheet, row, column), found in notes.items():
        cell = workbook[sheet].cell(row=row, column=column)
        is_error = any(i.severity == ERROR for i in found)
        cell.fill = ERROR_FILL if is_error else WARNING_FILL
        text = "\n".join(f"{i.severity.upper()} ({i.code}): {i.message}" for i in found)
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width, comment.height = 320, 40 + 40 * len(found)
        cell.comment = comment
    _fill_issues_sheet(workbook.create_sheet(ISSUES_SHEET, 0), issues)
    workbook.active = 0
    workbook.save(target)
    return target


def _issues_workbook(issues: list[Issue], target: Path) -> Path:
    workbook = Workbook()
    _fill_issues_sheet(workbook.active, issues)
    workbook.active.title = ISSUES_SHEET
    workbook.save(target)
    return target


def _fill_issues_sheet(sheet, issues: list[Issue]) -> None:
    sheet.append(ISSUE_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for issue in issues:
        sheet.append([issue.severity, issue.code, issue.sheet, issue.row, issue.column, issue.value, issue.message])
        fill = ERROR_FILL if issue.severity == ERROR else WARNING_FILL
        sheet.cell(row=sheet.max_row, column=1).fill = fill
    for index, width in enumerate(ISSUE_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    # The analyst's values and the messages quoting them stay text, never formulas.
    keep_sheet_text(sheet)
    sheet.auto_filter.ref = f"A1:G{max(sheet.max_row, 2)}"
