"""Funding page: the budgets the returns report, by funding source, pillar and country, and the Fund's share."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import filters, plan_picker
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.cards import stat_card
from dashboard.components.empty import no_returns_alert
from dashboard.components.funding import funding_figure, usd
from dashboard.components.tables import amount_column, data_grid, grid_id, records
from dashboard.components.theme import pct
from dashboard.data import connection, funding, loaded, plans
from dashboard.data import plan as plan_data

dash.register_page(__name__, path="/funding", name="Funding", title="Funding - APT Work Plan Monitor", order=6)

TABLE_COLUMNS = [
    ("Country", "country_name"),
    ("Activities", "activities_total"),
    ("Without a budget", "activities_without_budget"),
    ("Budget (USD)", "budget_total_usd"),
    ("APT Cooperation Fund (USD)", "budget_apt_fund_usd"),
    ("Fund's share", "apt_fund_share_text"),
    ("National budgets (USD)", "budget_national_usd"),
    ("Plus Three partners (USD)", "budget_plus_three_usd"),
    ("Other (USD)", "budget_other_usd"),
]


@connection.reads_warehouse
def layout(year=None, country=None, pillar=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    countries = plan_data.countries()
    pillars = plan_data.pillars(plan_id=chosen.plan_id)
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    country = filters.pick(country, ["ALL", *countries.iso3], "ALL")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Funding", className="page-title"),
            html.P(
                "Item 6.1 of the Work Plan asks to keep strengthening the APT Cooperation Fund. Every return says how "
                "each activity is funded and what it costs: here are the budgets of the activities under way as of "
                "the chosen year (cancelled ones left out), by funding source, and the activities whose return gives "
                "no budget. An activity serving two pillars counts under each of them.",
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year, chosen.years),
                filters.country_filter(country, countries),
                filters.pillar_filter(pillar, pillars),
            ),
            no_returns_alert() if not state["has_returns"] else None,
            html.Div(id=ids.FUNDING_CARDS, className="row g-2 mb-2"),
            accessible_chart(ids.FUNDING_GRAPH, "Reported budgets by country"),
            html.H2("By country", className="h4"),
            html.P(id=ids.FUNDING_NOTE, className="text-muted small"),
            data_grid(
                ids.FUNDING_TABLE,
                TABLE_COLUMNS,
                page_size=15,
                options={c: amount_column() for _, c in TABLE_COLUMNS if c.endswith("_usd")},
                csv_name="funding",
            ),
        ]
    )


@callback(
    Output(ids.FUNDING_CARDS, "children"),
    Output(ids.FUNDING_GRAPH, "figure"),
    Output(grid_id(ids.FUNDING_TABLE), "rowData"),
    Output(ids.FUNDING_NOTE, "children"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@connection.reads_warehouse
def update_funding(year: str, country: str, pillar: str, plan_id: str | None = None):
    """Redraw the budgets of a plan for an as-of year, a country scope and a pillar (or all pillars)."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    rows = funding.funding(year, plan_id=chosen.plan_id)
    names = plan_data.countries().set_index("iso3").name
    scope_name = "all 13 countries" if country == "ALL" else names[country]
    pillars = plan_data.pillars(plan_id=chosen.plan_id)
    pillar_name = "all pillars" if pillar == "ALL" else f"pillar {pillars.set_index('pillar').roman[pillar]}"
    scope = rows[(rows.country == country) & (rows.pillar == pillar)].iloc[0]
    cards = [
        dbc.Col(
            stat_card("Reported budget", usd(scope.budget_total_usd), f"{scope_name}, {pillar_name}", "card-budget"),
            xs=6,
            md=4,
        ),
        dbc.Col(
            stat_card(
                "APT Cooperation Fund",
                usd(scope.budget_apt_fund_usd),
                f"{pct(scope.apt_fund_share, 1)} of the reported budget, {scope.activities_apt_fund} activities",
                "card-fund",
            ),
            xs=6,
            md=4,
        ),
        dbc.Col(
            stat_card(
                "Without a budget",
                f"{scope.activities_without_budget} / {scope.activities_total}",
                "activities whose return gives no budget",
                "card-no-budget",
            ),
            xs=6,
            md=4,
        ),
    ]
    by_pillar = rows[rows.country == country]
    title = f"Reported budget by pillar and funding source, {scope_name}, end {year}, {plan_picker.short_name(chosen)}"
    figure = funding_figure(by_pillar, pillars, title)
    by_country = rows[rows.pillar == pillar].assign(
        country_name=lambda f: ["All 13 countries" if c == "ALL" else names[c] for c in f.country],
        apt_fund_share_text=lambda f: [pct(s, 1) for s in f.apt_fund_share],
    )
    note = f"The budgets of {pillar_name} as of the end of {year}, one row per country and all 13 together."
    return cards, figure, records(by_country, [c for _, c in TABLE_COLUMNS]), note
