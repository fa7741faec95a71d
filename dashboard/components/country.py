"""Charts for one country: its coverage and delivery by pillar against what the schedule expects."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import new_figure, pct
from etl.outputs.palette import COVERAGE_COLOUR, DELIVERED_COLOUR, TARGET_COLOUR
from etl.plan.labels import pillar_label


def country_pillars_figure(metrics: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """Coverage of each pillar (and all pillars) and delivery of the measures the country took up, for one country
    scope and as-of year, each pillar with a dash where the schedule expects its delivery to be."""
    frame = metrics.merge(pillars, on="pillar", how="left")
    frame = frame.assign(
        label=["All pillars" if p.pillar == "ALL" else pillar_label(p.pillar, p.title, 26) for p in frame.itertuples()]
    )
    figure = new_figure(title, height=420, barmode="group", bargap=0.3)
    for column, counted, of, name, colour in (
        ("coverage_rate", "measures_covered", "measures_total", "Coverage", COVERAGE_COLOUR),
        ("delivery_rate", "measures_delivered", "measures_in_scope", "Delivered (of the measures taken up)",
         DELIVERED_COLOUR),
    ):  # fmt: skip
        figure.add_bar(
            y=frame.label,
            x=frame[column],
            orientation="h",
            name=name,
            marker_color=colour,
            text=["–" if pd.isna(v) else pct(v) for v in frame[column]],
            textposition="outside",
            cliponaxis=False,
            customdata=frame[[counted, of, "progress_status"]].to_numpy(),
            hovertemplate="%{y}<br>" + name + " <b>%{x:.1%}</b>: %{customdata[0]} of %{customdata[1]} measures"
            "<br>Status: %{customdata[2]}<extra></extra>",
        )
    figure.add_scatter(
        y=frame.label,
        x=frame.expected_rate,
        mode="markers",
        name="Expected by the schedule",
        marker={
            "symbol": "line-ns-open",
            "size": 26,
            "color": TARGET_COLOUR,
            "line": {"width": 3, "color": TARGET_COLOUR},
        },
        customdata=frame[["measures_in_scope", "progress_status"]].to_numpy(),
        hovertemplate="%{y}<br>Expected by the schedule <b>%{x:.1%}</b> of the %{customdata[0]} measures taken up"
        "<br>Status: %{customdata[1]}<extra></extra>",
    )
    figure.update_xaxes(title_text="Share of the pillar's measures", range=[0, 1.12], tickformat=".0%")
    figure.update_yaxes(autorange="reversed", title_text=None)
    figure.update_layout(legend={"y": -0.3, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"l": 10, "b": 70})
    return figure
