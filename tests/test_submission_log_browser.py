"""In Chromium, two tabs: a held return confirmed in tab A, then in tab B; the log shows only what happened."""

from __future__ import annotations

from datetime import date

import pytest
from support.return_files import write_xlsx

from etl.plan.plans import SEED_PLAN
from etl.returns.ingest import ingest_file

pytestmark = pytest.mark.browser

VERSION_1 = [
    ["KHM-001", "2.1.6", "Customs training", "Completed", date(2017, 1, 10), date(2017, 6, 30)],
    ["KHM-002", "5.1", "Connectivity study", "Ongoing", date(2017, 3, 1)],
]
# Removes the completed KHM-001 (held until confirmed) and gives KHM-002 a start date before 2013 (a warning).
VERSION_2 = [["KHM-002", "5.1", "Connectivity study", "Ongoing", date(2012, 3, 1)]]
# Each cell of a column as (its text, how many lines it takes): a word broken inside ("accepte d") takes two.
CELLS = """(column) => [...document.querySelectorAll(`#submissions-table .ag-center-cols-container .ag-row`)]
    .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
    .map((row) => {
        const cell = row.querySelector(`.ag-cell[col-id="${column}"]`);
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        const lines = new Set();
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            [...range.getClientRects()].forEach((r) => lines.add(Math.round(r.top)));
        }
        return [cell.innerText.trim(), lines.size];
    })"""


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def _check(page, base_url: str, path) -> None:
    page.goto(f"{base_url}/upload")
    page.wait_for_selector("#upload", timeout=15000)
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_selector(".upload-submit", timeout=30000)
    assert page.locator(".upload-status").inner_text() == "changes to the record: confirm them to submit"


def test_two_tabs_confirm_one_held_return_and_the_log_tells_what_happened(live_app, signed_in_page, tmp_path):
    first = ingest_file(write_xlsx(tmp_path / "v1.xlsx", VERSION_1, year=2017), warehouse_file=live_app.warehouse,
                        submitted_by="analyst")  # fmt: skip
    assert first.status == "accepted"
    second = write_xlsx(tmp_path / "khm-2017-v2.xlsx", VERSION_2, year=2017)

    tab_a = signed_in_page("analyst")
    _check(tab_a, live_app, second)  # held, and left unconfirmed
    tab_b = tab_a.context.new_page()
    _check(tab_a, live_app, second)
    _check(tab_b, live_app, second)

    tab_a.click(".upload-submit")
    tab_a.locator(".upload-outcome").wait_for(timeout=30000)
    assert (
        "Submitted: KHM 2017 is now version 2, confirming its changes to the record (1 removed)."
        in tab_a.inner_text(".upload-outcome")
    )
    tab_b.click(".upload-submit")
    tab_b.locator(".upload-outcome").wait_for(timeout=30000)
    assert "Identical to version 2" in tab_b.inner_text(".upload-outcome")

    tab_a.goto(f"{live_app}/submissions")
    tab_a.wait_for_function(
        "() => document.querySelectorAll('#submissions-table .ag-center-cols-container .ag-row').length === 4",
        timeout=15000,
    )
    results = tab_a.evaluate(CELLS, "status")
    states = [text for text, _ in tab_a.evaluate(CELLS, "version_state")]
    # One row per upload, newest first: tab B's, tab A's, the unconfirmed one, version 1.
    assert [text for text, _ in results] == ["unchanged", "accepted", "held", "accepted"]
    # Each upload names the plan it reports on (plans whose years overlap share reporting years).
    assert tab_a.evaluate(CELLS, "plan_id") == [[SEED_PLAN.plan_id, 1]] * 4  # read whole, on one line
    assert states[0].startswith("held, then confirmed on ")
    assert states[0].endswith(": unchanged, version 2 already made the same change")
    assert states[1].startswith("held, then confirmed as version 2 on ") and states[1].endswith("(current)")
    assert states[2] == "held: its changes to the record were not confirmed"
    assert states[3].startswith("superseded by version 2 on ")
    # No word of the Result column is broken across lines, on a laptop's screen or a narrower window.
    assert all(lines == 1 for _, lines in results), results
    tab_a.set_viewport_size({"width": 1024, "height": 768})
    tab_a.wait_for_timeout(300)  # the grid sizes its columns on the window's resize event
    narrow = tab_a.evaluate(CELLS, "status")
    assert all(lines == 1 for _, lines in narrow), narrow

    # Opening the unchanged row shows its own findings: the removal it confirmed and the early start date.
    tab_a.locator('#submissions-table .ag-row[row-index="0"] .ag-cell[col-id="file_name"]').click()
    detail = tab_a.locator("#submission-detail")
    detail.locator(".ag-cell").first.wait_for(timeout=15000)
    text = detail.inner_text()
    assert "no problems were found" not in text
    assert "KHM-001" in text and "2012" in text
    assert tab_a.console_errors == []
