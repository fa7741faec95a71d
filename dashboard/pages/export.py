"""Export page: evaluators download the metric tables and the progress report for an as-of year."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import downloads, ids
from dashboard.components import plan_picker
from dashboard.components.access import not_permitted
from dashboard.data import loaded, plans
from dashboard.download_progress import progress_link_attributes
from dashboard.security import auth
from etl.outputs import export as exporter

dash.register_page(
    __name__, path="/export", name="Export", title="Export - APT Work Plan Monitor", order=22, roles=auth.EXPORTERS
)

FORMAT_OPTIONS = [
    {"label": "Excel workbook (one sheet per table, with Definitions)", "value": "xlsx"},
    {"label": "CSV files (zip)", "value": "csv"},
    {"label": "Parquet files (zip)", "value": "parquet"},
]


def layout(plan=None, **_query):
    user = auth.signed_in_user()
    if user is None or user.role not in auth.EXPORTERS:
        return not_permitted("export tables or the progress report", auth.EXPORTERS)
    from etl.outputs.report.docx import CHROMIUM_MISSING, chromium_installed

    chosen = plans.timeframe(plan)
    plan_id = chosen.plan_id
    latest = loaded.data_state(plan_id=plan_id)["latest_year"]
    # Without Chromium the Word report cannot draw its charts: say what to install rather than offer a failing link.
    word_ready = chromium_installed()
    word_note = None if word_ready else dbc.Alert(CHROMIUM_MISSING, color="warning", id=ids.EXPORT_WORD_MISSING)
    return html.Div(
        [
            plan_picker.page_plan(plan_id),
            html.H1("Export", className="page-title"),
            html.P(plans.plan_name(chosen), className="text-muted mb-1"),
            html.P(
                [
                    "The tables behind every chart, exactly as the monitor computes them, for the as-of year you "
                    "choose (the latest year with returns unless you pick another), and the concise progress report "
                    "for the APT Summit. The same files come from ",
                    html.Code("aptmon export"),
                    " and ",
                    html.Code("aptmon report"),
                    ".",
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("As of year", html_for=ids.EXPORT_YEAR),
                            dcc.Dropdown(
                                id=ids.EXPORT_YEAR,
                                options=[{"label": str(y), "value": y} for y in chosen.years],
                                value=latest,
                                clearable=False,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Format of the tables"),
                            dbc.RadioItems(id=ids.EXPORT_FORMAT, options=FORMAT_OPTIONS, value="xlsx"),
                        ],
                        md=6,
                    ),
                ],
                className="g-3 mb-3",
            ),
            html.Div(
                [
                    html.A(
                        "Download the tables",
                        id=ids.EXPORT_TABLES_BUTTON,
                        href=downloads.export_href(latest, "xlsx", plan_id),
                        className="btn btn-primary me-2",
                        **progress_link_attributes(ids.EXPORT_STATUS, "Making the tables: this takes a few seconds."),
                    ),
                    html.A(
                        "Download the progress report",
                        id=ids.EXPORT_REPORT_BUTTON,
                        href=downloads.report_href(latest, plan_id=plan_id),
                        className="btn btn-outline-primary me-2",
                        **progress_link_attributes(ids.EXPORT_STATUS, "Making the progress report: a few seconds."),
                    ),
                    html.A(
                        "The report as a Word document, to edit",
                        id=ids.EXPORT_REPORT_DOCX_BUTTON,
                        href=downloads.report_href(latest, "docx", plan_id),
                        className="btn btn-outline-primary" + ("" if word_ready else " disabled"),
                        **({} if word_ready else {"aria-disabled": "true"}),
                        **progress_link_attributes(
                            ids.EXPORT_STATUS, "Making the Word report and drawing its charts: about ten seconds."
                        ),
                    ),
                ],
                className="mb-2",
            ),
            # Says what is being made while a download is prepared, and when it has arrived (a screen reader too).
            html.Div(
                id=ids.EXPORT_STATUS, role="status", **{"aria-live": "polite"}, className="download-progress mb-3"
            ),
            word_note,
            html.H2("What the export holds", className="h5"),
            # The export's own list, so a table added there is listed here too.
            html.Ul([html.Li([html.Code(name), f": {exporter.TITLES[name]}"]) for name in exporter.TABLES]),
            html.P(
                "Each export also carries the definitions of every column and setting, the as-of year, when it "
                "was made, and a fingerprint of the data it was computed from: two exports with the same "
                "fingerprint come from the same returns and definitions.",
                className="small text-muted",
            ),
        ]
    )


@callback(
    Output(ids.EXPORT_TABLES_BUTTON, "href"),
    Output(ids.EXPORT_REPORT_BUTTON, "href"),
    Output(ids.EXPORT_REPORT_DOCX_BUTTON, "href"),
    Input(ids.EXPORT_YEAR, "value"),
    Input(ids.EXPORT_FORMAT, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@auth.require_role(*auth.EXPORTERS)
def export_links(year, output_format, plan_id=None):
    """Point the download buttons at the chosen plan, year and format (the routes check the role again)."""
    chosen = plans.timeframe(plan_id)
    year = year if year in chosen.years else None
    output_format = output_format if output_format in ("xlsx", "csv", "parquet") else "xlsx"
    return (
        downloads.export_href(year, output_format, chosen.plan_id),
        downloads.report_href(year, plan_id=chosen.plan_id),
        downloads.report_href(year, "docx", chosen.plan_id),
    )
