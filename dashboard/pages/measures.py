"""Measures page: the catalogue as a treemap coloured by progress, and a searchable, sortable table."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import ids
from dashboard.components import filters
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.catalogue_tree import catalogue_treemap, measure_progress_label
from dashboard.components.empty import no_returns_alert
from dashboard.components.tables import data_grid, grid_id, link_column, records
from dashboard.data import connection, loaded, measure_detail, overview, plan

dash.register_page(__name__, path="/measures", name="Measures", title="Measures - APT Work Plan Monitor", order=2)

TABLE_COLUMNS = [
    ("Id", "measure_id"),
    ("Pillar", "pillar"),
    ("Section", "section_id"),
    ("Text", "text"),
    ("Progress", "progress"),
    ("Activities", "activities_total"),
    ("Implemented", "activities_implemented"),
    ("Completed", "activities_completed"),
    ("Countries implementing", "countries_implementing"),
]


@connection.reads_warehouse
def layout(year=None, country=None, pillar=None, section=None, **_query):
    state = loaded.data_state()
    pillars = plan.pillars()
    countries = plan.countries()
    catalogue = plan.catalogue()
    sections = plan.sections()
    year = filters.pick_year(year, state["latest_year"])
    country = filters.pick(country, ["ALL", *countries.iso3], "ALL")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    in_pillar = sections if pillar == "ALL" else sections[sections.pillar == pillar]
    section = filters.pick(section, ["ALL", *in_pillar.section_id], "ALL")
    n_measures = int((catalogue.level == "measure").sum())
    n_sub_items = int((catalogue.level == "sub-item").sum())
    return html.Div(
        [
            html.H1("Work Plan measures", className="page-title"),
            html.P(
                f"{n_measures} measures and {n_sub_items} sub-items of the ASEAN Plus Three Cooperation Work Plan "
                "2013-2017, by pillar and section; click a section to see its measures, each coloured by its "
                "progress, and a measure to open it. Hover a tile for its counts.",
                id=ids.CATALOGUE_SUMMARY,
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year),
                filters.country_filter(country, countries),
                filters.pillar_filter(pillar, pillars),
                filters.section_filter(section, sections, pillar),
            ),
            no_returns_alert() if not state["has_returns"] else None,
            dbc.RadioItems(
                id=ids.TREEMAP_COLOUR_BY,
                options=[
                    {"label": "Colour by progress (completed, covered, not covered)", "value": "progress"},
                    {
                        "label": "Colour by the schedule (delivered, overdue, due, not yet due, not taken up)",
                        "value": "schedule",
                    },
                ],
                value="progress",
                inline=True,
                className="mb-1 small",
            ),  # fmt: skip
            accessible_chart(ids.CATALOGUE_TREEMAP, "Progress of each measure, by pillar and section"),
            html.H2("All measures", className="h4 mt-2"),
            dcc.Input(
                id=ids.CATALOGUE_SEARCH,
                type="search",
                placeholder="Search ids, text and sections, e.g. energy or 2.7",
                debounce=0.3,
                className="form-control mb-2",
            ),
            data_grid(
                ids.CATALOGUE_TABLE,
                TABLE_COLUMNS,
                options={
                    "measure_id": link_column("/measure/"),
                    "text": {"minWidth": 380, "flex": 4},
                },
                csv_name="measures",
            ),
        ]
    )


def _measure_rows(year: int, country: str, pillar: str, section: str | None = "ALL") -> pd.DataFrame:
    measures = measure_detail.measure_progress(year, country)
    if pillar != "ALL":
        measures = measures[measures.pillar == pillar]
    if section and section != "ALL":
        measures = measures[measures.section_id == section]
    return measures


@callback(
    Output(ids.SECTION, "options"),
    Output(ids.SECTION, "value"),
    Input(ids.PILLAR, "value"),
    State(ids.SECTION, "value"),
)
@connection.reads_warehouse
def narrow_sections(pillar: str, section: str | None):
    """The section list follows the pillar; a section of another pillar falls back to all sections."""
    options = filters.section_options(plan.sections(), pillar)
    keep = section if any(o["value"] == section for o in options) else "ALL"
    return options, keep


@callback(
    Output(ids.CATALOGUE_TREEMAP, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    Input(ids.SECTION, "value"),
    Input(ids.TREEMAP_COLOUR_BY, "value"),
)
@connection.reads_warehouse
def update_treemap(year: str, country: str, pillar: str, section: str | None = "ALL", colour_by: str = "progress"):
    """Redraw the treemap for one as-of year, country scope, pillar and section, coloured as asked."""
    year = int(year)
    measures = _measure_rows(year, country, pillar, section)
    scope = "all 13 countries" if country == "ALL" else plan.countries().set_index("iso3").name[country]
    section_counts = overview.section_metrics_by_country(year, pillar)
    return catalogue_treemap(
        measures,
        plan.sections(),
        plan.pillars(),
        f"Progress of each measure, {scope}, end {year}",
        section_counts=section_counts[section_counts.country == country],
        pillar_counts=overview.pillar_metrics(year, country),
        colour_by=colour_by if colour_by in ("progress", "schedule") else "progress",
    )


@callback(
    Output(grid_id(ids.CATALOGUE_TABLE), "rowData"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    Input(ids.CATALOGUE_SEARCH, "value"),
    Input(ids.SECTION, "value"),
)
@connection.reads_warehouse
def update_table(year: str, country: str, pillar: str, search: str | None, section: str | None = "ALL"):
    """The table rows for the scope, narrowed to those whose id, text or section title holds the search text."""
    measures = _measure_rows(int(year), country, pillar, section)
    if search and search.strip():
        needle = search.strip().lower()
        haystack = (measures.measure_id + " " + measures.text + " " + measures.section_title).str.lower()
        measures = measures[haystack.str.contains(needle, regex=False)]
    measures = measures.assign(
        progress=[measure_progress_label(c, d) for c, d in zip(measures.covered, measures.completed, strict=True)],
    )
    return records(measures, [c for _, c in TABLE_COLUMNS])


@callback(Output(ids.NAVIGATE, "href"), Input(ids.CATALOGUE_TREEMAP, "clickData"), prevent_initial_call=True)
def open_clicked_measure(click: dict | None):
    """A click on a measure's tile opens its page; a click on a pillar or section only zooms."""
    point = (click or {}).get("points", [{}])[0]
    measure_id = point.get("customdata")
    if not measure_id:
        return no_update
    return f"/measure/{measure_id}"
