"""Plans page: every work plan with its timeframe, counts and crosswalks, the measures a plan carried over from its
predecessor, and (admins) adding a plan from its text and loading a crosswalk."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import downloads, ids, uploads
from dashboard.components import continuity, filters, plan_picker
from dashboard.components.drop_zone import drop_zone
from dashboard.components.issues_table import issues_table
from dashboard.components.tables import data_grid, grid_id, records
from dashboard.components.upload_result import internal_error_alert, message_body, result_card
from dashboard.data import connection, loaded, plans
from dashboard.security import auth
from etl import warehouse
from etl.errors import AptmonError
from etl.wording import plural

dash.register_page(__name__, path="/plans", name="Plans", title="Plans - APT Work Plan Monitor", order=8)

log = logging.getLogger(__name__)

PLAN_COLUMNS = [
    ("Plan", "plan_id"),
    ("Title", "title"),
    ("Years", "years"),
    ("Pillars", "pillars"),
    ("Sections", "sections"),
    ("Measures", "measures"),
    ("Sub-items", "sub_items"),
    ("Returns", "returns"),
]
CROSSWALK_COLUMNS = [
    ("From plan", "from_plan_id"),
    ("To plan", "to_plan_id"),
    ("Version", "version"),
    ("In use", "in_use"),
    ("Links", "links"),
    ("File", "source_file"),
    ("Loaded by", "loaded_by"),
    ("Loaded (UTC)", "loaded_at"),
]
# A plan's text is a few hundred kilobytes at most; anything much larger is not one.
MAX_TEXT_BYTES = 2 * 1024 * 1024


@connection.reads_warehouse
def layout(year=None, plan=None, **_query):
    chosen = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen.plan_id)
    year = filters.pick_year(year, state["latest_year"], chosen.years)
    admin = auth.may_see_page({"roles": (auth.ADMIN,)})
    return html.Div(
        [
            plan_picker.page_plan(chosen.plan_id),
            html.H1("Work plans", className="page-title"),
            html.P(
                "APT cooperation runs in successive work plans. Each plan has its own years, measures, returns and "
                "progress; the plan picker at the top chooses the one every page shows. A crosswalk says which "
                "measures of a later plan continue which measures of an earlier one.",
                className="lead-text",
            ),
            html.Div(_plans_table(), id=ids.PLANS_TABLE + "-section"),
            html.H2("Crosswalks", className="h4 mt-3"),
            html.Div(_crosswalks_table(), id=ids.PLANS_CROSSWALKS_TABLE + "-section"),
            html.H2(f"Carried over into {plans.plan_name(chosen)}", className="h4 mt-3"),
            html.P(
                "The measures of the plan before it that were not delivered by its end (all 13 countries together), "
                "and what became of each: continued by a measure of this plan and delivered, continued and not yet "
                "delivered, or not continued.",
                className="text-muted small",
            ),
            filters.filter_bar(filters.year_filter(year, chosen.years)),
            html.Div(id=ids.CARRIED_OVER_NOTE),
            data_grid(
                ids.CARRIED_OVER_TABLE,
                continuity.CARRIED_OVER_COLUMNS,
                options={"text": {"minWidth": 380, "flex": 4}},
                csv_name="carried-over",
            ),
            _admin_forms() if admin else None,
        ]
    )


def _plans_table() -> html.Div:
    summary = plans.summary().sort_values("start_year", ascending=False)
    shown = summary.assign(
        years=[f"{r.start_year}-{r.end_year}" for r in summary.itertuples()],
        title=[f"{r.title} (example, not an official text)" if r.is_example else r.title for r in summary.itertuples()],
    )
    columns = [c for _, c in PLAN_COLUMNS]
    options = {
        "plan_id": {"cellRenderer": "PageLink", "cellRendererParams": {"prefix": "/?plan="}, "minWidth": 170},
        "title": {"minWidth": 360, "flex": 3},
    }
    return data_grid(ids.PLANS_TABLE, PLAN_COLUMNS, records(shown, columns), 10, options=options, csv_name="plans")


def _crosswalks_table() -> html.Div:
    loads = plans.crosswalks()
    if loads.empty:
        return html.P(
            "No crosswalk is loaded yet: without one, no measure is linked to a measure of another plan.",
            className="text-muted",
        )
    shown = loads.assign(
        in_use=loads.is_current.map({True: "yes", False: "no, a later version is"}),
        loaded_at=loads.loaded_at.dt.strftime("%Y-%m-%d %H:%M"),
    )
    return data_grid(
        ids.PLANS_CROSSWALKS_TABLE,
        CROSSWALK_COLUMNS,
        records(shown, [c for _, c in CROSSWALK_COLUMNS]),
        10,
        csv_name="crosswalks",
    )


@callback(
    Output(grid_id(ids.CARRIED_OVER_TABLE), "rowData"),
    Output(ids.CARRIED_OVER_NOTE, "children"),
    Input(ids.YEAR, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@connection.reads_warehouse
def update_carried_over(year: str, plan_id: str | None = None):
    """The predecessor's undelivered measures and what became of them in the plan, as of a year."""
    chosen = plans.timeframe(plan_id)
    rows = plans.carried_over(chosen.plan_id, int(year))
    if rows.empty:
        note = html.P(
            f"Nothing carried over: no crosswalk links {plans.plan_name(chosen)} to an earlier plan, or every "
            "measure of that plan was delivered.",
            className="text-muted",
        )
        return [], note
    predecessors = ", ".join(sorted(set(rows.predecessor_plan_id)))
    note = html.Div(
        [
            html.P(
                f"{plural(len(rows), 'measure')} of {predecessors} not delivered by its end, as of {year}:",
                className="mb-1",
            ),
            continuity.outcome_counts(rows),
        ]
    )
    return continuity.carried_over_rows(rows, chosen.plan_id), note


