"""Charts for one country: its coverage and completion by pillar against time elapsed."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.labels import pillar_label
from dashboard.components.theme import COMPLETION_COLOUR, COVERAGE_COLOUR, TARGET_COLOUR, new_figure, pct


def country_pillars_figure(metrics: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """Coverage and completion of each pillar (and all pillars) for one country scope and as-of year."""
    frame = metrics.merge(pillars, on="pillar", how="left")
    frame = frame.assign(
        label=["All pillars" if p.pillar == "ALL" else pillar_label(p.pillar, p.title, 26) for p in frame.itertuples()]
    )
    figure = new_figure(title, height=420, barmode="group", bargap=0.3)
    for column, counted, name, colour in (
        ("coverage_rate", "measures_covered", "Coverage", COVERAGE_COLOUR),
        ("completion_rate", "measures_completed", "Completion", COMPLETION_COLOUR),
    ):
        figure.add_bar(
            y=frame.label,
            x=frame[column],
            orientation="h",
            name=name,
            marker_color=colour,
            text=[pct(v) for v in frame[column]],
            textposition="outside",
            cliponaxis=False,
            customdata=frame[[counted, "measures_total", "progress_status"]].to_numpy(),
            hovertemplate="%{y}<br>" + name + " <b>%{x:.1%}</b>: %{customdata[0]} of %{customdata[1]} measures"
            "<br>Status: %{customdata[2]}<extra></extra>",
        )
    elapsed = float(frame.time_elapsed.iloc[0]) if len(frame) else 0.0
    figure.add_vline(
        x=elapsed,
        line={"color": TARGET_COLOUR, "dash": "dash"},
        annotation_text=f"time elapsed {pct(elapsed)}",
        annotation_position="top",
    )
    figure.update_xaxes(title_text="Share of the pillar's measures", range=[0, 1.12], tickformat=".0%")
    figure.update_yaxes(autorange="reversed", title_text=None)
    figure.update_layout(legend={"y": -0.3, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"l": 10, "b": 70})
    return figure
