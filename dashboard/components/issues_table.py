"""The table of problems found in a return: severity, where (sheet, row, column), the value and what to do."""

from __future__ import annotations

from dash import dash_table

ISSUE_COLUMNS = [
    ("Severity", "severity"),
    ("Sheet", "sheet"),
    ("Row", "row"),
    ("Column", "column"),
    ("Value", "value"),
    ("Message", "message"),
]


def issues_table(rows: list[dict], page_size: int = 15) -> dash_table.DataTable:
    """One row per issue, errors marked in red; sortable, paged."""
    return dash_table.DataTable(
        data=rows,
        columns=[{"name": name, "id": key} for name, key in ISSUE_COLUMNS],
        page_size=page_size,
        sort_action="native",
        style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto", "fontSize": "0.85rem"},
        style_cell_conditional=[{"if": {"column_id": "message"}, "minWidth": "380px"}],
        style_data_conditional=[
            {"if": {"filter_query": '{severity} = "error"', "column_id": "severity"}, "color": "#b00020"},
        ],
        style_header={"fontWeight": "bold"},
        css=[{"selector": ".dash-spreadsheet", "rule": "margin-bottom: 0.5rem"}],
    )
