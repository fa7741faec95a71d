"""Headline cards: one number each, a caption that says what it counts, and the progress status badge."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.theme import STATUS_BADGES, STATUS_WORDING, pace_text, pct


def stat_card(title: str, value: str, caption: str, card_id: str | None = None, extra=None) -> dbc.Card:
    """A small card with a title, one large value and a caption."""
    body = [
        html.Div(title, className="stat-title"),
        html.Div(value, className="stat-value"),
        html.Div(caption, className="stat-caption"),
    ]
    if extra is not None:
        body.append(extra)
    props = {"id": card_id} if card_id else {}
    return dbc.Card(dbc.CardBody(body), className="stat-card h-100", **props)


def status_badge(status: str) -> dbc.Badge:
    """The progress status as a coloured badge, in the same band colours as the charts."""
    colour = STATUS_BADGES.get(status, "secondary")
    return dbc.Badge(
        status,
        color=colour,
        text_color="dark" if colour == "light" else None,
        className="status-badge",
        title=STATUS_WORDING.get(status, ""),
    )


def band_caption(settings: dict[str, float]) -> str:
    """The progress-status bands in words, from the warehouse settings."""
    return (
        f"pace = delivered / expected by the schedule; on track from {settings['on_track_pace']:.2f}, "
        f"acceleration needed from {settings['acceleration_pace']:.2f}"
    )


def _delivered_caption(row) -> str:
    """What the delivered count is out of: every measure for ALL, the measures taken up (and led) for a country."""
    if row.country == "ALL":
        scope = "of the measures in the plan"
    else:
        scope = f"of the {row.measures_in_scope} measures it took up or leads"
    expected = "nothing expected yet" if pd.isna(row.expected_rate) else f"{pct(row.expected_rate)} expected"
    overdue = f"; {row.measures_overdue} overdue" if row.measures_overdue else ""
    return f"{scope}; {expected} by the schedule{overdue}"


def headline_cards(scope: pd.DataFrame, reporting: pd.DataFrame, settings: dict[str, float], timeframe: str) -> list:
    """The overview's row of cards from one metrics_pillar_country row, one metrics_reporting row, the status
    thresholds and the plan's timeframe ('2013-2017')."""
    row = scope.iloc[0]
    rep = reporting.iloc[0]
    status_extra = html.Div(
        [status_badge(row.progress_status)],
        className="mt-1",
    )
    cards = [
        stat_card(
            "Measures covered",
            f"{row.measures_covered} / {row.measures_total}",
            f"coverage {pct(row.coverage_rate, 1)}: with an ongoing or completed activity",
            "card-covered",
        ),
        stat_card(
            "Measures completed",
            f"{row.measures_completed} / {row.measures_total}",
            f"completion {pct(row.completion_rate, 1)}: with a completed activity",
            "card-completed",
        ),
        stat_card(
            "Measures delivered",
            f"{row.measures_delivered} / {row.measures_in_scope}",
            _delivered_caption(row),
            "card-delivered",
        ),
        stat_card(
            "Returns received",
            f"{rep.returns_received} / {rep.returns_expected}",
            f"reporting rate {pct(rep.reporting_rate, 1)}, on time {pct(rep.on_time_rate, 1)}",
            "card-returns",
        ),
        stat_card(
            "Time elapsed",
            pct(row.time_elapsed),
            f"of {timeframe} by end {int(row.as_of_year)}",
            "card-time",
        ),
        stat_card(
            "Progress status",
            pace_text(row.pace_index),
            band_caption(settings),
            "card-status",
            extra=status_extra,
        ),
    ]
    return [dbc.Col(card, xs=6, md=4, xl=True, className="mb-3") for card in cards]
