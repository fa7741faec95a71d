"""Progress over time and across pillars: coverage, completion and delivery against what the schedule expects."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import build_figure, pct, reference_line
from etl.outputs.palette import (
    COMPLETION_COLOUR,
    COVERAGE_COLOUR,
    DELIVERED_COLOUR,
    STATUS_COLOURS,
    STATUS_ORDER,
    TARGET_COLOUR,
)
from etl.plan.labels import pillar_label

_RATE_AXIS = {"range": [0, 1.05], "tickformat": ".0%", "dtick": 0.25, "gridcolor": "#e9ecef", "zeroline": False}
# The trend charts' axes carry fixed labels (years, 0-100%), so their margins are fixed too, room for the
# y-axis title and "100%" included: with the template's automargin plotly lays each chart out twice, which
# doubled their drawing time in the overview's first load (the small multiples 338 ms, against 142 ms without).
_FIXED_MARGINS = {"automargin": False}
_TREND_LEFT_MARGIN = 70
_SERIES = (
    ("coverage_rate", "measures_covered", "Coverage", COVERAGE_COLOUR, "covered"),
    ("completion_rate", "measures_completed", "Completion", COMPLETION_COLOUR, "completed"),
    ("delivery_rate", "measures_delivered", "Delivered", DELIVERED_COLOUR, "in scope delivered"),
)
# The denominator each series counts against: the catalogue's measures, or those the scope is judged on.
_OF = {"measures_covered": "measures_total", "measures_completed": "measures_total",
       "measures_delivered": "measures_in_scope"}  # fmt: skip
TARGET_NAME = "Expected by the schedule"


def _target_points(trend: pd.DataFrame) -> tuple[list[int], list[float | None]]:
    """What the schedule expects delivered: 0 when the plan starts (end of the year before its first year), then
    each year's expected_rate from the view (a gap in a year with nothing in scope)."""
    years = [int(y) for y in trend.as_of_year]
    expected = [None if pd.isna(v) else float(v) for v in trend.expected_rate]
    return [years[0] - 1, *years], [0.0, *expected]


def _rate_hover(label: str, verb: str, prefix: str = "") -> str:
    return (
        f"{prefix}{label} end %{{x}}: <b>%{{y:.1%}}</b><br>%{{customdata[0]}} of %{{customdata[1]}} measures {verb}"
        "<extra></extra>"
    )


def _target_trace(x: list, y: list, width: float = 2, **extra) -> dict:
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "name": TARGET_NAME,
        "mode": "lines",
        "line": {"color": TARGET_COLOUR, "dash": "dash", "width": width},
        "hovertemplate": "Expected by the schedule by end %{x}: %{y:.0%} of the measures in scope<extra></extra>",
        **extra,
    }


def _series_traces(trend: pd.DataFrame, prefix: str = "", width: int = 3, size: int = 8, **extra) -> list[dict]:
    return [
        {
            "type": "scatter",
            "x": trend.as_of_year.tolist(),
            "y": trend[column].tolist(),
            "name": label,
            "mode": "lines+markers",
            "line": {"color": colour, "width": width},
            "marker": {"size": size},
            "customdata": trend[[counted, _OF[counted]]].to_numpy().tolist(),
            "hovertemplate": _rate_hover(label, verb, prefix),
            **extra,
        }
        for column, counted, label, colour, verb in _SERIES
    ]


def trend_figure(trend: pd.DataFrame, full: pd.DataFrame, title: str) -> go.Figure:
    """Coverage, completion and delivery as of each year up to the chosen one, with the dashed line of what the
    schedule expects delivered over the whole plan.

    `trend` holds the metrics_pillar_country rows up to the as-of year, `full` every plan year (for the line).
    """
    target_x, target_y = _target_points(full)
    return build_figure(
        title,
        [_target_trace(target_x, target_y), *_series_traces(trend)],
        height=360,
        hovermode="x unified",
        xaxis={
            "title": {"text": "As of the end of year"},
            "tickmode": "array",
            "tickvals": target_x,
            "ticktext": ["Start", *[str(y) for y in target_x[1:]]],
            "range": [target_x[0] - 0.2, target_x[-1] + 0.2],
            **_FIXED_MARGINS,
        },
        yaxis={"title": {"text": "Share of measures"}, **_RATE_AXIS, **_FIXED_MARGINS},
        # At the foot of the figure, under the axis title: without automargin nothing pushes it clear of the title.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        margin={"l": _TREND_LEFT_MARGIN, "r": 20, "t": 56, "b": 100},
    )


