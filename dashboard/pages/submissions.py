"""Submissions log: who uploaded which return when, its outcome, version and hash, and the file as received."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard import downloads, ids
from dashboard.components.access import not_permitted
from dashboard.components.issues_table import issues_table
from dashboard.components.tables import data_grid, flag_column, grid_id, link_column
from dashboard.data import submission_log
from dashboard.security import auth
from etl.plan.countries import COUNTRIES, country_name

dash.register_page(
    __name__,
    path="/submissions",
    name="Submissions",
    title="Submissions - APT Work Plan Monitor",
    order=21,
    roles=auth.SUBMISSION_READERS,
)

ALL = "ALL"
COLUMNS = [
    ("Uploaded (UTC)", "submitted_at"),
    ("Country", "country"),
    ("Return for", "reporting_year"),
    ("Plan", "plan_id"),
    ("File", "file_name"),
    ("By", "submitted_by"),
    ("Received on", "received_on"),
    ("Result", "status"),
    ("Version", "version"),
    ("State", "version_state"),
    ("Activities", "activities"),
    ("Errors", "errors"),
    ("Warnings", "warnings"),
    ("SHA-256 (hover for all of it)", "sha256_start"),
    ("File as received", "download"),
]
COLUMN_OPTIONS = {
    # Wide enough for "unchanged" in bold, so a result never breaks inside its word ("accepte d").
    "status": flag_column({"rejected": "flag-rejected", "accepted": "flag-accepted", "held": "flag-held"})
    | {"minWidth": 112},
    # The state is a sentence ("held, then confirmed as version 2 on ..."): the widest column, read in two lines.
    "version_state": {"flex": 3, "minWidth": 240},
    # A file name and a user name are read whole: wide enough not to wrap in three lines (the row keeps its height).
    "file_name": {"flex": 2, "minWidth": 170},
    "submitted_by": {"minWidth": 120},
    # A plan id ("example-2018-2022") is read whole, on one line.
    "plan_id": {"minWidth": 170},
    "sha256_start": {"tooltipField": "sha256", "cellClass": "font-monospace"},
    "download": link_column(label="Download") | {"sortable": False, "filter": False},
}


def layout(**_query):
    user = auth.signed_in_user()
    if user is None or user.role not in auth.SUBMISSION_READERS:
        return not_permitted("read the submissions log", auth.SUBMISSION_READERS)
    admin = user.role == auth.ADMIN
    rows = table_rows(_scope_country(user, ALL))
    scope = "every country" if admin else f"{country_name(user.country)} ({user.country})"
    options = [{"label": "All countries", "value": ALL}] + [
        {"label": f"{c.name} ({c.iso3})", "value": c.iso3} for c in COUNTRIES
    ]
    return html.Div(
        [
            html.H1("Submissions", className="page-title"),
            html.P(
                f"Every upload for {scope}, newest first, accepted or not: who sent it, when, for which plan, the "
                "result, the version it made and that version's state (current, superseded, unchanged, held until "
                "its changes are confirmed). Select a row to see the problems found in it; download a file exactly "
                "as it was received."
            ),
            html.Div(
                dcc.Dropdown(id=ids.SUBMISSIONS_COUNTRY, options=options, value=ALL, clearable=False),
                style={"maxWidth": "20rem"} if admin else {"display": "none"},
                className="mb-3",
            ),
            data_grid(
                ids.SUBMISSIONS_TABLE,
                COLUMNS,
                rows,
                20,
                options=COLUMN_OPTIONS,
                csv_name="submissions",
                selectable=True,
            ),
            html.Div(id=ids.SUBMISSION_DETAIL, className="mt-3"),
        ]
    )


def table_rows(country: str | None) -> list[dict]:
    """The log as table rows, with a download link for each kept file."""
    frame = submission_log.submissions(country).copy()
    if frame.empty:
        return []
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"]).dt.strftime("%Y-%m-%d %H:%M")
    frame["received_on"] = pd.to_datetime(frame["received_on"]).dt.strftime("%Y-%m-%d")
    frame["download"] = [
        downloads.submission_href(sid) if has_file else ""
        for sid, has_file in zip(frame["submission_id"], frame["has_file"], strict=True)
    ]
    frame["sha256_start"] = frame["sha256"].str[:12] + "…"
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


@callback(
    Output(grid_id(ids.SUBMISSIONS_TABLE), "rowData"),
    Input(ids.SUBMISSIONS_COUNTRY, "value"),
    prevent_initial_call=True,
)
@auth.require_role(*auth.SUBMISSION_READERS)
def filter_submissions(country):
    user = auth.check_role(*auth.SUBMISSION_READERS)
    return table_rows(_scope_country(user, country))


@callback(
    Output(ids.SUBMISSION_DETAIL, "children"),
    Input(grid_id(ids.SUBMISSIONS_TABLE), "selectedRows"),
    prevent_initial_call=True,
)
@auth.require_role(*auth.SUBMISSION_READERS)
def show_submission(selected_rows):
    """The problems found in the selected upload (the id from the browser is checked against the user's country)."""
    user = auth.check_role(*auth.SUBMISSION_READERS)
    if not selected_rows:
        raise dash.exceptions.PreventUpdate
    try:
        submission_id = int(selected_rows[0]["submission_id"])
    except (KeyError, TypeError, ValueError):
        raise dash.exceptions.PreventUpdate from None
    record = submission_log.submission_file(submission_id)
    if record is None:
        raise dash.exceptions.PreventUpdate
    auth.check_country(user, record["country"])
    issues = submission_log.submission_issues(submission_id)
    title = f"Upload {submission_id}: {record['file_name']}"
    if issues.empty:
        return dbc.Alert(f"{title}: no problems were found in this file.", color="success")
    return html.Div(
        [
            html.H2(title, className="h5"),
            issues_table("submission-issues", issues.astype(object).where(issues.notna(), None).to_dict("records")),
        ]
    )


def _scope_country(user: auth.SignedInUser, chosen: str | None) -> str | None:
    # An analyst's log is always their own country's, whatever the browser asks for.
    if user.role == auth.ANALYST:
        return user.country
    return None if chosen in (None, ALL) else chosen
