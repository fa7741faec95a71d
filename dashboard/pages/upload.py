"""Upload page: analysts send their country's returns, read each file's check, fix, and submit."""

from __future__ import annotations

import logging
from datetime import date

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html

from dashboard import downloads, ids, upload_checks, uploads
from dashboard.components import plan_picker
from dashboard.components.access import not_permitted
from dashboard.components.drop_zone import drop_zone
from dashboard.components.issues_table import issues_table
from dashboard.components.tables import data_grid, records
from dashboard.components.upload_result import STATUS_COLOURS, internal_error_alert, message_body, result_card
from dashboard.data import connection, plans
from dashboard.security import auth, throttling
from etl import warehouse
from etl.plan.countries import COUNTRIES, country_name
from etl.returns import regressions
from etl.returns.load import HeldUploadGone
from etl.returns.regressions import change_keys
from etl.wording import plural

dash.register_page(
    __name__,
    path="/upload",
    name="Upload",
    title="Upload returns - APT Work Plan Monitor",
    order=20,
    roles=auth.UPLOADERS,
)

log = logging.getLogger(__name__)

# What an analyst can do when checking their file broke on a bug.
INTERNAL_ERROR_ADVICE = "Please try again later or send the file to the ASEAN Secretariat."
# The changes to the record a held return would make, as the table above its Submit button shows them.
CHANGE_COLUMNS = [("Activity", "activity_id"), ("Was", "old"), ("Would be", "new"), ("What to check", "message")]


@connection.reads_warehouse
def layout(plan=None, **_query):
    user = auth.signed_in_user()
    if user is None or user.role not in auth.UPLOADERS:
        return not_permitted("upload returns", auth.UPLOADERS)
    upload_checks.keep_warm()  # an analyst is here: a checker is ready by the time a file is dropped
    admin = user.role == auth.ADMIN
    # The template and the reporting year are the chosen plan's (the plan picker); a file names its own plan.
    chosen = plans.timeframe(plan)
    year_options = [{"label": str(y), "value": y} for y in chosen.years]
    country_options = [{"label": f"{c.name} ({c.iso3})", "value": c.iso3} for c in COUNTRIES]
    whose = "any country" if admin else f"{country_name(user.country)} ({user.country})"
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Upload returns", className="page-title"),
            html.P(
                [
                    f"You upload returns for {whose}. Each file is checked first; a file without errors is then "
                    "submitted with one click and becomes the new version of its return. Accepted formats: "
                    f"{', '.join(uploads.ALLOWED_EXTENSIONS)}, up to {uploads.max_upload_bytes() / 2**20:g} MB "
                    "per upload. A .csv holds the Activities table only: choose its reporting year below."
                ]
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("1. Download the template", className="h5 card-title"),
                        html.P(
                            "The template lists the measures and starts from what the monitor holds: for a year "
                            "already reported, every activity of its current version (to correct it); otherwise the "
                            "activities of the latest earlier return that were not yet completed or cancelled.",
                            className="small text-muted",
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    dcc.Dropdown(
                                        id=ids.TEMPLATE_COUNTRY,
                                        options=country_options,
                                        value=user.country or "KHM",
                                        clearable=False,
                                    ),
                                    md=4,
                                    style={} if admin else {"display": "none"},
                                ),
                                dbc.Col(
                                    dcc.Dropdown(
                                        id=ids.TEMPLATE_YEAR,
                                        options=year_options,
                                        value=chosen.last_year,
                                        clearable=False,
                                    ),
                                    md=2,
                                ),
                                dbc.Col(
                                    html.A(
                                        "Download the template",
                                        id=ids.TEMPLATE_LINK,
                                        href=downloads.template_href(
                                            chosen.last_year, None if not admin else "KHM", chosen.plan_id
                                        ),
                                        className="btn btn-outline-primary",
                                    ),
                                    md="auto",
                                ),
                            ],
                            className="g-2 align-items-center",
                        ),
                    ]
                ),
                className="mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("2. Upload the filled returns", className="h5 card-title"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label("Country", html_for=ids.UPLOAD_COUNTRY),
                                        dcc.Dropdown(
                                            id=ids.UPLOAD_COUNTRY,
                                            options=country_options,
                                            placeholder="From the file's Cover sheet",
                                        ),
                                    ],
                                    md=4,
                                    style={} if admin else {"display": "none"},
                                ),
                                dbc.Col(
                                    [
                                        dbc.Label("Reporting year", html_for=ids.UPLOAD_YEAR),
                                        dcc.Dropdown(
                                            id=ids.UPLOAD_YEAR,
                                            options=year_options,
                                            placeholder="From the file's Cover sheet",
                                        ),
                                        # The default reads the Cover, which a .csv does not have.
                                        dbc.FormText("A .csv has no Cover sheet: choose its year here."),
                                    ],
                                    md=3,
                                ),
                                dbc.Col(
                                    [
                                        dbc.Label("Received on (backfilling)", html_for=ids.UPLOAD_RECEIVED_ON),
                                        html.Div(
                                            dcc.DatePickerSingle(
                                                id=ids.UPLOAD_RECEIVED_ON,
                                                display_format="YYYY-MM-DD",
                                                placeholder="Today",
                                                clearable=True,
                                            )
                                        ),
                                    ],
                                    md=3,
                                    # Only the Secretariat records a return as received on an earlier date.
                                    style={} if admin else {"display": "none"},
                                ),
                            ],
                            className="g-2 mb-3",
                        ),
                        drop_zone(ids.UPLOAD, "Drop return files here", multiple=True),
                    ]
                ),
                className="mb-3",
            ),
            dcc.Loading(
                # A live region: a screen reader hears each result as it replaces the last (WCAG 4.1.3).
                html.Div(id=ids.UPLOAD_RESULTS, **{"aria-live": "polite"}),
                overlay_style={"visibility": "visible"},
                # Words beside the spinner, read out too: a large return takes a few seconds to check.
                custom_spinner=_working("Checking the returns against the template and the catalogue..."),
                delay_show=300,
            ),
        ]
    )


