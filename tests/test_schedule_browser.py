"""In Chromium: an admin replaces the schedule on its page, and the measure page, charts and treemap judge by it."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from support.factories import add_return
from support.schedule_files import write_schedule

pytestmark = pytest.mark.browser

GRAPH_DATA = """(id) => {
    const gd = document.getElementById(id)?.querySelector('.js-plotly-plot');
    return gd && gd.data ? gd.data.map(t => ({name: t.name, y: t.y, colors: t.marker && t.marker.colors})) : null;
}"""


@pytest.fixture(autouse=True)
def staging_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def _upload(page, path) -> None:
    page.set_input_files("#schedule-upload input[type=file]", str(path))


def _graph(page, graph_id: str, trace: str) -> dict:
    page.wait_for_function(
        "([id, name]) => { const gd = document.getElementById(id)?.querySelector('.js-plotly-plot');"
        " return gd && gd.data && gd.data.some(t => t.name === name); }",
        arg=[graph_id, trace],
        timeout=20000,
    )
    return next(t for t in page.evaluate(GRAPH_DATA, graph_id) if t["name"] == trace)


def test_an_admin_replaces_the_schedule_and_the_pages_judge_by_it(live_app, warehouse_file, signed_in_page, tmp_path):
    add_return(warehouse_file, "KHM", 2014, [("A1", "ongoing", ["5.1"]), ("A2", "completed", ["5.2"])])
    page = signed_in_page("admin")
    page.goto(f"{live_app}/schedule")
    page.wait_for_selector("#schedule-upload", timeout=15000)
    assert "In use: default schedule (none loaded" in page.inner_text(".schedule-version")
    assert page.inner_text("#schedule-upload") == "Drop the schedule workbook here, or choose a file"
    drop_zone = "() => getComputedStyle(document.querySelector('#schedule-upload .upload-drop')).borderTopStyle"
    assert page.evaluate(drop_zone) == "dashed"  # the dashed box of .upload-drop in the dashboard's stylesheet

    # A file with an error is rejected whole: the findings in a table, the workbook back with its cells marked.
    bad = write_schedule(tmp_path / "schedule-bad.xlsx", [{"measure_id": "5.1", "kind": "sometimes"}])
    _upload(page, bad)
    result = page.locator(".schedule-result").first
    result.wait_for(timeout=30000)
    assert result.locator(".schedule-status").inner_text() == "rejected"
    result.locator(".ag-cell").first.wait_for(timeout=15000)
    assert 'Row 2, Kind: "sometimes" is not a kind' in result.inner_text()
    with page.expect_download() as download_info:
        page.click(".schedule-feedback")
    download_info.value.save_as(tmp_path / "marked.xlsx")
    marked = load_workbook(tmp_path / "marked.xlsx")
    assert "unknown-kind" in marked["Schedule"]["B2"].comment.text
    assert "In use: default schedule" in page.inner_text(".schedule-version")

    # A good one is loaded as version 1 and shows in the table.
    rows = [
        {"measure_id": "5.1", "kind": "recurring"},
        {"measure_id": "5.6", "start_year": 2013, "due_year": 2014, "lead_countries": "KOR"},
    ]
    _upload(page, write_schedule(tmp_path / "schedule.xlsx", rows))
    page.wait_for_function("() => document.querySelector('.schedule-status')?.innerText === 'loaded'", timeout=30000)
    assert "the schedule is now version 1" in page.inner_text(".schedule-result")
    assert "In use: version 1, 2 measures scheduled" in page.inner_text(".schedule-version")

    # The measure page shows the schedule and that 5.6 is overdue as of 2014.
    page.goto(f"{live_app}/measure/5.6?year=2014")
    page.wait_for_selector("#measure-schedule", timeout=20000)
    line = page.inner_text("#measure-schedule")
    assert "One-off: from 2013, due by the end of 2014; lead countries: Republic of Korea" in line
    assert "As of 2014: overdue" in line

    # The overview's dashed line is what the schedule expects of KHM's two measures: 5.1 (recurring, 1) and 5.2
    # (default, 0.4), so 0.7 as of 2014.
    page.goto(f"{live_app}/?year=2014&country=KHM&pillar=5")
    expected = _graph(page, "trend-graph", "Expected by the schedule")
    assert expected["y"][2] == pytest.approx(0.7)
    assert _graph(page, "trend-graph", "Delivered")["y"][-1] == pytest.approx(1.0)

    # The treemap can colour measures by the schedule: 5.6 overdue in vermillion.
    page.goto(f"{live_app}/measures?year=2014")
    page.get_by_text("Colour by the schedule", exact=False).click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('#catalogue-treemap .js-plotly-plot');"
        " return (gd?.data?.[0]?.marker?.colors || []).includes('#D55E00'); }",
        timeout=20000,
    )
    assert page.console_errors == []


def test_only_an_admin_may_open_the_schedule_page_or_download_the_workbook(live_app, signed_in_page):
    page = signed_in_page("evaluator")
    page.goto(f"{live_app}/schedule")
    page.wait_for_selector("text=change the implementation schedule", timeout=15000)
    assert page.locator("#schedule-upload").count() == 0
    response = page.request.get(f"{live_app}/download/schedule")
    assert response.status == 403
    admin = signed_in_page("admin")
    downloaded = admin.request.get(f"{live_app}/download/schedule")
    assert downloaded.status == 200 and downloaded.body()[:2] == b"PK"
