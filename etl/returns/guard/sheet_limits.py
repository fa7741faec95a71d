"""The rows, columns and cells a return's sheet may span, whatever its format, and the refusal of a sheet past them."""

from __future__ import annotations

from etl.returns.guard.outcome import Refused
from etl.returns.issue_codes import make_issue

# calamine allocates every sheet densely (rows x columns) before Python sees it: two cells at A1 and XFD1048576
# would ask for 512 GiB and abort the process. A return's sheet stays far below these limits.
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 256
MAX_SHEET_CELLS = 4_000_000


def refuse_oversized(sheet: str | None, rows: int, columns: int, where: str) -> None:
    """Refuse a sheet whose values span more rows, columns or cells than a return can hold, saying which."""
    if rows > MAX_SHEET_ROWS:
        detail = f"more than {MAX_SHEET_ROWS:,} rows {where} (values down to row {rows:,})"
    elif columns > MAX_SHEET_COLUMNS:
        detail = f"{columns:,} columns {where} (at most {MAX_SHEET_COLUMNS} columns)"
    elif rows * columns > MAX_SHEET_CELLS:
        detail = f"{rows:,} rows by {columns:,} columns {where} (at most {MAX_SHEET_CELLS:,} cells)"
    else:
        return
    raise Refused(make_issue("file-too-large", sheet=sheet, detail=detail))
