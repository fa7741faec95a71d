"""Every listing in one AG Grid style: sortable, filterable, paged, a row count and a CSV of the rows shown."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import MATCH, ClientsideFunction, Input, Output, State, html

# Pattern-matching ids, so one pair of clientside callbacks (dashboard/assets/20-data-grid.js) serves every
# grid on every page, including those a callback creates (an upload's issues). The outer Div keeps the plain
# name as its id, for links and tests.
GRID = "data-grid"
GRID_COUNT = "data-grid-count"
GRID_CSV = "data-grid-csv"

# Cell renderers defined in dashboard/assets/20-data-grid.js (plain script files, so the grid needs no
# eval'd code under a content security policy).
LINK_RENDERER = "PageLink"
FLAG_RENDERER = "FlagText"
AMOUNT_RENDERER = "Amount"

DEFAULT_COLUMN = {
    "sortable": True,
    # One text filter for every column ("contains", case-insensitive; whole values for WHOLE_VALUE_FIELDS): a number or
    # a date is searched as it reads. No type inference, which would give dates a cramped date picker and change with
    # the first row's values.
    "cellDataType": False,
    "filter": "agTextColumnFilter",
    "floatingFilter": True,
    "suppressFloatingFilterButton": True,
    "suppressHeaderFilterButton": True,
    "flex": 1,
    "resizable": True,
    "wrapText": True,
    "autoHeight": True,
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
    "cellStyle": {"lineHeight": "1.35", "paddingTop": "4px", "paddingBottom": "4px"},
}


# Fields that hold one word or phrase of a closed list (a status, a state, a role, a severity): their filter matches
# the whole value, so `completed` finds the completed measures and not also those "covered, not completed", nor
# `covered` the ones "not covered". The other ways to match (contains, starts with, blank...) stay on the button
# beside the box; every other column keeps the plain "contains" search.
WHOLE_VALUE_FIELDS = frozenset(
    {"progress", "status", "status_before", "status_now", "return_state", "timeliness", "arrival", "outcome",
     "severity", "role"}
)  # fmt: skip
WHOLE_VALUE_FILTER = {
    "filterParams": {"defaultOption": "equals", "trimInput": True},  # "completed " too: a space is easily typed
    "suppressFloatingFilterButton": False,
}
FILTER_BUTTON_WIDTH = 28  # the button and its gap, measured in Chromium: taken from the box unless added


def filter_settings(header: str, field: str) -> dict:
    """A column's filter options beyond DEFAULT_COLUMN's: whole-value matching for a field of WHOLE_VALUE_FIELDS,
    its column wider by the button so its box stays as wide as the others'."""
    if field not in WHOLE_VALUE_FIELDS:
        return {}
    return WHOLE_VALUE_FILTER | {"minWidth": _min_width(header) + FILTER_BUTTON_WIDTH}


def grid_id(name: str) -> dict:
    """The id of the grid inside the listing `name`; callbacks write its rowData."""
    return {"type": GRID, "grid": name}


def link_column(prefix: str = "", label: str | None = None) -> dict:
    """Column options rendering each value as a link to prefix + value (or to the value, labelled `label`)."""
    params = {"prefix": prefix} | ({"label": label} if label else {})
    return {"cellRenderer": LINK_RENDERER, "cellRendererParams": params}


def flag_column(flags: dict[str, str]) -> dict:
    """Column options colouring a cell by its value: {"error": "text-danger"} puts class text-danger on errors."""
    return {"cellRenderer": FLAG_RENDERER, "cellRendererParams": {"classes": flags}}


def amount_column() -> dict:
    """Column options showing a number with thousands separators (125,000); it sorts and downloads as the number."""
    return {"cellRenderer": AMOUNT_RENDERER, "cellClass": "text-end"}


