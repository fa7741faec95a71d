"""Since the last review (Work Plan item 6.5): what changed in the warehouse between two dates."""

from __future__ import annotations

import logging
from datetime import date

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard import ids
from dashboard.components import filters, plan_picker
from dashboard.components.cards import stat_card
from dashboard.components.empty import no_returns_alert
from dashboard.components.tables import data_grid, grid_id, link_column, records
from dashboard.components.upload_result import internal_error_alert
from dashboard.data import connection, loaded, plans, review
from dashboard.security import auth
from etl import warehouse
from etl.wording import plural

dash.register_page(
    __name__, path="/review", name="Review", title="Since the last review - APT Work Plan Monitor", order=5
)

log = logging.getLogger(__name__)

# The classes of the alert under the meeting form, whatever it says.
ALERT_CLASSES = "py-2 mb-0 review-meeting-alert"

RETURN_COLUMNS = [
    ("Country", "country_name"),
    ("Return for", "reporting_year"),
    ("Received", "received_on"),
    ("Version", "version"),
    ("First arrival", "arrival"),
    ("On time", "timeliness"),
    ("File", "file_name"),
]
ACTIVITY_COLUMNS = [
    ("Change", "change"),
    ("Country", "country_name"),
    ("Activity", "activity_id"),
    ("Title", "title"),
    ("Status then", "status_before"),
    ("Status now", "status_now"),
    ("Latest return", "reporting_year"),
    ("File", "file_name"),
]
MEASURE_COLUMNS = [("Change", "change"), ("Measure", "measure_id"), ("Section", "section_id"), ("Text", "text")]


def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def _date_filter(component_id: dict, label: str, value: date | None) -> dbc.Col:
    control = dcc.Input(
        id=component_id,
        type="date",
        value=value.isoformat() if value else None,
        className="form-control form-control-sm",
    )
    text = dbc.Label(label, html_for=filters.dom_id(control.id), className="filter-label mb-1")
    return dbc.Col([text, control], xs=6, md=3, lg=2, className="mb-2")


@connection.reads_warehouse
def layout(plan=None, **query):
    chosen_plan = plans.timeframe(plan)
    state = loaded.data_state(plan_id=chosen_plan.plan_id)
    defaults = review.review_default_dates(plan_id=chosen_plan.plan_id)
    chosen_from, chosen_to = _date(query.get("from")), _date(query.get("to"))
    if defaults and not (chosen_from and chosen_to):
        chosen_from, chosen_to = chosen_from or defaults[0], chosen_to or defaults[1]
    meetings = review.review_meetings(plan_id=chosen_plan.plan_id)
    return html.Div(
        [
            plan_picker.page_plan(chosen_plan.plan_id),
            html.H1("Since the last review", className="page-title"),
            html.P(
                "What changed between two dates, for the CPR Plus Three's regular review of the plan: returns "
                "received, activities added or completed, statuses that went back, and measures newly delivered "
                "or newly overdue. A date takes in every upload received on or before it. The dates start at the "
                "last two review meetings recorded, else at the last two days returns arrived; admins record the "
                "meetings on this page (or with aptmon reviews add).",
                className="lead-text",
            ),
            filters.filter_bar(
                _date_filter(ids.REVIEW_FROM, "From (the earlier review)", chosen_from),
                _date_filter(ids.REVIEW_TO, "To (this review)", chosen_to),
            ),
            html.Div(_meeting_list(meetings), id=ids.REVIEW_MEETINGS, className="mb-2 small"),
            _meeting_form(meetings) if _is_admin() else None,
            no_returns_alert() if not state["has_returns"] else None,
            html.P(id=ids.REVIEW_NOTE, className="text-muted small"),
            html.Div(id=ids.REVIEW_CARDS, className="row g-2 mb-3"),
            html.H2("Returns received", className="h4"),
            data_grid(ids.REVIEW_RETURNS_TABLE, RETURN_COLUMNS, page_size=10, csv_name="returns-received"),
            html.H2("Activities added, completed or gone back", className="h4 mt-3"),
            data_grid(
                ids.REVIEW_ACTIVITIES_TABLE,
                ACTIVITY_COLUMNS,
                page_size=10,
                options={"title": {"minWidth": 260, "flex": 3}},
                csv_name="activity-changes",
            ),
            html.H2("Measures newly delivered or newly overdue (all 13 countries)", className="h4 mt-3"),
            data_grid(
                ids.REVIEW_MEASURES_TABLE,
                MEASURE_COLUMNS,
                page_size=10,
                options={"measure_id": link_column("/measure/"), "text": {"minWidth": 380, "flex": 4}},
                csv_name="measure-changes",
            ),
        ]
    )


