"""Schedule page (admins): the implementation schedule the metrics judge against, downloaded and uploaded."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import downloads, ids, uploads
from dashboard.components import plan_picker
from dashboard.components.access import not_permitted
from dashboard.components.drop_zone import drop_zone
from dashboard.components.issues_table import issues_table
from dashboard.components.tables import data_grid, records
from dashboard.components.upload_result import internal_error_alert, message_body, result_card
from dashboard.data import connection, implementation_schedule, plans
from dashboard.security import auth
from etl import warehouse
from etl.wording import plural

dash.register_page(
    __name__,
    path="/schedule",
    name="Schedule",
    title="Implementation schedule - APT Work Plan Monitor",
    order=60,
    roles=(auth.ADMIN,),
)

log = logging.getLogger(__name__)

SCHEDULE_COLUMNS = [
    ("Measure", "measure_id"),
    ("Text", "text"),
    ("Kind", "kind"),
    ("Start", "start_year"),
    ("Due", "due_year"),
    ("Lead countries", "lead_countries"),
    ("Default", "default"),
    ("Note", "note"),
]


@connection.reads_warehouse
def layout(plan=None, **_query):
    if not auth.may_see_page({"roles": (auth.ADMIN,)}):
        return not_permitted("change the implementation schedule", (auth.ADMIN,))
    chosen = plans.timeframe(plan)
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Implementation schedule", className="page-title"),
            html.P(plans.plan_name(chosen), className="text-muted mb-1"),
            html.P(
                "Item 6.3 of the Work Plan: for each measure, whether it is one-off or recurring, when it starts "
                "and is due, and which countries lead it. Progress is judged against it: a country on the "
                "measures it took up and those it leads, a one-off measure due and not delivered is overdue. A "
                f"measure the schedule does not list is one-off, from {chosen.first_year} to {chosen.last_year}, "
                "without leads."
            ),
            html.Div(_version_note(chosen.plan_id), id=ids.SCHEDULE_VERSION),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.P(
                            [
                                "1. ",
                                html.A(
                                    "Download the schedule workbook",
                                    href=downloads.schedule_href(chosen.plan_id),
                                    className="fw-semibold",
                                    id="schedule-download",
                                ),
                                ": every measure, filled with the current schedule, with dropdowns. 2. Change what "
                                "you know (blank cells and deleted rows take the default). 3. Upload it: it is "
                                "checked as ",
                                html.Code("aptmon schedule load"),
                                " checks it; a file with any error changes nothing.",
                            ]
                        ),  # fmt: skip
                        dbc.Checkbox(
                            id=ids.SCHEDULE_DRY_RUN, label="Check only (change nothing)", value=False, className="mb-2"
                        ),
                        drop_zone(ids.SCHEDULE_UPLOAD, "Drop the schedule workbook here", multiple=False),
                    ]
                ),
                className="mb-3",
            ),
            dcc.Loading(
                html.Div(id=ids.SCHEDULE_RESULT, **{"aria-live": "polite"}), type="default"
            ),  # read out (4.1.3)
            html.H2("The current schedule", className="h4 mt-3"),
            html.Div(_schedule_table(chosen.plan_id), id=ids.SCHEDULE_TABLE),
        ]
    )


def _version_note(plan_id: str) -> dbc.Alert:
    version = implementation_schedule.schedule_version(plan_id=plan_id)
    colour = "warning" if version.is_example else ("secondary" if version.version == 0 else "info")
    return dbc.Alert([html.Strong("In use: "), version.label], color=colour, className="py-2 schedule-version")


def _schedule_table(plan_id: str) -> html.Div:
    frame = implementation_schedule.schedule(plan_id=plan_id).assign(
        default=lambda f: f.is_default.map({True: "default", False: "set"})
    )
    # Each measure's text beside its id (wrapped): an id alone means little to a reader.
    return data_grid("schedule", SCHEDULE_COLUMNS, records(frame, [c for _, c in SCHEDULE_COLUMNS]), 20,
                     options={"text": {"minWidth": 360, "flex": 4},
                              "note": {"minWidth": 240, "flex": 2}}, csv_name="schedule")  # fmt: skip


@callback(
    Output(ids.SCHEDULE_RESULT, "children"),
    Output(ids.SCHEDULE_VERSION, "children"),
    Output(ids.SCHEDULE_TABLE, "children"),
    Input(ids.SCHEDULE_UPLOAD, "contents"),
    State(ids.SCHEDULE_UPLOAD, "filename"),
    State(ids.SCHEDULE_DRY_RUN, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,
)
@auth.require_role(auth.ADMIN)
def load_schedule(contents, file_name, dry_run, plan_id=None):
    """Check the uploaded schedule workbook as `aptmon schedule load` does, and load it unless asked not to."""
    from etl.schedule.load import load_schedule_file

    user = auth.check_role(auth.ADMIN)
    if not contents:
        raise dash.exceptions.PreventUpdate
    try:
        content = uploads.decode_upload(contents, file_name)
        # The checks the Upload page makes, their refusals speaking of what this page takes.
        staged = uploads.stage(content, file_name, user.username, document="schedule workbook")
    except uploads.UploadRefused as exc:
        return _card(file_name, "rejected", message_body(str(exc))), *_unchanged()
    try:
        result = load_schedule_file(
            staged.path,
            warehouse_file=connection.warehouse_file(),
            dry_run=bool(dry_run),
            loaded_by=user.username,
            report_dir=staged.report_dir,
            original_name=staged.original_name,
        )
    except warehouse.WarehouseError as exc:
        return _card(file_name, "rejected", message_body(str(exc))), *_unchanged()
    except Exception:  # a bug must not show a traceback; the log keeps it
        log.exception("Loading the schedule %s failed", file_name)
        alert = internal_error_alert("The file could not be processed", className="mb-0")
        return _card(file_name, "rejected", [alert]), *_unchanged()
    body = _outcome(result, staged)
    if result.status != "rejected":
        uploads.discard(staged)
    # The workbook names its plan on its Cover (this page's download names the page's plan); the page shows its own.
    plan_id = plans.resolve(plan_id)
    return _card(result.file, result.status, body, result.dry_run), _version_note(plan_id), _schedule_table(plan_id)


def _unchanged() -> tuple:
    return dash.no_update, dash.no_update


def _outcome(result, staged: uploads.StagedUpload) -> list:
    body = []
    if result.status == "rejected":
        body.append(
            html.P(f"{plural(result.errors, 'error')}: nothing was changed. Fix them and upload the file again.")
        )
        if result.report_path:
            body.append(
                html.P(
                    html.A("Download your workbook with the problem cells marked", href=downloads.feedback_href(
                        staged.token), className="fw-semibold schedule-feedback")
                )
            )  # fmt: skip
    elif result.status == "unchanged":
        body.append(html.P("The file says what the current schedule says; it is recorded as unchanged."))
    else:
        done = "would become" if result.dry_run else "is now"
        against = f"version {result.previous_version}" if result.previous_version else "the default schedule"
        body.append(
            html.P(
                f"{plural(result.measures, 'measure')} listed; the schedule {done} version {result.version}. "
                f"Against {against}, {plural(len(result.changed), 'measure')} change"
                + (f": {', '.join(result.changed[:30])}{' ...' if len(result.changed) > 30 else ''}."
                   if result.changed else ".")
            )
        )  # fmt: skip
    if result.issues:
        body.append(issues_table("schedule-issues", [issue.to_dict() for issue in result.issues]))
    return body


def _card(file_name: str, status: str, body: list, dry_run: bool = False) -> dbc.Card:
    label = {"accepted": "checked: no errors" if dry_run else "loaded"}.get(status, status)
    return result_card(file_name, status, label, body, "schedule")
