"""Pillars x countries page: coverage or completion of each pillar or section in each of the 13 countries."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import filters
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.empty import no_returns_alert
from dashboard.components.heatmap import heatmap_figure
from dashboard.data import connection, loaded, overview, plan
from etl.plan.labels import pillar_label, section_label

dash.register_page(
    __name__, path="/heatmap", name="Pillars x countries", title="Pillars x countries - APT Work Plan Monitor", order=1
)


@connection.reads_warehouse
def layout(year=None, metric=None, rows=None, pillar=None, **_query):
    state = loaded.data_state()
    pillars = plan.pillars()
    year = filters.pick_year(year, state["latest_year"])
    metric = filters.pick(metric, ["coverage", "completion"], "coverage")
    rows = filters.pick(rows, ["pillars", "sections"], "pillars")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    return html.Div(
        [
            html.H1("Pillars x countries", className="page-title"),
            html.P(
                "Each cell: the share of the row's measures a country has covered (an ongoing or completed "
                "activity) or completed. Where a country has sent fewer than half its returns, the cell says "
                "insufficient data instead of a rate. Hover a cell for the counts.",
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year),
                filters.toggle(ids.METRIC, "Show", filters.METRIC_OPTIONS, metric),
                filters.toggle(ids.ROWS, "Rows", filters.ROWS_OPTIONS, rows),
                filters.pillar_filter(pillar, pillars),
            ),
            no_returns_alert() if not state["has_returns"] else None,
            accessible_chart(ids.HEATMAP_GRAPH, "Progress by pillar and country", className="wide-chart mb-3"),
        ]
    )


@callback(
    Output(ids.HEATMAP_GRAPH, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.METRIC, "value"),
    Input(ids.ROWS, "value"),
    Input(ids.PILLAR, "value"),
)
@connection.reads_warehouse
def update_heatmap(year: str, metric: str, rows: str, pillar: str):
    """Redraw the heatmap for one as-of year, metric, row level and pillar."""
    year = int(year)
    countries = plan.countries()
    pillars = plan.pillars()
    if rows == "sections":
        sections = plan.sections()
        if pillar != "ALL":
            sections = sections[sections.pillar == pillar]
        row_frame = pd.DataFrame(
            {
                "row_id": sections.section_id,
                "label": [section_label(s.section_id, s.title, s.is_direct_group, 44) for s in sections.itertuples()],
            }
        )
        metrics = overview.section_metrics_by_country(year, pillar).rename(columns={"section_id": "row_id"})
    else:
        shown = pillars if pillar == "ALL" else pillars[pillars.pillar == pillar]
        row_frame = pd.DataFrame(
            {
                "row_id": [*shown.pillar, *(["ALL"] if pillar == "ALL" else [])],
                "label": [pillar_label(p.pillar, p.title, 30) for p in shown.itertuples()]
                + (["All pillars"] if pillar == "ALL" else []),
            }
        )
        metrics = overview.pillar_metrics_by_country(year).rename(columns={"pillar": "row_id"})
    name = "Coverage" if metric == "coverage" else "Completion"
    return heatmap_figure(metrics, row_frame, countries, metric, f"{name} by {rows[:-1]} and country, end {year}")
