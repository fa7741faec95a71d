"""Dashboard users: roles, hashed passwords and their policy, sign-in checks, session epochs, the demo accounts."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from etl import private_files, warehouse
from etl.errors import AptmonError
from etl.paths import instance_dir
from etl.plan.countries import country_code

VIEWER, ANALYST, EVALUATOR, ADMIN = "viewer", "analyst", "evaluator", "admin"
ROLES: tuple[str, ...] = (VIEWER, ANALYST, EVALUATOR, ADMIN)

MIN_PASSWORD_LENGTH = 12
# zxcvbn's 0-4 scale: 3 is "safely unguessable" against an attacker who guesses 10^10 times offline.
MIN_PASSWORD_SCORE = 3
# zxcvbn's time grows with the length; past this many characters a password is long enough on its own.
_SCORED_PREFIX = 64
PASSWORD_METHOD = "scrypt"
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("viewer", VIEWER, None),
    ("analyst-khm", ANALYST, "KHM"),
    ("evaluator", EVALUATOR, None),
    ("admin", ADMIN, None),
)


DEMO_CREDENTIALS_NAME = "demo-users.txt"
# Who made a change to a user when no one signed in did: the `aptmon users` commands and `aptmon users demo`.
COMMAND_LINE = "command line"


class UserError(AptmonError, ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    country: str | None
    # Changes whenever the password does, so a password change ends every existing session.
    password_fingerprint: str
    # Raised by end_sessions(); a session signed in under an older epoch is over.
    session_epoch: int = 0
    # A disabled user cannot sign in (disable_user also ends their sessions).
    disabled: bool = False


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: the user, or None for a wrong name or password (never which)."""

    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def validate_new_user(username: str, role: str, country: str | None) -> str | None:
    """Check a user's name, role and country; returns the country as ISO3 (analysts only)."""
    if not USERNAME_PATTERN.match(username or ""):
        raise UserError(
            f"User name {username!r} is not allowed: use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit."
        )
    if role not in ROLES:
        raise UserError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if role == ANALYST:
        iso3 = country_code(country) if country else None
        if iso3 is None:
            raise UserError(
                f"An analyst works for one country: give --country with an APT country code (got {country!r})."
            )
        return iso3
    if country:
        raise UserError(f"Only analysts are bound to a country; a {role} sees every country (drop --country).")
    return None


def validate_password(password: str, username: str = "") -> None:
    """Refuse a password shorter than MIN_PASSWORD_LENGTH or one zxcvbn rates easy to guess, saying why."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    # zxcvbn knows common passwords, names, words, keyboard walks, dates and repeats; the user name counts too.
    strength = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[username, "aptmon", "asean"])
    if strength["score"] < MIN_PASSWORD_SCORE:
        feedback = strength["feedback"]
        why = feedback.get("warning") or "It follows a pattern that is quick to guess."
        hints = " ".join(feedback.get("suggestions") or ["Use a few uncommon words together."])
        raise UserError(f"The password is too easy to guess: {why.rstrip('.')}. {hints}")


def add_user(
    username: str,
    password: str,
    role: str,
    country: str | None = None,
    warehouse_file: str | os.PathLike | None = None,
    actor: str = COMMAND_LINE,
) -> User:
    """Create a user with a scrypt-hashed password; the name must be new. `actor` is who did it, for the record."""
    iso3 = validate_new_user(username, role, country)
    validate_password(password, username)
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    with warehouse.write_connection(warehouse_file) as con:
        if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise UserError(f"A user named {username!r} already exists.")
        con.execute(
            "INSERT INTO users (username, password_hash, role, country, created_at) VALUES (?, ?, ?, ?, ?)",
            [username, password_hash, role, iso3, datetime.now()],
        )
        _record(con, actor, username, "added", _role_text(role, iso3))
    return User(username, role, iso3, _fingerprint(password_hash))


def set_password(
    username: str, password: str, warehouse_file: str | os.PathLike | None = None, actor: str = COMMAND_LINE
) -> None:
    """Replace a user's password; every session signed in before ends."""
    validate_password(password, username)
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    _update_user(
        username,
        "SET password_hash = ?, session_epoch = session_epoch + 1",
        [password_hash],
        warehouse_file,
        (actor, "password reset", None),
    )


def set_role(
    username: str,
    role: str,
    country: str | None = None,
    warehouse_file: str | os.PathLike | None = None,
    actor: str = COMMAND_LINE,
) -> User:
    """Give a user another role (and country); every session signed in before ends."""
    iso3 = validate_new_user(username, role, country)
    change = (actor, "role changed", _role_text(role, iso3))
    _update_user(
        username, "SET role = ?, country = ?, session_epoch = session_epoch + 1", [role, iso3], warehouse_file, change
    )
    return get_user(username, warehouse_file)


def end_sessions(username: str, warehouse_file: str | os.PathLike | None = None, actor: str = COMMAND_LINE) -> None:
    """End every session of a user, on every device and worker: a saved cookie no longer opens anything."""
    _update_user(username, "SET session_epoch = session_epoch + 1", [], warehouse_file, (actor, "sessions ended", None))


