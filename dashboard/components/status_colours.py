"""How a progress status is drawn: its colour from the palette, a text colour readable on it, and its legend."""

from __future__ import annotations

from dash import html

from dashboard.components.theme import STATUS_WORDING
from etl.outputs.palette import STATUS_COLOURS, STATUS_ORDER, text_colour_on


def status_colour(status: str) -> str:
    """The palette's colour of a progress status (the report and every chart use the same)."""
    return STATUS_COLOURS[status]


def status_legend(statuses: list[str] | None = None, legend_id: str | None = None) -> html.Div:
    """A row of swatches, each a status word on its own colour with its meaning as a tooltip: the key to every
    chart coloured by status (plotly draws no legend for a heatmap's or a treemap's colours)."""
    shown = [s for s in STATUS_ORDER if statuses is None or s in statuses]
    swatches = [
        html.Span(
            status,
            className="status-swatch",
            title=STATUS_WORDING.get(status, ""),
            style={
                "backgroundColor": status_colour(status),
                "color": text_colour_on(status_colour(status)),
                "padding": "1px 8px",
                "marginRight": "6px",
                "borderRadius": "3px",
                "display": "inline-block",
                "marginBottom": "2px",
            },
        )
        for status in shown
    ]
    props = {"id": legend_id} if legend_id else {}
    return html.Div([html.Span("Progress status: ", className="me-1"), *swatches], className="small mb-1", **props)
