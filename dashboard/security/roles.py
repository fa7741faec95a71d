"""Role checks: whether the signed-in user's role (and country) opens a page, a callback or a download."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import flask

from dashboard.security.sessions import SignedInUser, signed_in_user
from etl.accounts import ADMIN, ANALYST, EVALUATOR, ROLES, VIEWER

EVERYONE: tuple[str, ...] = ROLES
UPLOADERS: tuple[str, ...] = (ANALYST, ADMIN)
EXPORTERS: tuple[str, ...] = (EVALUATOR, ADMIN)
SUBMISSION_READERS: tuple[str, ...] = (ANALYST, ADMIN)

__all__ = [
    "ADMIN", "ANALYST", "EVALUATOR", "VIEWER", "EVERYONE", "UPLOADERS", "EXPORTERS", "SUBMISSION_READERS",
    "SignedInUser", "require_role", "check_role", "check_country", "signed_in_user", "may_see_page",
]  # fmt: skip


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
