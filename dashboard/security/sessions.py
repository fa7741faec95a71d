"""Sessions: a signed cookie that the server checks on every request, with idle and absolute lifetimes and an end."""

from __future__ import annotations

import functools
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import flask
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboard.data import connection
from dashboard.environment import env_flag, env_number
from etl import accounts
from etl.accounts import ANALYST
from etl.paths import instance_dir
from etl.private_files import private_instance_dir

SESSION_COOKIE = "aptmon_session"
# The names Dash's renderer reads and sends on every callback: the cookie `_csrf_token` as header X-CSRFToken.
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
ABSOLUTE_LIFETIME = timedelta(hours=8)
DEFAULT_IDLE_MINUTES = 30
# A request refreshes the idle clock at most this often (or a quarter of the idle time), so concurrent callbacks
# do not each rewrite the cookie.
_SEEN_GRANULARITY_S = 15
SECRET_KEY_NAME = "secret_key"


class SignedInUser(UserMixin):
    """The user behind a request, as Flask-Login sees it."""

    def __init__(self, user: accounts.User):
        self.username = user.username
        self.role = user.role
        self.country = user.country
        self._fingerprint = user.password_fingerprint
        self._epoch = user.session_epoch

    def get_id(self) -> str:
        # The password fingerprint and the session epoch: a new password, a new role, a sign-out or an
        # admin's order raise or change one of them in the warehouse, and every cookie issued before stops counting.
        return f"{self.username}|{self._fingerprint}|{self._epoch}"

    def may_see_country(self, country: str | None) -> bool:
        return self.role != ANALYST or (country is not None and country == self.country)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS (directly or per the proxy)."""

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        return super().get_cookie_secure(app) or (flask.has_request_context() and flask.request.is_secure)


def init_app(server: flask.Flask) -> None:
    """Sign the session cookie, load its user on every request, and end it when idle, too old or revoked."""
    server.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env_flag("APTMON_SECURE_COOKIES"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=env_flag("APTMON_SECURE_COOKIES"),
    )
    server.session_interface = _SessionInterface()
    manager = LoginManager()
    manager.init_app(server)
    manager.user_loader(_load_user)
    # First of all the request hooks: a session past its lifetime is gone before anything reads the user.
    server.before_request_funcs.setdefault(None, []).insert(0, _enforce_lifetimes)
    server.after_request(_send_csrf_cookie)


def idle_timeout() -> timedelta:
    """How long a session lasts without a request: $APTMON_SESSION_IDLE_MINUTES (default 30)."""
    return timedelta(minutes=max(env_number("APTMON_SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES), 0.01))


def start(user: accounts.User) -> None:
    """Sign a user in with a fresh session, so an identifier planted before it (session fixation) is worthless."""
    flask.session.clear()
    # Not permanent: the cookie has no expiry date and ends when the browser closes; the lifetimes are the server's.
    flask.session.permanent = False
    now = int(time.time())
    flask.session["signed_in_at"] = now
    flask.session["seen_at"] = now
    login_user(SignedInUser(user))
    csrf_token()


def end() -> None:
    """Sign out: every session of this user ends on the server (this cookie, saved copies, other devices)."""
    user = signed_in_user()
    if user is not None:
        accounts.end_sessions(user.username, connection.warehouse_file())
    logout_user()
    flask.session.clear()


def signed_in_user() -> SignedInUser | None:
    """The user of the current request, or None when nobody is signed in."""
    if not flask.has_request_context():
        return None
    user = current_user
    return user if getattr(user, "is_authenticated", False) else None


def csrf_token() -> str:
    """The session's token: forms post it as a field, Dash's renderer sends it as a header from CSRF_COOKIE."""
    token = flask.session.get("csrf_token")
    if not token:
        token = flask.session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def token_matches(token: str | None) -> bool:
    expected = flask.session.get("csrf_token")
    return bool(token and expected) and secrets.compare_digest(token, expected)


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
    private_instance_dir()
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


def _enforce_lifetimes() -> None:
    session = flask.session
    if "_user_id" not in session:
        return
    now = time.time()
    signed_in_at, seen_at = session.get("signed_in_at", 0), session.get("seen_at", 0)
    too_old = now - signed_in_at > ABSOLUTE_LIFETIME.total_seconds()
    if too_old or now - seen_at > idle_timeout().total_seconds():
        session.clear()  # signed out from here on; the login page says nothing of why, as for any visitor
    elif now - seen_at >= min(_SEEN_GRANULARITY_S, idle_timeout().total_seconds() / 4):
        session["seen_at"] = int(now)


def _load_user(session_id: str) -> SignedInUser | None:
    username, fingerprint, epoch = (session_id.split("|") + ["", ""])[:3]
    path = connection.warehouse_file()
    # Read on every request, outside any response cache: a revoked session must fail on its very next request.
    user = _cached_user(path, connection.warehouse_version(path), username)
    if user is None or user.disabled or not secrets.compare_digest(user.password_fingerprint, fingerprint):
        return None
    if str(user.session_epoch) != epoch:
        return None
    return SignedInUser(user)


@functools.lru_cache(maxsize=256)
def _cached_user(path: str, _version: tuple, username: str) -> accounts.User | None:
    # Opening the warehouse for every request would cost more than the request. The key is the warehouse's data
    # version, which every commit changes in every worker's view, so an
    # ended session, a new password or a new role counts from the next request on, whichever worker serves it.
    return accounts.get_user(username, path)


def _send_csrf_cookie(response: flask.Response) -> flask.Response:
    token = flask.session.get("csrf_token")
    if token and "_user_id" in flask.session and flask.request.cookies.get(CSRF_COOKIE) != token:
        # Readable by the page's own script (Dash's renderer copies it into X-CSRFToken), sent to no other site.
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=False,
            samesite="Strict",
            secure=flask.current_app.session_interface.get_cookie_secure(flask.current_app),
        )
    return response
