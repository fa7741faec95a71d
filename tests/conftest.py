"""Shared fixtures: a real warehouse in tmp_path, a live dashboard, and headless Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.signing_in import TEST_USERS, add_test_users, sign_in  # noqa: F401 (re-exported for tests)
from werkzeug.serving import make_server

from etl import warehouse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(tryfirst=True)  # before -m "not slow" deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium or serves the dashboard (live_app) is slow: `make test-fast` leaves it out."""
    for item in items:
        if item.get_closest_marker("browser") or "live_app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    """A freshly initialised warehouse with the catalogue loaded."""
    path = tmp_path / "warehouse.duckdb"
    warehouse.initialise(path)
    return path


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The synthetic demo returns ingested once per session; read it, never write to it."""
    import os

    from etl.demo.returns import run_demo

    root = tmp_path_factory.mktemp("demo-warehouse")
    before = os.environ.get("APTMON_RETURNS_DIR")
    os.environ["APTMON_RETURNS_DIR"] = str(root / "returns")
    try:
        run_demo(root / "warehouse.duckdb")
    finally:
        if before is None:
            os.environ.pop("APTMON_RETURNS_DIR", None)
        else:
            os.environ["APTMON_RETURNS_DIR"] = before
    return root / "warehouse.duckdb"


LIMITS_FOR_THE_SESSION = {
    "APTMON_UPLOADS_PER_HOUR": "100000",
    "APTMON_SIGNIN_LIMITS": "1000 per minute",
    "APTMON_SIGNIN_CLIENT_LIMITS": "100000 per minute",
}


@pytest.fixture(scope="session", autouse=True)
def instance_dir(tmp_path_factory) -> Iterator[Path]:
    """Secrets of the app under test (session key, demo passwords) live in a temporary folder, not the project."""
    path = tmp_path_factory.mktemp("instance")
    before = os.environ.get("APTMON_INSTANCE_DIR")
    os.environ["APTMON_INSTANCE_DIR"] = str(path)
    # The rate limits' counts live in instance/ and so span the whole session: hundreds of uploads and failed
    # sign-ins from 127.0.0.1 within the hour. Tests of the limits themselves set their own (tests/test_security.py).
    for name, value in LIMITS_FOR_THE_SESSION.items():
        os.environ.setdefault(name, value)
    yield path
    if before is None:
        os.environ.pop("APTMON_INSTANCE_DIR", None)
    else:
        os.environ["APTMON_INSTANCE_DIR"] = before


class LiveApp(str):
    """The base URL of a running dashboard (a str, so f"{live_app}/page" works) with its users and warehouse."""

    users: dict[str, tuple[str, str, str | None]]
    warehouse: Path


@pytest.fixture
def live_app(warehouse_file: Path) -> Iterator[LiveApp]:
    """The dashboard served on a free loopback port, with one user per role; yields its base URL."""
    from dashboard.app import create_app

    add_test_users(warehouse_file)
    app = create_app(warehouse_file)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = LiveApp(f"http://127.0.0.1:{server.server_port}")
    url.users, url.warehouse = TEST_USERS, warehouse_file
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served_demo(demo_warehouse, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """(base URL, demo warehouse): a copy of the session's demo warehouse served for one module that only reads it;
    the views are asked from the demo warehouse itself, which holds the same data."""
    from support.accessibility import served_copy

    with served_copy(demo_warehouse, tmp_path_factory.mktemp("served-demo")) as url:
        yield url, demo_warehouse


@pytest.fixture(scope="module")
def served_demo_tabs(browser, served_demo) -> Iterator[Callable]:
    """tabs("viewer"): one signed-in tab per role on served_demo, opened on first use and kept for the module."""
    from support.accessibility import signed_in_tabs

    with signed_in_tabs(browser, served_demo[0]) as tab:
        yield tab


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    new_page = context.new_page()
    new_page.console_errors = []
    new_page.on("console", lambda msg: msg.type == "error" and new_page.console_errors.append(msg.text))
    new_page.on("pageerror", lambda exc: new_page.console_errors.append(str(exc)))
    return new_page


@pytest.fixture
def page(browser, request):
    """A fresh page that records console errors in `page.console_errors`; signed in as a viewer with live_app."""
    new_page = _new_page(browser)
    if "live_app" in request.fixturenames:
        live_app = request.getfixturevalue("live_app")
        username, password, _ = TEST_USERS["viewer"]
        sign_in(new_page, live_app, username, password)
        new_page.console_errors.clear()
    yield new_page
    new_page.context.close()


@pytest.fixture
def signed_in_page(browser, live_app) -> Iterator[Callable]:
    """A factory: signed_in_page("analyst") is a fresh page signed in with that role's test user."""
    pages = []

    def open_page(role: str):
        username, password, _ = TEST_USERS[role]
        new_page = _new_page(browser)
        sign_in(new_page, live_app, username, password)
        new_page.console_errors.clear()
        pages.append(new_page)
        return new_page

    yield open_page
    for opened in pages:
        opened.context.close()
