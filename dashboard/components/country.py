"""Charts for one country: each pillar's delivery against the schedule (the judgement, in status colours) and, in a
panel of its own, its coverage of the whole pillar (breadth): two denominators, never one axis."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.progress import bar_notes
from dashboard.components.status_colours import status_colour
from dashboard.components.theme import narrow_title, narrow_title_patch, new_figure, pace_text, pct, with_narrow_layout
from etl.outputs.palette import COVERAGE_COLOUR, TARGET_COLOUR
from etl.plan.labels import pillar_label, wrap

DELIVERED_TITLE = "Delivered, of the measures it took up or leads"
COVERAGE_TITLE = "Coverage, of all the pillar's measures"
# The two panels side by side; the left one keeps room right of a full bar for its status word.
DELIVERED_DOMAIN = [0.0, 0.6]
COVERAGE_DOMAIN = [0.68, 1.0]


def _delivered_hover(row) -> str:
    expected = "nothing expected yet" if pd.isna(row.expected_rate) else f"{pct(row.expected_rate)} expected"
    return (
        f"{row.label}<br><b>{row.progress_status}</b> ({pace_text(row.pace_index)})<br>"
        f"Delivered {pct(row.delivery_rate)}: {row.measures_delivered} of the {row.measures_in_scope} measures "
        f"it took up or leads; {expected} by the schedule"
    )


def _coverage_hover(row) -> str:
    of = "of the plan" if row.pillar == "ALL" else f"of pillar {row.roman}"
    return (
        f"{row.label}<br>Coverage {pct(row.coverage_rate)}: {row.measures_covered} of {row.measures_total} "
        f"measures {of} covered (an ongoing or completed activity)"
    )


def country_pillars_figure(metrics: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """For one country scope and as-of year, per pillar and all pillars: the share delivered of the measures it
    took up or leads, coloured by progress status with the word beside the bar and a dash where the schedule
    expects it; beside it, on an axis of its own, the share of all the pillar's measures it covers."""
    frame = metrics.merge(pillars, on="pillar", how="left")
    frame = frame.assign(
        label=["All pillars" if p.pillar == "ALL" else pillar_label(p.pillar, p.title, 26) for p in frame.itertuples()]
    )
    figure = new_figure(title, height=440, bargap=0.3)
    figure.add_bar(
        y=frame.label,
        x=frame.delivery_rate.fillna(0),
        orientation="h",
        name="Delivered",
        marker_color=[status_colour(s) for s in frame.progress_status],
        customdata=[_delivered_hover(r) for r in frame.itertuples()],
        hovertemplate="%{customdata}<extra></extra>",
        showlegend=False,  # its colours are the status legend's above the chart, its title the axis's
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
        customdata=frame[["measures_in_scope"]].to_numpy(),
        hovertemplate="%{y}<br>Expected by the schedule <b>%{x:.0%}</b> of the %{customdata[0]} measures it "
        "took up or leads<extra></extra>",
    )
    figure.add_bar(
        y=frame.label,
        x=frame.coverage_rate,
        orientation="h",
        name="Coverage",
        marker_color=COVERAGE_COLOUR,
        text=[f"{r.measures_covered} of {r.measures_total}" for r in frame.itertuples()],
        textposition="outside",
        cliponaxis=False,
        customdata=[_coverage_hover(r) for r in frame.itertuples()],
        hovertemplate="%{customdata}<extra></extra>",
        xaxis="x2",
        yaxis="y2",
        showlegend=False,
    )
    ticks = {"tickvals": [0, 0.25, 0.5, 0.75, 1], "tickformat": ".0%"}
    figure.update_layout(
        xaxis={"domain": DELIVERED_DOMAIN, "range": [0, 1.6], "title": {"text": DELIVERED_TITLE}, **ticks},
        xaxis2={"domain": COVERAGE_DOMAIN, "range": [0, 1.3], "title": {"text": COVERAGE_TITLE}, "anchor": "y2",
                **ticks},
        yaxis={"autorange": "reversed", "title": {"text": None}},
        yaxis2={"matches": "y", "anchor": "x2", "showticklabels": False},
        annotations=bar_notes(frame),
        legend={"y": -0.25, "yanchor": "top", "x": 0, "xanchor": "left"},
        margin={"l": 10, "b": 70},
    )  # fmt: skip
    return with_narrow_layout(figure, narrow_title_patch(title) | _narrow_panels(frame))


def _narrow_panels(frame: pd.DataFrame) -> dict:
    """On a phone the two panels stand one above the other, full width, their pillars' names and notes on short
    lines: side by side at 390 px the notes ran into the coverage panel and the axis titles into each other."""
    labels = frame.label.tolist()
    short = {"tickmode": "array", "tickvals": labels, "ticktext": [wrap(label, 14) for label in labels]}
    narrow = {
        "height": 1000,
        "xaxis.domain": [0, 1],
        "xaxis2.domain": [0, 1],
        "yaxis.domain": [0.52, 1],
        "yaxis2.domain": [0, 0.38],
        "yaxis2.showticklabels": True,
        "xaxis.tickvals": [0, 0.5, 1],
        "xaxis2.tickvals": [0, 0.5, 1],
        "xaxis.title.text": narrow_title(DELIVERED_TITLE, 28),
        "xaxis2.title.text": narrow_title(COVERAGE_TITLE, 28),
        "legend.yref": "container",
        "legend.y": 0,
        "legend.yanchor": "bottom",
        "margin.b": 40,
    }
    for axis in ("yaxis", "yaxis2"):
        narrow |= {f"{axis}.{key}": value for key, value in short.items()}
    for index, note in enumerate(bar_notes(frame, separator="<br>", status_width=12)):
        narrow[f"annotations[{index}].text"] = note["text"]
    return narrow
