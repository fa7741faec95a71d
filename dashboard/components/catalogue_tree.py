"""The catalogue as a treemap, pillar > section > measure: pillars and sections coloured by their progress status with
the word on the tile, each measure by its progress or its standing against the schedule."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.status_colours import status_colour
from dashboard.components.theme import new_figure, pace_text
from etl.outputs.palette import BLUISH_GREEN, LIGHT_GREY, ORANGE, SKY_BLUE, VERMILLION, text_colour_on
from etl.plan.labels import pillar_label, section_label, wrap

PROGRESS_COLOURS = {"completed": BLUISH_GREEN, "covered, not completed": SKY_BLUE, "not covered": LIGHT_GREY}
# Colouring by the schedule (measure_progress's delivered, overdue, expected_share and in_scope).
SCHEDULE_COLOURS = {
    "delivered": BLUISH_GREEN,
    "overdue": VERMILLION,
    "due, not delivered yet": ORANGE,
    "not yet due": SKY_BLUE,
    "not taken up": LIGHT_GREY,
}
COLOUR_BY = {"progress": PROGRESS_COLOURS, "schedule": SCHEDULE_COLOURS}
_PARENT_COLOUR = "#FFFFFF"
_DARK_TEXT = "#212529"
# The prefixes of a pillar's and a section's tile in customdata: a click on one drills into it (the page puts it in
# the address), a click on a measure opens the measure.
PILLAR_TILE = "pillar:"
SECTION_TILE = "section:"
SECTION_WEIGHT = 12.0
MIN_PILLAR_SECTIONS = 3
# Narrow enough that the name of a section in a narrow column (pillar III has two) wraps into lines that keep a
# readable font, instead of a few long lines plotly shrinks to fit the tile's width; wide enough that the longest
# names (1.3, 2.6) take five lines, not six, with the status's two below them in a 620 px chart. A label that does not
# fit at the template's 9 px floor is hidden whole (uniformtext), which left tiles blank.
SECTION_LABEL_WIDTH = 18
STATUS_WIDTH = 16  # "limited progress" stays on one line, "acceleration needed" and "insufficient data" take two


def _counts(frame: pd.DataFrame | None, key: str, noun: str, country: str) -> str:
    """The hover's counts of a pillar or section, from its metrics row, each with its denominator in words."""
    if frame is None or key not in frame.index:
        return ""
    row = frame.loc[key]
    whose = "in the plan" if country == "ALL" else "taken up or led"
    return (
        f"<br><b>{row.progress_status}</b> ({pace_text(row.pace_index)}): {row.measures_delivered} of the "
        f"{row.measures_in_scope} measures {whose} delivered"
        f"<br>{row.measures_covered} of {row.measures_total} measures {noun} covered, "
        f"{row.measures_completed} completed"
        f"<br>Activities {row.activities_total} ({row.activities_completed} completed)"
    )


def _tile(frame: pd.DataFrame | None, key: str) -> tuple[str, str, str]:
    """A pillar's or section's tile: its status colour, a text colour readable on it, and its words."""
    if frame is None or key not in frame.index:
        return _PARENT_COLOUR, _DARK_TEXT, ""
    row = frame.loc[key]
    colour = status_colour(row.progress_status)
    # A long status on two lines: "acceleration needed" on one line was wider than the tiles of a narrow column
    # (pillar III's two sections), and the template's uniformtext then hid such a tile's whole label, leaving a
    # blank coloured block.
    words = wrap(row.progress_status, STATUS_WIDTH)
    if row.measures_in_scope and row.progress_status != "insufficient data":
        words += f"<br>{row.measures_delivered} of {row.measures_in_scope} delivered"
    return colour, text_colour_on(colour), words


def measure_progress_label(covered: bool, completed: bool) -> str:
    """The progress class a measure is coloured by (from the view's covered and completed flags)."""
    if completed:
        return "completed"
    return "covered, not completed" if covered else "not covered"


def measure_schedule_label(in_scope: bool, delivered: bool, overdue: bool, expected_share: float) -> str:
    """Where a measure stands against the schedule, for the scope (from the view's flags)."""
    if not in_scope:
        return "not taken up"
    if delivered:
        return "delivered"
    if overdue:
        return "overdue"
    return "not yet due" if expected_share == 0 else "due, not delivered yet"


