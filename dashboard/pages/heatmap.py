"""Pillars x countries page: coverage or completion of each pillar or section in each of the 13 countries."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import filters, plan_picker
from dashboard.components.empty import no_returns_alert
from dashboard.components.heatmap import heatmap_figure
from dashboard.components.theme import GRAPH_CONFIG
from dashboard.data import connection, loaded, overview, plans
from dashboard.data import plan as plan_data
from etl.plan.labels import pillar_label, section_label

dash.register_page(
    __name__, path="/heatmap", name="Pillars x countries", title="Pillars x countries - APT Work Plan Monitor", order=1
)


@connection.reads_warehouse
def layout(year=None, metric=None, rows=None, pillar=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    pillars = plan_data.pillars(plan_id=chosen.plan_id)
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    metric = filters.pick(metric, ["coverage", "completion"], "coverage")
    rows = filters.pick(rows, ["pillars", "sections"], "pillars")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H2("Pillars x countries", className="page-title"),
            html.P(
                "Each cell: the share of the row's measures a country has covered (an ongoing or completed "
                "activity) or completed. Where a country has sent fewer than half its returns, the cell says "
                "insufficient data instead of a rate. Hover a cell for the counts.",
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year, chosen.years),
                filters.toggle(ids.METRIC, "Show", filters.METRIC_OPTIONS, metric),
                filters.toggle(ids.ROWS, "Rows", filters.ROWS_OPTIONS, rows),
                filters.pillar_filter(pillar, pillars),
            ),
            no_returns_alert() if not state["has_returns"] else None,
            html.Div(dcc.Graph(id=ids.HEATMAP_GRAPH, config=GRAPH_CONFIG), className="wide-chart"),
        ]
    )


@callback(
    Output(ids.HEATMAP_GRAPH, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.METRIC, "value"),
    Input(ids.ROWS, "value"),
    Input(ids.PILLAR, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@connection.reads_warehouse
def update_heatmap(year: str, metric: str, rows: str, pillar: str, plan_id: str | None = None):
    """Redraw the heatmap for one plan, as-of year, metric, row level and pillar."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    plan_id = chosen.plan_id
    countries = plan_data.countries()
    pillars = plan_data.pillars(plan_id=plan_id)
    if rows == "sections":
        sections = plan_data.sections(plan_id=plan_id)
        if pillar != "ALL":
            sections = sections[sections.pillar == pillar]
        row_frame = pd.DataFrame(
            {
                "row_id": sections.section_id,
                "label": [section_label(s.section_id, s.title, s.is_direct_group, 44) for s in sections.itertuples()],
            }
        )
        metrics = overview.section_metrics_by_country(year, pillar, plan_id=plan_id)
        metrics = metrics.rename(columns={"section_id": "row_id"})
    else:
        shown = pillars if pillar == "ALL" else pillars[pillars.pillar == pillar]
        row_frame = pd.DataFrame(
            {
                "row_id": [*shown.pillar, *(["ALL"] if pillar == "ALL" else [])],
                "label": [pillar_label(p.pillar, p.title, 30) for p in shown.itertuples()]
                + (["All pillars"] if pillar == "ALL" else []),
            }
        )
        metrics = overview.pillar_metrics_by_country(year, plan_id=plan_id).rename(columns={"pillar": "row_id"})
    name = "Coverage" if metric == "coverage" else "Completion"
    title = f"{name} by {rows[:-1]} and country, end {year}, {plan_picker.short_name(chosen)}"
    return heatmap_figure(metrics, row_frame, countries, metric, title)