@callback(
    Output(ids.TEMPLATE_LINK, "href"),
    Input(ids.TEMPLATE_YEAR, "value"),
    Input(ids.TEMPLATE_COUNTRY, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@auth.require_role(*auth.UPLOADERS)
def template_link(year, country, plan_id=None):
    user = auth.check_role(*auth.UPLOADERS)
    return downloads.template_href(year, country if user.role == auth.ADMIN else None, plan_id)


@callback(
    Output(ids.UPLOAD_RESULTS, "children"),
    Input(ids.UPLOAD, "contents"),
    State(ids.UPLOAD, "filename"),
    State(ids.UPLOAD_COUNTRY, "value"),
    State(ids.UPLOAD_YEAR, "value"),
    State(ids.UPLOAD_RECEIVED_ON, "date"),
    prevent_initial_call=True,
)
@auth.require_role(*auth.UPLOADERS)
def check_uploads(contents, file_names, country, year, received_on):
    """Check every dropped file as `aptmon ingest --dry-run` does; record rejected ones at once."""
    user = auth.check_role(*auth.UPLOADERS)
    if not contents:
        raise dash.exceptions.PreventUpdate
    if isinstance(contents, str):
        contents, file_names = [contents], [file_names]
    # Never trust the form for whose return it is: an analyst's uploads are always for their own country.
    country = user.country if user.role == auth.ANALYST else country
    # Any plan's year: the file's Cover says which plan it reports on.
    year = int(year) if year in {y for plan in plans.timeframes() for y in plan.years} else None
    try:
        # A few checks at once per user, so one analyst's parallel uploads cannot hold every worker.
        with throttling.check_slot(user.username):
            return [
                _check_one(user, content, name, country, year, received_on)
                for content, name in zip(contents, file_names, strict=True)
            ]
    except throttling.TooManyChecks as exc:
        busy = [dbc.Alert(str(exc), color="warning", className="mb-0")]
        return [_card(name, "rejected", busy) for name in file_names]


@callback(
    Output({"type": ids.UPLOAD_OUTCOME, "token": MATCH}, "children"),
    Output({"type": ids.UPLOAD_SUBMIT, "token": MATCH}, "disabled"),
    Output({"type": ids.UPLOAD_STATUS, "token": MATCH}, "children"),
    Output({"type": ids.UPLOAD_STATUS, "token": MATCH}, "color"),
    Output({"type": ids.UPLOAD_HELD, "token": MATCH}, "children"),
    Input({"type": ids.UPLOAD_SUBMIT, "token": MATCH}, "n_clicks"),
    State(ids.UPLOAD_RECEIVED_ON, "date"),
    prevent_initial_call=True,
)
@auth.require_role(*auth.UPLOADERS)
def submit_upload(n_clicks, received_on):
    """Load a checked file into the warehouse as the new version of its return, confirming the changes to the
    record its card showed (and no others: a change made meanwhile by another upload holds it again)."""
    user = auth.check_role(*auth.UPLOADERS)
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    untouched = (dash.no_update,) * 3  # the badge's label and colour, and the held file's explanation
    staged = uploads.load_staged(ctx.triggered_id["token"])
    if staged is None or (staged.owner != user.username and user.role != auth.ADMIN):
        alert = dbc.Alert("This file was already submitted or has expired; upload it again.", color="warning")
        return alert, True, *untouched
    auth.check_country(user, staged.country)
    if not uploads.claim(staged):
        return dbc.Alert("This file is already being submitted.", color="warning"), True, *untouched
    try:
        steps = _steps(staged, user, received_on, submit=True, confirm_changes=uploads.shown_changes(staged),
                       held_submission=uploads.held_submission(staged))  # fmt: skip
        result = upload_checks.run(steps)
    except upload_checks.CheckRefused as exc:
        uploads.release(staged)
        return dbc.Alert(str(exc), color="warning"), False, *untouched
    except HeldUploadGone as exc:  # confirmed already (another worker, a replayed request): nothing to do again
        uploads.discard(staged)
        return dbc.Alert(str(exc), color="warning"), True, *untouched
    except warehouse.WarehouseError as exc:
        uploads.release(staged)
        return dbc.Alert(str(exc), color="danger"), False, *untouched
    except Exception:  # a bug must not show a traceback; the file stays staged so it can be submitted again
        log.exception("Submitting %s failed", staged.original_name)
        uploads.release(staged)
        alert = internal_error_alert("The file could not be processed", INTERNAL_ERROR_ADVICE)
        return alert, False, *untouched
    if result.status not in ("rejected", "held"):
        uploads.discard(staged)
    # Once loaded (or found made already), what it was held for is done: the outcome says what happened instead.
    held_part = [] if result.status in ("accepted", "unchanged") else dash.no_update
    # The badge takes the colour of what became of the file: a held file confirmed is no longer held.
    colour = STATUS_COLOURS.get(result.status, "secondary")
    return _outcome(result), True, _submitted_label(result), colour, held_part


def _check_one(user, content: str, file_name: str, country: str | None, year: int | None, received_on) -> dbc.Card:
    if not throttling.upload_allowed(user.username):
        message = (
            f"{file_name}: you reached the limit of {throttling.uploads_per_hour()} uploads an hour; "
            "upload it again later, or ask the administrator."
        )
        return _card(file_name, "rejected", message_body(message, "warning"))
    try:
        staged = uploads.stage(uploads.decode_upload(content, file_name), file_name, user.username, country, year)
    except uploads.UploadRefused as exc:
        return _card(file_name, "rejected", message_body(str(exc)))
    if pickers := _pickers_a_csv_needs(staged, country, year):
        # Checked, it could only be rejected for not saying them: the pickers' default is a Cover sheet it lacks.
        uploads.discard(staged)
        message = (
            f"{file_name}: a .csv has no Cover sheet, so it cannot say its {pickers.lower()}. Choose its {pickers} "
            'above (left at "From the file\'s Cover sheet"), then upload the file again.'
        )
        return _card(file_name, "rejected", message_body(message, "warning"))
    try:
        # In a bounded child process (dashboard/upload_checks.py): checked, then a rejected return recorded with its
        # feedback workbook, an unchanged one logged, a held one recorded; Submit confirms exactly the changes shown.
        result = upload_checks.run(_steps(staged, user, received_on))
        if result.status == "unchanged":
            uploads.discard(staged)
        elif result.status == "held":
            uploads.remember_shown_changes(staged, change_keys(result.issues))
            uploads.remember_held(staged, result.submission_id)  # its Submit confirms this very log row
    except upload_checks.CheckRefused as exc:
        uploads.discard(staged)
        return _card(file_name, "rejected", message_body(str(exc)))
    except warehouse.WarehouseError as exc:
        return _card(file_name, "rejected", message_body(str(exc)))
    except Exception:  # a bug must not show a traceback to the analyst; the log keeps it
        log.exception("Checking %s failed", file_name)
        alert = internal_error_alert("The file could not be processed", INTERNAL_ERROR_ADVICE, className="mb-0")
        return _card(file_name, "rejected", [alert])
    if user.role == auth.ANALYST and result.country not in (None, user.country):
        return _card(file_name, "rejected", [dbc.Alert("You can only upload your own country's returns.")])
    return _card(file_name, result.status, _body(result, staged), result, staged.token)


def _pickers_a_csv_needs(staged: uploads.StagedUpload, country: str | None, year: int | None) -> str | None:
    """The pickers above the drop zone a .csv upload needs set ("Reporting year", "Country and Reporting year"), or
    None: a .csv holds the Activities table alone, with no Cover sheet to say them."""
    if staged.extension != ".csv":
        return None
    unset = [label for label, given in (("Country", country), ("Reporting year", year)) if given is None]
    return " and ".join(unset) or None


def _steps(staged: uploads.StagedUpload, user, received_on, submit=False, confirm_changes=False, held_submission=None):
    """What the bounded child runs for this staged file: its check, or its Submit."""
    backfill = None
    if user.role == auth.ADMIN and received_on:
        backfill = date.fromisoformat(str(received_on)[:10])
    return upload_checks.Steps(
        path=str(staged.path),
        warehouse_file=str(connection.warehouse_file()),
        original_name=staged.original_name,
        submitted_by=user.username,
        country=staged.country,
        year=staged.year,
        received_on=backfill,
        report_dir=str(staged.report_dir),
        submit=submit,
        confirm_changes=confirm_changes,
        held_submission=held_submission,
    )


def _card(file_name: str, status: str, body: list, result=None, token: str | None = None) -> dbc.Card:
    label = {
        "accepted": "ready to submit",
        "unchanged": "identical to the current version",
        "held": "changes to the record: confirm them to submit",
    }.get(status, status)
    if result is not None and not result.dry_run and status == "rejected":
        label = "rejected"
    scope = f" {result.country or '?'} {result.year or '?'}" if result is not None else ""
    badge = {"id": {"type": ids.UPLOAD_STATUS, "token": token}} if token else {}
    return result_card(file_name, status, label, body, "upload", scope=scope, badge=badge)


def _body(result, staged: uploads.StagedUpload) -> list:
    parts: list = []
    found = f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}."
    summary = found if result.status == "rejected" else f"{plural(result.activities, 'activity')}, {found}"
    parts.append(html.P(summary, className="mb-2"))
    if result.status == "rejected":
        parts.append(
            html.P(
                "Nothing of this file reached the monitor. Fix the problems listed below (the marked workbook "
                "shows each cell) and upload the file again.",
                className="mb-2",
            )
        )
        if staged.report_file() is not None:
            parts.append(
                html.A(
                    "Download the workbook with the problems marked",
                    href=downloads.feedback_href(staged.token),
                    className="btn btn-outline-danger btn-sm mb-2 feedback-download",
                )
            )
    elif result.status == "unchanged":
        parts.append(
            html.P(
                f"It is the same as version {result.version}, already in the monitor: recorded, nothing changed.",
                className="mb-2",
            )
        )
    else:
        parts.append(html.P(_changes_text(result), className="mb-2"))
        changes = [issue for issue in result.issues if issue.change is not None]
        button = f"Submit as version {result.version}"
        held: list = []
        if result.status == "held":
            held = [
                html.P(
                    "This version would undo part of the country's record, so nothing is loaded until you confirm "
                    "the changes below. Check each one: correct the file and upload it again, or submit it as it is "
                    "if the changes are right.",
                    className="mb-2 held-explanation",
                ),
                _changes_table(changes, staged.token),
            ]
            button = f"Submit version {result.version}: {regressions.summary(changes)}"
        # On every card with a Submit button (the callback's outputs all exist): submit_upload empties it once done.
        parts.append(html.Div(held, id={"type": ids.UPLOAD_HELD, "token": staged.token}))
        parts.append(
            dbc.Button(
                button,
                id={"type": ids.UPLOAD_SUBMIT, "token": staged.token},
                color="warning" if result.status == "held" else "primary",
                className="mb-2 upload-submit",
            )
        )
        parts.append(
            dcc.Loading(
                html.Div(id={"type": ids.UPLOAD_OUTCOME, "token": staged.token}),
                custom_spinner=_working("Loading the return into the warehouse..."),
                delay_show=300,
            )
        )
    others = [issue.to_dict() for issue in result.issues if issue.change is None]
    if others:
        parts.append(issues_table(f"upload-issues-{staged.token}", others))
    return parts


def _changes_table(changes: list, token: str):
    """The changes to the record a held return would make, one row each, above the button that confirms them."""
    rows = pd.DataFrame(
        [
            {
                "activity_id": c.change.activity_id,
                "old": c.change.old,
                "new": c.change.new or "(not listed)",
                "message": c.message,
            }
            for c in changes
        ],  # fmt: skip
        columns=[key for _, key in CHANGE_COLUMNS],
    )
    listing = f"{ids.UPLOAD_CHANGES_TABLE}-{token}"
    columns = [key for _, key in CHANGE_COLUMNS]
    return data_grid(
        listing, CHANGE_COLUMNS, records(rows, columns), 15, options={"message": {"flex": 3}}, csv_name="changes"
    )


def _submitted_label(result) -> str:
    """The card's badge once Submit has run: what became of the file."""
    if result.status == "accepted":
        return f"submitted as version {result.version}"
    if result.status == "unchanged":
        return f"identical to version {result.version}"
    if result.status == "held":
        return "held: the record changed meanwhile, check again"
    return "rejected"


def _outcome(result) -> dbc.Alert:
    if result.status == "accepted":
        confirmed = [issue for issue in result.issues if issue.change is not None]
        # A held file's explanation and table are gone once it is in (submit_upload): this says what was confirmed.
        confirming = f", confirming its changes to the record ({regressions.summary(confirmed)})" if confirmed else ""
        text = (
            f"Submitted: {result.country} {result.year} is now version {result.version}{confirming}. "
            f"{_changes_text(result)}"
        )
        return dbc.Alert(text, color="success", className="upload-outcome mb-0")
    if result.status == "unchanged":
        text = f"Identical to version {result.version} already in the monitor: recorded, nothing changed."
        return dbc.Alert(text, color="secondary", className="upload-outcome mb-0")
    if result.status == "held":
        text = (
            "Not loaded: since this file was checked, the record changed in ways not shown above "
            f"({regressions.summary([i for i in result.issues if i.change is not None])}). Upload it again to see them."
        )
        return dbc.Alert(text, color="warning", className="upload-outcome mb-0")
    return dbc.Alert(
        f"Rejected with {plural(result.errors, 'error')}; nothing was loaded.",
        color="danger",
        className="upload-outcome mb-0",
    )


def _changes_text(result) -> str:
    changes = result.changes or {}
    previous = changes.get("previous_version")
    if not previous:
        return f"The first version of this return: {plural(result.activities, 'activity')}."
    added, removed, moved = changes.get("added", []), changes.get("removed", []), changes.get("status_changed", [])
    details = [f"{len(added):,} added", f"{len(removed):,} removed", f"{len(moved):,} changed status"]
    text = f"Against version {previous}: {', '.join(details)}."
    if moved:
        text += " " + "; ".join(f"{m['activity_id']}: {m['from']} to {m['to']}" for m in moved[:10])
        text += " ..." if len(moved) > 10 else ""
    return text


def _working(message: str) -> html.Div:
    """What a slow action shows while it runs: a spinner and a sentence, announced to a screen reader."""
    return html.Div(
        [dbc.Spinner(size="sm", spinner_class_name="me-2"), message],
        role="status",
        **{"aria-live": "polite"},
        className="working-message",
    )
