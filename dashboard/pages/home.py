"""Overview page: what the monitor covers and where to go next."""

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import data

dash.register_page(__name__, path="/", name="Overview", title="APT Work Plan Monitor", order=0)


def layout(**_query):
    frame = data.catalogue()
    measures = frame[frame.level == "measure"]
    counts = measures.groupby(["pillar", "pillar_title"]).size().reset_index(name="measures")
    cards = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(f"Pillar {row.pillar}", className="text-muted small"),
                        html.H5(row.pillar_title.title(), className="card-title"),
                        html.P(f"{row.measures} measures", className="mb-0"),
                    ]
                )
            ),
            md=4,
            className="mb-3",
        )
        for row in counts.itertuples()
    ]
    return html.Div(
        [
            html.H2("ASEAN Plus Three Cooperation Work Plan 2013-2017"),
            html.P(f"The plan sets out {len(measures)} measures in six pillars."),
            dbc.Row(cards),
        ]
    )