def pillar_trends_figure(trend: pd.DataFrame, full: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """Small multiples: the trend chart for each pillar, on shared axes, three to a row."""
    cols = 3
    rows = math.ceil(len(pillars) / cols)
    h_gap, v_gap = 0.06, 0.14
    width, height = (1 - (cols - 1) * h_gap) / cols, (1 - (rows - 1) * v_gap) / rows
    target_x, _ = _target_points(full[full.pillar == "ALL"])
    traces, layout, titles = [], {}, []
    for index, pillar in enumerate(pillars.itertuples()):
        row, col = divmod(index, cols)
        axis = "" if index == 0 else str(index + 1)
        x0, y1 = col * (width + h_gap), 1 - row * (height + v_gap)
        label = pillar_label(pillar.pillar, pillar.title, 24)
        # Every panel has the same fixed axes (years of the plan, 0-100%), so they need not be linked.
        layout[f"xaxis{axis}"] = {
            "domain": [round(x0, 6), round(x0 + width, 6)],
            "anchor": f"y{axis}",
            "tickmode": "array",
            "tickvals": target_x,
            "ticktext": ["", *[f"’{y % 100:02d}" for y in target_x[1:]]],
            "range": [target_x[0] - 0.3, target_x[-1] + 0.3],
            "showticklabels": row == rows - 1,
            "linecolor": "#adb5bd",
            "ticks": "outside",
            **_FIXED_MARGINS,
        }
        layout[f"yaxis{axis}"] = {
            "domain": [max(0.0, round(y1 - height, 6)), round(y1, 6)],
            "anchor": f"x{axis}",
            "showticklabels": col == 0,
            "title": {"text": "Share of measures" if col == 0 else ""},
            **_RATE_AXIS,
            **_FIXED_MARGINS,
        }
        titles.append(
            {
                "text": label,
                "x": x0 + width / 2,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        first = index == 0
        on_axes = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        _, target_y = _target_points(full[full.pillar == pillar.pillar])  # each pillar's own schedule
        traces.append(_target_trace(target_x, target_y, 1.5, legendgroup="target", showlegend=first, **on_axes))
        rows_of = trend[trend.pillar == pillar.pillar]
        for series in _series_traces(rows_of, f"Pillar {label}<br>", width=2, size=5, showlegend=first, **on_axes):
            traces.append(series | {"legendgroup": series["name"]})
    return build_figure(
        title,
        traces,
        height=230 * rows + 140,
        annotations=titles,
        legend={"orientation": "h", "y": -0.07, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"l": _TREND_LEFT_MARGIN, "r": 20, "t": 90, "b": 70},
        **layout,
    )


def pillar_ranking_figure(metrics: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """The pillars ranked by completion rate, each bar in its progress-status colour, against time elapsed."""
    frame = metrics[metrics.pillar != "ALL"].merge(pillars, on="pillar")
    frame = frame.sort_values(["completion_rate", "coverage_rate"], ascending=True)
    frame = frame.assign(label=[pillar_label(p.pillar, p.title, 30) for p in frame.itertuples()])
    traces = []
    for status in STATUS_ORDER:
        part = frame[frame.progress_status == status]
        if part.empty:
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": part.label.tolist(),
                "x": part.completion_rate.tolist(),
                "name": status,
                "marker": {"color": STATUS_COLOURS[status]},
                "text": [f"{pct(r.completion_rate)} · {r.progress_status}" for r in part.itertuples()],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": part[["measures_completed", "measures_total", "pace_index", "reporting_rate"]]
                .to_numpy()
                .tolist(),
                "hovertemplate": "%{y}<br>Completion <b>%{x:.1%}</b> (%{customdata[0]} of %{customdata[1]} measures)"
                "<br>Pace index %{customdata[2]:.2f}<br>Reporting rate %{customdata[3]:.1%}<extra>"
                + status
                + "</extra>",
            }
        )
    elapsed = float(frame.time_elapsed.iloc[0]) if len(frame) else 0.0
    shape, note = reference_line(elapsed, f"time elapsed {pct(elapsed)}")
    return build_figure(
        title,
        traces,
        height=340,
        barmode="overlay",
        shapes=[shape],
        annotations=[note],
        # Room right of a full bar for its label; ticks stop at 100%.
        xaxis={
            "title": {"text": "Completion rate"},
            "range": [0, 1.62],
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
            "tickformat": ".0%",
        },
        yaxis={"categoryorder": "array", "categoryarray": frame.label.tolist(), "automargin": True},
        legend={
            "orientation": "h",
            "y": -0.3,
            "yanchor": "top",
            "x": 0,
            "xanchor": "left",
            "title": {"text": "Progress status "},
        },
        margin={"l": 10, "r": 20, "t": 56, "b": 70},
    )
