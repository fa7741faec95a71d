"""How a progress status is drawn: its colour from the palette, a text colour readable on it, and its legend."""

from __future__ import annotations

from dash import html

from dashboard.components.theme import STATUS_WORDING
from etl.outputs.palette import STATUS_COLOURS, STATUS_ORDER

DARK_TEXT = "#000000"
LIGHT_TEXT = "#FFFFFF"


def _luminance(colour: str) -> float:
    """Relative luminance of a #RRGGBB colour (WCAG 2.1)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on the background: the palette's values may change (contrast work),
    so the text over a status colour is chosen from the colour, not fixed beside it."""
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda text: contrast_ratio(text, background))


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
