"""Rate limits every worker shares: failed sign-ins by client and account, uploads per user an hour, checks at once."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import flask
from flask_limiter import Limiter
from limits import parse
from limits.storage import Storage

from etl import private_files
from etl.paths import instance_dir
from etl.private_files import private_instance_dir

# Failed sign-ins of one user name from one client: each window that fills makes the next wait longer (OWASP's
# "increasing delays"), and a stranger elsewhere cannot keep the owner out, whose own client counts apart.
DEFAULT_SIGNIN_LIMITS = "5 per minute; 10 per 15 minutes; 20 per hour; 50 per day"
# Failed sign-ins from one client over all user names (guessing one password against many accounts).
DEFAULT_CLIENT_LIMITS = "30 per 15 minutes; 100 per day"
DEFAULT_UPLOADS_PER_HOUR = 60
DEFAULT_CONCURRENT_CHECKS = 2
STORAGE_NAME = "rate-limits.sqlite3"
_SCHEME = "aptmon-sqlite"
_EXTENSION = "aptmon_limiter"


class TooManyChecks(RuntimeError):
    """The user already has as many files being checked as allowed; the message says what to do."""


class SharedFileStorage(Storage):
    """Flask-Limiter's counters in one SQLite file under instance/, so every gunicorn worker counts together.

    Flask-Limiter's own in-memory store is per process: with four workers an attacker would get four times the
    attempts, and a worker restart would forget them. SQLite's file lock makes each increment atomic.
    """

    STORAGE_SCHEME = [_SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path((uri or "").partition("://")[2])
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._transaction() as con:
            row = con.execute("SELECT value, expires FROM counters WHERE key = ?", [key]).fetchone()
            value = amount if row is None or row[1] <= now else row[0] + amount
            expires = now + expiry if row is None or row[1] <= now else row[1]
            con.execute("INSERT OR REPLACE INTO counters VALUES (?, ?, ?)", [key, value, expires])
            # Forget windows long over, so the file stays small.
            con.execute("DELETE FROM counters WHERE expires < ?", [now - 3600])
        return value

    def get(self, key: str) -> int:
        row = self._read(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._read(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        return self._connection() is not None

    def reset(self) -> int | None:
        with self._transaction() as con:
            return con.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._transaction() as con:
            con.execute("DELETE FROM counters WHERE key = ?", [key])

    def _read(self, key: str) -> tuple[int, float] | None:
        row = self._connection().execute("SELECT value, expires FROM counters WHERE key = ?", [key]).fetchone()
        return row if row and row[1] > time.time() else None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        con = self._connection()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk does): a second ROLLBACK would hide the first error.
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process (a connection must not cross a fork or a thread).
        con = getattr(self._local, "con", None)
        if con is None or getattr(self._local, "pid", None) != os.getpid():
            private_instance_dir()
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            private_files.make_private(self.path)
            con.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER, expires REAL)")
            self._local.con, self._local.pid = con, os.getpid()
        return con


def init_app(server: flask.Flask) -> Limiter:
    """One limiter per app over the shared counters file; the sign-in route is limited where it is registered."""
    limiter = Limiter(
        key_func=client_address,
        app=server,
        storage_uri=f"{_SCHEME}://{instance_dir() / STORAGE_NAME}",
        strategy="fixed-window",
        headers_enabled=False,
        # When the counters cannot be written (a full disk), each worker counts in memory meanwhile: sign-in still
        # answers, a wrong password with the sign-in message, and attempts are still limited.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    server.extensions[_EXTENSION] = limiter
    return limiter


def limit_sign_in(limiter: Limiter, view):
    """Wrap the sign-in view: failed attempts (HTTP 401) count, by client and user name, and by client alone."""
    failed = lambda response: response.status_code == 401  # noqa: E731
    view = limiter.limit(
        lambda: _setting("APTMON_SIGNIN_LIMITS", DEFAULT_SIGNIN_LIMITS),
        key_func=_client_and_account,
        methods=["POST"],
        deduct_when=failed,
        scope="sign-in-account",
    )(view)
    return limiter.limit(
        lambda: _setting("APTMON_SIGNIN_CLIENT_LIMITS", DEFAULT_CLIENT_LIMITS),
        key_func=client_address,
        methods=["POST"],
        deduct_when=failed,
        scope="sign-in-client",
    )(view)


def current_limit():
    """The limit the current request broke (its reset_at says until when), or None."""
    limiter: Limiter = flask.current_app.extensions[_EXTENSION]
    return limiter.current_limit


def client_address() -> str:
    """The client's address: the peer's, or behind the reverse proxy (APTMON_PROXY_FIX) the one it reports."""
    return flask.request.remote_addr or "unknown"


def upload_allowed(username: str) -> bool:
    """Count one upload of the user's in the current hour; False once they sent APTMON_UPLOADS_PER_HOUR."""
    limiter: Limiter = flask.current_app.extensions[_EXTENSION]
    per_hour = _int_setting("APTMON_UPLOADS_PER_HOUR", DEFAULT_UPLOADS_PER_HOUR)
    try:
        return limiter.limiter.hit(parse(f"{per_hour} per hour"), "uploads", username)
    except sqlite3.Error as exc:
        # The counters cannot be written (a full disk): the upload itself then says why it cannot be kept.
        logging.getLogger(__name__).error("Counting %s's upload failed: %s", username, exc)
        return True


def uploads_per_hour() -> int:
    return _int_setting("APTMON_UPLOADS_PER_HOUR", DEFAULT_UPLOADS_PER_HOUR)


@contextlib.contextmanager
def check_slot(username: str) -> Iterator[None]:
    """Hold one of the user's APTMON_CONCURRENT_CHECKS slots while their files are checked, across workers.

    A slot is an exclusive lock on a file in instance/checks/; the kernel frees it when the holder ends, even when
    a worker is killed mid-check, so a slot is never lost.
    """
    folder = private_instance_dir("checks")
    slots = _int_setting("APTMON_CONCURRENT_CHECKS", DEFAULT_CONCURRENT_CHECKS)
    name = re.sub(r"[^A-Za-z0-9._@-]", "_", username)
    for slot in range(slots):
        fd = os.open(folder / f"{name}.{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                continue
            raise
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    raise TooManyChecks(
        f"You already have {slots} upload{'s' if slots != 1 else ''} being checked; "
        "wait until they finish, then upload this file again."
    )


def _client_and_account() -> str:
    account = (flask.request.form.get("username") or "").strip().lower()[:64]
    return f"{client_address()}|{account}"


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _int_setting(name: str, default: int) -> int:
    try:
        return max(int(os.environ.get(name, "").strip() or default), 1)
    except ValueError:
        return default
