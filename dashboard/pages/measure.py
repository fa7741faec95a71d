"""One measure: its full text and sub-items, the countries engaged, and the activities behind it."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import continuity, filters, plan_picker
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.cards import stat_card
from dashboard.components.measure import measure_countries_figure
from dashboard.components.tables import activity_grid, grid_id, listing_note, records
from dashboard.data import connection, loaded, measure_detail, plans
from dashboard.data import plan as plan_data
from etl.plan.catalogue import normalise_measure_id
from etl.plan.labels import pillar_label, section_label

dash.register_page(
    __name__,
    path_template="/measure/<measure_id>",
    name="Measure",
    title=lambda measure_id=None: f"Measure {measure_id} - APT Work Plan Monitor",  # the tab names the measure
    order=90,
)

ACTIVITY_COLUMNS = [
    ("Country", "country"),
    ("Activity", "activity_id"),
    ("Title", "title"),
    ("Status", "status"),
    ("Status history (return years)", "status_history"),
    ("Lead agency", "lead_agency"),
    ("Latest return", "last_reported_year"),
    ("File", "file_name"),
    ("Sheet", "source_sheet"),
    ("Row", "source_row"),
]


@connection.reads_warehouse
def layout(measure_id: str | None = None, year=None, plan=None, **_query):
    measure_id = normalise_measure_id(measure_id or "")
    chosen = plans.timeframe(plan)
    text = plan_data.measure_text(measure_id, plan_id=chosen.plan_id)
    if text.empty:
        return html.Div(
            [
                plan_picker.page_plan(chosen.plan_id),
                html.H1("Measure not found", className="page-title"),
                html.P(
                    [
                        f"The {plans.plan_name(chosen)} has no measure {measure_id!r}. Find it on the ",
                        dcc.Link("Measures page", href="/measures"),
                        ".",
                    ]
                ),
            ]
        )
    state = loaded.data_state(plan_id=chosen.plan_id)
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    head = text[text.level == "measure"].iloc[0]
    sub_items = text[text.level == "sub-item"]
    # The numbers, the chart and the listing come with the layout: no empty axes or grid while callbacks run.
    (summary, figure), (activities, note) = first_draw(str(year), head.id, chosen.plan_id)
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            dcc.Store(id=ids.MEASURE_ID, data=head.id),
            html.Div(
                [
                    dcc.Link("Measures", href="/measures"),
                    " › ",
                    dcc.Link(
                        f"Pillar {pillar_label(head.pillar, head.pillar_title, 60)}",
                        href=f"/measures?pillar={head.pillar}",
                        id=ids.MEASURE_PILLAR_LINK,
                    ),
                    " › ",
                    dcc.Link(
                        section_label(head.section_id, head.section_title, head.section_id.endswith(".0")),
                        href=f"/measures?pillar={head.pillar}&section={head.section_id}",
                        id=ids.MEASURE_SECTION_LINK,
                    ),
                ],
                className="breadcrumb-line",
            ),
            html.H1(f"Measure {head.id}", className="page-title"),
            html.P(plans.plan_name(chosen), className="text-muted mb-1 measure-plan"),
            html.P(head.text, className="measure-text"),
            html.Ul([html.Li([html.Strong(f"{s.id} "), s.text]) for s in sub_items.itertuples()])
            if len(sub_items)
            else None,
            filters.filter_bar(filters.year_filter(year, chosen.years)),
            html.Div(summary, id=ids.MEASURE_SUMMARY, className="row g-2"),
            accessible_chart(ids.MEASURE_COUNTRIES_GRAPH, "Activities under this measure, by country", figure=figure),
            html.H2("Activities under this measure", className="h4"),
            html.P(
                "Each activity's status is the one in the latest return that lists it. The history gives each "
                "status with the years of the returns that reported it (2014–2016 ongoing: the 2014, 2015 and 2016 "
                "returns said ongoing); its last year is the latest return, the one file, sheet and row point to.",
                className="text-muted small",
            ),
            html.P(note, id=ids.MEASURE_ACTIVITIES_NOTE, className="empty-note"),
            activity_grid(ids.MEASURE_ACTIVITIES_TABLE, ACTIVITY_COLUMNS, rows=activities),
            _continuity(chosen, head.id),
            continuity.across_plans_section(
                ids.ACTIVITY_ACROSS_PLANS,
                plans.activities_across_plans(chosen.plan_id, measure_id=head.id),
                "the activities ever linked to this measure",
            ),
        ]
    )


def _continuity(chosen: plans.PlanTimeframe, measure_id: str) -> html.Div:
    """The measures of other plans this one continues and is continued by, each with its progress in its own plan
    as of that plan's latest year with returns."""
    links = plans.measure_continuity(chosen.plan_id, measure_id)
    standings = {}
    for link in links.itertuples():
        year = loaded.data_state(plan_id=link.plan_id)["latest_year"]
        standings[(link.plan_id, link.measure_id)] = continuity.standing_text(
            plans.measure_standing(link.plan_id, link.measure_id, year), year
        )
    return html.Div(
        [
            html.H2("Continuity between plans", className="h4 mt-3"),
            continuity.continuity_panel(links, standings, plans.plan_name(chosen)),
        ],
        id=ids.MEASURE_CONTINUITY,
    )