def set_disabled(
    username: str, disabled: bool, warehouse_file: str | os.PathLike | None = None, actor: str = COMMAND_LINE
) -> None:
    """Disable a user (no sign-in, every session ended; the account and its history stay), or enable them again."""
    change = (actor, "disabled" if disabled else "enabled", None)
    _update_user(username, "SET disabled = ?, session_epoch = session_epoch + 1", [disabled], warehouse_file, change)


def _update_user(
    username: str,
    assignments: str,
    params: list,
    warehouse_file: str | os.PathLike | None,
    change: tuple[str, str, str | None],
) -> None:
    """Apply one change to a user and record it (who, what, detail), in one transaction."""
    with warehouse.write_connection(warehouse_file) as con:
        if not con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise UserError(f"No user named {username!r}.")
        con.execute("BEGIN")
        try:
            con.execute(f"UPDATE users {assignments} WHERE username = ?", [*params, username])
            actor, action, detail = change
            _record(con, actor, username, action, detail)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


def _record(con, actor: str, username: str, action: str, detail: str | None) -> None:
    con.execute(
        "INSERT INTO user_changes (changed_at, changed_by, username, action, detail) VALUES (?, ?, ?, ?, ?)",
        [datetime.now(), actor, username, action, detail],
    )


def _role_text(role: str, country: str | None) -> str:
    return f"{role} ({country})" if country else role


@dataclass(frozen=True)
class UserChange:
    """One recorded change to a user: when, by whom, to whom, what."""

    changed_at: datetime
    changed_by: str
    username: str
    action: str
    detail: str | None


def user_changes(warehouse_file: str | os.PathLike | None = None, limit: int = 500) -> list[UserChange]:
    """The latest changes to users, newest first."""
    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(
            "SELECT changed_at, changed_by, username, action, detail FROM user_changes "
            "ORDER BY changed_at DESC, change_id DESC LIMIT ?",
            [limit],
        ).fetchall()
    return [UserChange(*row) for row in rows]


_USER_COLUMNS = "username, role, country, password_hash, session_epoch, coalesce(disabled, false)"


def get_user(username: str, warehouse_file: str | os.PathLike | None = None) -> User | None:
    """The user of that name, or None."""
    with warehouse.read_connection(warehouse_file) as con:
        row = con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", [username]).fetchone()
    return _user(row) if row else None


def list_users(warehouse_file: str | os.PathLike | None = None) -> list[User]:
    """Every user, by name."""
    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username").fetchall()
    return [_user(row) for row in rows]


def prepare_sign_in() -> None:
    """Make the stand-in hash now (a server, before it takes a request): else the first sign-in with an unknown name
    would take twice as long as any other and tell that the name does not exist."""
    _dummy_hash()


@functools.cache
def _dummy_hash() -> str:
    """A valid hash checked against when the user does not exist, so an unknown name costs as much time as a known
    one. Made on first use, not at import: every command and server process imports this module, and a scrypt hash
    costs about 0.1 s of CPU."""
    return generate_password_hash(secrets.token_hex(8), method=PASSWORD_METHOD)


def authenticate(username: str, password: str, warehouse_file: str | os.PathLike | None = None) -> SignIn:
    """Check a sign-in: the same work and the same answer for an unknown name as for a wrong password.

    Nothing is written: repeated failures are slowed down by the dashboard's throttle (by client and account),
    never by locking the account, which would let anyone keep its owner out.
    """
    with warehouse.read_connection(warehouse_file) as con:
        row = con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", [username or ""]).fetchone()
    # A valid hash is checked even for an unknown name, so both cost the same time. A disabled user gets the same
    # answer as a wrong password: the sign-in page never says which accounts exist.
    password_hash = row[3] if row else _dummy_hash()
    matches = check_password_hash(password_hash, password or "")
    return SignIn(_user(row) if row and matches and not row[5] else None)


def ensure_demo_users(
    warehouse_file: str | os.PathLike | None = None, credentials_file: Path | None = None
) -> tuple[Path, list[str]]:
    """Create the demo users that are missing, with generated passwords written to a private file.

    Returns the credentials file and the names created now. A demo user that already exists keeps its
    password (it may have been changed on purpose).
    """
    credentials_file = Path(credentials_file or instance_dir() / DEMO_CREDENTIALS_NAME)
    existing = {user.username for user in list_users(warehouse_file)}
    created: list[str] = []
    lines: list[str] = []
    for username, role, country in DEMO_USERS:
        if username in existing:
            continue
        password = _generated_password(username)
        add_user(username, password, role, country, warehouse_file, actor="aptmon users demo")
        created.append(username)
        where = f" ({country})" if country else ""
        lines.append(f"{username:<14} {password:<18} {role}{where}\n")
    if credentials_file.parent == instance_dir():
        private_files.private_instance_dir()
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        if out.tell() == 0:
            out.write("# Demo sign-ins for this warehouse (user, password, role). Keep this file private.\n")
        out.writelines(lines)
    os.chmod(credentials_file, 0o600)
    return credentials_file, created


def _generated_password(username: str) -> str:
    """A random 16-character password; one the policy would refuse (vanishingly rare) is drawn again."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            validate_password(password, username)
        except UserError:
            continue
        return password


def _user(row: tuple) -> User:
    username, role, country, password_hash, session_epoch, disabled = row
    return User(username, role, country, _fingerprint(password_hash), session_epoch or 0, bool(disabled))


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
