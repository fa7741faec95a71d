"""The country x year matrix of returns: on time, late, rejected, missing or not yet due, with versions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import new_figure
from etl.outputs.palette import BLUISH_GREEN, LIGHT_GREY, ORANGE, VERMILLION

STATES = ["on time", "late", "rejected", "missing", "not yet due"]
STATE_COLOURS = {
    "on time": BLUISH_GREEN,
    "late": ORANGE,
    "rejected": VERMILLION,
    "missing": LIGHT_GREY,
    "not yet due": "#FFFFFF",  # no colour: nothing is wrong with a return whose deadline is still ahead
}


def _cell_text(row) -> str:
    parts = [row.return_state]
    if row.versions > 1:
        parts.append(f"{row.versions} versions")
    if row.rejected_uploads and row.return_state != "rejected":
        parts.append(f"{row.rejected_uploads} rejected")
    elif row.return_state == "rejected":
        parts.append(f"{row.rejected_uploads} upload{'s' if row.rejected_uploads > 1 else ''}")
    return "<br>".join(parts)


def return_matrix_figure(returns: pd.DataFrame, title: str) -> go.Figure:
    """Countries (rows, ASEAN then Plus Three) x reporting years, one colour per return state."""
    countries = returns.drop_duplicates("country")[["country", "country_name", "country_group"]]
    years = sorted(returns.reporting_year.unique().tolist())
    cells = returns.set_index(["country", "reporting_year"])
    z = np.full((len(countries), len(years)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    for i, country in enumerate(countries.itertuples()):
        for j, year in enumerate(years):
            row = cells.loc[(country.country, year)]
            z[i, j] = STATES.index(row.return_state)
            text[i, j] = _cell_text(row)
            received = "" if pd.isna(row.first_received_on) else f"<br>First received {row.first_received_on:%Y-%m-%d}"
            hover[i, j] = (
                f"<b>{country.country_name}</b>, return for {year}: {row.return_state}{received}"
                f"<br>Accepted versions {row.versions} · rejected uploads {row.rejected_uploads}"
            )
    n = len(STATES)
    scale = []
    for k, state in enumerate(STATES):
        scale += [[k / n, STATE_COLOURS[state]], [(k + 1) / n, STATE_COLOURS[state]]]
    figure = new_figure(title, height=max(320, 34 * len(countries) + 150))
    figure.add_heatmap(
        x=[str(y) for y in years],
        y=[[c.country_group for c in countries.itertuples()], countries.country_name.tolist()],
        z=z,
        zmin=-0.5,
        zmax=n - 0.5,
        colorscale=scale,
        showscale=False,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 11},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        xgap=2,
        ygap=2,
    )
    for state in STATES:
        figure.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=state,
            marker={
                "size": 12,
                "symbol": "square",
                "color": STATE_COLOURS[state],
                "line": {"width": 1, "color": "#adb5bd"},
            },
        )
    figure.update_xaxes(title_text="Reporting year", side="top", type="category", showgrid=False)
    figure.update_yaxes(autorange="reversed", title_text=None, showgrid=False)
    figure.update_layout(legend={"y": -0.02, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"l": 10, "t": 120})
    return figure
