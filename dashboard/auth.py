"""Sign-in for the dashboard: the login page, sessions, and the role checks every callback and route makes."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import dash
import flask
from dash import html
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import data, ids, uploads
from etl import users
from etl.users import ADMIN, ANALYST, EVALUATOR, ROLES, VIEWER, instance_dir
from etl.warehouse import WarehouseError

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
# Only the sign-in form and its stylesheet are served to someone not signed in.
PUBLIC_PREFIXES = ("/assets/",)

EVERYONE: tuple[str, ...] = ROLES
UPLOADERS: tuple[str, ...] = (ANALYST, ADMIN)
EXPORTERS: tuple[str, ...] = (EVALUATOR, ADMIN)
SUBMISSION_READERS: tuple[str, ...] = (ANALYST, ADMIN)
SESSION_LIFETIME = timedelta(hours=8)
SECRET_KEY_NAME = "secret_key"

__all__ = [
    "ADMIN", "ANALYST", "EVALUATOR", "VIEWER", "EVERYONE", "UPLOADERS", "EXPORTERS", "SUBMISSION_READERS",
    "SignedInUser", "init_app", "require_role", "check_role", "check_country", "signed_in_user", "may_see_page",
]  # fmt: skip


class SignedInUser(UserMixin):
    """The user behind a request, as Flask-Login sees it."""

    def __init__(self, user: users.User):
        self.username = user.username
        self.role = user.role
        self.country = user.country
        self._fingerprint = user.password_fingerprint

    def get_id(self) -> str:
        # The password fingerprint in the session id ends every session when the password changes.
        return f"{self.username}|{self._fingerprint}"

    def may_see_country(self, country: str | None) -> bool:
        return self.role != ANALYST or (country is not None and country == self.country)


def init_app(app: dash.Dash) -> None:
    """Make every page and callback of the app require a signed-in user, and add /login and /logout."""
    server = app.server
    server.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_NAME="aptmon_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_env_flag("APTMON_SECURE_COOKIES"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=_env_flag("APTMON_SECURE_COOKIES"),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # Bodies larger than one upload are refused before they are read (413).
        MAX_CONTENT_LENGTH=uploads.request_limit(),
    )
    if _env_flag("APTMON_PROXY_FIX"):
        # Behind one reverse proxy that terminates HTTPS: trust its X-Forwarded-For/-Proto/-Host, no further.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)
    manager = LoginManager()
    manager.init_app(server)
    manager.user_loader(_load_user)
    server.before_request(_require_sign_in)
    server.after_request(_security_headers)
    server.add_url_rule(LOGIN_PATH, "login", _login, methods=["GET", "POST"])
    server.add_url_rule(LOGOUT_PATH, "logout", _logout, methods=["GET", "POST"])
    from dashboard import downloads  # it builds on this module's checks

    downloads.init_app(server)


def secret_key() -> str:
    """The session signing key shared by every worker: $APTMON_SECRET_KEY, else instance/secret_key (made once)."""
    from_env = os.environ.get("APTMON_SECRET_KEY")
    if from_env:
        return from_env
    path = instance_dir() / SECRET_KEY_NAME
    if not path.exists():
        _write_new_secret(path)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"The secret key file {path} is empty; delete it to have a new one made.")
    return key


def _write_new_secret(path: Path) -> None:
    # Written under a private temporary name and linked into place, so workers starting together agree on one key.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def signed_in_user() -> SignedInUser | None:
    """The user of the current request, or None when nobody is signed in."""
    if not flask.has_request_context():
        return None
    user = current_user
    return user if getattr(user, "is_authenticated", False) else None


def check_role(*roles: str) -> SignedInUser:
    """The signed-in user if their role is one of `roles` (any role when none given); else abort 401/403."""
    user = signed_in_user()
    if user is None:
        flask.abort(401)
    if roles and user.role not in roles:
        flask.abort(403)
    return user


def check_country(user: SignedInUser, country: str | None) -> None:
    """Abort 403 when an analyst asks for another country than their own."""
    if not user.may_see_country(country):
        flask.abort(403)


def require_role(*roles: str) -> Callable:
    """Decorate a callback or a Flask view so it runs only for a signed-in user with one of `roles`.

    Put it under @callback: the check runs on the server for every request, whatever the page showed.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            check_role(*roles)
            return func(*args, **kwargs)

        wrapper.required_roles = roles or EVERYONE  # read by the tests that try every role on every callback
        return wrapper

    return decorate


def may_see_page(page: dict) -> bool:
    """Whether the signed-in user's role may open a registered page (pages declare `roles=...`)."""
    user = signed_in_user()
    roles: Iterable[str] = page.get("roles") or EVERYONE
    return user is not None and user.role in roles


