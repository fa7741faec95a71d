"""Users page (admins): add users, change their role and country, disable, reset passwords, end sessions, and see
who changed what and when; everything `aptmon users` does, without a shell."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html

from dashboard.components.access import not_permitted
from dashboard.components.tables import data_grid, grid_id
from dashboard.data import connection
from dashboard.security import auth
from etl import accounts
from etl.plan.countries import COUNTRIES

dash.register_page(
    __name__, path="/users", name="Users", title="Users - APT Work Plan Monitor", order=70, roles=(auth.ADMIN,)
)

# Component ids of this page alone.
MESSAGE = "users-message"
NEW_NAME, NEW_ROLE, NEW_COUNTRY, NEW_PASSWORD, ADD = (
    "users-new-name", "users-new-role", "users-new-country", "users-new-password", "users-add",
)  # fmt: skip
PICKED, ROLE, COUNTRY, PASSWORD = "users-picked", "users-role", "users-country", "users-password"
CHANGE_ROLE, RESET_PASSWORD, END_SESSIONS, DISABLE, ENABLE = (
    "users-change-role", "users-reset-password", "users-end-sessions", "users-disable", "users-enable",
)  # fmt: skip
USERS_TABLE, CHANGES_TABLE = "users-table", "users-changes"

USER_COLUMNS = [("User", "username"), ("Role", "role"), ("Country", "country"), ("Status", "status")]
CHANGE_COLUMNS = [("When", "changed_at"), ("By", "changed_by"), ("User", "username"), ("Change", "action"),
                  ("Detail", "detail")]  # fmt: skip
ROLE_OPTIONS = [{"label": role.capitalize(), "value": role} for role in accounts.ROLES]
COUNTRY_OPTIONS = [{"label": "None (not an analyst)", "value": ""}] + [
    {"label": f"{c.name} ({c.iso3})", "value": c.iso3} for c in COUNTRIES
]
POLICY = (
    f"A password needs at least {accounts.MIN_PASSWORD_LENGTH} characters and must not be easy to guess (common "
    "passwords, words, names and keyboard patterns are refused). Give it to the user in person or by telephone."
)


def layout(**_query):
    user = auth.signed_in_user()
    if user is None or user.role != auth.ADMIN:
        return not_permitted("manage users", (auth.ADMIN,))
    users, changes = _user_rows(), _change_rows()
    return html.Div(
        [
            html.H1("Users", className="page-title"),
            html.P(
                "Who may sign in, with which role, and for analysts which country. Every change here is recorded "
                "with who made it and when (below). A change of role, a new password, disabling and ending sessions "
                "all sign the user out everywhere at once.",
                className="lead-text",
            ),
            html.Div(id=MESSAGE, role="status", **{"aria-live": "polite"}),
            dbc.Row(
                [
                    dbc.Col(_add_card(), lg=6, className="mb-3"),
                    dbc.Col(_change_card(users), lg=6, className="mb-3"),
                ]
            ),
            html.H2("Users", className="h4"),
            data_grid(USERS_TABLE, USER_COLUMNS, users, page_size=20, csv_name="users"),
            html.H2("Changes to users", className="h4 mt-3"),
            data_grid(CHANGES_TABLE, CHANGE_COLUMNS, changes, page_size=20, csv_name="user-changes"),
        ]
    )


def _field(label: str, control) -> html.Div:
    return html.Div([dbc.Label(label, html_for=control.id), control], className="mb-2")


def _add_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Add a user", className="h5 card-title"),
                _field("User name", dbc.Input(id=NEW_NAME, type="text", autocomplete="off")),
                _field("Role", dbc.Select(id=NEW_ROLE, options=ROLE_OPTIONS, value=accounts.VIEWER)),
                _field("Country (analysts only)", dbc.Select(id=NEW_COUNTRY, options=COUNTRY_OPTIONS, value="")),
                _field("Password", dbc.Input(id=NEW_PASSWORD, type="password", autocomplete="new-password")),
                html.P(POLICY, className="small text-muted"),
                dbc.Button("Add user", id=ADD, n_clicks=0, color="primary"),
            ]
        )
    )


def _change_card(users: list[dict]) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Change a user", className="h5 card-title"),
                _field("User", dbc.Select(id=PICKED, options=_user_options(users), placeholder="Choose a user")),
                dbc.Row(
                    [
                        dbc.Col(_field("New role", dbc.Select(id=ROLE, options=ROLE_OPTIONS, value=accounts.VIEWER))),
                        dbc.Col(_field("New country", dbc.Select(id=COUNTRY, options=COUNTRY_OPTIONS, value=""))),
                    ]
                ),
                dbc.Button(
                    "Change role and country", id=CHANGE_ROLE, n_clicks=0, color="secondary", className="mb-3"
                ),  # fmt: skip
                _field("New password", dbc.Input(id=PASSWORD, type="password", autocomplete="new-password")),
                dbc.Button("Reset password", id=RESET_PASSWORD, n_clicks=0, color="secondary", className="mb-3"),
                html.Div(
                    [
                        dbc.Button("End sessions", id=END_SESSIONS, n_clicks=0, color="secondary"),
                        dbc.Button("Disable", id=DISABLE, n_clicks=0, color="danger"),
                        dbc.Button("Enable", id=ENABLE, n_clicks=0, color="success"),
                    ],
                    className="d-flex gap-2 flex-wrap",
                ),
            ]
        )
    )


@callback(
    Output(MESSAGE, "children"),
    Output(grid_id(USERS_TABLE), "rowData"),
    Output(grid_id(CHANGES_TABLE), "rowData"),
    Output(PICKED, "options"),
    Output(NEW_PASSWORD, "value"),
    Output(PASSWORD, "value"),
    Input(ADD, "n_clicks"),
    Input(CHANGE_ROLE, "n_clicks"),
    Input(RESET_PASSWORD, "n_clicks"),
    Input(END_SESSIONS, "n_clicks"),
    Input(DISABLE, "n_clicks"),
    Input(ENABLE, "n_clicks"),
    State(NEW_NAME, "value"),
    State(NEW_ROLE, "value"),
    State(NEW_COUNTRY, "value"),
    State(NEW_PASSWORD, "value"),
    State(PICKED, "value"),
    State(ROLE, "value"),
    State(COUNTRY, "value"),
    State(PASSWORD, "value"),
    prevent_initial_call=True,
)
@auth.require_role(auth.ADMIN)
def change_users(_add, _role, _reset, _end, _disable, _enable, new_name, new_role, new_country, new_password,
                 picked, role, country, password):  # fmt: skip
    """Carry out the one action asked for, as the signed-in admin, and show the users and changes afterwards."""
    admin = auth.check_role(auth.ADMIN)
    action = ctx.triggered_id
    if not any((_add, _role, _reset, _end, _disable, _enable)):
        raise dash.exceptions.PreventUpdate
    path = connection.warehouse_file()
    try:
        if action == ADD:
            name = (new_name or "").strip()
            user = accounts.add_user(
                name, new_password or "", new_role, new_country or None, path, actor=admin.username
            )
            said = f"{user.username} was added as {_role_text(user.role, user.country)}."
        else:
            said = _change_one(action, admin.username, picked, role, country, password, path)
        message = dbc.Alert(said, color="success", className="py-2")
    except accounts.UserError as exc:
        message = dbc.Alert(str(exc), color="danger", className="py-2")
    users = _user_rows()
    # The passwords typed are cleared whatever happened: never sent back to the browser.
    return message, users, _change_rows(), _user_options(users), "", ""


def _change_one(action: str, admin: str, picked: str | None, role, country, password, path: str) -> str:
    if not picked:
        raise accounts.UserError("Choose a user first.")
    if picked == admin and action in (CHANGE_ROLE, DISABLE):
        # An admin who demoted or disabled themselves could lock every admin out; another admin can do it.
        raise accounts.UserError("You cannot change your own role or disable yourself; ask another admin.")
    if action == CHANGE_ROLE:
        user = accounts.set_role(picked, role, country or None, path, actor=admin)
        return f"{picked} is now {_role_text(user.role, user.country)}; their sessions have ended."
    if action == RESET_PASSWORD:
        accounts.set_password(picked, password or "", path, actor=admin)
        return f"{picked}'s password was reset; their sessions have ended. Give them the new password in person."
    if action == END_SESSIONS:
        accounts.end_sessions(picked, path, actor=admin)
        return f"Every session of {picked} has ended; they must sign in again."
    if action in (DISABLE, ENABLE):
        accounts.set_disabled(picked, action == DISABLE, path, actor=admin)
        if action == DISABLE:
            return f"{picked} is disabled: they cannot sign in, and their sessions have ended."
        return f"{picked} is enabled again and may sign in."
    raise dash.exceptions.PreventUpdate


def _role_text(role: str, country: str | None) -> str:
    return f"{role} for {country}" if country else role


def _user_rows() -> list[dict]:
    return [
        {"username": u.username, "role": u.role, "country": u.country or "",
         "status": "disabled" if u.disabled else "active"}
        for u in accounts.list_users(connection.warehouse_file())
    ]  # fmt: skip


def _change_rows() -> list[dict]:
    return [
        {"changed_at": c.changed_at.strftime("%Y-%m-%d %H:%M:%S"), "changed_by": c.changed_by,
         "username": c.username, "action": c.action, "detail": c.detail or ""}
        for c in accounts.user_changes(connection.warehouse_file())
    ]  # fmt: skip


def _user_options(users: list[dict]) -> list[dict]:
    return [{"label": f"{u['username']} ({u['role']}{', disabled' if u['status'] == 'disabled' else ''})",
             "value": u["username"]} for u in users]  # fmt: skip
