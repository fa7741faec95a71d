"""Country profile: one country's progress against the schedule and coverage by pillar, its returns, its activities."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import continuity, filters, plan_picker
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.cards import band_caption, stat_card, status_badge
from dashboard.components.country import country_pillars_figure
from dashboard.components.empty import no_returns_alert
from dashboard.components.status_colours import status_legend
from dashboard.components.tables import activity_grid, data_grid, grid_id, listing_note, records
from dashboard.components.theme import pace_text, pct
from dashboard.components.trend_arrow import change_arrow
from dashboard.data import connection, country_detail, loaded, overview, plans, return_status, submission_log
from dashboard.data import plan as plan_data
from dashboard.own_country import own_country

dash.register_page(
    __name__, path="/country", name="Countries", title="Country profile - APT Work Plan Monitor", order=3
)

ACTIVITY_COLUMNS = [
    ("Activity", "activity_id"),
    ("Title", "title"),
    ("Status", "status"),
    ("Status history (return years)", "status_history"),
    ("Measures", "measures"),
    ("Lead agency", "lead_agency"),
    ("Latest return", "last_reported_year"),
    ("File", "file_name"),
    ("Sheet", "source_sheet"),
    ("Row", "source_row"),
]
RETURN_COLUMNS = [
    ("Return for", "reporting_year"),
    ("State", "return_state"),
    ("First received", "first_received_on"),
    ("Due", "deadline"),
    ("Accepted versions", "versions"),
    ("Rejected uploads", "rejected_uploads"),
]
VERSION_COLUMNS = [
    ("Return for", "reporting_year"),
    ("Version", "version"),
    ("State", "version_state"),
    ("File", "file_name"),
    ("Uploaded (UTC)", "submitted_at"),
]


@connection.reads_warehouse
def layout(year=None, country=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    countries = plan_data.countries()
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    country = filters.pick(country, list(countries.iso3), own_country(countries) or countries.iso3.iloc[0])
    # The numbers, the chart and the listing come with the layout: the page never shows empty axes or an empty
    # grid while its callbacks are on their way (they answer a change of filter).
    (reporting, figure), (activities, note) = first_draw(str(year), country, chosen.plan_id)
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Country profile", className="page-title"),
            html.P(
                "One country's progress against the schedule on the measures it took up or leads, its coverage of "
                "each whole pillar, its record of annual returns, and the activities it has reported, under the "
                f"{plans.plan_name(chosen)}.",
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year, chosen.years), filters.country_filter(country, countries, allow_all=False)
            ),
            no_returns_alert() if not state["has_returns"] else None,
            html.Div(reporting, id=ids.COUNTRY_REPORTING),
            status_legend(legend_id="country-status-legend"),
            accessible_chart(ids.COUNTRY_PILLARS_GRAPH, "The country's progress by pillar", figure=figure),
            html.H2("Activities", className="h4"),
            html.P(
                "Each activity's status as of the chosen year, from the latest return that lists it (file, sheet "
                "and row); the history gives each status with the years of the returns that reported it.",
                className="text-muted small",
            ),
            html.P(note, id=ids.COUNTRY_ACTIVITIES_NOTE, className="empty-note"),
            activity_grid(ids.COUNTRY_ACTIVITIES_TABLE, ACTIVITY_COLUMNS, rows=activities),
            html.Div(update_across_plans(country, chosen.plan_id), id=ids.ACTIVITY_ACROSS_PLANS + "-panel"),
        ]
    )


@callback(
    Output(ids.COUNTRY_REPORTING, "children"),
    Output(ids.COUNTRY_PILLARS_GRAPH, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes drawn
)
@connection.reads_warehouse
def update_country(year: str, country: str, plan_id: str | None = None):
    """Redraw the profile of one country as of a year."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    plan_id = chosen.plan_id
    name = plan_data.countries().set_index("iso3").name[country]
    years = [year - 1, year] if year > chosen.first_year else [year]
    reporting = country_detail.reporting_for(country, years, plan_id=plan_id).set_index("as_of_year")
    now = reporting.loc[year]
    before = reporting.loc[year - 1] if year - 1 in reporting.index else None
    metrics = overview.pillar_metrics(year, country, plan_id=plan_id)
    overall = metrics[metrics.pillar == "ALL"].iloc[0]
    returns = return_status.return_matrix(year, plan_id=plan_id)
    returns = returns[returns.country == country]
    cards = dbc.Row(
        [
            dbc.Col(
                stat_card(
                    "Returns received",
                    f"{now.returns_received} / {now.returns_expected}",
                    f"reporting rate {pct(now.reporting_rate, 1)}",
                    extra=change_arrow(now.reporting_rate, None if before is None else before.reporting_rate),
                ),
                xs=6,
                lg=3,
            ),
            dbc.Col(
                stat_card(
                    "Returns on time",
                    f"{now.returns_on_time} / {now.returns_expected}",
                    f"on-time rate {pct(now.on_time_rate, 1)}",
                    extra=change_arrow(now.on_time_rate, None if before is None else before.on_time_rate),
                ),
                xs=6,
                lg=3,
            ),
            dbc.Col(
                stat_card(
                    "Measures taken up",
                    f"{overall.measures_delivered} / {overall.measures_in_scope} delivered",
                    f"took up {overall.measures_engaged} of {overall.measures_total} measures"
                    + (
                        f", leads {overall.measures_in_scope - overall.measures_engaged} more"
                        if overall.measures_in_scope > overall.measures_engaged
                        else ""
                    )
                    + (f"; {overall.measures_overdue} overdue" if overall.measures_overdue else "")
                    + f"; covers {overall.measures_covered} of the plan's {overall.measures_total} "
                    f"({pct(overall.coverage_rate, 1)})",
                    card_id="country-taken-up",
                ),  # fmt: skip
                xs=6,
                lg=3,
            ),
            dbc.Col(
                stat_card(
                    "Progress status",
                    pace_text(overall.pace_index),
                    band_caption(plan_data.thresholds()),
                    extra=html.Div(status_badge(overall.progress_status), className="mt-1"),
                ),
                xs=6,
                lg=3,
            ),
        ],
        className="g-2 mb-3",
    )
    record = html.Div(
        [
            html.H2(f"{name}: returns up to {year}", className="h5"),
            data_grid(
                "country-returns-table",
                RETURN_COLUMNS,
                records(returns, [c for _, c in RETURN_COLUMNS]),
                5,
                csv_name="returns",
            ),
            html.H3("Uploads and the state of each version", className="h6 mt-3"),
            data_grid(
                "country-versions-table",
                VERSION_COLUMNS,
                records(
                    _version_rows(submission_log.country_versions(country, year, plan_id=plan_id)),
                    [c for _, c in VERSION_COLUMNS],
                ),
                5,
                csv_name="versions",
            ),
        ],
        className="mb-3",
    )
    figure = country_pillars_figure(
        metrics,
        plan_data.pillars(plan_id=plan_id),
        f"{name}: delivery against the schedule and coverage by pillar, end {year}, {plan_picker.short_name(chosen)}",
    )
    return [cards, record], figure


