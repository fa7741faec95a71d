"""The result card of an uploaded file (a return or the schedule), and the alert shown when checking it broke."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

# The badge's colour for each outcome of a check or a load.
STATUS_COLOURS = {"accepted": "success", "unchanged": "secondary", "rejected": "danger", "held": "warning"}


def result_card(
    file_name: str, status: str, label: str, body: list, kind: str, scope: str | None = None, badge: dict | None = None
) -> dbc.Card:
    """A file's card: its name (and the return it is, when `scope` is given), a badge with its outcome, then `body`.

    `kind` ("upload", "schedule") names the card's classes, `<kind>-result` and `<kind>-status`, which the pages'
    tests and styles find it by; `badge` holds extra properties of the badge (an id a later callback updates).
    """
    header = [html.Strong(file_name)]
    if scope is not None:
        header.append(html.Span(scope, className="text-muted"))
    header.append(
        dbc.Badge(
            label, color=STATUS_COLOURS.get(status, "secondary"), className=f"ms-2 {kind}-status", **(badge or {})
        )
    )
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className=f"mb-3 {kind}-result")


def message_body(message: str, colour: str = "danger") -> list:
    """A card's body that is one message: why a file was refused before or while it was checked."""
    return [dbc.Alert(message, color=colour, className="mb-0")]


def internal_error_alert(what_failed: str, advice: str = "", **alert) -> dbc.Alert:
    """Say that `what_failed` ("The file could not be processed") because of a bug, without its traceback: the
    caller has logged the exception. `alert` holds the Alert's other properties (className)."""
    text = f"{what_failed} because of an internal error, which the server has logged."
    return dbc.Alert(f"{text} {advice}" if advice else text, color="danger", **alert)