def csrf_token() -> str:
    """A per-session token that forms posting to /login and /logout must carry."""
    token = flask.session.get("csrf_token")
    if not token:
        token = flask.session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def user_menu() -> html.Div:
    """The navigation bar's corner: who is signed in, with which role, and the Sign out link."""
    user = signed_in_user()
    if user is None:
        return html.Div()
    role = f"{user.role}, {user.country}" if user.country else user.role
    return html.Div(
        [
            html.Span([user.username, html.Small(f" ({role})", className="opacity-75")], id=ids.SIGNED_IN_USER),
            # A plain link (a full page load), carrying the session's token so no other site can sign a user out.
            html.A(
                "Sign out",
                href=f"{LOGOUT_PATH}?csrf_token={quote(csrf_token())}",
                className="btn btn-sm btn-light ms-3",
            ),
        ],
        className="d-flex align-items-center text-white text-nowrap ms-auto",
    )


def _load_user(session_id: str) -> SignedInUser | None:
    username, _, fingerprint = session_id.partition("|")
    path = data.warehouse_file()
    user = _cached_user(path, data.warehouse_version(path), username)
    if user is None or not secrets.compare_digest(user.password_fingerprint, fingerprint):
        return None
    return SignedInUser(user)


@functools.lru_cache(maxsize=256)
def _cached_user(path: str, _version: tuple, username: str) -> users.User | None:
    # Every request needs its user; opening the warehouse for each would cost more than the request. The cache
    # key changes with every write to the warehouse, so a new password or role counts from the next request on.
    return users.get_user(username, path)


def _require_sign_in():
    path = flask.request.path
    if path == LOGIN_PATH or path.startswith(PUBLIC_PREFIXES):
        return None
    if signed_in_user() is not None:
        return None
    if path.startswith("/_dash-") or flask.request.method != "GET":
        return flask.Response("Sign in first.", status=401, mimetype="text/plain")
    return flask.redirect(f"{LOGIN_PATH}?next={quote(_safe_next(flask.request.full_path))}")


def _security_headers(response: flask.Response) -> flask.Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not flask.request.path.startswith(("/assets/", "/_dash-component-suites/")):
        # Pages, callbacks and downloads carry other governments' data: no shared or browser cache keeps them.
        response.headers["Cache-Control"] = "no-store"
    return response


def _login():
    request = flask.request
    next_path = _safe_next(request.values.get("next", "/"))
    if request.method == "GET":
        if signed_in_user() is not None:
            return flask.redirect(next_path)
        return _login_page(next_path)
    if not _token_matches(request.form.get("csrf_token")):
        return _login_page(next_path, "The sign-in form expired; please try again.", status=400)
    username = request.form.get("username", "").strip()
    try:
        attempt = users.authenticate(username, request.form.get("password", ""), data.warehouse_file())
    except WarehouseError as exc:
        return _login_page(next_path, f"Signing in is not possible right now: {exc}", username=username, status=503)
    if attempt.locked_until is not None:
        message = (
            f"Too many failed sign-ins: this account is locked until {attempt.locked_until:%H:%M}. "
            "Try again then, or ask the administrator."
        )
        return _login_page(next_path, message, username=username, status=401)
    if not attempt.ok:
        return _login_page(next_path, "Wrong user name or password.", username=username, status=401)
    # A fresh session on sign-in, so an identifier planted before it (session fixation) is worthless.
    flask.session.clear()
    flask.session.permanent = True
    login_user(SignedInUser(attempt.user))
    return flask.redirect(next_path)


def _logout():
    if signed_in_user() is not None and not _token_matches(flask.request.values.get("csrf_token")):
        return flask.Response("Use the Sign out link of the dashboard.", status=400, mimetype="text/plain")
    logout_user()
    flask.session.clear()
    return flask.redirect(LOGIN_PATH)


def _token_matches(token: str | None) -> bool:
    expected = flask.session.get("csrf_token")
    return bool(token and expected) and secrets.compare_digest(token, expected)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, so the login page cannot be used to redirect away."""
    target = (target or "/").rstrip("?")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if parts.path in (LOGIN_PATH, LOGOUT_PATH):
        return "/"
    return target


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _login_page(next_path: str, message: str | None = None, username: str = "", status: int = 200):
    html = flask.render_template_string(
        _LOGIN_TEMPLATE, next_path=next_path, message=message, username=username, csrf_token=csrf_token()
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
               autocomplete="username" required autofocus>
      </div>
      <div class="mb-3">
        <label class="form-label" for="password">Password</label>
        <input class="form-control" id="password" name="password" type="password"
               autocomplete="current-password" required>
      </div>
      <button class="btn btn-primary w-100" type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>
"""