def _admin_forms() -> html.Div:
    """Adding a plan from its text, as `aptmon plan add` does (admins only)."""
    return html.Div(
        [
            html.H2("Add a plan", className="h4 mt-4"),
            html.P(
                [
                    "The plan's text as plain UTF-8 (.txt), in the numbered style: pillars in Roman numerals, "
                    "sections 2.1, measures 2.1.6, lettered sub-items. It is checked as ",
                    html.Code("aptmon plan add"),
                    " checks it: a text with no measures or a repeated measure id, an id already used, or years "
                    "reversed or outside 2000-2100 is refused and nothing changes.",
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Plan id", html_for=ids.PLAN_ADD_ID),
                            dbc.Input(id=ids.PLAN_ADD_ID, placeholder="e.g. apt-2018-2022", size="sm"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Years (first-last)", html_for=ids.PLAN_ADD_YEARS),
                            dbc.Input(id=ids.PLAN_ADD_YEARS, placeholder="e.g. 2018-2022", size="sm"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Title (blank: the text's first line)", html_for=ids.PLAN_ADD_TITLE),
                            dbc.Input(id=ids.PLAN_ADD_TITLE, size="sm"),
                        ],
                        md=6,
                    ),
                ],
                className="g-2 mb-2",
            ),
            dcc.Upload(
                id=ids.PLAN_ADD_UPLOAD,
                # As the other drop zones (components/drop_zone.py): the zone itself is the control.
                children=html.Div(["Drop the plan's text here, or ", html.Span("choose a file", className="choose")]),
                accept=".txt,text/plain",
                max_size=MAX_TEXT_BYTES,
                className="upload-drop mb-2",
            ),
            html.Div(id=ids.PLAN_ADD_UPLOAD + "-chosen", className="small mb-2"),
            dbc.Button("Add the plan", id=ids.PLAN_ADD_BUTTON, color="primary", size="sm", n_clicks=0),
            dcc.Loading(html.Div(id=ids.PLAN_ADD_RESULT, className="mt-2"), type="default"),
            _crosswalk_form(),
        ],
        id="plan-admin",
    )


def _crosswalk_form() -> html.Div:
    """Downloading the crosswalk workbook between two plans and loading it filled in, as `aptmon plan crosswalk
    template` and `load` do (admins only)."""
    listed = sorted(plans.timeframes(), key=lambda plan: plan.first_year)
    options = [{"label": plan_picker.option_label(plan), "value": plan.plan_id} for plan in listed]
    earlier = listed[-2].plan_id if len(listed) > 1 else listed[0].plan_id
    later = listed[-1].plan_id
    return html.Div(
        [
            html.H2("Load a crosswalk", className="h4 mt-4"),
            html.P(
                [
                    "1. Choose the two plans and download their crosswalk workbook: one row per measure of the later "
                    "plan, with the earlier plan's measures its text resembles most, the closest filled in. 2. Confirm "
                    "or correct each answer (the earlier measure ids it continues, blank for none). 3. Upload it: it "
                    "is checked as ",
                    html.Code("aptmon plan crosswalk load"),
                    " checks it; a file with any error changes nothing, and every version loaded is kept.",
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("From the earlier plan", html_for=ids.CROSSWALK_FROM),
                            dbc.Select(id=ids.CROSSWALK_FROM, options=options, value=earlier, size="sm"),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("To the later plan", html_for=ids.CROSSWALK_TO),
                            dbc.Select(id=ids.CROSSWALK_TO, options=options, value=later, size="sm"),
                        ],
                        md=5,
                    ),
                ],
                className="g-2 mb-2",
            ),
            html.A(
                "Download the crosswalk workbook",
                id=ids.CROSSWALK_TEMPLATE_LINK,
                href=downloads.crosswalk_href(earlier, later),
                className="btn btn-outline-primary btn-sm mb-2",
            ),
            dbc.Checkbox(id=ids.CROSSWALK_DRY_RUN, label="Check only (change nothing)", value=False, className="mb-2"),
            drop_zone(ids.CROSSWALK_UPLOAD, "Drop the filled crosswalk workbook here", multiple=False),
            dcc.Loading(html.Div(id=ids.CROSSWALK_RESULT, className="mt-2"), type="default"),
        ]
    )


