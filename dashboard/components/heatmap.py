"""The pillars (or sections) x countries heatmap of coverage or completion, with withheld cells shown as such."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import LIGHT_GREY, RATE_SCALE, new_figure, pct

METRICS = {
    "coverage": ("coverage_rate", "measures_covered", "Coverage", "covered"),
    "completion": ("completion_rate", "measures_completed", "Completion", "completed"),
}
INSUFFICIENT = "insufficient data"
ALL_GROUP = "All 13"


def heatmap_figure(
    metrics: pd.DataFrame, rows: pd.DataFrame, countries: pd.DataFrame, metric: str, title: str
) -> go.Figure:
    """Rows (`rows.row_id`, `rows.label`, top to bottom) x countries grouped ASEAN / Plus Three, then ALL.

    `metrics` has row_id, country and the metric columns. A cell whose progress status is withheld
    (`insufficient data`) shows those words on grey instead of a rate.
    """
    rate, counted, label, verb = METRICS[metric]
    columns = [*countries.iso3.tolist(), "ALL"]
    groups = [*countries.country_group.tolist(), ALL_GROUP]
    names = dict(zip(countries.iso3, countries.name, strict=True)) | {"ALL": "All 13 countries"}
    cells = metrics.set_index(["row_id", "country"])
    shape = (len(rows), len(columns))
    z = np.full(shape, np.nan)
    withheld = np.full(shape, np.nan)
    text = np.full(shape, "", dtype=object)
    hover = np.full(shape, "", dtype=object)
    for i, row in enumerate(rows.itertuples()):
        for j, country in enumerate(columns):
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
    x = [groups, columns]
    figure = new_figure(title, height=max(300, 42 * len(rows) + 170))
    figure.add_heatmap(
        x=x,
        y=rows.label,
        z=withheld,
        colorscale=[[0, LIGHT_GREY], [1, LIGHT_GREY]],
        showscale=False,
        text=np.where(np.isnan(withheld), "", text),
        texttemplate="%{text}",
        textfont={"size": 9, "color": "#495057"},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        xgap=2,
        ygap=2,
        name=INSUFFICIENT,
    )
    figure.add_heatmap(
        x=x,
        y=rows.label,
        z=z,
        zmin=0,
        zmax=1,
        colorscale=RATE_SCALE,
        text=np.where(np.isnan(z), "", text),
        texttemplate="%{text}",
        textfont={"size": 12},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        xgap=2,
        ygap=2,
        colorbar={"title": {"text": label}, "tickformat": ".0%", "thickness": 12, "len": 0.8},
        name=label,
        hoverongaps=False,
    )
    figure.update_yaxes(autorange="reversed", title_text=None, showgrid=False)
    figure.update_xaxes(side="top", title_text=None, showgrid=False, ticks="")
    figure.update_layout(margin={"l": 10, "t": 110, "r": 10, "b": 20}, plot_bgcolor="white")
    return figure
