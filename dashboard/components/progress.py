"""Progress over time and across pillars: delivery against what the schedule expects (the judgement) and, on axes
of their own, coverage and completion of all the measures (breadth)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import (
    build_figure,
    narrow_title,
    narrow_title_patch,
    pace_text,
    pct,
    with_narrow_layout,
)
from etl.outputs.palette import (
    COMPLETION_COLOUR,
    COVERAGE_COLOUR,
    DELIVERED_COLOUR,
    STATUS_COLOURS,
    STATUS_ORDER,
    TARGET_COLOUR,
)
from etl.plan.labels import pillar_label, wrap

_RATE_AXIS = {"range": [0, 1.05], "tickformat": ".0%", "dtick": 0.25, "gridcolor": "#e9ecef", "zeroline": False}
# The trend charts' axes carry fixed labels (years, 0-100%), so their margins are fixed too, room for the
# y-axis title and "100%" included: with the template's automargin plotly lays each chart out twice, which
# doubled their drawing time in the overview's first load (the small multiples 338 ms, against 142 ms without).
_FIXED_MARGINS = {"automargin": False}
_TREND_LEFT_MARGIN = 70
# Each series: its rate and count columns, name, colour, line dash and marker, and the verb of its hover. Completion
# and Delivered often run close: they differ in dash and marker as well as colour, so neither rests on colour alone.
_SERIES = {
    "Coverage": ("coverage_rate", "measures_covered", COVERAGE_COLOUR, "solid", "circle", "covered"),
    "Completion": ("completion_rate", "measures_completed", COMPLETION_COLOUR, "dash", "square", "completed"),
    "Delivered": ("delivery_rate", "measures_delivered", DELIVERED_COLOUR, "solid", "diamond", "in scope delivered"),
}
BREADTH = ("Coverage", "Completion")
JUDGEMENT = ("Delivered",)
DELIVERED_AXIS = "Delivered, of the measures in scope"
BREADTH_AXIS = "Of all the measures"
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


def _series_traces(
    trend: pd.DataFrame, names: tuple[str, ...], prefix: str = "", width: int = 3, size: int = 8, **extra
) -> list[dict]:
    traces = []
    for label in names:
        column, counted, colour, dash, symbol, verb = _SERIES[label]
        traces.append(
            {
                "type": "scatter",
                "x": trend.as_of_year.tolist(),
                "y": trend[column].tolist(),
                "name": label,
                "mode": "lines+markers",
                "line": {"color": colour, "width": width, "dash": dash},
                "marker": {"size": size, "symbol": symbol},
                "customdata": trend[[counted, _OF[counted]]].to_numpy().tolist(),
                "hovertemplate": _rate_hover(label, verb, prefix),
                **extra,
            }
        )
    return traces


def _axis_title(text: str) -> dict:
    return {"text": text, "font": {"size": 12}}


def trend_figure(trend: pd.DataFrame, full: pd.DataFrame, title: str) -> go.Figure:
    """Two panels over the years up to the chosen one: above, the share delivered of the measures in scope with the
    dashed line of what the schedule expects over the whole plan (the judgement); below, on an axis of its own,
    coverage and completion of all the measures (breadth): the two denominators never share an axis.

    `trend` holds the metrics_pillar_country rows up to the as-of year, `full` every plan year (for the line).
    """
    target_x, target_y = _target_points(full)
    years = {
        "tickmode": "array",
        "tickvals": target_x,
        "ticktext": ["Start", *[str(y) for y in target_x[1:]]],
        "tickangle": 0,
        "range": [target_x[0] - 0.2, target_x[-1] + 0.2],
        **_FIXED_MARGINS,
    }
    below = {"xaxis": "x2", "yaxis": "y2"}
    figure = build_figure(
        title,
        [
            _target_trace(target_x, target_y),
            *_series_traces(trend, JUDGEMENT),
            *_series_traces(trend, BREADTH, **below),
        ],
        height=500,
        hovermode="x unified",
        xaxis={**years, "anchor": "y", "showticklabels": False},
        yaxis={"title": _axis_title("Delivered, of those<br>in scope"), "domain": [0.55, 1], **_RATE_AXIS,
               **_FIXED_MARGINS},
        xaxis2={**years, "anchor": "y2", "matches": "x", "title": {"text": "As of the end of year"}},
        yaxis2={"title": _axis_title("Of all<br>the measures"), "domain": [0, 0.42], **_RATE_AXIS,
                **_FIXED_MARGINS},
        # At the foot of the figure, under the axis title: without automargin nothing pushes it clear of the title.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        margin={"l": _TREND_LEFT_MARGIN + 30, "r": 20, "t": 76, "b": 100},
    )  # fmt: skip
    # On a phone the years go by two digits (six four-digit years did not fit), and the axis title is placed by
    # automargin: with the fixed margins plotly drew it over the years there.
    short_years = ["Start", *[_short_year(y) for y in target_x[1:]]]
    narrow = {"xaxis.ticktext": short_years, "xaxis2.ticktext": short_years, "xaxis2.automargin": True}
    return with_narrow_layout(figure, narrow_title_patch(title) | narrow)


def _short_year(year: int) -> str:
    return f"’{year % 100:02d}"


def pillar_trends_figure(trend: pd.DataFrame, full: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """Small multiples: for each pillar, the share delivered of its measures in scope against the line of what the
    schedule expects, on shared axes, three to a row."""
    cols = 3
    rows = math.ceil(len(pillars) / cols)
    h_gap, v_gap = 0.06, 0.14
    width, height = (1 - (cols - 1) * h_gap) / cols, (1 - (rows - 1) * v_gap) / rows
    # On a phone, one panel to a row: three side by side were 80 px wide, their titles ran into each other and
    # their year ticks into one another ("'1'1'1").
    narrow_panel_px, narrow_gap_px = 190, 70
    narrow_height = len(pillars) * (narrow_panel_px + narrow_gap_px) + 90
    narrow_plot = narrow_height - 90 - 70
    narrow = {"height": narrow_height, "margin.t": 90, "margin.b": 70}
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
            "ticktext": ["", *[_short_year(y) for y in target_x[1:]]],
            "tickangle": 0,
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
            "title": {"text": "Delivered, of the<br>measures in scope" if col == 0 else ""},
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
        top = 1 - index * (narrow_panel_px + narrow_gap_px) / narrow_plot
        narrow |= {
            f"xaxis{axis}.domain": [0, 1],
            f"xaxis{axis}.showticklabels": True,
            f"yaxis{axis}.domain": [max(0.0, round(top - narrow_panel_px / narrow_plot, 6)), round(top, 6)],
            f"yaxis{axis}.showticklabels": True,
            f"yaxis{axis}.title.text": "Delivered, of the<br>measures in scope",
            f"annotations[{index}].x": 0.5,
            f"annotations[{index}].y": round(top, 6),
        }
        first = index == 0
        on_axes = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        _, target_y = _target_points(full[full.pillar == pillar.pillar])  # each pillar's own schedule
        traces.append(_target_trace(target_x, target_y, 1.5, legendgroup="target", showlegend=first, **on_axes))
        rows_of = trend[trend.pillar == pillar.pillar]
        # Delivery alone: the judgement per pillar. Coverage and completion count other measures (all of the
        # pillar's), so they would need axes of their own; the heatmap shows them per pillar.
        for series in _series_traces(
            rows_of, JUDGEMENT, f"Pillar {label}<br>", width=2, size=5, showlegend=first, **on_axes
        ):
            traces.append(series | {"legendgroup": series["name"]})
    figure = build_figure(
        title,
        traces,
        height=230 * rows + 140,
        annotations=titles,
        legend={"orientation": "h", "y": -0.07, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"l": _TREND_LEFT_MARGIN, "r": 20, "t": 90, "b": 70},
        **layout,
    )
    return with_narrow_layout(figure, narrow | narrow_title_patch(title, 40) | {"legend.y": -40 / narrow_plot})


# The order of the statuses from furthest behind: the order country_lag_ranking ranks countries in.
_BEHIND_FIRST = ["limited progress", "acceleration needed", "on track", "not yet due", "no commitments",
                 "insufficient data"]  # fmt: skip


def pillar_ranking_figure(metrics: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """The pillars by progress status and pace, the furthest behind on top: each bar the share delivered of the
    measures in scope, in its status colour with the word beside it, a dash where the schedule expects it."""
    frame = metrics[metrics.pillar != "ALL"].merge(pillars, on="pillar")
    frame = frame.assign(
        label=[pillar_label(p.pillar, p.title, 30) for p in frame.itertuples()],
        behind=[_BEHIND_FIRST.index(s) for s in frame.progress_status],
    )
    frame = frame.sort_values(["behind", "pace_index"], na_position="last")
    scope = "in the plan" if (frame.country == "ALL").all() else "it took up or leads"
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
                "x": part.delivery_rate.fillna(0).tolist(),
                "name": status,
                "marker": {"color": STATUS_COLOURS[status]},
                "showlegend": False,  # the status word stands beside each bar
                "customdata": [
                    [
                        f"{r.measures_delivered} of the {r.measures_in_scope} measures {scope} delivered",
                        "nothing expected yet" if pd.isna(r.expected_rate) else f"{pct(r.expected_rate)} expected",
                        pace_text(r.pace_index),
                        pct(r.reporting_rate, 1),
                    ]
                    for r in part.itertuples()
                ],
                "hovertemplate": "%{y}<br><b>" + status + "</b> (%{customdata[2]})<br>Delivered %{x:.0%}: "
                "%{customdata[0]}; %{customdata[1]} by the schedule<br>Reporting rate %{customdata[3]}<extra></extra>",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "y": frame.label.tolist(),
            "x": frame.expected_rate.tolist(),
            "mode": "markers",
            "name": TARGET_NAME,
            "marker": {"symbol": "line-ns-open", "size": 22, "color": TARGET_COLOUR,
                       "line": {"width": 3, "color": TARGET_COLOUR}},
            "hovertemplate": "%{y}<br>Expected by the schedule: %{x:.0%} of the measures in scope<extra></extra>",
        }
    )  # fmt: skip
    figure = build_figure(
        title,
        traces,
        height=420,  # room for each pillar's two-line note
        barmode="overlay",
        annotations=bar_notes(frame, separator="<br>"),  # two lines: the chart is half the page wide
        # Room right of 100% for the notes; ticks stop at 100%.
        xaxis={
            "title": {"text": f"Delivered, of the measures {scope}"},
            "range": [0, 1.6],
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
            "tickformat": ".0%",
        },
        yaxis={"categoryorder": "array", "categoryarray": frame.label.tolist()[::-1], "automargin": True},
        legend={"orientation": "h", "y": -0.25, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 20, "t": 64, "b": 70},
    )
    # On a phone: the pillars' names and the notes on lines of a dozen characters, three ticks, the legend at the
    # foot. On one line they took the width: the notes ran off the right edge ("limited pro").
    labels = frame.label.tolist()
    narrow = {
        "yaxis.tickmode": "array",
        "yaxis.tickvals": labels,
        "yaxis.ticktext": [wrap(label, 14) for label in labels],
        "xaxis.tickvals": [0, 0.5, 1],
        "xaxis.title.text": narrow_title(f"Delivered, of the measures {scope}", 28),
        "legend.yref": "container",
        "legend.y": 0,
        "legend.yanchor": "bottom",
        "margin.b": 40,
        "height": 520,
    }
    for index, note in enumerate(bar_notes(frame, separator="<br>", status_width=12)):
        narrow[f"annotations[{index}].text"] = note["text"]
    return with_narrow_layout(figure, narrow_title_patch(title) | narrow)


def bar_notes(
    frame: pd.DataFrame, x: float = 1.07, separator: str = " · ", status_width: int | None = None
) -> list[dict]:
    """Beside each row, right of 100%: how many of how many measures were delivered and the status word (on lines
    of `status_width` characters if given). In a column of their own, they are never drawn over a bar or the
    schedule's dash."""

    def status(r) -> str:
        return wrap(r.progress_status, status_width) if status_width else r.progress_status

    return [
        {
            "x": x,
            "y": r.label,
            "xref": "x",
            "yref": "y",
            "xanchor": "left",
            "showarrow": False,
            "align": "left",
            "text": f"{r.measures_delivered} of {r.measures_in_scope}{separator}{status(r)}"
            if r.measures_in_scope
            else status(r),
            "font": {"size": 11},
        }
        for r in frame.itertuples()
    ]
