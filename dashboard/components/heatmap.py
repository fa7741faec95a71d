"""The pillars (or sections) x countries heatmap of coverage or completion, with withheld cells shown as such."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import new_figure, pct
from etl.outputs.palette import LIGHT_GREY, RATE_SCALE
from etl.plan.labels import wrap

METRICS = {
    "coverage": ("coverage_rate", "measures_covered", "Coverage", "covered"),
    "completion": ("completion_rate", "measures_completed", "Completion", "completed"),
}
INSUFFICIENT = "insufficient data"
ALL_GROUP = "APT"
ALL_COLUMN = "All 13<br>countries"
# The all-countries column has a scale of its own, in grey: any one country's rate is far below the 13 countries'
# together, and on one shared scale every single-country cell would be pale.
ALL_SCALE = [[0.0, "#F8F9FA"], [1.0, "#6C757D"]]
NAME_WIDTH = 11  # characters per line of a country's name above its column


def _column_labels(countries: pd.DataFrame) -> list[str]:
    return [wrap(name, NAME_WIDTH) for name in countries.name]


def heatmap_figure(
    metrics: pd.DataFrame, rows: pd.DataFrame, countries: pd.DataFrame, metric: str, title: str
) -> go.Figure:
    """Rows (`rows.row_id`, `rows.label`, top to bottom) x countries grouped ASEAN / Plus Three, then all 13.

    `metrics` has row_id, country and the metric columns. A cell whose progress status is withheld
    (`insufficient data`) shows those words on grey instead of a rate. The countries' cells share one colour
    scale, from 0 to the highest of them; the all-countries column has its own.
    """
    rate, counted, label, verb = METRICS[metric]
    codes = [*countries.iso3.tolist(), "ALL"]
    groups = [*countries.country_group.tolist(), ALL_GROUP]
    names = dict(zip(countries.iso3, countries.name, strict=True)) | {"ALL": "All 13 countries"}
    cells = metrics.set_index(["row_id", "country"])
    shape = (len(rows), len(codes))
    z = np.full(shape, np.nan)
    withheld = np.full(shape, np.nan)
    text = np.full(shape, "", dtype=object)
    hover = np.full(shape, "", dtype=object)
    for i, row in enumerate(rows.itertuples()):
        for j, country in enumerate(codes):
            if (row.row_id, country) not in cells.index:
                continue
            cell = cells.loc[(row.row_id, country)]
            detail = (
                f"<b>{names[country]}</b><br>{row.label}<br>{label} {pct(cell[rate], 1)}: "
                f"{cell[counted]} of {cell.measures_total} measures {verb}<br>"
                f"Reporting rate {pct(cell.reporting_rate, 1)} · {cell.progress_status}"
            )
            hover[i, j] = detail
            if cell.progress_status == INSUFFICIENT:
                withheld[i, j] = 1
                text[i, j] = "insufficient<br>data"
            else:
                z[i, j] = cell[rate]
                text[i, j] = pct(cell[rate])
    x = [groups, [*_column_labels(countries), ALL_COLUMN]]
    all_column = np.zeros(len(codes), dtype=bool)
    all_column[-1] = True
    z_countries = np.where(all_column, np.nan, z)
    z_all = np.where(all_column, z, np.nan)
    top = np.nanmax(z_countries) if np.isfinite(z_countries).any() else 1.0
    top = min(1.0, max(0.1, math.ceil(top * 10) / 10))
    figure = new_figure(title, height=max(300, 44 * len(rows) + 190))
    common = {"x": x, "y": rows.label, "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>"}
    common |= {"xgap": 2, "ygap": 2, "texttemplate": "%{text}"}
    figure.add_heatmap(
        z=withheld,
        colorscale=[[0, LIGHT_GREY], [1, LIGHT_GREY]],
        showscale=False,
        text=np.where(np.isnan(withheld), "", text),
        textfont={"size": 9, "color": "#495057"},
        name=INSUFFICIENT,
        **common,
    )
    figure.add_heatmap(
        z=z_countries,
        zmin=0,
        zmax=top,
        colorscale=RATE_SCALE,
        text=np.where(np.isnan(z_countries), "", text),
        textfont={"size": 12},
        colorbar={"title": {"text": f"{label},<br>a country"}, "tickformat": ".0%", "thickness": 12, "len": 0.8},
        name=label,
        hoverongaps=False,
        **common,
    )
    figure.add_heatmap(
        z=z_all,
        zmin=0,
        zmax=1,
        colorscale=ALL_SCALE,
        showscale=False,
        text=np.where(np.isnan(z_all), "", text),
        textfont={"size": 12},
        name=f"{label}, all 13 countries",
        hoverongaps=False,
        **common,
    )
    figure.update_yaxes(autorange="reversed", title_text=None, showgrid=False)
    # Names level, on two lines where long: turned on end they would crowd the title.
    figure.update_xaxes(side="top", title_text=None, showgrid=False, ticks="", tickangle=0, tickfont={"size": 11})
    figure.update_layout(margin={"l": 10, "t": 130, "r": 10, "b": 20}, plot_bgcolor="white")
    return figure
