"""Signing in for the tests: one user per role, created in a warehouse, and the real login form in a browser."""

from __future__ import annotations

import re
from pathlib import Path

# One user per role in every live app; the page fixture signs in as the viewer.
TEST_USERS: dict[str, tuple[str, str, str | None]] = {
    "viewer": ("viewer", "viewer-password-1", None),
    "analyst": ("analyst-khm", "analyst-password-1", "KHM"),
    "evaluator": ("evaluator", "evaluator-password-1", None),
    "admin": ("admin", "admin-password-1", None),
}


def add_test_users(warehouse_file: Path) -> None:
    """Create TEST_USERS in a warehouse (once)."""
    from etl import accounts

    existing = {user.username for user in accounts.list_users(warehouse_file)}
    for username, password, country in TEST_USERS.values():
        if username not in existing:
            role = next(role for role, spec in TEST_USERS.items() if spec[0] == username)
            accounts.add_user(username, password, role, country, warehouse_file)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real login form and wait until the dashboard's page has loaded."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    # Wait for "load", not "commit": Chromium can drop a close that races a navigation's commit
    # (crbug.com/536385539), and page.close() or context.close() then waits forever.
    with page.expect_navigation(url=re.compile(r"^(?!.*/login)"), wait_until="load"):
        page.click("#login-form button[type=submit]")
