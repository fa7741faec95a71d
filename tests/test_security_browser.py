"""Chromium against the app under gunicorn: every page renders under the content security policy; Sign out ends it."""

from __future__ import annotations

import re
import shutil

import pytest
from support.served_app import served
from support.signing_in import TEST_USERS, add_test_users, sign_in

pytestmark = pytest.mark.browser

# Recorded in the page before any of its scripts run: every CSP violation, whether or not it reaches the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    const where = `${event.sourceFile}:${event.lineNumber}`;
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def demo_server(tmp_path, demo_warehouse):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, db)  # the session's demo warehouse is read-only; this server may write
    add_test_users(db)
    with served(tmp_path, db) as base_url:
        yield base_url


def test_every_page_renders_without_a_csp_violation_and_sign_out_ends_the_session(demo_server, browser):
    from dashboard import ids

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        username, password, _ = TEST_USERS["admin"]
        sign_in(page, demo_server, username, password)
        links = page.locator(f"#{ids.NAVBAR} a.nav-link")
        links.first.wait_for()
        paths = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(paths) >= 6  # an admin sees every page
        for path in paths:
            response = page.goto(f"{demo_server}{path}", wait_until="networkidle")
            assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
            page.locator("#_pages_content").wait_for()
            page.wait_for_timeout(300)  # late chart draws and their styles
            assert page.evaluate("window.__cspViolations") == [], path
            assert page.locator("#_pages_content h1").count() == 1, (
                path
            )  # the page itself drew (its one H1), not an error
        assert errors == []

        # Sign out is a form post: it lands on the sign-in page, and the dashboard is closed behind it.
        page.goto(f"{demo_server}/", wait_until="networkidle")
        with page.expect_navigation(url=re.compile(r"/login$")):
            page.locator(f"#{ids.SIGN_OUT_FORM} button[type=submit]").click()
        page.goto(f"{demo_server}/reporting")
        assert "/login?next=" in page.url
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
