"""The table of problems found in a return: severity, where (sheet, row, column), the value and what to do."""

from __future__ import annotations

from dash import html

from dashboard.components.tables import data_grid, flag_column

ISSUE_COLUMNS = [
    ("Severity", "severity"),
    ("Sheet", "sheet"),
    ("Row", "row"),
    ("Column", "column"),
    ("Value", "value"),
    ("Message", "message"),
]
ISSUE_OPTIONS = {
    "severity": flag_column({"error": "flag-error"}) | {"maxWidth": 130},
    "row": {"maxWidth": 110},
    "message": {"minWidth": 380, "flex": 3},
}


def issues_table(name: str, rows: list[dict], page_size: int = 15) -> html.Div:
    """One row per issue, errors marked in red; sortable, filterable, paged, downloadable as CSV."""
    return data_grid(name, ISSUE_COLUMNS, rows, page_size, options=ISSUE_OPTIONS, csv_name="issues")
