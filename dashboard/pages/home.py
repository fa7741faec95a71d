"""Overview page: how far the Work Plan has come and where it lags, at a glance."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import cards, filters, plan_picker, progress
from dashboard.components.accessible_chart import accessible_chart
from dashboard.components.country_ranking import country_ranking_panel
from dashboard.components.empty import no_returns_alert
from dashboard.components.lags import where_it_lags
from dashboard.data import connection, loaded, overview, plans, return_status
from dashboard.data import plan as plan_data
from dashboard.own_country import own_country
from etl.plan.labels import pillar_label

dash.register_page(__name__, path="/", name="Overview", title="Overview - APT Work Plan Monitor", order=0)

COUNTRY_RANKING = "country-ranking-panel"


@connection.reads_warehouse
def layout(year=None, country=None, pillar=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    pillars = plan_data.pillars(plan_id=chosen.plan_id)
    countries = plan_data.countries()
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    # An analyst's overview opens on their own country, everyone else's on all 13.
    country = filters.pick(country, ["ALL", *countries.iso3], own_country(countries) or "ALL")
    pillar = filters.pick(pillar, ["ALL", *pillars.pillar], "ALL")
    headline, trend, ranking, small_multiples, lags, countries_ranked = first_draw(
        str(year), country, pillar, chosen.plan_id
    )
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1(f"Overview of the {plans.plan_name(chosen)}", className="page-title"),
            html.P(
                "Whether the plan is delivered as fast as the implementation schedule expects (the progress status, "
                "judged on the measures each country took up or leads), which countries and sections lag, and how "
                "many of all the plan's measures countries have taken up (coverage: an ongoing or completed "
                "activity) and finished (completion: a completed activity).",
                className="lead-text",
            ),
            filters.filter_bar(
                filters.year_filter(year, chosen.years),
                filters.country_filter(country, countries),
                filters.pillar_filter(pillar, pillars),
            ),
            html.Div(no_returns_alert(ids.OVERVIEW_EMPTY) if not state["has_returns"] else None),
            dcc.Loading(html.Div(headline, id=ids.HEADLINE_CARDS, className="row g-2"), type="dot", delay_show=300),
            html.Div(
                [
                    html.Div(html.Div(lags, id=ids.WHERE_IT_LAGS), className="col-xl-7 mt-3"),
                    html.Div(html.Div(countries_ranked, id=COUNTRY_RANKING), className="col-xl-5 mt-3"),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.Div(
                        accessible_chart(ids.TREND_GRAPH, "Progress against the schedule", trend),
                        className="col-lg-6 mb-3",
                    ),
                    html.Div(
                        accessible_chart(ids.PILLAR_RANKING_GRAPH, "Pillars ranked by status and pace", ranking),
                        className="col-lg-6 mb-3",
                    ),
                ],
                className="row",
            ),
            accessible_chart(ids.PILLAR_TRENDS_GRAPH, "Each pillar against the schedule", small_multiples),
        ]
    )


@callback(
    Output(ids.HEADLINE_CARDS, "children"),
    Output(ids.TREND_GRAPH, "figure"),
    Output(ids.PILLAR_RANKING_GRAPH, "figure"),
    Output(ids.PILLAR_TRENDS_GRAPH, "figure"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # the layout comes drawn (first_draw); a change of filter redraws
)
@connection.reads_warehouse
def update_overview(year: str, country: str, pillar: str, plan_id: str | None = None):
    """Redraw the cards and charts for one plan, as-of year, country scope and pillar scope."""
    year = int(year)
    chosen = plans.timeframe(plan_id)
    plan_id = chosen.plan_id
    pillars = plan_data.pillars(plan_id=plan_id)
    metrics = overview.pillar_metrics(year, country, plan_id=plan_id)
    trend_all = overview.pillar_trend(country, plan_id=plan_id)
    trend = trend_all[trend_all.as_of_year <= year]
    scope_name = "all 13 countries" if country == "ALL" else plan_data.countries().set_index("iso3").name[country]
    if pillar == "ALL":
        pillar_name = "all pillars"
    else:
        title = pillars.set_index("pillar").title[pillar]
        pillar_name = f"pillar {pillar_label(pillar, title, 40)}"
    scope = metrics[metrics.pillar == pillar]
    reporting = return_status.reporting(year, plan_id=plan_id)
    headline = cards.headline_cards(scope, reporting[reporting.country == country], plan_data.thresholds(), chosen.span)
    trend_figure = progress.trend_figure(
        trend[trend.pillar == pillar],
        trend_all[trend_all.pillar == pillar],
        _subtitled("Against the schedule", f"{pillar_name}, {scope_name}"),
    )
    ranking = progress.pillar_ranking_figure(
        metrics,
        pillars,
        _subtitled(f"Pillars, the furthest behind first, end {year}, {plan_picker.short_name(chosen)}", scope_name),
    )
    small_multiples = progress.pillar_trends_figure(
        trend[trend.pillar != "ALL"],
        trend_all,
        pillars,
        f"Each pillar: delivered against what the schedule expects, {scope_name}",
    )
    return headline, trend_figure, ranking, small_multiples


def _subtitled(title: str, scope: str) -> str:
    """A chart's title over its scope on a line of its own: a long scope on one line would run under the toolbar."""
    return f"{title}<br><span style='font-size:13px'>{scope}</span>"


