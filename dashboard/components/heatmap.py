"""The pillars (or sections) x countries heatmap: each cell coloured by its progress status (the judgement) with the
status word on it, or, as the reader chooses, by coverage or completion (breadth against all the row's measures)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.status_colours import status_colour
from dashboard.components.theme import STATUS_WORDING, narrow_title, new_figure, pace_text, pct
from etl.outputs.palette import LIGHT_GREY, RATE_SCALE, STATUS_ORDER, text_colour_on
from etl.plan.labels import wrap

STATUS = "status"
METRICS = {
    "coverage": ("coverage_rate", "measures_covered", "Coverage", "covered"),
    "completion": ("completion_rate", "measures_completed", "Completion", "completed"),
}
INSUFFICIENT = "insufficient data"
# Statuses whose cell shows no count: nothing to judge it on, or its numbers are withheld.
UNCOUNTED = {"insufficient data", "no commitments"}
ALL_GROUP = "APT"
ALL_COLUMN = "All 13<br>countries"
# The all-countries column has a scale of its own, in grey: any one country's rate is far below the 13 countries'
# together, and on one shared scale every single-country cell would be pale.
ALL_SCALE = [[0.0, "#F8F9FA"], [1.0, "#6C757D"]]
NAME_WIDTH = 11  # characters per line of a country's name above its column
# Characters per line of a row's label: the labels stay in view while the 14 columns scroll sideways on a narrow
# screen (dashboard/assets/46-sticky-row-labels.js), so the narrower they are, the more columns show beside them.
ROW_LABEL_WIDTH = 22
ROW_LABEL_LINES = 3
TITLE_WIDTH = 46
TITLE_LINE_PX = 21  # the room each further line of the title takes above the countries' names


def _column_labels(countries: pd.DataFrame) -> list[str]:
    return [wrap(name, NAME_WIDTH) for name in countries.name]


def _row_label(label: str) -> str:
    """A row's label on lines of ROW_LABEL_WIDTH characters, or as few more as keep it to ROW_LABEL_LINES lines: a
    row is about three lines tall, and a longer label ran into the next row's."""
    words = label.replace("<br>", " ")
    width = ROW_LABEL_WIDTH
    while wrap(words, width).count("<br>") >= ROW_LABEL_LINES and width < len(words):
        width += 2
    return wrap(words, width)


def _status_lines(status: str) -> str:
    """The status word on two lines where it has two words or more ("limited<br>progress"), to fit a cell."""
    first, _, rest = status.rpartition(" ") if status.count(" ") > 1 else status.partition(" ")
    return f"{first}<br>{rest}" if rest else first


def delivered_phrase(cell, country: str) -> str:
    """'11 of the 40 measures it took up or leads delivered': the pace's denominator in words."""
    whose = "in the plan" if country == "ALL" else "it took up or leads"
    return f"{cell.measures_delivered} of the {cell.measures_in_scope} measures {whose} delivered"


def breadth_phrase(cell, counted: str, verb: str, row_noun: str) -> str:
    """'4 of 27 measures of pillar I covered': coverage's or completion's denominator in words."""
    return f"{cell[counted]} of {cell.measures_total} measures {row_noun} {verb}"


def _hover(cell, country_name: str, country: str, row_label: str, row_noun: str) -> str:
    expected = "nothing expected yet" if pd.isna(cell.expected_rate) else f"{pct(cell.expected_rate)} expected"
    return (
        f"<b>{country_name}</b><br>{row_label}<br><b>{cell.progress_status}</b>: "
        f"{STATUS_WORDING.get(cell.progress_status, '')} ({pace_text(cell.pace_index)})<br>"
        f"Delivered {pct(cell.delivery_rate)}: {delivered_phrase(cell, country)}; {expected} by the schedule<br>"
        f"Coverage {pct(cell.coverage_rate)}: {breadth_phrase(cell, 'measures_covered', 'covered', row_noun)}<br>"
        f"Completion {pct(cell.completion_rate)}: "
        f"{breadth_phrase(cell, 'measures_completed', 'completed', row_noun)}<br>"
        f"Reporting rate {pct(cell.reporting_rate)}"
    )


