"""Measures page: the Work Plan catalogue as a searchable, sortable table."""

import dash
from dash import dash_table, html

from dashboard import data, ids

dash.register_page(__name__, path="/measures", name="Measures", title="Measures - APT Work Plan Monitor", order=3)


def layout(**_query):
    frame = data.catalogue()
    return html.Div(
        [
            html.H2("Work Plan measures"),
            html.P(
                f"{(frame.level == 'measure').sum()} measures and {(frame.level == 'sub-item').sum()} sub-items "
                "of the ASEAN Plus Three Cooperation Work Plan 2013-2017. Type in a column's filter cell to search."
            ),
            dash_table.DataTable(
                id=ids.CATALOGUE_TABLE,
                data=frame.to_dict("records"),
                columns=[
                    {"name": "Id", "id": "id"},
                    {"name": "Pillar", "id": "pillar"},
                    {"name": "Section", "id": "section_id"},
                    {"name": "Section title", "id": "section_title"},
                    {"name": "Text", "id": "text"},
                ],
                filter_action="native",
                sort_action="native",
                page_size=25,
                style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto", "fontSize": "0.9rem"},
                style_cell_conditional=[{"if": {"column_id": "text"}, "minWidth": "420px"}],
                style_header={"fontWeight": "bold"},
            ),
        ]
    )
