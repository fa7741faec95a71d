"""Empty states: what a page shows when there is nothing to chart yet, and what to do about it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def no_returns_alert(component_id: str | None = None) -> dbc.Alert:
    """No return is loaded yet: say where returns come from."""
    props = {"id": component_id} if component_id else {}
    return dbc.Alert(
        [
            html.H2("No returns loaded yet", className="h5 alert-heading"),
            html.P(
                [
                    "The charts fill in as countries report. A country analyst downloads the return template, "
                    "fills it and uploads it on the Upload page; an administrator can load files with ",
                    html.Code("aptmon ingest FILE.xlsx"),
                    ". To try the monitor with synthetic returns, run ",
                    html.Code("aptmon demo"),
                    ".",
                ],
                className="mb-0",
            ),
        ],
        color="info",
        **props,
    )