def heatmap_figure(
    metrics: pd.DataFrame, rows: pd.DataFrame, countries: pd.DataFrame, metric: str, title: str
) -> go.Figure:
    """Rows (`rows.row_id`, `rows.label`, optional `rows.noun` such as "of pillar I", top to bottom) x countries
    grouped ASEAN / Plus Three, then all 13.

    `metrics` has row_id, country and the metric_*_country columns. With metric "status" each cell is coloured by
    its progress status, the word and the delivered count written on it; with "coverage" or "completion" by that
    rate, a withheld cell (`insufficient data`) saying so on grey. The hover gives every rate with its denominator.
    """
    codes = [*countries.iso3.tolist(), "ALL"]
    groups = [*countries.country_group.tolist(), ALL_GROUP]
    names = dict(zip(countries.iso3, countries.name, strict=True)) | {"ALL": "All 13 countries"}
    nouns = rows.noun.tolist() if "noun" in rows else ["of the row"] * len(rows)
    cells = metrics.set_index(["row_id", "country"])
    shape = (len(rows), len(codes))
    hover = np.full(shape, "", dtype=object)
    found = []
    for i, row in enumerate(rows.itertuples()):
        for j, country in enumerate(codes):
            if (row.row_id, country) not in cells.index:
                continue
            cell = cells.loc[(row.row_id, country)]
            hover[i, j] = _hover(cell, names[country], country, row.label, nouns[i])
            found.append((i, j, cell))
    x = [groups, [*_column_labels(countries), ALL_COLUMN]]
    # The title on lines short enough to read on a phone, where it stays at the left edge while the chart scrolls.
    title = narrow_title(title, TITLE_WIDTH)
    extra_lines = title.count("<br>")
    figure = new_figure(title, height=max(300, 52 * len(rows) + 190 + TITLE_LINE_PX * extra_lines))
    common = {"x": x, "y": rows.label, "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>"}
    common |= {"xgap": 2, "ygap": 2, "texttemplate": "%{text}", "showscale": False, "hoverongaps": False}
    if metric == STATUS:
        _status_cells(figure, found, shape, common)
    else:
        _rate_cells(figure, found, shape, common, metric)
    # The rows keep their labels; the axis writes them on short lines (they stay in view as the columns scroll).
    figure.update_yaxes(
        autorange="reversed",
        title_text=None,
        showgrid=False,
        tickmode="array",
        tickvals=list(rows.label),
        ticktext=[_row_label(label) for label in rows.label],
    )
    # Names level, on two lines where long: turned on end they would crowd the title.
    figure.update_xaxes(side="top", title_text=None, showgrid=False, ticks="", tickangle=0, tickfont={"size": 11})
    figure.update_layout(
        margin={"l": 10, "t": 130 + TITLE_LINE_PX * extra_lines, "r": 10, "b": 20}, plot_bgcolor="white"
    )
    return figure


def _status_cells(figure: go.Figure, found: list, shape: tuple, common: dict) -> None:
    """One layer per status, each cell in the status's colour with the word (and delivered count) in a text colour
    readable on it: the colour and the word come from the same value, so they cannot disagree."""
    for status in STATUS_ORDER:
        z = np.full(shape, np.nan)
        text = np.full(shape, "", dtype=object)
        for i, j, cell in found:
            if cell.progress_status != status:
                continue
            z[i, j] = 1
            count = "" if status in UNCOUNTED else f"<br>{cell.measures_delivered} of {cell.measures_in_scope}"
            text[i, j] = _status_lines(status) + count
        if np.isnan(z).all():
            continue
        colour = status_colour(status)
        figure.add_heatmap(
            z=z,
            zmin=0,
            zmax=1,
            colorscale=[[0, colour], [1, colour]],
            text=text,
            textfont={"size": 10, "color": text_colour_on(colour)},
            name=status,
            **common,
        )


def _rate_cells(figure: go.Figure, found: list, shape: tuple, common: dict, metric: str) -> None:
    """Coverage or completion: the countries' cells on one scale from 0 to the highest of them, the all-countries
    column on its own grey one, withheld cells in grey with the words instead of a rate."""
    rate, counted, label, _verb = METRICS[metric]
    z = np.full(shape, np.nan)
    withheld = np.full(shape, np.nan)
    text = np.full(shape, "", dtype=object)
    for i, j, cell in found:
        if cell.progress_status == INSUFFICIENT:
            withheld[i, j] = 1
            text[i, j] = "insufficient<br>data"
        else:
            z[i, j] = cell[rate]
            text[i, j] = f"{pct(cell[rate])}<br>{cell[counted]} of {cell.measures_total}"
    all_column = np.zeros(shape[1], dtype=bool)
    all_column[-1] = True
    z_countries = np.where(all_column, np.nan, z)
    z_all = np.where(all_column, z, np.nan)
    top = np.nanmax(z_countries) if np.isfinite(z_countries).any() else 1.0
    top = min(1.0, max(0.1, math.ceil(top * 10) / 10))
    figure.add_heatmap(
        z=withheld,
        colorscale=[[0, LIGHT_GREY], [1, LIGHT_GREY]],
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
        textfont={"size": 11},
        name=label,
        **common | {"showscale": True},
        colorbar={
            "title": {"text": f"{label},<br>of all the<br>row's measures"},
            "tickformat": ".0%",
            "thickness": 12,
            "len": 0.8,
        },
    )
    figure.add_heatmap(
        z=z_all,
        zmin=0,
        zmax=1,
        colorscale=ALL_SCALE,
        text=np.where(np.isnan(z_all), "", text),
        textfont={"size": 11},
        name=f"{label}, all 13 countries",
        **common,
    )
