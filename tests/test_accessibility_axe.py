"""axe-core finds no WCAG 2.1 A or AA violation on any page, for any role, at 1366 px and at 683 px (200% zoom),
in every state the tests reach: filters changed, a section drilled into, an upload's result, a held return, errors."""

from __future__ import annotations

import pytest
from support.accessibility import WIDTHS, details, resize, served_copy, settle, signed_in_tabs, summary, violations
from support.return_files import GOOD_ROWS, write_xlsx
from support.schedule_files import write_schedule

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
def returns_dir(tmp_path_factory):
    """Staged and stored uploads for the module, outside the project."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("returns")
        mp.setenv("APTMON_RETURNS_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def demo_app(demo_warehouse, returns_dir, tmp_path_factory):
    """A copy of the session's demo warehouse served for the module (the uploads below write to it)."""
    with served_copy(demo_warehouse, tmp_path_factory.mktemp("accessibility")) as url:
        yield url


@pytest.fixture(scope="module")
def tabs(browser, demo_app):
    """tabs("admin"): one signed-in tab per role, opened once for the module and reused by every test."""
    with signed_in_tabs(browser, demo_app) as tab:
        yield tab


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


@pytest.mark.parametrize(("role", "path"), [(role, path) for role, paths in PAGES.items() for path in paths])
def test_every_page_passes_axe_for_every_role_at_both_widths(demo_app, tabs, role, path):
    page = tabs(role)
    found: dict[str, list[dict]] = {}
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


# Cambodia's return rewritten to take every activity back: the demo holds a richer one for each year, so it is held.
HELD_ROWS = [["KHM-001", "2.1.6", "Customs training", "Planned"]]
BAD_ROWS = [GOOD_ROWS[0], ["KHM-009", "9.9.9", "Unknown measure", "Planned"]]


def overview_filtered(page, base, tmp_path):
    open_page(page, base, "/")
    choose(page, "year", "2015")
    choose(page, "country", "KHM")


def heatmap_by_section(page, base, tmp_path):
    open_page(page, base, "/heatmap")
    page.get_by_text("Completion", exact=True).click()
    page.get_by_text("Sections", exact=True).click()


def measures_of_a_section(page, base, tmp_path):
    open_page(page, base, "/measures")
    choose(page, "pillar", "2")
    choose(page, "section", "2.1")
    page.get_by_text("Colour by the schedule", exact=False).click()


def country_changed(page, base, tmp_path):
    open_page(page, base, "/country?country=KHM&year=2015")
    choose(page, "country", "JPN")


def upload_rejected(page, base, tmp_path):
    open_page(page, base, "/upload")
    page.set_input_files("#upload input[type=file]", str(write_xlsx(tmp_path / "khm-bad.xlsx", BAD_ROWS)))
    page.locator(".upload-result .ag-cell").first.wait_for(timeout=30000)


def upload_held(page, base, tmp_path):
    open_page(page, base, "/upload")
    page.set_input_files("#upload input[type=file]", str(write_xlsx(tmp_path / "khm-2014.xlsx", HELD_ROWS, year=2014)))
    page.locator(".upload-result [id^=upload-changes-table-] .ag-cell").first.wait_for(timeout=30000)


def upload_submitted(page, base, tmp_path):
    open_page(page, base, "/upload")
    page.set_input_files("#upload input[type=file]", str(write_xlsx(tmp_path / "khm-2013.xlsx", HELD_ROWS, year=2013)))
    page.click(".upload-submit", timeout=30000)
    page.locator(".upload-outcome").first.wait_for(timeout=30000)


def submission_selected(page, base, tmp_path):
    open_page(page, base, "/submissions")
    page.locator("#submissions-table .ag-cell").first.click()


def schedule_rejected(page, base, tmp_path):
    open_page(page, base, "/schedule")
    bad = write_schedule(tmp_path / "schedule-bad.xlsx", [{"measure_id": "5.1", "kind": "sometimes"}])
    page.set_input_files("#schedule-upload input[type=file]", str(bad))
    page.locator(".schedule-result .ag-cell").first.wait_for(timeout=30000)


def review_meeting_without_a_date(page, base, tmp_path):
    open_page(page, base, "/review")
    page.click("#review-meeting-record")
    page.locator("#review-meeting-result .alert").wait_for(timeout=15000)


def export_downloaded(page, base, tmp_path):
    open_page(page, base, "/export")
    page.get_by_text("CSV files (zip)").click()
    settle(page)
    with page.expect_download(timeout=60000):
        page.click("#export-tables-button")


# Each state a test reaches, by the role that reaches it: filters changed, a section drilled into, an upload's
# findings, a held return, a submission, a selected log row, error messages, an export.
STATES = {
    "overview, 2015, Cambodia": ("viewer", overview_filtered),
    "heatmap, completion by section": ("viewer", heatmap_by_section),
    "measures, section 2.1 by the schedule": ("viewer", measures_of_a_section),
    "country, Japan": ("viewer", country_changed),
    "upload, a rejected return's findings": ("analyst", upload_rejected),
    "upload, a held return's changes": ("analyst", upload_held),
    "upload, submitted": ("analyst", upload_submitted),
    "submissions, one selected": ("analyst", submission_selected),
    "schedule, a rejected workbook": ("admin", schedule_rejected),
    "review, a meeting without a date": ("admin", review_meeting_without_a_date),
    "export, CSV downloaded": ("evaluator", export_downloaded),
}


@pytest.mark.parametrize("state", list(STATES))
def test_every_state_passes_axe_at_both_widths(demo_app, tabs, tmp_path, state):
    role, reach = STATES[state]
    page = tabs(role)
    reach(page, demo_app, tmp_path)
    settle(page)
    found: dict[str, list[dict]] = {}
    audit_both_widths(page, state, found)
    assert not found, report(found)
