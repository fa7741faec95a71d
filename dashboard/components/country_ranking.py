"""The overview's "Which countries lag" panel: the 13 countries ranked by status and pace, each a link to its page."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.status_colours import status_colour
from dashboard.components.theme import STATUS_WORDING, pct
from etl.outputs.pace import pace_figure
from etl.outputs.palette import text_colour_on

# Statuses whose row has no delivered count to show: nothing to judge, or the numbers withheld.
UNCOUNTED = {"no commitments", "insufficient data"}


def _delivered(row) -> str:
    """'11 of 40': delivered of the measures it took up or leads (the header says so; the tooltip in full)."""
    if row.progress_status in UNCOUNTED:
        return "–"
    return f"{row.measures_delivered} of {row.measures_in_scope}"


def _tooltip(row) -> str:
    if row.progress_status == "insufficient data":
        return f"{row.country_name}: reporting rate {pct(row.reporting_rate)}, too few returns to judge"
    expected = "nothing expected yet" if pd.isna(row.expected_rate) else f"{pct(row.expected_rate)} expected"
    return (
        f"{row.country_name}: {row.progress_status} ({STATUS_WORDING.get(row.progress_status, '')}); "
        f"{row.measures_delivered} of the {row.measures_in_scope} measures it took up or leads delivered, "
        f"{expected} by the schedule; {row.measures_overdue} overdue"
    )


def _row(row, year: int, chosen: str) -> html.Tr:
    colour = status_colour(row.progress_status)
    return html.Tr(
        [
            html.Td(str(row.lag_rank), className="text-end"),
            html.Td(
                dcc.Link(
                    row.country_name,
                    href=f"/country?country={row.country}&year={year}",
                    className="ranked-country",
                    id=f"ranked-{row.country}",
                )
            ),
            html.Td(
                html.Span(
                    row.progress_status,
                    className="ranked-status",
                    style={
                        "backgroundColor": colour,
                        "color": text_colour_on(colour),
                        "padding": "0 5px",
                        "borderRadius": "3px",
                        "whiteSpace": "nowrap",
                    },
                )  # fmt: skip
            ),
            html.Td(pace_figure(row.pace_index), className="text-end ranked-pace"),
            html.Td(_delivered(row), className="text-end ranked-delivered"),
        ],
        title=_tooltip(row),
        className="ranked-row" + (" table-active" if row.country == chosen else ""),
        **{"data-country": row.country},
    )


def country_ranking_panel(ranking: pd.DataFrame, scope: str, year: int, chosen: str = "ALL") -> dbc.Card:
    """The panel from country_lag_ranking rows (the view's order and numbers); `chosen` is the country the page's
    filter names, its row marked."""
    header = html.Thead(
        html.Tr(
            [
                html.Th("#", scope="col", className="text-end"),
                html.Th("Country", scope="col"),
                html.Th("Status", scope="col"),
                html.Th("Pace", scope="col", className="text-end"),
                html.Th("Delivered", scope="col", className="text-end"),
            ]
        )
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Which countries lag", className="h4 card-title mb-1"),
                html.P(
                    f"{scope}, end {year}: ranked by progress status, then pace (delivered over what the schedule "
                    "expects of the measures each country took up or leads), the furthest behind first.",
                    className="text-muted small mb-2",
                ),
                html.Div(
                    html.Table(
                        [header, html.Tbody([_row(row, year, chosen) for row in ranking.itertuples()])],
                        className="table table-sm small mb-1 country-ranking-table",
                    ),
                    className="table-responsive",
                ),
                html.P(
                    "Delivered: of the measures the country took up or leads. Hover a row for its numbers in words.",
                    className="text-muted small mb-0",
                ),
            ]
        ),
        className="mb-3 country-ranking",
        id="country-ranking",
    )