def _meeting_list(meetings: pd.DataFrame):
    if meetings.empty:
        return "No review meeting recorded yet."
    links = []
    days = [pd.Timestamp(d).date() for d in meetings.meeting_on]
    for index, (day, title) in enumerate(zip(days, meetings.title, strict=True)):
        before = days[index + 1] if index + 1 < len(days) else None
        label = f"{title} ({day:%d %b %Y})"
        links.append(dcc.Link(label, href=f"/review?from={before}&to={day}") if before else html.Span(label))
    return ["Recorded reviews: ", *[part for link in links for part in (link, " · ")][:-1]]


def _is_admin() -> bool:
    user = auth.signed_in_user()
    return user is not None and user.role == auth.ADMIN


def _meeting_choices(meetings: pd.DataFrame) -> list[dict]:
    return [
        {"label": f"{pd.Timestamp(day):%d %b %Y}: {title}", "value": pd.Timestamp(day).date().isoformat()}
        for day, title in zip(meetings.meeting_on, meetings.title, strict=True)
    ]


def _meeting_form(meetings: pd.DataFrame) -> dbc.Card:
    """Admins record a review meeting here as `aptmon reviews add` does, or remove one recorded by mistake."""
    record = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Meeting held on", html_for=ids.REVIEW_MEETING_DATE, className="filter-label mb-1"),
                    dcc.Input(
                        id=ids.REVIEW_MEETING_DATE, type="date", max=date.today().isoformat(),
                        className="form-control form-control-sm",
                    ),
                ],
                xs=6, md=3, lg=2,
            ),
            dbc.Col(
                [
                    dbc.Label("Title", html_for=ids.REVIEW_MEETING_TITLE, className="filter-label mb-1"),
                    dcc.Input(
                        id=ids.REVIEW_MEETING_TITLE, type="text", maxLength=200,
                        placeholder="e.g. CPR Plus Three, June 2017 (blank: from its date)",
                        className="form-control form-control-sm",
                    ),
                ],
                xs=6, md=5, lg=4,
            ),
            dbc.Col(dbc.Button("Record", id=ids.REVIEW_MEETING_RECORD, size="sm", color="primary"), xs="auto"),
            dbc.Col(
                [
                    dbc.Label("Remove a recorded meeting", html_for=ids.REVIEW_MEETING_CHOICE,
                              className="filter-label mb-1"),
                    dbc.Select(id=ids.REVIEW_MEETING_CHOICE, options=_meeting_choices(meetings),
                               placeholder="Choose a meeting", size="sm"),
                ],
                xs=6, md=4, lg=3, className="ms-lg-auto",
            ),
            dbc.Col(
                dbc.Button("Remove", id=ids.REVIEW_MEETING_REMOVE, size="sm", color="outline-danger"), xs="auto"
            ),
        ],
        className="g-2 align-items-end",
    )  # fmt: skip
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Record a review meeting (admins)", className="h6 mb-2"),
                record,
                # Read out as it appears; an error marks the date field invalid, described by it (30-form-errors.js).
                html.Div(
                    id=ids.REVIEW_MEETING_RESULT,
                    className="mt-2",
                    **{"aria-live": "polite", "data-error-for": ids.REVIEW_MEETING_DATE},
                ),
                # Removing cannot be undone: the browser asks first, naming the meeting (see ask_before_removing).
                dcc.ConfirmDialog(id=ids.REVIEW_MEETING_CONFIRM_REMOVE),
            ]
        ),
        id=ids.REVIEW_MEETING_FORM,
        className="mb-3",
    )


