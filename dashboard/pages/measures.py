"""Measures page: the catalogue as a treemap, pillars and sections coloured by their status and each measure by its
progress, drilled down as the address says, and a searchable, sortable table."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import ids
from dashboard.components import filters, plan_picker
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.catalogue_tree import PILLAR_TILE, SECTION_TILE, catalogue_treemap, measure_progress_label
from dashboard.components.empty import no_returns_alert
from dashboard.components.status_colours import status_legend
from dashboard.components.tables import data_grid, grid_id, link_column, records
from dashboard.data import connection, loaded, measure_detail, overview, plans
from dashboard.data import plan as plan_data
from dashboard.own_country import own_country

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
def layout(year=None, country=None, pillar=None, section=None, colour=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    pillars = plan_data.pillars(plan_id=chosen.plan_id)
    countries = plan_data.countries()
    catalogue = plan_data.catalogue(plan_id=chosen.plan_id)
    sections = plan_data.sections(plan_id=chosen.plan_id)
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    # An analyst's measures open on their own country, everyone else's on all 13.
    country = filters.pick(country, ["ALL", *countries.iso3], own_country(countries) or "ALL")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    in_pillar = sections if pillar == "ALL" else sections[sections.pillar == pillar]
    section = filters.pick(section, ["ALL", *in_pillar.section_id], "ALL")
    if section != "ALL" and pillar == "ALL":  # a section alone in the address: its pillar too, for the drill-down
        pillar = str(sections.set_index("section_id").pillar[section])
    colour_by = filters.pick(colour, ["progress", "schedule"], "progress")
    # The treemap and the table come with the layout: the page never shows an empty chart or "No Rows To Show"
    # while its callbacks are on their way (they answer a change of filter).
    treemap, rows = first_draw(str(year), country, pillar, section, colour_by, chosen.plan_id)
    n_measures = int((catalogue.level == "measure").sum())
    n_sub_items = int((catalogue.level == "sub-item").sum())
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Work Plan measures", className="page-title"),
            html.P(
                f"{n_measures} measures and {n_sub_items} sub-items of the {plans.plan_name(chosen)}, "
                "by pillar and section. Each pillar and section is coloured by its progress status "
                "against the schedule; click a section to see its measures, each coloured by its progress (or by "
                "where it stands against the schedule), and a measure to open it. Hover a tile for its counts.",
                id=ids.CATALOGUE_SUMMARY,
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year, chosen.years),
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
                value=colour_by,
                inline=True,
                className="mb-1 small",
            ),  # fmt: skip
            status_legend(legend_id="treemap-status-legend"),
            accessible_chart(ids.CATALOGUE_TREEMAP, "Progress of each measure, by pillar and section", figure=treemap),
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
                rows,
                options={
                    "measure_id": link_column("/measure/"),
                    "text": {"minWidth": 380, "flex": 4},
                },
                csv_name="measures",
            ),
        ]
    )


def _measure_rows(
    year: int, country: str, pillar: str, section: str | None = "ALL", plan_id: str | None = None
) -> pd.DataFrame:
    measures = measure_detail.measure_progress(year, country, plan_id=plan_id)
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
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout lists the pillar's sections already
)
@connection.reads_warehouse
def narrow_sections(pillar: str, section: str | None, plan_id: str | None = None):
    """The section list follows the pillar; a section of another pillar falls back to all sections."""
    options = filters.section_options(plan_data.sections(plan_id=plans.resolve(plan_id)), pillar)
    keep = section if any(o["value"] == section for o in options) else "ALL"
    return options, keep


@callback(
    Output(ids.CATALOGUE_TREEMAP, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    Input(ids.SECTION, "value"),
    Input(ids.TREEMAP_COLOUR_BY, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes drawn
)
@connection.reads_warehouse
def update_treemap(
    year: str,
    country: str,
    pillar: str,
    section: str | None = "ALL",
    colour_by: str = "progress",
    plan_id: str | None = None,
):
    """Redraw the treemap for one plan, as-of year, country scope, pillar and section, coloured as asked."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    plan_id = chosen.plan_id
    measures = _measure_rows(year, country, pillar, section, plan_id)
    scope = "all 13 countries" if country == "ALL" else plan_data.countries().set_index("iso3").name[country]
    section_counts = overview.section_metrics_by_country(year, pillar, plan_id=plan_id)
    # The tile the chart opens on: the address's drill-down.
    level = f"S{section}" if section and section != "ALL" else ("" if pillar == "ALL" else f"P{pillar}")
    return catalogue_treemap(
        measures,
        plan_data.sections(plan_id=plan_id),
        plan_data.pillars(plan_id=plan_id),
        f"Progress of each measure, {scope}, end {year}, {plan_picker.short_name(chosen)}",
        section_counts=section_counts[section_counts.country == country],
        pillar_counts=overview.pillar_metrics(year, country, plan_id=plan_id),
        colour_by=colour_by if colour_by in ("progress", "schedule") else "progress",
        country=country,
        level=level,
    )


