"""The app shell loads in headless Chromium with its navigation and the catalogue table."""

import pytest

pytestmark = pytest.mark.browser


def test_shell_shows_navigation_and_catalogue(live_app, page):
    page.goto(f"{live_app}/measures")
    page.wait_for_selector("#catalogue-table .ag-cell", timeout=15000)
    assert page.locator(".navbar-brand").inner_text() == "APT Work Plan Monitor"
    assert page.get_by_role("link", name="Measures").is_visible()
    assert "183 measures and 13 sub-items" in page.inner_text("body")
    first_cell = page.locator("#catalogue-table .ag-cell[col-id='measure_id']").first.inner_text()
    assert first_cell == "1.1.1"
    assert page.console_errors == []


def test_no_asset_comes_from_another_host(live_app, page):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_app)
    page.wait_for_selector("#trend-graph .main-svg", timeout=15000)
    page.goto(f"{live_app}/measures")  # the data grid loads its script and draws its styles itself
    page.wait_for_selector("#catalogue-table .ag-cell", timeout=15000)
    assert hosts == {live_app.split("/")[2]}
