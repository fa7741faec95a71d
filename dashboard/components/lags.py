"""The overview's "Where it lags" panel: overdue measures, the sections furthest behind, measures not taken up."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.theme import pct
from etl.outputs.pace import pace_figure
from etl.plan.labels import section_label, shorten
from etl.wording import plural

SHOWN_MEASURES = 8
SHOWN_SECTIONS = 5


def where_it_lags(
    overdue: pd.DataFrame, sections: pd.DataFrame, not_taken_up: int, measures_total: int, scope: str, year: int
) -> dbc.Card:
    """The panel from overdue_measures, lagging_sections and measures_not_taken_up rows (the views' numbers)."""
    overdue_items = [
        html.Li(
            [
                dcc.Link(m.measure_id, href=f"/measure/{m.measure_id}", className="lag-measure"),
                f" {shorten(m.text, 80)} ",
                html.Span(f"(due {m.due_year})", className="text-muted"),
            ]
        )
        for m in overdue.head(SHOWN_MEASURES).itertuples()
    ]
    if len(overdue) > SHOWN_MEASURES:
        overdue_items.append(html.Li(f"and {len(overdue) - SHOWN_MEASURES} more", className="text-muted"))
    section_items = [
        html.Li(
            [
                dcc.Link(
                    section_label(s.section_id, s.title, s.is_direct_group),
                    href=f"/measures?pillar={s.pillar}&section={s.section_id}",
                    className="lag-section",
                ),
                html.Br(),
                html.Span(
                    f"pace {pace_figure(s.pace_index)}: {s.measures_delivered} of {s.measures_in_scope} delivered "
                    f"({pct(s.delivery_rate)}), {pct(s.expected_rate)} expected by now",
                    className="text-muted",
                ),
            ]
        )
        for s in sections.head(SHOWN_SECTIONS).itertuples()
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Where it lags", className="h4 card-title mb-1"),
                html.P(f"{scope}, end {year}", className="text-muted small mb-2"),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.H3(
                                    plural(len(overdue), "overdue measure"), id="lags-overdue-count", className="h6"
                                ),
                                html.Ul(overdue_items, className="lag-list")
                                if overdue_items
                                else html.P("None: every measure due by now is delivered.", className="small"),
                            ],
                            lg=5,
                        ),
                        dbc.Col(
                            [
                                html.H3(
                                    "Sections furthest behind their expected share",
                                    id="lags-sections-title",
                                    className="h6",
                                ),
                                html.Ol(section_items, className="lag-list")
                                if section_items
                                else html.P(
                                    "None behind. Sections whose countries sent too few returns to judge, or with "
                                    "nothing expected yet, are left out.",
                                    className="small",
                                ),
                            ],
                            lg=5,
                        ),
                        dbc.Col(
                            [
                                html.Div(str(not_taken_up), className="stat-value", id="lags-not-taken-up"),
                                html.Div(
                                    f"of {plural(measures_total, 'measure')} not yet taken up by any country "
                                    "(no activity under them)",
                                    className="stat-caption",
                                ),
                            ],
                            lg=2,
                        ),
                    ]
                ),
            ]
        ),
        className="mb-3 where-it-lags",
    )