@callback(
    Output(ids.MEASURE_SUMMARY, "children"),
    Output(ids.MEASURE_COUNTRIES_GRAPH, "figure"),
    Input(ids.YEAR, "value"),
    State(ids.MEASURE_ID, "data"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes drawn
)
@connection.reads_warehouse
def update_measure(year: str, measure_id: str, plan_id: str | None = None):
    """Redraw one measure's numbers, country chart and activity list for an as-of year."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    by_country = measure_detail.measure_by_country(year, measure_id, plan_id=chosen.plan_id)
    overall = by_country[by_country.country == "ALL"].iloc[0]
    countries = plan_data.countries()
    engaged = by_country[(by_country.country != "ALL") & (by_country.activities_total > 0)]
    names = ", ".join(countries.set_index("iso3").name[engaged.country]) or "none yet"
    summary = [
        dbc.Col(stat_card("Activities", str(overall.activities_total), "not cancelled, all countries"), md=3),
        dbc.Col(stat_card("Implemented", str(overall.activities_implemented), "ongoing or completed"), md=3),
        dbc.Col(stat_card("Completed", str(overall.activities_completed), "completed activities"), md=3),
        dbc.Col(stat_card("Countries implementing", str(overall.countries_implementing), f"engaged: {names}"), md=3),
        dbc.Col(_schedule_line(overall, countries, year), md=12),
    ]
    title = f"Activities under {measure_id} by country, end {year}, {plan_picker.short_name(chosen)}"
    figure = measure_countries_figure(by_country[by_country.country != "ALL"], countries, title)
    return summary, figure


def _schedule_line(overall, countries, year: int) -> html.Div:
    """The measure's schedule (kind, start and due year, leads) and where it stands against it, from its ALL row."""
    names = countries.set_index("iso3").name
    leads = overall.lead_countries if isinstance(overall.lead_countries, str) else ""
    lead_names = ", ".join(names.get(code, code) for code in leads.split("; ") if code) or "none"
    if overall.kind == "recurring":
        when = f"Recurring: every year from {overall.start_year} to {overall.due_year}"
    else:
        when = f"One-off: from {overall.start_year}, due by the end of {overall.due_year}"
    if overall.overdue:
        state, colour = f"overdue: due by {overall.due_year} and not delivered", "danger"
    elif overall.delivered:
        state, colour = ("delivered in " + str(year) if overall.kind == "recurring" else "delivered"), "success"
    elif overall.expected_share == 0:
        state, colour = f"not yet due (starts {overall.start_year})", "info"
    else:
        state, colour = (f"not delivered in {year}" if overall.kind == "recurring" else "not delivered yet"), "warning"
    return html.Div(
        [
            html.Strong("Schedule: "),
            html.Span(f"{when}; lead countries: {lead_names}. ", className="measure-schedule"),
            dbc.Badge(f"As of {year}: {state}", color=colour, className="measure-schedule-state"),
        ],
        className="mb-2",
        id="measure-schedule",
    )


# The listing has its own callback: it reads the tables, so the numbers above need not wait for it.
@callback(
    Output(grid_id(ids.MEASURE_ACTIVITIES_TABLE), "rowData"),
    Output(ids.MEASURE_ACTIVITIES_NOTE, "children"),
    Input(ids.YEAR, "value"),
    State(ids.MEASURE_ID, "data"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes with the listing
)
@connection.reads_warehouse
def update_measure_activities(year: str, measure_id: str, plan_id: str | None = None):
    """The activities behind one measure as of a year."""
    activities = measure_detail.measure_activities(int(year), measure_id, plan_id=plans.resolve(plan_id))
    note = listing_note(len(activities), connection.LISTING_LIMIT, "activities under this measure")
    return records(activities, [c for _, c in ACTIVITY_COLUMNS]), note


@connection.per_version
def first_draw(year: str, measure_id: str, plan_id: str) -> tuple:
    """The numbers, chart and listing the layout comes with, kept per data version: every reader opening the measure
    in the same year shares them."""
    return update_measure(year, measure_id, plan_id), update_measure_activities(year, measure_id, plan_id)
