"""Sign-in and sign-out: the login page, the gate every request passes, and the role checks' usual import."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import flask
import markupsafe
from dash import dcc, html

from dashboard import ids, uploads
from dashboard.data import connection
from dashboard.security import sessions, throttling
from dashboard.security.roles import (  # the pages' and downloads' role checks, kept importable from here
    ADMIN,
    ANALYST,
    EVALUATOR,
    EVERYONE,
    EXPORTERS,
    SUBMISSION_READERS,
    UPLOADERS,
    VIEWER,
    check_country,
    check_role,
    may_see_page,
    require_role,
)
from dashboard.security.sessions import SignedInUser, csrf_token, secret_key, signed_in_user
from etl import accounts
from etl.warehouse import WarehouseError

log = logging.getLogger(__name__)
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
# Only the sign-in form and its stylesheet are served to someone not signed in.
PUBLIC_PREFIXES = ("/assets/",)
# The forms that carry their token as a field; every other POST (Dash's callbacks) carries it as a header.
_FORM_ENDPOINTS = ("login", "logout")
SESSION_LIFETIME = sessions.ABSOLUTE_LIFETIME

__all__ = [
    "ADMIN", "ANALYST", "EVALUATOR", "VIEWER", "EVERYONE", "UPLOADERS", "EXPORTERS", "SUBMISSION_READERS",
    "SignedInUser", "init_app", "require_role", "check_role", "check_country", "signed_in_user", "may_see_page",
    "csrf_token", "secret_key", "login", "logout", "user_menu",
]  # fmt: skip


def init_app(server: flask.Flask) -> None:
    """Make every page and callback of the app require a signed-in user, and every callback the session's token."""
    server.config.update(
        # Bodies larger than one upload are refused before they are read (413).
        MAX_CONTENT_LENGTH=uploads.request_limit(),
    )
    server.before_request(_require_sign_in)
    server.before_request(_require_callback_token)
    server.register_error_handler(429, _too_many_sign_ins)


def user_menu() -> html.Div:
    """The navigation bar's corner: who is signed in, with which role, and the Sign out button."""
    user = signed_in_user()
    if user is None:
        return html.Div()
    role = f"{user.role}, {user.country}" if user.country else user.role
    return html.Div(
        [
            html.Span([user.username, html.Small(f" ({role})", className="opacity-75")], id=ids.SIGNED_IN_USER),
            # A form posting the session's token: no other site can sign a user out, and no token lands in a URL.
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                    html.Button("Sign out", type="submit", className="btn btn-sm btn-light"),
                ],
                method="post",
                action=LOGOUT_PATH,
                id=ids.SIGN_OUT_FORM,
                className="ms-3 mb-0",
            ),
        ],
        className="d-flex align-items-center text-white text-nowrap ms-auto",
    )


def _require_sign_in():
    path = flask.request.path
    if path == LOGIN_PATH or path.startswith(PUBLIC_PREFIXES):
        return None
    if signed_in_user() is not None:
        return None
    if path.startswith("/_dash-") or flask.request.method != "GET":
        return flask.Response("Sign in first.", status=401, mimetype="text/plain")
    return flask.redirect(f"{LOGIN_PATH}?next={quote(_safe_next(flask.request.full_path))}")


def _require_callback_token():
    # Dash's renderer copies the session's token from its cookie into a header; a form or script on another site
    # can neither read that cookie nor set the header, so a callback it triggers is refused.
    request = flask.request
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in _FORM_ENDPOINTS:
        return None
    if sessions.token_matches(request.headers.get(sessions.CSRF_HEADER)):
        return None
    return flask.Response("The page is out of date: reload it.", status=403, mimetype="text/plain")