@connection.per_version
def first_draw(year: str, country: str, pillar: str, plan_id: str) -> tuple:
    """The cards, the three charts and the lag panel for the filters the page opens with. They come with the
    layout, so a browser draws the page in the same pass as its frame instead of asking its callbacks after it
    has rendered (about 0.1 s of the first load); kept per data version, as every reader opening the page asks
    for the same ones."""
    return (
        *update_overview(year, country, pillar, plan_id),
        *update_where_it_lags(year, country, pillar, plan_id),
    )


def warm_up() -> None:
    """Draw the overview for its default filters once, so the answers are in this process's cache before the
    first browser opens the landing page (on a worker that just started they take ~150 ms)."""
    chosen = plans.timeframe(None)
    state = loaded.data_state(plan_id=chosen.plan_id)
    if not state["has_returns"]:
        return
    first_draw(str(filters.pick_year(None, state["latest_year"], chosen.years)), "ALL", "ALL", chosen.plan_id)


@callback(
    Output(ids.WHERE_IT_LAGS, "children"),
    Output(COUNTRY_RANKING, "children"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRY, "value"),
    Input(ids.PILLAR, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,  # as update_overview
)
@connection.reads_warehouse
def update_where_it_lags(year: str, country: str, pillar: str, plan_id: str | None = None):
    """The overdue measures, the sections furthest behind and the measures not taken up, for the scope; beside them
    the 13 countries ranked for the year and pillar, the furthest behind first."""
    year = int(year)
    plan_id = plans.resolve(plan_id)
    scope = "All 13 countries" if country == "ALL" else plan_data.countries().set_index("iso3").name[country]
    pillar_scope = "All pillars"
    if pillar != "ALL":
        title = plan_data.pillars(plan_id=plan_id).set_index("pillar").title[pillar]
        pillar_scope = f"Pillar {pillar_label(pillar, title, 60)}"
        scope = f"{scope}, {pillar_scope.lower()[0]}{pillar_scope[1:]}"
    not_taken_up, total = overview.measures_not_taken_up(year, pillar, plan_id=plan_id)
    lags = where_it_lags(
        overview.overdue_measures(year, country, pillar, plan_id=plan_id),
        overview.lagging_sections(year, country, pillar, plan_id=plan_id),
        not_taken_up,
        total,
        scope,
        year,
    )
    return lags, country_ranking_panel(
        overview.country_ranking(year, pillar, plan_id=plan_id), pillar_scope, year, country
    )
