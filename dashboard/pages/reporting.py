"""Reporting page: which returns arrived, on time or late, which are missing, and why uploads were rejected."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import filters, plan_picker
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.cards import stat_card
from dashboard.components.empty import no_returns_alert
from dashboard.components.reporting import return_matrix_figure
from dashboard.components.tables import data_grid, grid_id, records
from dashboard.components.theme import pct
from dashboard.data import connection, loaded, plans, return_status
from dashboard.data import plan as plan_data
from dashboard.security import auth

dash.register_page(__name__, path="/reporting", name="Reporting", title="Reporting - APT Work Plan Monitor", order=4)

ISSUE_COLUMNS = [
    ("Country", "country"),
    ("Return for", "reporting_year"),
    ("File", "file_name"),
    ("Uploaded", "submitted_at"),
    ("Sheet", "sheet"),
    ("Row", "row"),
    ("Column", "column"),
    ("Value", "value"),
    ("Problem", "message"),
]


@connection.reads_warehouse
def layout(year=None, country=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    countries = plan_data.countries()
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    country = filters.pick(country, ["ALL", *countries.iso3], "ALL")
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Reporting", className="page-title"),
            html.P(
                "Each country sends one return a year, due by the end of March of the following year. A return "
                "is on time when its first accepted version arrived by then; rejected means every upload so far "
                "had errors.",
                className="lead-text",
            ),
            filters.filter_bar(filters.year_filter(year, chosen.years), filters.country_filter(country, countries)),
            no_returns_alert() if not state["has_returns"] else None,
            html.Div(id=ids.REPORTING_CARDS, className="row g-2 mb-2"),
            accessible_chart(ids.REPORTING_MATRIX_GRAPH, "Returns by country and year"),
            html.H2("Why uploads were rejected", className="h4"),
            html.P(
                "The errors found in rejected uploads, newest first. The analyst fixes them in the workbook and "
                "uploads it again. The cells and their values are shown to the country's analyst and the "
                "Secretariat; everyone else sees how many errors of each kind.",
                className="text-muted small",
            ),
            html.P(id=ids.REPORTING_ISSUES_NOTE, className="empty-note"),
            data_grid(
                ids.REPORTING_ISSUES_TABLE,
                ISSUE_COLUMNS,
                options={"message": {"minWidth": 320, "flex": 3}},
                csv_name="rejected-uploads",
            ),
        ]
    )


@callback(
    Output(ids.REPORTING_CARDS, "children"),
    Output(ids.REPORTING_MATRIX_GRAPH, "figure"),
    Output(grid_id(ids.REPORTING_ISSUES_TABLE), "rowData"),
    Output(ids.REPORTING_ISSUES_NOTE, "children"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@connection.reads_warehouse
def update_reporting(year: str, country: str, plan_id: str | None = None):
    """Redraw the reporting record of a plan for an as-of year and a country scope."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    plan_id = chosen.plan_id
    reporting = return_status.reporting(year, plan_id=plan_id)
    scope = reporting[reporting.country == country].iloc[0]
    name = "all 13 countries" if country == "ALL" else plan_data.countries().set_index("iso3").name[country]
    cards = [
        dbc.Col(
            stat_card(
                "Returns received",
                f"{scope.returns_received} / {scope.returns_expected}",
                f"reporting rate {pct(scope.reporting_rate, 1)}, {name}",
                "card-reporting-received",
            ),
            xs=6,
            md=4,
        ),
        dbc.Col(
            stat_card(
                "Returns on time",
                f"{scope.returns_on_time} / {scope.returns_expected}",
                f"on-time rate {pct(scope.on_time_rate, 1)}",
                "card-reporting-on-time",
            ),
            xs=6,
            md=4,
        ),
    ]
    returns = return_status.return_matrix(year, plan_id=plan_id)
    if country != "ALL":
        returns = returns[returns.country == country]
    figure = return_matrix_figure(
        returns, f"Returns by country and reporting year, as of end {year}, {plan_picker.short_name(chosen)}"
    )
    issues = _issues_for_the_user(year, country, plan_id)
    if issues.empty:
        note = f"No upload for {name} up to {year} was rejected."
        return cards, figure, [], note
    return cards, figure, records(issues, [c for _, c in ISSUE_COLUMNS]), None


def _issues_for_the_user(year: int, country: str, plan_id: str) -> pd.DataFrame:
    """The rejected uploads' errors, scoped like the submissions log: cell values for those who may read the files
    (the Secretariat, a country's analyst for their own country); for every other country, counts by issue code.
    """
    user = auth.signed_in_user()
    columns = [c for _, c in ISSUE_COLUMNS]
    if user is not None and user.role == auth.ADMIN:
        return return_status.rejected_issues(year, country, plan_id=plan_id)
    parts = []
    own = user.country if user is not None and user.role == auth.ANALYST else None
    if own is not None and country in (connection.ALL, own):
        parts.append(return_status.rejected_issues(year, own, plan_id=plan_id))
    counts = return_status.rejected_issue_counts(year, country, except_country=own, plan_id=plan_id)
    if not counts.empty:
        counts["message"] = [
            f"{row.errors} error{'s' if row.errors != 1 else ''} '{row.code}' in {row.uploads} "
            f"upload{'s' if row.uploads != 1 else ''} (the cells are shown to the country's analyst)"
            for row in counts.itertuples()
        ]
        parts.append(counts.reindex(columns=columns))
    parts = [part[columns] for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
