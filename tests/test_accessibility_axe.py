"""axe-core finds no WCAG 2.1 A or AA violation on any page, for any role, at 1366 px and at 683 px (200% zoom),
in every state the tests reach: filters changed, a section drilled into, an upload's result, a held return, errors."""

from __future__ import annotations

import shutil
import threading

import pytest
from conftest import TEST_USERS, add_test_users, sign_in
from support.accessibility import WIDTHS, details, resize, settle, summary, violations
from support.return_files import GOOD_ROWS, write_xlsx
from support.schedule_files import write_schedule
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

# Every page each role opens (the navigation shows each role only these), the measure's page as one measure.
EVERYONE = ["/", "/heatmap", "/measures", "/measure/2.1.6", "/country", "/reporting", "/review", "/funding"]
PAGES = {
    "viewer": EVERYONE,
    "analyst": [*EVERYONE, "/upload", "/submissions"],
    "evaluator": [*EVERYONE, "/export"],
    "admin": [*EVERYONE, "/upload", "/submissions", "/export", "/schedule"],
}


@pytest.fixture(scope="module")
def demo_app(demo_warehouse, tmp_path_factory):
    """A copy of the session's demo warehouse served for the module (the uploads below write to it)."""
    from dashboard.app import create_app

    root = tmp_path_factory.mktemp("accessibility")
    path = root / "warehouse.duckdb"
    shutil.copy(demo_warehouse, path)
    add_test_users(path)
    server = make_server("127.0.0.1", 0, create_app(path).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def returns_dir(tmp_path_factory):
    """Staged and stored uploads for the module, outside the project."""
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("returns")
    mp.setenv("APTMON_RETURNS_DIR", str(path))
    yield path
    mp.undo()


@pytest.fixture(scope="module")
def tabs(browser, demo_app, returns_dir):
    """tabs("admin"): one signed-in tab per role, opened once for the module and reused by every test."""
    opened = {}

    def tab(role: str):
        if role not in opened:
            context = browser.new_context(viewport=WIDTHS["1366px"], accept_downloads=True)
            page = context.new_page()
            username, password, _ = TEST_USERS[role]
            sign_in(page, demo_app, username, password)
            opened[role] = page
        return opened[role]

    yield tab
    for page in opened.values():
        page.context.close()


def audit_both_widths(page, label: str, found: dict[str, list[dict]]) -> None:
    """axe once at each width on the page as it stands (the current width first: one resize, not two); what it
    finds is kept under `label`."""
    current = next((name for name, size in WIDTHS.items() if size == page.viewport_size), None)
    for width in sorted(WIDTHS, key=lambda name: name != current):
        resize(page, width)
        result = violations(page)
        if result:
            found[f"{label} at {width}"] = result


def report(found: dict[str, list[dict]]) -> str:
    return "\n\n".join(f"{where}: {summary(v)}\n{details(v)}" for where, v in found.items())


def open_page(page, base: str, path: str) -> None:
    page.goto(f"{base}{path}")
    settle(page)


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_of_a_role_passes_axe_at_both_widths(demo_app, tabs, role):
    page = tabs(role)
    found: dict[str, list[dict]] = {}
    for path in PAGES[role]:
        open_page(page, demo_app, path)
        audit_both_widths(page, f"{role} on {path}", found)
    assert not found, report(found)


def test_the_sign_in_page_and_its_error_pass_axe(demo_app, browser):
    context = browser.new_context(viewport=WIDTHS["1366px"])
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        page.goto(f"{demo_app}/login")
        audit_both_widths(page, "sign-in", found)
        page.fill("#username", "viewer")
        page.fill("#password", "not-the-password")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#login-error")
        audit_both_widths(page, "sign-in with a wrong password", found)
    finally:
        context.close()
    assert not found, report(found)


def choose(page, name: str, value: str) -> None:
    """Pick a value in one of the shared filters (a native select)."""
    page.select_option(f'[id=\'{{"name":"{name}","type":"filter"}}\']', value)
    settle(page)


def test_changed_filters_and_a_drilled_section_pass_axe(demo_app, tabs):
    page = tabs("viewer")
    found: dict[str, list[dict]] = {}
    open_page(page, demo_app, "/")
    choose(page, "year", "2015")
    choose(page, "country", "KHM")
    audit_both_widths(page, "overview, 2015, Cambodia", found)
    open_page(page, demo_app, "/heatmap")
    page.get_by_text("Completion", exact=True).click()
    page.get_by_text("Sections", exact=True).click()
    settle(page)
    audit_both_widths(page, "heatmap, completion by section", found)
    open_page(page, demo_app, "/measures")
    choose(page, "pillar", "2")
    choose(page, "section", "2.1")
    audit_both_widths(page, "measures, section 2.1", found)
    open_page(page, demo_app, "/country?country=KHM&year=2015")
    choose(page, "country", "JPN")
    audit_both_widths(page, "country, Japan", found)
    assert not found, report(found)


# Cambodia's 2014 return rewritten to take every activity back: the demo holds a richer 2014, so this one is held.
HELD_ROWS = [["KHM-001", "2.1.6", "Customs training", "Planned"]]
BAD_ROWS = [GOOD_ROWS[0], ["KHM-009", "9.9.9", "Unknown measure", "Planned"]]


def test_upload_results_a_held_return_and_a_submission_pass_axe(demo_app, tabs, tmp_path):
    page = tabs("analyst")
    found: dict[str, list[dict]] = {}
    open_page(page, demo_app, "/upload")
    page.set_input_files("#upload input[type=file]", str(write_xlsx(tmp_path / "khm-bad.xlsx", BAD_ROWS)))
    page.locator(".upload-result .ag-cell").first.wait_for(timeout=30000)
    settle(page)
    audit_both_widths(page, "upload, a rejected return's findings", found)

    open_page(page, demo_app, "/upload")
    page.set_input_files("#upload input[type=file]", str(write_xlsx(tmp_path / "khm-2014.xlsx", HELD_ROWS, year=2014)))
    page.wait_for_selector(".upload-submit", timeout=30000)
    settle(page)
    audit_both_widths(page, "upload, a held return", found)

    page.click(".upload-submit")
    page.locator(".upload-outcome").first.wait_for(timeout=30000)
    settle(page)
    audit_both_widths(page, "upload, submitted", found)
    open_page(page, demo_app, "/submissions")
    page.locator("#submissions-table .ag-cell").first.click()
    settle(page)
    audit_both_widths(page, "submissions, one selected", found)
    assert not found, report(found)


def test_admin_errors_and_an_export_pass_axe(demo_app, tabs, tmp_path):
    page = tabs("admin")
    found: dict[str, list[dict]] = {}
    open_page(page, demo_app, "/schedule")
    bad = write_schedule(tmp_path / "schedule-bad.xlsx", [{"measure_id": "5.1", "kind": "sometimes"}])
    page.set_input_files("#schedule-upload input[type=file]", str(bad))
    page.locator(".schedule-result .ag-cell").first.wait_for(timeout=30000)
    settle(page)
    audit_both_widths(page, "schedule, a rejected workbook", found)

    open_page(page, demo_app, "/review")
    page.click("#review-meeting-record")
    page.locator("#review-meeting-result .alert").wait_for(timeout=15000)
    settle(page)
    audit_both_widths(page, "review, a meeting without a date", found)

    open_page(page, demo_app, "/export")
    page.get_by_text("CSV files (zip)").click()
    settle(page)
    with page.expect_download(timeout=60000):
        page.click("#export-tables-button")
    settle(page)
    audit_both_widths(page, "export, CSV chosen and downloaded", found)
    assert not found, report(found)