@callback(
    Output(ids.CROSSWALK_TEMPLATE_LINK, "href"),
    Input(ids.CROSSWALK_FROM, "value"),
    Input(ids.CROSSWALK_TO, "value"),
    prevent_initial_call=True,
)
def crosswalk_link(from_plan: str | None, to_plan: str | None):
    """Point the workbook's link at the two plans chosen (the route checks them and the role)."""
    return downloads.crosswalk_href(from_plan or "", to_plan or "")


@callback(
    Output(ids.CROSSWALK_RESULT, "children"),
    Output(ids.PLANS_CROSSWALKS_TABLE + "-section", "children"),
    Input(ids.CROSSWALK_UPLOAD, "contents"),
    State(ids.CROSSWALK_UPLOAD, "filename"),
    State(ids.CROSSWALK_DRY_RUN, "value"),
    prevent_initial_call=True,
)
@auth.require_role(auth.ADMIN)
def load_crosswalk(contents, file_name, dry_run):
    """Check the uploaded crosswalk workbook as `aptmon plan crosswalk load` does, and load it unless asked not to."""
    from etl.crosswalk.load import load_crosswalk_file

    user = auth.check_role(auth.ADMIN)
    if not contents:
        raise dash.exceptions.PreventUpdate
    try:
        content = uploads.decode_upload(contents, file_name)
        staged = uploads.stage(content, file_name, user.username, document="crosswalk workbook")
    except uploads.UploadRefused as exc:
        return _crosswalk_card(file_name, "rejected", message_body(str(exc))), dash.no_update
    try:
        result = load_crosswalk_file(
            staged.path,
            warehouse_file=connection.warehouse_file(),
            dry_run=bool(dry_run),
            loaded_by=user.username,
            report_dir=staged.report_dir,
            original_name=staged.original_name,
        )
    except (AptmonError, warehouse.WarehouseError) as exc:
        return _crosswalk_card(file_name, "rejected", message_body(str(exc))), dash.no_update
    except Exception:  # a bug must not show a traceback; the log keeps it
        log.exception("Loading the crosswalk %s failed", file_name)
        alert = internal_error_alert("The file could not be processed", className="mb-0")
        return _crosswalk_card(file_name, "rejected", [alert]), dash.no_update
    pair = f" from {result.from_plan} to {result.to_plan}" if result.from_plan and result.to_plan else ""
    counts = (
        f"{plural(result.measures, 'measure')} listed, {plural(result.links, 'link')}, "
        f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}."
    )
    if result.status == "rejected":
        body = [html.P(f"Crosswalk{pair}: {counts} Nothing was changed; fix the errors and upload it again.")]
        if result.report_path:
            body.append(
                html.P(
                    html.A(
                        "Download your workbook with the problem cells marked",
                        href=downloads.feedback_href(staged.token),
                        className="fw-semibold crosswalk-feedback",
                    )
                )
            )
    else:
        done = "would become" if result.dry_run else "is now"
        body = [html.P(f"Crosswalk{pair} {done} version {result.version}: {counts}")]
        uploads.discard(staged)
    if result.issues:
        body.append(issues_table("crosswalk-issues", [issue.to_dict() for issue in result.issues]))
    table = dash.no_update if result.dry_run or result.status == "rejected" else _crosswalks_table()
    return _crosswalk_card(result.file, result.status, body, result.dry_run), table