@callback(
    Output(ids.REVIEW_MEETING_RESULT, "children"),
    Output(ids.REVIEW_MEETINGS, "children"),
    Output(ids.REVIEW_MEETING_CHOICE, "options"),
    Output(ids.REVIEW_MEETING_CHOICE, "value"),
    Output(ids.REVIEW_FROM, "value"),
    Output(ids.REVIEW_TO, "value"),
    Input(ids.REVIEW_MEETING_RECORD, "n_clicks"),
    Input(ids.REVIEW_MEETING_CONFIRM_REMOVE, "submit_n_clicks"),
    State(ids.REVIEW_MEETING_DATE, "value"),
    State(ids.REVIEW_MEETING_TITLE, "value"),
    State(ids.REVIEW_MEETING_CHOICE, "value"),
    State(ids.PAGE_PLAN, "data"),
    prevent_initial_call=True,
)
@auth.require_role(auth.ADMIN)
def change_meetings(
    record_clicks,
    remove_clicks,
    meeting_on: str | None,
    title: str | None,
    chosen: str | None,
    plan_id: str | None = None,
):
    """Record or remove a review meeting with the checks and messages of `aptmon reviews add` and `remove`;
    the list, the choices and the two dates then follow the meetings now recorded."""
    from etl.reviews import ReviewError, add_meeting, remove_meeting

    user = auth.check_role(auth.ADMIN)
    removing = ctx.triggered_id == ids.REVIEW_MEETING_CONFIRM_REMOVE
    if not (remove_clicks if removing else record_clicks):
        raise dash.exceptions.PreventUpdate
    day = _date(chosen if removing else meeting_on)
    if day is None:
        what = "Choose the meeting to remove." if removing else "Give the meeting's date (YYYY-MM-DD)."
        return _alert(what, "warning"), *_unchanged()
    try:
        if removing:
            remove_meeting(day, connection.warehouse_file())
            message = f"Removed the meeting of {day:%Y-%m-%d}."
        else:
            with connection.reading():
                plan_id = plans.resolve(plan_id)
            meeting = add_meeting(day, title or "", user.username, connection.warehouse_file(), plan_id=plan_id)
            message = f"Recorded {meeting.title} on {meeting.meeting_on:%Y-%m-%d}."
    except (ReviewError, warehouse.WarehouseError) as exc:
        return _alert(str(exc), "danger"), *_unchanged()
    except Exception:  # a bug must not show a traceback; the log keeps it
        log.exception("Changing the review meeting of %s failed", day)
        alert = internal_error_alert("The meeting could not be changed", className=ALERT_CLASSES)
        return alert, *_unchanged()
    # The write moved the data version, so these read the meetings as they now are.
    with connection.reading():
        meetings = review.review_meetings(plan_id=plans.resolve(plan_id))
        defaults = review.review_default_dates(plan_id=plans.resolve(plan_id))
    dates = [d.isoformat() for d in defaults] if defaults else [dash.no_update, dash.no_update]
    return _alert(message, "success"), _meeting_list(meetings), _meeting_choices(meetings), "", *dates


@callback(
    Output(ids.REVIEW_MEETING_CONFIRM_REMOVE, "displayed"),
    Output(ids.REVIEW_MEETING_CONFIRM_REMOVE, "message"),
    Output(ids.REVIEW_MEETING_RESULT, "children", allow_duplicate=True),
    Input(ids.REVIEW_MEETING_REMOVE, "n_clicks"),
    State(ids.REVIEW_MEETING_CHOICE, "value"),
    State(ids.REVIEW_MEETING_CHOICE, "options"),
    prevent_initial_call=True,
)
@auth.require_role(auth.ADMIN)
def ask_before_removing(n_clicks, chosen: str | None, options: list | None):
    """Remove asks first, naming the meeting; only an OK removes it (change_meetings)."""
    auth.check_role(auth.ADMIN)
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    day = _date(chosen)
    if day is None:
        return False, dash.no_update, _alert("Choose the meeting to remove.", "warning")
    label = next((o.get("label") for o in options or [] if o.get("value") == chosen), f"{day:%d %b %Y}")
    message = (
        f'Remove the review meeting "{label}"? The Review page will no longer compare against it. '
        "This cannot be undone; record the meeting again if you remove it by mistake."
    )
    return True, message, dash.no_update


