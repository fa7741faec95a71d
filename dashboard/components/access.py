"""What a signed-in user sees on a page their role does not open."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def not_permitted(what: str, roles: tuple[str, ...]) -> html.Div:
    """A short refusal naming the roles that may do `what`."""
    return html.Div(
        [
            html.H1("Not available", className="page-title"),
            dbc.Alert(
                f"Your role does not allow you to {what}; that is for: {', '.join(roles)}. "
                "Ask the ASEAN Secretariat if you need it.",
                color="warning",
            ),
        ]
    )
