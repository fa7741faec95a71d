"""Uploads as an analyst sees them in Chromium: a 500-row return checked, then accepted and its numbers charted.

Starts `aptmon serve --workers 4` on the synthetic demo warehouse. An analyst for Cambodia, signed in in headless
Chromium, drops a 500-row return on the upload page; the time runs from the drop until its findings are on
screen (the result card with its counts). Then from the click on its submit button until the outcome says it
is in the warehouse, and on until the country page, opened from the navigation, has drawn its chart with the
new version. Three rounds, each a different return (so each is a new version), reported as their median.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_ingest import write_large_return
from benchmarks.bench_load import prepare
from benchmarks.bench_read_path import _chromium, _signed_in_context
from benchmarks.results import Figure, load_average, record_results
from tests.support.server import free_port, running_server

ROWS = 500
ROUNDS = 3
WORKERS = 4
CHECK_TARGET_S, ACCEPT_TARGET_S = 1.0, 2.0
ANALYST = "analyst-khm"
_DRAWN = """() => { const gd = document.getElementById('country-pillars-graph')?.querySelector('.js-plotly-plot');
                    return gd && gd._fullData && gd._fullData.length > 0; }"""


def one_round(browser, base: str, workbook: Path) -> tuple[float, float, float, str]:
    """(drop to findings, click to accepted, click to charted) in seconds, and the outcome's words."""
    context = _signed_in_context(browser, base, ANALYST)
    tab = context.new_page()
    tab.goto(f"{base}/upload")
    tab.wait_for_selector("#upload input[type=file]", state="attached", timeout=60000)
    started = time.perf_counter()
    tab.set_input_files("#upload input[type=file]", str(workbook))
    tab.wait_for_selector(f"text={ROWS} activities", timeout=60000)
    checked = time.perf_counter() - started
    button = tab.locator(".upload-submit")
    button.wait_for(timeout=60000)
    started = time.perf_counter()
    button.click()
    outcome = tab.locator("text=/submitted as version|accepted/")
    outcome.first.wait_for(timeout=60000)
    accepted = time.perf_counter() - started
    words = outcome.first.inner_text()
    # As the analyst would go on: the navigation's link to the country page (drawn in the page, no reload).
    tab.click("nav a[href='/country']")
    tab.wait_for_function(_DRAWN, timeout=60000)
    charted = time.perf_counter() - started
    context.close()
    return checked, accepted, charted, words


def run() -> list[Figure]:
    from playwright.sync_api import sync_playwright

    before = load_average()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="aptmon-uploads-") as tmp:
        folder = Path(tmp)
        env = prepare(folder)
        workbooks = [write_large_return(folder / f"KHM-2016-{n}.xlsx", ROWS, seed=n) for n in range(ROUNDS)]
        log = folder / "server.log"
        with (
            running_server(free_port(), ["--workers", str(WORKERS)], env, log_path=log) as server,
            sync_playwright() as pw,
        ):
            browser = _chromium(pw)
            for workbook in workbooks:
                rounds.append(one_round(browser, server.url, workbook))
                print("round: checked in {:.2f} s, accepted in {:.2f} s, charted in {:.2f} s ({})".format(*rounds[-1]))
            browser.close()
    checked, accepted, charted = (statistics.median(r[i] for r in rounds) for i in range(3))
    each = "; ".join(f"{r[0]:.2f} / {r[1]:.2f} / {r[2]:.2f} s" for r in rounds)
    note = f"{ROWS}-row return, median of {ROUNDS} rounds (check / accept / chart: {each}); before: {before}"
    return [
        Figure(f"{ROWS}-row return: drop to findings on screen", checked, "s", f"< {CHECK_TARGET_S:g} s",
               checked < CHECK_TARGET_S, note),
        Figure(f"{ROWS}-row return: submit click to accepted on screen", accepted, "s", "reported", True,
               f"{rounds[-1][3]!r}"),
        Figure(f"{ROWS}-row return: submit click to its numbers in the country page's chart", charted, "s",
               f"< {ACCEPT_TARGET_S:g} s", charted < ACCEPT_TARGET_S, f"load average after: {load_average()}"),
    ]  # fmt: skip


def main() -> None:
    record_results("bench_uploads", run())


if __name__ == "__main__":
    main()