def _alert(message: str, colour: str) -> dbc.Alert:
    return dbc.Alert(message, color=colour, className=ALERT_CLASSES)


def _unchanged() -> tuple:
    return (dash.no_update,) * 5


@callback(
    Output(ids.REVIEW_CARDS, "children"),
    Output(ids.REVIEW_NOTE, "children"),
    Output(grid_id(ids.REVIEW_RETURNS_TABLE), "rowData"),
    Output(grid_id(ids.REVIEW_ACTIVITIES_TABLE), "rowData"),
    Output(grid_id(ids.REVIEW_MEASURES_TABLE), "rowData"),
    Input(ids.REVIEW_FROM, "value"),
    Input(ids.REVIEW_TO, "value"),
    State(ids.PAGE_PLAN, "data"),
)
@connection.reads_warehouse
def update_review(from_value: str | None, to_value: str | None, plan_id: str | None = None):
    """The changes to the page's plan between the two dates, from the warehouse's review macros."""
    from_date, to_date = _date(from_value), _date(to_value)
    if not (from_date and to_date) or from_date >= to_date:
        return [], "Choose two dates, the earlier one first.", [], [], []
    plan_id = plans.resolve(plan_id)
    returns = review.review_returns(from_date, to_date, plan_id=plan_id)
    activities = review.review_activities(from_date, to_date, plan_id=plan_id)
    measures = review.review_measures(from_date, to_date, plan_id=plan_id)
    year_before, year_now = review.review_years(from_date, to_date, plan_id=plan_id)
    first = int(returns.first_received.sum()) if len(returns) else 0
    counts = activities.change.value_counts()
    delivered = int((measures.change == "newly delivered").sum())
    overdue = int((measures.change == "newly overdue").sum())
    cards = [
        dbc.Col(stat_card("Returns received", str(len(returns)),
                          f"{plural(first, 'first arrival')}, {plural(len(returns) - first, 'new version')}",
                          "card-review-returns"), xs=6, lg=2),
        dbc.Col(stat_card("Activities added", str(counts.get("added", 0)), "listed for the first time",
                          "card-review-added"), xs=6, lg=2),
        dbc.Col(stat_card("Activities completed", str(counts.get("completed", 0)), "completed since",
                          "card-review-completed"), xs=6, lg=2),
        dbc.Col(stat_card("Statuses that went back", str(counts.get("went back", 0)),
                          "e.g. ongoing to suspended, or cancelled", "card-review-back"), xs=6, lg=2),
        dbc.Col(stat_card("Measures newly delivered", str(delivered), _years_caption(year_before, year_now),
                          "card-review-delivered"), xs=6, lg=2),
        dbc.Col(stat_card("Measures newly overdue", str(overdue), _years_caption(year_before, year_now),
                          "card-review-overdue"), xs=6, lg=2),
    ]  # fmt: skip
    note = (
        f"Uploads received after {from_date:%d %B %Y} and on or before {to_date:%d %B %Y}. Measures compare the "
        "metrics as of the last year whose returns were due by each date."
    )
    returns = returns.assign(
        arrival=["first" if f else "new version" for f in returns.first_received],
        timeliness=["on time" if t else "late" for t in returns.on_time],
    )
    return (
        cards,
        note,
        records(returns, [c for _, c in RETURN_COLUMNS]),
        records(activities, [c for _, c in ACTIVITY_COLUMNS]),
        records(measures, [c for _, c in MEASURE_COLUMNS]),
    )


def _years_caption(year_before: int | None, year_now: int | None) -> str:
    if year_now is None:
        return "no year's returns were due yet"
    return f"as of end {year_now}, against end {year_before}" if year_before else f"as of end {year_now}"