def data_grid(
    name: str,
    columns: list[tuple[str, str]],
    rows: list[dict] | None = None,
    page_size: int = 15,
    *,
    options: dict[str, dict] | None = None,
    csv_name: str | None = None,
    selectable: bool = False,
) -> html.Div:
    """A listing of `rows` showing (header, field) pairs; `options` adds AG Grid column options per field."""
    options = options or {}
    column_defs = [
        {"headerName": header, "field": field, "minWidth": _min_width(header)}
        | filter_settings(header, field)
        | options.get(field, {})
        for header, field in columns
    ]
    grid_options = {
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": sorted({page_size, 50, 100}),
        "domLayout": "autoHeight",
        "enableCellTextSelection": True,
        "ensureDomOrder": True,
        "suppressColumnVirtualisation": True,  # every column in the page, for find-in-page and a screen reader
        "tooltipShowDelay": 300,
    }
    if selectable:
        grid_options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    return html.Div(
        [
            html.Div(
                [
                    html.Span(id={"type": GRID_COUNT, "grid": name}, className="grid-count"),
                    html.Button(
                        "Download CSV",
                        id={"type": GRID_CSV, "grid": name},
                        n_clicks=0,
                        className="btn btn-outline-secondary btn-sm grid-csv",
                        title="The rows shown, as filtered and sorted, as a CSV file",
                    ),
                ],
                className="grid-toolbar",
            ),
            dag.AgGrid(
                id=grid_id(name),
                rowData=rows or [],
                columnDefs=column_defs,
                defaultColDef=DEFAULT_COLUMN,
                dashGridOptions=grid_options,
                csvExportParams=csv_export_params(csv_name or name),
                className="ag-theme-quartz",
                style={"width": "100%"},
            ),
        ],
        id=name,
        className="data-grid mb-2",
    )


def csv_export_params(name: str) -> dict:
    """A grid's "Download CSV": the file name, and every cell through the one formula neutraliser of the grids."""
    # neutraliseCsvCell is in dashboard/assets/dashAgGridFunctions.js, the browser's copy of neutralise_csv.
    return {"fileName": f"{name}.csv", "processCellCallback": {"function": "neutraliseCsvCell(params)"}}


def _min_width(header: str) -> int:
    # Wide enough for the header's longest word (headers wrap between words, never inside one, and are never
    # cut) and for a floating filter box that never runs into its neighbour's; below that the grid scrolls
    # sideways. 8.5 px a character: the header's 13 px medium weight measured up to 8.3 ("Implemented": 87 px),
    # plus the cell's 2 x 16 px padding. A sort arrow drops below the text rather than squeeze it (10-dashboard.css).
    longest = max((len(word) for word in header.split()), default=0)
    return max(80, round(longest * 8.5) + 34)


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


def activity_grid(
    name: str, columns: list[tuple[str, str]], options: dict[str, dict] | None = None, rows: list[dict] | None = None
) -> html.Div:
    """An activity listing with room for titles and status histories: its first `rows` drawn with the page, later
    ones from its page's callback."""
    # Wide enough that a word ("Management") never breaks inside: the column, not the word, gives way.
    wide = {
        "title": {"minWidth": 240, "flex": 2},
        "status_history": {"minWidth": 170},
        "lead_agency": {"minWidth": 150},
    }
    return data_grid(name, columns, rows, page_size=15, options=wide | (options or {}))


def add_grid_callbacks(app) -> None:
    """The row count and CSV download of every grid, on this app: Dash hands module-level callbacks only to the
    first app a process sets up, and the tests set up many."""
    app.clientside_callback(
        ClientsideFunction(namespace="dataGrid", function_name="rowCount"),
        Output({"type": GRID_COUNT, "grid": MATCH}, "children"),
        Input({"type": GRID, "grid": MATCH}, "virtualRowData"),
        State({"type": GRID, "grid": MATCH}, "rowData"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="dataGrid", function_name="downloadCsv"),
        Output({"type": GRID, "grid": MATCH}, "exportDataAsCsv"),
        Input({"type": GRID_CSV, "grid": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