def _crosswalk_card(file_name: str, status: str, body: list, dry_run: bool = False) -> dbc.Card:
    label = {"accepted": "checked: no errors" if dry_run else "loaded"}.get(status, status)
    return result_card(file_name, status, label, body, "crosswalk")


@callback(
    Output(ids.PLAN_ADD_UPLOAD + "-chosen", "children"),
    Input(ids.PLAN_ADD_UPLOAD, "filename"),
    prevent_initial_call=True,
)
def show_chosen_text(file_name: str | None):
    """Say which text will be added, before the button is pressed."""
    return f"Chosen: {file_name}" if file_name else None


@callback(
    Output(ids.PLAN_ADD_RESULT, "children"),
    Output(ids.PLANS_TABLE + "-section", "children"),
    Input(ids.PLAN_ADD_BUTTON, "n_clicks"),
    State(ids.PLAN_ADD_UPLOAD, "contents"),
    State(ids.PLAN_ADD_UPLOAD, "filename"),
    State(ids.PLAN_ADD_ID, "value"),
    State(ids.PLAN_ADD_YEARS, "value"),
    State(ids.PLAN_ADD_TITLE, "value"),
    prevent_initial_call=True,
)
@auth.require_role(auth.ADMIN)
def add_plan(n_clicks, contents, file_name, plan_id, years, title):
    """Add the uploaded text as a new plan with `aptmon plan add`'s checks and messages."""
    from etl.warehouse.plan_loading import add_plan as add_plan_from_text
    from etl.warehouse.plan_loading import parse_years

    if not contents:
        return _refused("Choose the plan's text file first."), dash.no_update
    name = Path(file_name or "plan.txt").name
    try:
        data = uploads.decode_upload(contents, name)
        if len(data) > MAX_TEXT_BYTES:
            raise uploads.UploadRefused(f"{name}: a plan's text is at most 2 MB; this is not one.")
        first_last = parse_years(years or "")
        with tempfile.TemporaryDirectory(prefix="aptmon-plan-") as folder:
            # Under its own name, so a refusal names the file the admin chose (never a server path).
            text_file = Path(folder) / name
            text_file.write_bytes(data)
            result = add_plan_from_text(
                connection.warehouse_file(), text_file, (plan_id or "").strip(), first_last, title
            )
    except (AptmonError, uploads.UploadRefused, warehouse.WarehouseError) as exc:
        return _refused(str(exc)), dash.no_update
    except Exception:  # a bug must not show a traceback; the log keeps it
        log.exception("Adding the plan from %s failed", name)
        return internal_error_alert("The plan could not be added", className="mb-0"), dash.no_update
    added = (
        f"Added plan {result['plan_id']} ({result['start_year']}-{result['end_year']}), {result['title']}: "
        f"{plural(result['pillars'], 'pillar')}, {plural(result['sections'], 'section')}, "
        f"{plural(result['measures'], 'measure')}, {plural(result['sub_items'], 'sub-item')}. "
    )
    # A full load, so the plan picker lists the new plan.
    link = dcc.Link("Open it", href=f"/?plan={quote(result['plan_id'])}", refresh=True, className="fw-semibold")
    return dbc.Alert([added, link], color="success", className="mb-0 plan-add-outcome"), _plans_table()


def _refused(message: str) -> dbc.Alert:
    return dbc.Alert(
        [html.Strong("Not added: "), message, " Nothing was changed."],
        color="danger",
        className="mb-0 plan-add-outcome",
    )
