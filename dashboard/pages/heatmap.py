"""Pillars x countries page: each pillar's or section's progress status in each of the 13 countries, or, as the reader
chooses, its coverage or completion."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import filters, plan_picker
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.empty import no_returns_alert
from dashboard.components.heatmap import STATUS, heatmap_figure
from dashboard.components.status_colours import status_legend
from dashboard.data import connection, loaded, overview, plans
from dashboard.data import plan as plan_data
from etl.plan.labels import pillar_label, section_label

# What colours the cells: the judgement first; breadth against the whole plan is the reader's choice.
COLOUR_OPTIONS = [
    {"label": "Status against the schedule", "value": STATUS},
    {"label": "Coverage", "value": "coverage"},
    {"label": "Completion", "value": "completion"},
]
TITLES = {
    STATUS: ("Progress status against the schedule", ""),
    "coverage": ("Coverage", " (breadth: of all the row's measures)"),
    "completion": ("Completion", " (breadth: of all the row's measures)"),
}


dash.register_page(
    __name__, path="/heatmap", name="Pillars x countries", title="Pillars x countries - APT Work Plan Monitor", order=1
)


@connection.reads_warehouse
def layout(year=None, metric=None, rows=None, pillar=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    pillars = plan_data.pillars(plan_id=chosen.plan_id)
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    metric = filters.pick(metric, [o["value"] for o in COLOUR_OPTIONS], STATUS)
    rows = filters.pick(rows, ["pillars", "sections"], "pillars")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    # Drawn with the layout, so the page never shows empty axes while its callback is on its way.
    first = first_draw(str(year), metric, rows, pillar, chosen.plan_id)
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Pillars x countries", className="page-title"),
            html.P(
                "Each cell: the row's progress status in a country, judged on the measures it took up or leads "
                "against what the schedule expects by then, with how many of them it has delivered. Coverage (an "
                "ongoing or completed activity) and completion (a completed activity) count all the row's measures "
                "instead: choose them to see the breadth. Where a country has sent fewer than half its returns, the "
                "cell says insufficient data. Hover a cell for every rate and its denominator.",
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year, chosen.years),
                filters.toggle(ids.METRIC, "Colour by", COLOUR_OPTIONS, metric),
                filters.toggle(ids.ROWS, "Rows", filters.ROWS_OPTIONS, rows),
                filters.pillar_filter(pillar, pillars),
            ),
            no_returns_alert() if not state["has_returns"] else None,
            status_legend(legend_id="heatmap-status-legend"),
            accessible_chart(
                ids.HEATMAP_GRAPH, "Progress by pillar and country", figure=first, className="wide-chart mb-3"
            ),
        ]
    )


@callback(
    Output(ids.HEATMAP_GRAPH, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.METRIC, "value"),
    Input(ids.ROWS, "value"),
    Input(ids.PILLAR, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes drawn; a change of filter redraws
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
                "noun": [f"of section {s}" for s in sections.section_id],
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
                "noun": [f"of pillar {p.roman}" for p in shown.itertuples()]
                + (["of the plan"] if pillar == "ALL" else []),
            }
        )
        metrics = overview.pillar_metrics_by_country(year, plan_id=plan_id).rename(columns={"pillar": "row_id"})
    metric = metric if metric in TITLES else STATUS
    name, breadth = TITLES[metric]
    title = f"{name} by {rows[:-1]} and country, end {year}{breadth}, {plan_picker.short_name(chosen)}"
    return heatmap_figure(metrics, row_frame, countries, metric, title)


# What the layout draws, kept per data version: every reader opening the page with the same filters shares it.
first_draw = connection.per_version(update_heatmap)
