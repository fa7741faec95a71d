"""In Chromium: an analyst fixes a rejected return and sees the chart change; a viewer cannot upload at all."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from openpyxl import load_workbook
from support.return_files import GOOD_ROWS, write_xlsx

from etl import warehouse

pytestmark = pytest.mark.browser

BAD_ROWS = [GOOD_ROWS[0], ["KHM-009", "9.9.9", "Unknown measure", "Planned"]]
CELL_TEXT = """() => {
    const graph = document.querySelector('#reporting-matrix-graph .js-plotly-plot');
    const heatmap = graph.data[0];
    const row = heatmap.y[1].indexOf('Cambodia');
    const column = heatmap.x.indexOf('2015');
    return heatmap.text[row][column];
}"""
DROP_ZONE_BORDER = "(selector) => getComputedStyle(document.querySelector(selector)).borderTopStyle"


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
    assert page.inner_text("#upload") == "Drop return files here, or choose files"
    # The drop zone's dashed box comes from .upload-drop in the dashboard's stylesheet.
    assert page.evaluate(DROP_ZONE_BORDER, "#upload .upload-drop") == "dashed"

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
    # With the session's token, as the page's own script sends it: refused for the role, not for a missing token.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    response = page.request.post(
        f"{live_app}/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.status == 403
    assert page.request.get(f"{live_app}/download/template?year=2015").status == 403


# Version 1 of Cambodia's 2015 return, then a second version that takes two activities back from completed and
# drops a third.
VERSION_1 = [
    ["KHM-001", "2.1.6", "Customs training", "Completed", date(2015, 1, 10), date(2015, 6, 30)],
    ["KHM-002", "3.1.2(a)", "Rural health pilot", "Completed", date(2015, 2, 1), date(2015, 9, 30)],
    ["KHM-003", "5.1", "Connectivity study", "Ongoing", date(2015, 3, 1)],
    ["KHM-004", "5.2", "Port survey", "Planned"],
]
VERSION_2 = [
    ["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2015, 1, 10)],
    ["KHM-002", "3.1.2(a)", "Rural health pilot", "Suspended", date(2015, 2, 1)],
    ["KHM-004", "5.2", "Port survey", "Planned"],
    ["KHM-005", "6.1", "New forum", "Planned"],
]


def check_and_wait(page, path):
    upload(page, path)
    page.wait_for_selector(".upload-submit", timeout=30000)


def test_a_version_that_undoes_the_record_shows_its_changes_and_submits_only_when_confirmed(
    live_app, signed_in_page, tmp_path, warehouse_file
):
    page = signed_in_page("analyst")
    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    check_and_wait(page, write_xlsx(tmp_path / "khm-2015.xlsx", VERSION_1))
    page.click(".upload-submit")
    page.wait_for_selector("text=submitted as version 1", timeout=30000)

    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    check_and_wait(page, write_xlsx(tmp_path / "khm-2015-v2.xlsx", VERSION_2))
    card = page.locator(".upload-result").first
    assert card.locator(".upload-status").inner_text() == "changes to the record: confirm them to submit"
    assert "bg-warning" in card.locator(".upload-status").get_attribute("class")
    button = page.locator(".upload-submit")
    assert button.inner_text() == "Submit version 2: 2 activities go back from completed, 1 removed"
    table = card.locator("[id^=upload-changes-table-]").first  # the changes, above the button
    table.locator(".ag-cell").first.wait_for(timeout=15000)
    assert table.bounding_box()["y"] < button.bounding_box()["y"]
    cells = {key: table.locator(f".ag-center-cols-container .ag-cell[col-id='{key}']").all_inner_texts()
             for key in ("activity_id", "old", "new")}  # fmt: skip
    changes = sorted(" | ".join(row) for row in zip(cells["activity_id"], cells["old"], cells["new"], strict=True))
    assert changes == ["KHM-001 | completed | ongoing", "KHM-002 | completed | suspended",
                       "KHM-003 | ongoing | (not listed)"]  # fmt: skip
    page.screenshot(path=str(tmp_path / "held.png"), full_page=True)
    with warehouse.read_connection(warehouse_file) as con:  # held: recorded, nothing loaded
        assert con.execute("SELECT status, version FROM submissions ORDER BY submission_id").fetchall() == [
            ("accepted", 1), ("held", 2)]  # fmt: skip

    button.click()
    outcome = page.locator(".upload-outcome")
    outcome.wait_for(timeout=30000)
    assert outcome.inner_text().startswith(
        "Submitted: KHM 2015 is now version 2, confirming its changes to the record (2 activities go back from "
        "completed, 1 removed). Against version 1: "
    )
    assert card.locator(".upload-status").inner_text() == "submitted as version 2"
    # Its badge takes the colour of an accepted file: held no longer.
    assert "bg-success" in card.locator(".upload-status").get_attribute("class")
    # What it was held for is done: no "nothing is loaded until you confirm" and no table of changes above the
    # outcome, which names the changes confirmed instead.
    assert card.locator(".held-explanation").count() == 0
    assert card.locator("[id^=upload-changes-table-]").count() == 0
    assert "nothing is loaded" not in card.inner_text()
    with warehouse.read_connection(warehouse_file) as con:
        loaded = con.execute(
            "SELECT a.activity_id, a.status FROM activities a JOIN current_submissions s USING (submission_id) "
            "ORDER BY 1"
        ).fetchall()
    assert loaded == [("KHM-001", "ongoing"), ("KHM-002", "suspended"), ("KHM-004", "planned"),
                      ("KHM-005", "planned")]  # fmt: skip

    page.goto(f"{live_app}/submissions")
    page.wait_for_selector("#submissions-table .ag-cell", timeout=15000)
    log = page.inner_text("#submissions-table")
    assert "current" in log and "superseded by version 2 on " in log and "held, then confirmed as version 2" in log

    page.goto(f"{live_app}/country?country=KHM&year=2015")
    versions = page.locator("#country-versions-table")
    versions.wait_for(timeout=15000)
    text = versions.inner_text()
    assert "current" in text and "superseded by version 2" in text and "held, then confirmed" in text
    page.screenshot(path=str(tmp_path / "country.png"), full_page=True)
    assert page.console_errors == []


def test_a_dropped_file_of_any_type_gets_a_result_replacing_the_last(live_app, signed_in_page, tmp_path):
    page = signed_in_page("analyst")
    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    upload(page, write_xlsx(tmp_path / "cambodia-2015.xlsx"))
    page.wait_for_selector(".upload-submit", timeout=30000)
    assert page.locator(".upload-result").count() == 1

    notes = tmp_path / "notes.txt"
    notes.write_text("not a return", encoding="utf-8")
    pdf = tmp_path / "return.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    for path, kind in ((notes, ".txt"), (pdf, ".pdf")):
        upload(page, path)
        result = page.locator(".upload-result").filter(has_text=path.name)
        result.wait_for(timeout=30000)
        # The refusal replaces the last result: one card, this file's, saying what the page takes.
        assert page.locator(".upload-result").count() == 1
        assert result.locator(".upload-status").inner_text() == "rejected"
        assert f"{path.name}: files of type {kind} are not accepted; upload the return as .xlsx" in result.inner_text()
    assert page.locator(".upload-submit").count() == 0
    assert page.console_errors == []


def test_a_file_over_the_limit_is_named_under_the_drop_zone(live_app, signed_in_page, tmp_path):
    page = signed_in_page("analyst")
    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    big = tmp_path / "cambodia-2015-with-photos.xlsx"
    with big.open("wb") as file:  # 21 MB: over the default 20 MB limit, refused in the browser before it is read
        file.truncate(21 * 1024 * 1024)
    upload(page, big)
    note = page.locator("#upload-too-large")
    note.wait_for(state="visible", timeout=15000)
    assert note.get_attribute("role") == "alert"
    assert note.inner_text().startswith("cambodia-2015-with-photos.xlsx is 21 MB, over the 20 MB limit")
    upload(page, write_xlsx(tmp_path / "cambodia-2015.xlsx"))  # a file that fits clears the line and is checked
    page.wait_for_selector(".upload-submit", timeout=30000)
    assert note.inner_text() == ""
    assert page.console_errors == []


def test_upload_names_both_readings_of_a_date_and_a_carried_early_date_once(live_app, signed_in_page, tmp_path):
    page = signed_in_page("analyst")
    first = [["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2011, 3, 1)]]
    carried = [*first, ["KHM-002", "5.1", "Connectivity study", "Ongoing", "01/07/2015"]]
    for name, rows in (("cambodia-2014.xlsx", first), ("cambodia-2015.xlsx", carried)):
        page.goto(f"{live_app}/upload")
        page.wait_for_selector("#upload", timeout=15000)
        upload(page, write_xlsx(tmp_path / name, rows, year=int(name[-9:-5])))
        page.wait_for_selector(".upload-submit", timeout=30000)
        page.locator(".upload-result .ag-cell").first.wait_for(timeout=15000)
        text = page.inner_text(".upload-result")
        if name == "cambodia-2014.xlsx":
            assert "2011-03-01 is outside the plan's years" in text
            page.click(".upload-submit")
            page.locator(".upload-outcome").wait_for(timeout=30000)
    # The second year's return carries KHM-001's early start: not warned again; its new date names both readings.
    assert "outside the plan's years" not in text
    assert '"01/07/2015" could be 1 July 2015 (day/month/year) or 7 January 2015 (month/day/year)' in text
    assert page.console_errors == []


def _log_rows(warehouse_file) -> list[tuple]:
    with warehouse.read_connection(warehouse_file) as con:
        return con.execute("SELECT file_name, status FROM submissions ORDER BY submission_id").fetchall()


def test_choosing_the_same_file_again_checks_it_again(live_app, signed_in_page, tmp_path, warehouse_file):
    # The file input fires no change when it is given the file it already holds, and Dash answers no unchanged
    # property: the second choice of the same rejected file gave no new check and no new row in the log, and the
    # old result stayed on screen (dashboard/assets/30-drop-zone.js).
    page = signed_in_page("analyst")
    page.goto(f"{live_app}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    rejected = write_xlsx(tmp_path / "cambodia-2015.xlsx", BAD_ROWS)
    for attempt in (1, 2, 3):
        upload(page, rejected)
        wait_for_log_rows(page, warehouse_file, attempt)
        assert _log_rows(warehouse_file) == [("cambodia-2015.xlsx", "rejected")] * attempt
        page.locator(".upload-result").wait_for(timeout=30000)
        assert page.locator(".upload-result").count() == 1
        assert page.locator(".upload-status").inner_text() == "rejected"

    # A file submitted, then chosen again: checked again, and found identical to the version it made.
    good = write_xlsx(tmp_path / "cambodia-2015-fixed.xlsx")
    check_and_wait(page, good)
    page.click(".upload-submit")
    page.wait_for_selector("text=submitted as version 1", timeout=30000)
    upload(page, good)
    page.wait_for_selector("text=identical to the current version", timeout=30000)
    assert page.locator(".upload-result").count() == 1
    assert _log_rows(warehouse_file)[3:] == [("cambodia-2015-fixed.xlsx", "accepted"),
                                             ("cambodia-2015-fixed.xlsx", "unchanged")]  # fmt: skip
    assert page.console_errors == []


def wait_for_log_rows(page, warehouse_file, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(_log_rows(warehouse_file)) < count and time.monotonic() < deadline:
        page.wait_for_timeout(200)
