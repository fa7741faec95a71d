"""In Chromium: an analyst fixes a rejected return and sees the chart change; a viewer cannot upload at all."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from return_files import GOOD_ROWS, write_xlsx

pytestmark = pytest.mark.browser

BAD_ROWS = [GOOD_ROWS[0], ["KHM-009", "9.9.9", "Unknown measure", "Planned"]]
CELL_TEXT = """() => {
    const graph = document.querySelector('#reporting-matrix-graph .js-plotly-plot');
    const heatmap = graph.data[0];
    const row = heatmap.y[1].indexOf('Cambodia');
    const column = heatmap.x.indexOf('2015');
    return heatmap.text[row][column];
}"""


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def upload(page, path) -> None:
    page.set_input_files("#upload input[type=file]", str(path))


def cambodia_2015_cell(page, base_url: str) -> str:
    page.goto(f"{base_url}/reporting?year=2015")
    page.wait_for_function(
        "() => { const g = document.querySelector('#reporting-matrix-graph .js-plotly-plot');"
        " return g && g.data && g.data.length > 0; }",
        timeout=15000,
    )
    return page.evaluate(CELL_TEXT)


def test_analyst_fixes_a_rejected_return_and_the_chart_changes(live_app, signed_in_page, tmp_path):
    page = signed_in_page("analyst")
    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    assert "You upload returns for Cambodia (KHM)" in page.inner_text("body")

    upload(page, write_xlsx(tmp_path / "cambodia-2015.xlsx", BAD_ROWS))
    result = page.locator(".upload-result").first
    result.wait_for(timeout=30000)
    assert result.locator(".upload-status").inner_text() == "rejected"
    result.locator(".ag-cell").first.wait_for(timeout=15000)  # the issues grid renders after its script loads
    assert '"9.9.9" is not a measure' in result.inner_text()
    assert page.locator(".upload-submit").count() == 0

    with page.expect_download() as download_info:
        page.click(".feedback-download")
    download = download_info.value
    assert download.suggested_filename == "cambodia-2015-checked.xlsx"
    download.save_as(tmp_path / download.suggested_filename)
    annotated = load_workbook(tmp_path / download.suggested_filename)
    assert "Issues" in annotated.sheetnames
    bad_cell = annotated["Activities"]["B3"]
    assert bad_cell.value == "9.9.9" and bad_cell.comment is not None

    assert cambodia_2015_cell(page, live_app).startswith("rejected")

    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    upload(page, write_xlsx(tmp_path / "cambodia-2015-fixed.xlsx"))
    page.wait_for_selector(".upload-submit", timeout=30000)
    assert page.locator(".upload-status").inner_text() == "ready to submit"
    page.click(".upload-submit")
    outcome = page.locator(".upload-outcome")
    outcome.wait_for(timeout=30000)
    assert "Submitted: KHM 2015 is now version 1." in outcome.inner_text()
    assert page.locator(".upload-submit").is_disabled()

    # The return is in: the reporting chart's Cambodia 2015 cell is no longer "rejected".
    cell = cambodia_2015_cell(page, live_app)
    assert cell.split("<br>") == ["late", "1 rejected"]
    assert page.console_errors == []


def test_viewer_sees_no_upload_control_and_is_refused_by_the_callback(live_app, page):
    page.goto(f"{live_app}/upload")
    page.wait_for_selector("text=Not available", timeout=15000)
    assert page.locator("#upload").count() == 0
    assert page.get_by_role("link", name="Upload").count() == 0
    assert "viewer" in page.inner_text("#signed-in-user")

    body = {
        "output": "upload-results.children",
        "outputs": {"id": "upload-results", "property": "children"},
        "inputs": [{"id": "upload", "property": "contents", "value": ["data:text/csv;base64,QQ=="]}],
        "state": [
            {"id": "upload", "property": "filename", "value": ["x.csv"]},
            {"id": "upload-country", "property": "value", "value": "KHM"},
            {"id": "upload-year", "property": "value", "value": 2015},
            {"id": "upload-received-on", "property": "date", "value": None},
        ],
        "changedPropIds": ["upload.contents"],
    }
    response = page.request.post(
        f"{live_app}/_dash-update-component", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status == 403
    assert page.request.get(f"{live_app}/download/template?year=2015").status == 403
