"""The funding chart: each pillar's reported budget split by funding source, the APT Cooperation Fund first."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import new_figure
from etl.outputs.palette import BLUE, GREY, ORANGE, REDDISH_PURPLE, SKY_BLUE
from etl.plan.labels import pillar_label

# The funding view's budget columns, in the order the bars stack, with the name and colour each source has.
SOURCES = (
    ("budget_apt_fund_usd", "APT Cooperation Fund", BLUE),
    ("budget_national_usd", "National budgets", ORANGE),
    ("budget_plus_three_usd", "Plus Three partners", SKY_BLUE),
    ("budget_other_usd", "Other", REDDISH_PURPLE),
    ("budget_source_not_given_usd", "Source not given", GREY),
)


def usd(value: float) -> str:
    """125000 -> 'USD 125,000'; millions shortened: 'USD 12.2 million'."""
    if abs(value) >= 1_000_000:
        return f"USD {value / 1_000_000:,.1f} million"
    return f"USD {value:,.0f}"


def funding_figure(rows: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """One stacked bar per pillar (then all pillars) of the budgets by source, for one country scope and year."""
    frame = rows.merge(pillars, on="pillar", how="left")
    labels = ["All pillars" if p.pillar == "ALL" else pillar_label(p.pillar, p.title, 26) for p in frame.itertuples()]
    figure = new_figure(title, height=420, barmode="stack", bargap=0.35)
    for column, name, colour in SOURCES:
        figure.add_bar(
            y=labels,
            x=frame[column],
            orientation="h",
            name=name,
            marker_color=colour,
            customdata=frame[["apt_fund_share", "activities_total", "activities_without_budget"]].to_numpy(),
            hovertemplate="%{y}<br>" + name + ": <b>USD %{x:,.0f}</b><br>Fund's share %{customdata[0]:.1%}; "
            "%{customdata[2]} of %{customdata[1]} activities without a budget<extra></extra>",
        )
    figure.update_xaxes(title_text="Reported budget (USD)", tickformat=",.0f")
    figure.update_yaxes(autorange="reversed", title_text=None)
    figure.update_layout(
        legend={"y": -0.25, "yanchor": "top", "x": 0, "xanchor": "left", "traceorder": "normal"},
        margin={"l": 10, "b": 80},
    )
    return figure