def catalogue_treemap(
    measures: pd.DataFrame,
    sections: pd.DataFrame,
    pillars: pd.DataFrame,
    title: str,
    section_counts: pd.DataFrame | None = None,
    pillar_counts: pd.DataFrame | None = None,
    colour_by: str = "progress",
    country: str = "ALL",
    level: str = "",
) -> go.Figure:
    """Pillar > section at first, each section a tile with its name and counts; click one to see its measures, one
    tile each, coloured by progress (or, with colour_by="schedule", by delivered / overdue / not yet due), and a
    measure to open it.

    `measures` holds measure_progress rows joined to the catalogue (measure_id, pillar, section_id, text,
    covered, completed, activities_total, activities_implemented, activities_completed, countries_implementing).
    `section_counts` and `pillar_counts` are the scope's metrics_section_country and metrics_pillar_country rows,
    for the tiles' status colours and counts; `country` is the scope. `level` is the tile the chart opens on
    ("P2", "S2.5"; "" for the whole plan): the drill-down the page's address keeps.
    """
    ids, labels, parents, colours, values, hover, links, texts = [], [], [], [], [], [], [], []
    text_colours = []
    shown_pillars = set(measures.pillar)
    per_section = measures.groupby("section_id").size()
    # Every section's tile is the same size, its measures sharing it: a section of two measures has the room of one
    # of sixteen, for its name and counts (which say how many measures it has). A pillar of one or two sections
    # gets the room of three, so it is not a strip too narrow to read.
    section_pillar = measures.drop_duplicates("section_id").set_index("section_id").pillar
    sections_in = section_pillar.value_counts()
    weight = {
        section: SECTION_WEIGHT * max(1, MIN_PILLAR_SECTIONS / sections_in[section_pillar[section]]) / count
        for section, count in per_section.items()
    }
    by_section = section_counts.set_index("section_id") if section_counts is not None else None
    by_pillar = pillar_counts.set_index("pillar") if pillar_counts is not None else None
    for p in pillars.itertuples():
        if p.pillar not in shown_pillars:
            continue
        ids.append(f"P{p.pillar}")
        labels.append(pillar_label(p.pillar, p.title, 40))
        parents.append("")
        colour, text_colour, words = _tile(by_pillar, p.pillar)
        colours.append(colour)
        text_colours.append(text_colour)
        in_pillar = measures.section_id[measures.pillar == p.pillar]
        values.append(float(sum(weight[s] for s in in_pillar)))
        hover.append(
            f"<b>Pillar {pillar_label(p.pillar, p.title, 80)}</b>"
            + _counts(by_pillar, p.pillar, f"of pillar {p.roman}", country)
        )
        links.append(f"{PILLAR_TILE}{p.pillar}")
        texts.append(words)
    for s in sections.itertuples():
        if s.section_id not in per_section.index:
            continue
        ids.append(f"S{s.section_id}")
        labels.append(section_label(s.section_id, s.title, s.is_direct_group, SECTION_LABEL_WIDTH))
        parents.append(f"P{s.pillar}")
        colour, text_colour, words = _tile(by_section, s.section_id)
        colours.append(colour)
        text_colours.append(text_colour)
        values.append(float(per_section[s.section_id] * weight[s.section_id]))
        hover.append(
            f"<b>{section_label(s.section_id, s.title, s.is_direct_group, 70)}</b>"
            + _counts(by_section, s.section_id, f"of section {s.section_id}", country)
            + "<br><i>Click to see its measures</i>"
        )
        links.append(f"{SECTION_TILE}{s.section_id}")
        texts.append(words)
    for m in measures.itertuples():
        if colour_by == "schedule":
            progress = measure_schedule_label(m.in_scope, m.delivered, m.overdue, m.expected_share)
        else:
            progress = measure_progress_label(m.covered, m.completed)
        ids.append(m.measure_id)
        labels.append(m.measure_id)
        parents.append(f"S{m.section_id}")
        colours.append(COLOUR_BY[colour_by][progress])
        text_colours.append(text_colour_on(COLOUR_BY[colour_by][progress]))
        values.append(weight[m.section_id])
        hover.append(
            f"<b>{m.measure_id}</b> {progress}<br>{wrap(m.text, 70)}<br>"
            f"Activities {m.activities_total} (implemented {m.activities_implemented}, "
            f"completed {m.activities_completed})<br>Countries implementing {m.countries_implementing}"
            "<br><i>Click to open the measure</i>"
        )
        links.append(m.measure_id)
        texts.append(progress)  # the status in words on the tile, not by its colour alone
    figure = new_figure(title, height=620, margin={"l": 4, "r": 4, "t": 50, "b": 4})
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
        text=texts,
        textinfo="label+text",
        textfont={"color": text_colours},
        level=level,
        # Pillars and their sections first: thirty sections' names are readable, 183 tiles' are not.
        maxdepth=2,
        pathbar={"visible": True},
        root={"color": _PARENT_COLOUR},
        sort=False,
    )
    # A legend for the measures' colours: treemaps have none of their own (the pillars' and sections' status
    # colours have theirs above the chart).
    for name, colour in COLOUR_BY[colour_by].items():
        figure.add_scatter(
            x=[None], y=[None], mode="markers", name=name, marker={"size": 12, "symbol": "square", "color": colour}
        )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(
        legend={"y": 0, "yanchor": "top", "x": 0, "xanchor": "left", "title": {"text": "Measures: "}},
        margin={"b": 36},
    )
    return figure