def _version_rows(versions):
    """Upload times to the minute, as the Submissions log shows them."""
    shown = versions.copy()
    shown["submitted_at"] = shown["submitted_at"].dt.strftime("%Y-%m-%d %H:%M")
    return shown


# The listing has its own callback: it reads the tables, so the numbers above need not wait for it.
@callback(
    Output(grid_id(ids.COUNTRY_ACTIVITIES_TABLE), "rowData"),
    Output(ids.COUNTRY_ACTIVITIES_NOTE, "children"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes with the listing
)
@connection.reads_warehouse
def update_country_activities(year: str, country: str, plan_id: str | None = None):
    """One country's activities as of a year."""
    activities = country_detail.country_activities(int(year), country, plan_id=plans.resolve(plan_id))
    note = listing_note(len(activities), connection.LISTING_LIMIT, "activities reported by this country")
    return records(activities, [c for _, c in ACTIVITY_COLUMNS]), note


@connection.per_version
def first_draw(year: str, country: str, plan_id: str) -> tuple:
    """The cards, chart and listing the layout comes with, kept per data version: every reader opening the page on
    the same plan, country and year shares them."""
    return update_country(year, country, plan_id), update_country_activities(year, country, plan_id)


@callback(
    Output(ids.ACTIVITY_ACROSS_PLANS + "-panel", "children"),
    Input(ids.COUNTRY, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes with the panel
)
@connection.reads_warehouse
def update_across_plans(country: str, plan_id: str | None = None):
    """The country's activities of this plan that it reported under another plan too, with their whole history."""
    across = plans.activities_across_plans(plans.resolve(plan_id), country=country)
    return continuity.across_plans_section(ids.ACTIVITY_ACROSS_PLANS, across, "this country's activities")
