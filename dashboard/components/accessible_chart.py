"""A chart with its text equivalent: a name, a one-sentence summary and its numbers as a table to read by keyboard."""

from __future__ import annotations

from dash import dcc, html

from dashboard.components.theme import GRAPH_CONFIG

# The summary and the table are written in the browser from the figure plotly has just drawn
# (dashboard/assets/40-chart-text.js), so they always show the numbers of the chart beside them, whichever callback
# drew it and however often, and nothing is computed twice: they read the same trace data the chart draws.
SUMMARY_CLASS = "chart-summary"
TABLE_CLASS = "chart-table"


def accessible_chart(graph_id: str, name: str, figure=None, className: str = "mb-3") -> html.Figure:
    """`graph_id`'s dcc.Graph in a <figure> named `name`, a caption that sums the chart up in a sentence, and a
    "Show the numbers" disclosure holding its data as a table (WCAG 1.1.1: a text alternative for every chart)."""
    graph = dcc.Graph(id=graph_id, config=GRAPH_CONFIG, **({"figure": figure} if figure is not None else {}))
    return html.Figure(
        [
            graph,
            html.Figcaption(
                [html.Span(f"{name}. ", className="visually-hidden"), html.Span(className=SUMMARY_CLASS)],
                id=f"{graph_id}-summary",
                className="chart-caption small",
                **{"aria-live": "polite"},  # a changed filter redraws the chart: its new summary is read out
            ),
            html.Details(
                [
                    html.Summary(f"Show the numbers: {name}"),
                    html.Div(id=f"{graph_id}-table", className=f"{TABLE_CLASS} table-responsive"),
                ],
                className="chart-numbers",
            ),
        ],
        className=f"chart-figure {className}".strip(),
        **{"aria-label": name, "data-chart": graph_id},
    )