@callback(
    Output(grid_id(ids.CATALOGUE_TABLE), "rowData"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    Input(ids.CATALOGUE_SEARCH, "value"),
    Input(ids.SECTION, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes with the rows
)
@connection.reads_warehouse
def update_table(
    year: str, country: str, pillar: str, search: str | None, section: str | None = "ALL", plan_id: str | None = None
):
    """The table rows for the scope, narrowed to those whose id, text or section title holds the search text."""
    measures = _measure_rows(int(year), country, pillar, section, plans.resolve(plan_id))
    if search and search.strip():
        needle = search.strip().lower()
        haystack = (measures.measure_id + " " + measures.text + " " + measures.section_title).str.lower()
        measures = measures[haystack.str.contains(needle, regex=False)]
    measures = measures.assign(
        progress=[measure_progress_label(c, d) for c, d in zip(measures.covered, measures.completed, strict=True)],
    )
    return records(measures, [c for _, c in TABLE_COLUMNS])


@callback(
    Output(ids.NAVIGATE, "href"),
    Input(ids.CATALOGUE_TREEMAP, "clickData"),
    State(ids.PAGE_PLAN, "data"),
    State(ids.YEAR, "value"),
    prevent_initial_call=True,
)
def open_clicked_measure(click: dict | None, plan_id: str | None = None, year: str | None = None):
    """A click on a measure's tile opens its page in the same plan and as-of year (as every link does,
    assets/30-plan-in-links.js); a click on a pillar or section drills (follow_drill_down)."""
    point = (click or {}).get("points", [{}])[0]
    measure_id = point.get("customdata")
    if not measure_id or measure_id.startswith((PILLAR_TILE, SECTION_TILE)):
        return no_update
    query = urlencode({name: value for name, value in (("plan", plan_id), ("year", year)) if value})
    return f"/measure/{quote(measure_id)}" + (f"?{query}" if query else "")


@callback(
    Output(ids.PILLAR, "value", allow_duplicate=True),
    Output(ids.SECTION, "value", allow_duplicate=True),
    Input(ids.CATALOGUE_TREEMAP, "clickData"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,
)
@connection.reads_warehouse
def follow_drill_down(click: dict | None, plan_id: str | None = None):
    """A click on a pillar's or a section's tile sets the pillar and section filters to where the chart zooms, so the
    address keeps the drill-down (?pillar=2&section=2.5), a reload or a shared link opens on it, and a redraw (the
    colouring switched, another year) stays there. A click on the tile the chart is zoomed into goes one level up."""
    point = (click or {}).get("points", [{}])[0]
    tile = point.get("customdata") or ""
    zoomed_out = point.get("label") is not None and point.get("label") == point.get("entry")
    if tile.startswith(SECTION_TILE):
        section = tile.removeprefix(SECTION_TILE)
        pillar = str(plan_data.sections(plan_id=plans.resolve(plan_id)).set_index("section_id").pillar[section])
        return (pillar, "ALL") if zoomed_out else (pillar, section)
    if tile.startswith(PILLAR_TILE):
        return ("ALL", "ALL") if zoomed_out else (tile.removeprefix(PILLAR_TILE), "ALL")
    return no_update, no_update


@connection.per_version
def first_draw(year: str, country: str, pillar: str, section: str, colour_by: str, plan_id: str) -> tuple:
    """The treemap and the table rows the layout comes with, kept per data version: every reader opening the page
    with the same filters shares them."""
    return (
        update_treemap(year, country, pillar, section, colour_by, plan_id),
        update_table(year, country, pillar, None, section, plan_id),
    )
