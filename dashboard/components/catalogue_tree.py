"""The catalogue as a treemap, pillar > section > measure, each measure coloured by its progress."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.labels import pillar_label, section_label, shorten
from dashboard.components.theme import BLUISH_GREEN, LIGHT_GREY, SKY_BLUE, new_figure

PROGRESS_COLOURS = {"completed": BLUISH_GREEN, "covered, not completed": SKY_BLUE, "not covered": LIGHT_GREY}
_PARENT_COLOUR = "#FFFFFF"


def measure_progress_label(covered: bool, completed: bool) -> str:
    """The progress class a measure is coloured by (from the view's covered and completed flags)."""
    if completed:
        return "completed"
    return "covered, not completed" if covered else "not covered"


def catalogue_treemap(measures: pd.DataFrame, sections: pd.DataFrame, pillars: pd.DataFrame, title: str) -> go.Figure:
    """One tile per measure (equal size), grouped by section and pillar; click a pillar or section to zoom in.

    `measures` holds measure_progress rows joined to the catalogue (measure_id, pillar, section_id, text,
    covered, completed, activities_total, activities_implemented, activities_completed, countries_implementing).
    """
    ids, labels, parents, colours, values, hover, links = [], [], [], [], [], [], []
    shown_pillars = set(measures.pillar)
    shown_sections = set(measures.section_id)
    for p in pillars.itertuples():
        if p.pillar not in shown_pillars:
            continue
        ids.append(f"P{p.pillar}")
        labels.append(pillar_label(p.pillar, p.title, 40))
        parents.append("")
        colours.append(_PARENT_COLOUR)
        values.append(int((measures.pillar == p.pillar).sum()))
        hover.append(f"Pillar {pillar_label(p.pillar, p.title, 80)}")
        links.append("")
    for s in sections.itertuples():
        if s.section_id not in shown_sections:
            continue
        ids.append(f"S{s.section_id}")
        labels.append(section_label(s.section_id, s.title, s.is_direct_group, 60))
        parents.append(f"P{s.pillar}")
        colours.append(_PARENT_COLOUR)
        values.append(int((measures.section_id == s.section_id).sum()))
        hover.append(section_label(s.section_id, s.title, s.is_direct_group, 120))
        links.append("")
    for m in measures.itertuples():
        progress = measure_progress_label(m.covered, m.completed)
        ids.append(m.measure_id)
        labels.append(m.measure_id)
        parents.append(f"S{m.section_id}")
        colours.append(PROGRESS_COLOURS[progress])
        values.append(1)
        hover.append(
            f"<b>{m.measure_id}</b> {progress}<br>{shorten(m.text, 90)}<br>"
            f"Activities {m.activities_total} (implemented {m.activities_implemented}, "
            f"completed {m.activities_completed})<br>Countries implementing {m.countries_implementing}"
            "<br><i>Click to open the measure</i>"
        )
        links.append(m.measure_id)
    figure = new_figure(title, height=560, margin={"l": 4, "r": 4, "t": 50, "b": 4})
    figure.add_treemap(
        ids=ids,
        labels=labels,
        parents=parents,
        values=values,
        branchvalues="total",
        marker={"colors": colours, "line": {"color": "#adb5bd", "width": 1}},
        customdata=links,
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        textinfo="label",
        maxdepth=3,
        pathbar={"visible": True},
        root={"color": _PARENT_COLOUR},
        sort=False,
    )
    # A legend for the tile colours: treemaps have none of their own.
    for name, colour in PROGRESS_COLOURS.items():
        figure.add_scatter(
            x=[None], y=[None], mode="markers", name=name, marker={"size": 12, "symbol": "square", "color": colour}
        )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(legend={"y": 0, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"b": 36})
    return figure
