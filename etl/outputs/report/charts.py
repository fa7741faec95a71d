"""The report's plotly figures, drawn from the views' rows: nothing is computed here but labels."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl.outputs.palette import COMPLETION_COLOUR, COVERAGE_COLOUR, DELIVERED_COLOUR, TARGET_COLOUR
from etl.plan.labels import pillar_label, wrap

CHART_WIDTH = 680  # px: fits the A4 text width when printed


def _layout(fig: go.Figure, title: str, height: int = 330) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}},
        width=CHART_WIDTH,
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        template="plotly_white",
        font={"family": "Helvetica, Arial, sans-serif", "size": 11},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def pillar_chart(pillars: pd.DataFrame, pillar_titles: dict[str, str], as_of_year: int) -> go.Figure:
    """Coverage and completion per pillar, all countries (metrics_pillar_country's rows), against the schedule."""
    rows = pillars[(pillars["country"] == "ALL") & (pillars["pillar"] != "ALL")].sort_values("pillar")
    # An axis label goes by the pillar's first words when its name is long ('III Environment'), on two short
    # lines, so no label is cut.
    labels = [wrap(pillar_label(p, pillar_titles.get(p, ""), limit=24), 18) for p in rows["pillar"]]
    titles = [pillar_titles.get(p, "").title() for p in rows["pillar"]]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=rows["coverage_rate"],
        name="Coverage (measures with an implemented activity)",
        marker_color=COVERAGE_COLOUR,
        customdata=titles,
        hovertemplate="%{customdata}: %{y:.0%}",
    )
    fig.add_bar(
        x=labels,
        y=rows["completion_rate"],
        name="Completion (measures with a completed activity)",
        marker_color=COMPLETION_COLOUR,
        customdata=titles,
        hovertemplate="%{customdata}: %{y:.0%}",
    )
    fig.add_scatter(
        x=labels,
        y=rows["expected_rate"],
        mode="markers",
        name="Expected by the schedule",
        marker={
            "symbol": "line-ew-open",
            "size": 34,
            "color": TARGET_COLOUR,
            "line": {"width": 3, "color": TARGET_COLOUR},
        },
        customdata=titles,
        hovertemplate="%{customdata}: %{y:.0%} expected",
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.08])
    return _layout(fig, f"Coverage and completion per pillar, all countries, as of {as_of_year}")


def trend_chart(trend: pd.DataFrame, first_year: int, last_year: int) -> go.Figure:
    """The whole plan's rates year by year (metrics_pillar_country's ALL/ALL rows) against the schedule."""
    fig = go.Figure()
    fig.add_scatter(x=trend["as_of_year"], y=trend["coverage_rate"], mode="lines+markers", name="Coverage",
                    line={"color": COVERAGE_COLOUR})  # fmt: skip
    fig.add_scatter(x=trend["as_of_year"], y=trend["completion_rate"], mode="lines+markers", name="Completion",
                    line={"color": COMPLETION_COLOUR})  # fmt: skip
    fig.add_scatter(x=trend["as_of_year"], y=trend["delivery_rate"], mode="lines+markers", name="Delivered",
                    line={"color": DELIVERED_COLOUR})  # fmt: skip
    fig.add_scatter(x=trend["as_of_year"], y=trend["expected_rate"], mode="lines", name="Expected by the schedule",
                    line={"color": TARGET_COLOUR, "dash": "dash"})  # fmt: skip
    fig.update_xaxes(range=[first_year - 0.3, last_year + 0.3], dtick=1)  # the plan's own years
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return _layout(fig, "Whole plan against the implementation schedule", height=300)


def reporting_chart(rows: pd.DataFrame, first_year: int, as_of_year: int) -> go.Figure:
    """Reporting and on-time rates per country (metrics_reporting's rows, drawn in the order given)."""
    fig = go.Figure()
    fig.add_bar(x=rows["country"], y=rows["reporting_rate"], name="Reporting rate", marker_color=COVERAGE_COLOUR)
    fig.add_bar(x=rows["country"], y=rows["on_time_rate"], name="On-time rate", marker_color=COMPLETION_COLOUR)
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return _layout(fig, f"Returns received and on time, {first_year}-{as_of_year}", height=300)
