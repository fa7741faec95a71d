"""Data tables in one style: sortable, filterable, wrapping text, with links where a row opens a page."""

from __future__ import annotations

import pandas as pd
from dash import dash_table

from dashboard.components.theme import FONT

STYLE_CELL = {
    "textAlign": "left",
    "whiteSpace": "normal",
    "height": "auto",
    "fontSize": "0.85rem",
    "fontFamily": FONT,
    "padding": "4px 8px",
}
STYLE_HEADER = {"fontWeight": "bold", "backgroundColor": "#f1f3f5"}


def data_table(table_id: str, frame: pd.DataFrame, columns: list[tuple[str, str]], page_size: int = 20, **props):
    """A DataTable of `frame` showing (header, column) pairs; a column holding markdown links renders them."""
    specs = []
    for name, column in columns:
        spec = {"name": name, "id": column}
        if column.endswith("_link"):
            spec["presentation"] = "markdown"
        specs.append(spec)
    options = {
        "sort_action": "native",
        "filter_action": "native",
        "filter_options": {"case": "insensitive"},
        "page_size": page_size,
        "style_cell": STYLE_CELL,
        "style_header": STYLE_HEADER,
        "style_table": {"overflowX": "auto"},
        "markdown_options": {"link_target": "_self"},
    } | props
    return dash_table.DataTable(id=table_id, data=records(frame, [c for _, c in columns]), columns=specs, **options)


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as JSON-safe dicts (dates as ISO text, missing values as blanks)."""
    out = frame[columns].copy()
    for column in columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.astype(object).where(out.notna(), None).to_dict("records")


def listing_note(shown: int, limit: int, what: str) -> str | None:
    """Say when a listing stops at its cap, or that it is empty; nothing otherwise."""
    if shown == 0:
        return f"No {what} as of this year."
    if shown >= limit:
        return f"Showing the first {limit} {what}; `aptmon export` writes them all."
    return None


def activity_table(table_id: str, columns: list[tuple[str, str]]):
    """An empty activity listing, filled by its page's callback, with room for titles and status histories."""
    return data_table(
        table_id,
        pd.DataFrame(columns=[c for _, c in columns]),
        columns,
        15,
        style_cell_conditional=[
            {"if": {"column_id": "title"}, "minWidth": "240px"},
            {"if": {"column_id": "status_history"}, "minWidth": "170px"},
        ],
    )
