"""The accessibility audit for the browser tests: axe-core's WCAG 2.1 A and AA rules, and a page settled to audit."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from support.signing_in import TEST_USERS, add_test_users, sign_in

# WCAG 2.1 level A and AA, the bar of issue 25 (and of public-sector procurement); axe's best practices are not asked.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# The default desktop width, and the same screen at 200% zoom (WCAG 1.4.4 and 1.4.10 ask for both).
WIDTHS = {"1366px": {"width": 1366, "height": 768}, "683px": {"width": 683, "height": 384}}

_axe = Axe()  # ships its own axe.min.js: nothing is fetched at run time


def violations(page) -> list[dict]:
    """axe's violations of WCAG 2.1 A/AA on the page as it is now."""
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def summary(found: list[dict]) -> dict[str, int]:
    """{rule (impact): number of elements}, the figures a failing test and the accessibility note print."""
    return {f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in found}


def details(found: list[dict], per_rule: int = 3) -> str:
    """What axe found, a few elements per rule with why, for a failing assertion's message."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:per_rule]:
            why = node["failureSummary"].splitlines()[-1].strip()
            lines.append(f"    {', '.join(map(str, node['target']))}: {why}")
    return "\n".join(lines)


def settle(page, timeout: float = 20000) -> None:
    """Wait until Dash has no callback in flight, every graph has drawn and every grid has rendered its rows (at
    once on a page that is not Dash's, the sign-in form)."""
    page.wait_for_function(
        """() => !document.getElementById('react-entry-point') || window.store && !window.store.getState().isLoading
            && !document.querySelector('[data-dash-is-loading="true"]')
            && document.getElementById('_pages_content')?.children.length > 0
            && Array.from(document.querySelectorAll('.dash-graph')).every(g => g.querySelector('.main-svg'))
            && Array.from(document.querySelectorAll('.data-grid')).every(g => g.querySelector('.ag-root'))""",
        timeout=timeout,
    )
    page.wait_for_timeout(150)  # plotly's resize and the grid's auto heights finish in the next frames


def resize(page, width: str) -> None:
    """Give the page one of WIDTHS and let the layout, plotly's responsive charts and the grids reflow."""
    if page.viewport_size != WIDTHS[width]:
        page.set_viewport_size(WIDTHS[width])
        page.wait_for_timeout(300)
        settle(page)


@contextmanager
def served_copy(demo_warehouse: Path, folder: Path) -> Iterator[str]:
    """A copy of the session's demo warehouse in `folder`, with the test users, served; yields its base URL."""
    from dashboard.app import create_app

    path = folder / "warehouse.duckdb"
    shutil.copy(demo_warehouse, path)
    add_test_users(path)
    server = make_server("127.0.0.1", 0, create_app(path).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def signed_in_tabs(browser, base_url: str) -> Iterator:
    """tab("admin"): one signed-in tab per role, opened on first use and kept until the block ends."""
    opened = {}

    def tab(role: str):
        if role not in opened:
            context = browser.new_context(viewport=WIDTHS["1366px"], accept_downloads=True)
            page = context.new_page()
            username, password, _ = TEST_USERS[role]
            sign_in(page, base_url, username, password)
            opened[role] = page
        return opened[role]

    try:
        yield tab
    finally:
        for page in opened.values():
            page.context.close()
