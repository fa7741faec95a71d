"""An arrow that says how a number moved since the previous as-of year."""

from __future__ import annotations

from dash import html

from dashboard.components.theme import pct


def change_arrow(current: float | None, previous: float | None, as_rate: bool = True) -> html.Span:
    """▲ up, ▼ down or ▶ unchanged against the previous year, with the previous value; blank without one."""
    if previous is None or current is None:
        return html.Span("first year of the plan", className="change change-none")
    shown = pct(previous, 1) if as_rate else str(previous)
    if current > previous:
        return html.Span(f"▲ up from {shown}", className="change change-up")
    if current < previous:
        return html.Span(f"▼ down from {shown}", className="change change-down")
    return html.Span(f"▶ same as the year before ({shown})", className="change change-same")
