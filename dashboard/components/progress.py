"""Progress over time and across pillars: cumulative coverage and completion against the straight line to 2017."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.components.labels import pillar_label
from dashboard.components.theme import (
    COMPLETION_COLOUR,
    COVERAGE_COLOUR,
    STATUS_COLOURS,
    STATUS_ORDER,
    TARGET_COLOUR,
    TEMPLATE_NAME,
    new_figure,
    pct,
)

# The straight line starts at 0 when the plan starts (end of the year before its first year).
_RATE_AXIS = {"range": [0, 1.05], "tickformat": ".0%", "dtick": 0.25}


def _target_points(trend: pd.DataFrame) -> tuple[list[int], list[float]]:
    """The straight line to full implementation: 0 at the plan's start, then each year's time_elapsed."""
    years = [int(y) for y in trend.as_of_year]
    return [years[0] - 1, *years], [0.0, *trend.time_elapsed.tolist()]


def _rate_hover(label: str, counted: str) -> str:
    return f"{label} end %{{x}}: <b>%{{y:.1%}}</b><br>%{{customdata[0]}} of %{{customdata[1]}} measures {counted}"


def trend_figure(trend: pd.DataFrame, full: pd.DataFrame, title: str) -> go.Figure:
    """Coverage and completion as of each year up to the chosen one, with the straight line over the whole plan.

    `trend` holds the metrics_pillar_country rows up to the as-of year, `full` every plan year (for the line).
    """
    figure = new_figure(title, height=360, hovermode="x unified")
    target_x, target_y = _target_points(full)
    figure.add_scatter(
        x=target_x,
        y=target_y,
        name="Straight line to full implementation",
        mode="lines",
        line={"color": TARGET_COLOUR, "dash": "dash", "width": 2},
        hovertemplate="Time elapsed by end %{x}: %{y:.0%}<extra></extra>",
    )
    for column, counted, label, colour in (
        ("coverage_rate", "measures_covered", "Coverage", COVERAGE_COLOUR),
        ("completion_rate", "measures_completed", "Completion", COMPLETION_COLOUR),
    ):
        figure.add_scatter(
            x=trend.as_of_year,
            y=trend[column],
            name=label,
            mode="lines+markers",
            line={"color": colour, "width": 3},
            marker={"size": 8},
            customdata=trend[[counted, "measures_total"]].to_numpy(),
            hovertemplate=_rate_hover(label, "covered" if counted == "measures_covered" else "completed")
            + "<extra></extra>",
        )
    figure.update_xaxes(
        title_text="As of the end of year",
        tickmode="array",
        tickvals=target_x,
        ticktext=["Start", *[str(y) for y in target_x[1:]]],
        range=[target_x[0] - 0.2, target_x[-1] + 0.2],
    )
    figure.update_yaxes(title_text="Share of the plan's measures", **_RATE_AXIS)
    figure.update_layout(legend={"y": -0.3, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"b": 40})
    return figure


def pillar_trends_figure(trend: pd.DataFrame, full: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """Small multiples: the trend chart for each pillar, on shared axes."""
    cols = 3
    rows = math.ceil(len(pillars) / cols)
    titles = [pillar_label(p.pillar, p.title, 24) for p in pillars.itertuples()]
    figure = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, shared_xaxes=True, shared_yaxes=True, vertical_spacing=0.14
    )
    target_x, target_y = _target_points(full[full.pillar == "ALL"])
    for index, pillar in enumerate(pillars.itertuples()):
        row, col = index // cols + 1, index % cols + 1
        first = index == 0
        figure.add_scatter(
            x=target_x,
            y=target_y,
            mode="lines",
            name="Straight line to full implementation",
            legendgroup="target",
            showlegend=first,
            line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
            hovertemplate="Time elapsed by end %{x}: %{y:.0%}<extra></extra>",
            row=row,
            col=col,
        )
        rows_of = trend[trend.pillar == pillar.pillar]
        for column, counted, label, colour in (
            ("coverage_rate", "measures_covered", "Coverage", COVERAGE_COLOUR),
            ("completion_rate", "measures_completed", "Completion", COMPLETION_COLOUR),
        ):
            figure.add_scatter(
                x=rows_of.as_of_year,
                y=rows_of[column],
                mode="lines+markers",
                name=label,
                legendgroup=label,
                showlegend=first,
                line={"color": colour, "width": 2},
                marker={"size": 5},
                customdata=rows_of[[counted, "measures_total"]].to_numpy(),
                hovertemplate=f"Pillar {titles[index]}<br>"
                + _rate_hover(label, "covered" if counted == "measures_covered" else "completed")
                + "<extra></extra>",
                row=row,
                col=col,
            )
    figure.update_layout(
        template=TEMPLATE_NAME,
        title={"text": title},
        height=230 * rows + 110,
        legend={"y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right", "yref": "container"},
        margin={"t": 100, "b": 30},
    )
    figure.update_annotations(font={"size": 12})
    figure.update_xaxes(tickmode="array", tickvals=target_x, ticktext=["", *[f"’{y % 100:02d}" for y in target_x[1:]]])
    figure.update_yaxes(**_RATE_AXIS)
    figure.update_yaxes(title_text="Share of measures", col=1)
    return figure


def pillar_ranking_figure(metrics: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """The pillars ranked by completion rate, each bar in its progress-status colour, against time elapsed."""
    frame = metrics[metrics.pillar != "ALL"].merge(pillars, on="pillar")
    frame = frame.sort_values(["completion_rate", "coverage_rate"], ascending=True)
    frame = frame.assign(label=[pillar_label(p.pillar, p.title, 30) for p in frame.itertuples()])
    figure = new_figure(title, height=340, barmode="overlay")
    for status in STATUS_ORDER:
        part = frame[frame.progress_status == status]
        figure.add_bar(
            y=part.label,
            x=part.completion_rate,
            orientation="h",
            name=status,
            marker_color=STATUS_COLOURS[status],
            text=[f"{pct(r.completion_rate)} · {r.progress_status}" for r in part.itertuples()],
            textposition="outside",
            cliponaxis=False,
            customdata=part[["measures_completed", "measures_total", "pace_index", "reporting_rate"]].to_numpy(),
            hovertemplate="%{y}<br>Completion <b>%{x:.1%}</b> (%{customdata[0]} of %{customdata[1]} measures)"
            "<br>Pace index %{customdata[2]:.2f}<br>Reporting rate %{customdata[3]:.1%}<extra>" + status + "</extra>",
        )
    elapsed = float(frame.time_elapsed.iloc[0]) if len(frame) else 0.0
    figure.add_vline(
        x=elapsed,
        line={"color": TARGET_COLOUR, "dash": "dash"},
        annotation_text=f"time elapsed {pct(elapsed)}",
        annotation_position="top",
    )
    # Room right of a full bar for its label; ticks stop at 100%.
    figure.update_xaxes(
        title_text="Completion rate (share of the pillar's measures)",
        range=[0, 1.62],
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        tickformat=".0%",
    )
    figure.update_yaxes(categoryorder="array", categoryarray=frame.label.tolist(), title_text=None)
    figure.update_layout(legend={"y": -0.25, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"l": 10})
    return figure