def login():
    """The sign-in form (GET) and its submission (POST); a failure answers 401, which the throttle counts."""
    request = flask.request
    next_path = _safe_next(request.values.get("next", "/"))
    if request.method == "GET":
        if signed_in_user() is not None:
            return flask.redirect(next_path)
        return _login_page(next_path)
    if not sessions.token_matches(request.form.get("csrf_token")):
        return _login_page(next_path, "The sign-in form expired; please try again.", status=400)
    username = request.form.get("username", "").strip()
    try:
        attempt = accounts.authenticate(username, request.form.get("password", ""), connection.warehouse_file())
    except WarehouseError as exc:
        # The reason names the warehouse's path on the server: for the log, never for a visitor.
        log.error("Signing in failed: %s", exc)
        message = "Signing in is not possible right now: the monitor's data cannot be read. Tell the administrator."
        if not Path(connection.warehouse_file()).exists():
            message = (
                "Signing in is not possible right now: the monitor has no warehouse yet. The administrator runs "
                "`aptmon init` first (or `aptmon restore` a backup)."
            )
        return _login_page(next_path, message, username=username, status=503)
    if not attempt.ok:
        # One message whether or not the name exists (and the same work: see accounts.authenticate).
        return _login_page(next_path, "Wrong user name or password.", username=username, status=401)
    sessions.start(attempt.user)
    return flask.redirect(next_path)


def logout():
    """Sign out (POST with the session's token): this user's every session ends on the server."""
    if signed_in_user() is not None and not sessions.token_matches(flask.request.form.get("csrf_token")):
        return flask.Response("Use the Sign out button of the dashboard.", status=400, mimetype="text/plain")
    try:
        sessions.end()
    except WarehouseError as exc:
        log.error("Signing out failed: %s", exc)
        message = "Signing out is not possible right now: the monitor's data cannot be read. Tell the administrator."
        return flask.Response(message, status=503, mimetype="text/plain")
    return flask.redirect(LOGIN_PATH)


def _too_many_sign_ins(error):
    if flask.request.path != LOGIN_PATH:
        return flask.Response("Too many requests; wait a little.", status=429, mimetype="text/plain")
    limit = throttling.current_limit()
    wait = max(1, round(((limit.reset_at if limit else time.time() + 60) - time.time()) / 60))
    message = (
        f"Too many failed sign-ins from here with this user name: wait {wait} minute{'s' if wait != 1 else ''} "
        "and try again, or ask the administrator to set a new password."
    )
    next_path = _safe_next(flask.request.values.get("next", "/"))
    return _login_page(next_path, message, username=flask.request.form.get("username", "").strip(), status=429)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, so the login page cannot be used to redirect away."""
    target = (target or "/").rstrip("?")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if parts.path in (LOGIN_PATH, LOGOUT_PATH):
        return "/"
    return target


def _login_page(next_path: str, message: str | None = None, username: str = "", status: int = 200):
    # A refusal is tied to both fields, so a screen reader reads it with the field the focus is in (WCAG 3.3.1).
    invalid = markupsafe.Markup(' aria-invalid="true" aria-describedby="login-error"') if message else ""
    html = flask.render_template_string(
        _LOGIN_TEMPLATE,
        next_path=next_path,
        message=message,
        username=username,
        csrf_token=csrf_token(),
        invalid=invalid,
    )
    return flask.Response(html, status=status, mimetype="text/html")


_LOGIN_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in - APT Work Plan Monitor</title>
  <link rel="stylesheet" href="/assets/00-bootstrap.min.css">
</head>
<body class="bg-light">
  <nav class="navbar navbar-dark bg-primary"><div class="container">
    <span class="navbar-brand">APT Work Plan Monitor</span>
  </div></nav>
  <main class="container py-5" style="max-width: 28rem">
    <h1 class="h3 mb-3">Sign in</h1>
    <p class="text-muted">The monitor of the ASEAN Plus Three Cooperation Work Plan is open to CPR members,
      country analysts, evaluators and the ASEAN Secretariat. Ask the Secretariat for an account.</p>
    {% if message %}<div class="alert alert-danger" role="alert" id="login-error">{{ message }}</div>{% endif %}
    <form method="post" action="/login" id="login-form">
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <input type="hidden" name="next" value="{{ next_path }}">
      <div class="mb-3">
        <label class="form-label" for="username">User name</label>
        <input class="form-control" id="username" name="username" value="{{ username }}"
               autocomplete="username" required autofocus{{ invalid }}>
      </div>
      <div class="mb-3">
        <label class="form-label" for="password">Password</label>
        <input class="form-control" id="password" name="password" type="password"
               autocomplete="current-password" required{{ invalid }}>
      </div>
      <button class="btn btn-primary w-100" type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>
"""
