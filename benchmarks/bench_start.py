"""Start-up: from `aptmon serve --workers 4` on the synthetic demo warehouse to the overview's first chart in Chromium.

Headless Chromium is launched first (a browser is already open when a server starts); then the clock starts with
`aptmon serve`, polls until the server answers, signs in and opens the overview until its main chart has drawn.
The server is stopped and started again for each of three rounds; the median is reported with each round.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_load import prepare
from benchmarks.bench_read_path import _DRAWN, PAGES, _chromium, _signed_in_context
from benchmarks.results import Figure, load_average, record_results
from tests.support.server import free_port, running_server

ROUNDS = 3
WORKERS = 4
TARGET_S = 5.0


def one_start(browser, env: dict, folder: Path, number: int) -> tuple[float, float]:
    """(seconds until the server answers, seconds until the overview's first chart has drawn), from the start."""
    options = ["--workers", str(WORKERS)]
    started = time.perf_counter()
    with running_server(free_port(), options, env, log_path=folder / f"server-{number}.log", timeout=120) as server:
        answered = time.perf_counter() - started
        context = _signed_in_context(browser, server.url, "user00")
        tab = context.new_page()
        tab.goto(server.url + "/")
        tab.wait_for_function(_DRAWN, arg=PAGES["/"], timeout=60000)
        drawn = time.perf_counter() - started
        context.close()
    return answered, drawn


def run() -> list[Figure]:
    from playwright.sync_api import sync_playwright

    before = load_average()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="aptmon-start-") as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        env = prepare(folder)
        browser = _chromium(pw)
        for number in range(ROUNDS):
            rounds.append(one_start(browser, env, folder, number))
            print(f"start {number + 1}: answers after {rounds[-1][0]:.2f} s, first chart after {rounds[-1][1]:.2f} s")
        browser.close()
    answered, drawn = (statistics.median(r[i] for r in rounds) for i in range(2))
    each = ", ".join(f"{r[1]:.2f} s" for r in rounds)
    note = f"median of {ROUNDS} starts ({each}); {WORKERS} workers; before: {before}; after: {load_average()}"
    return [
        Figure("aptmon serve to the first answer", answered, "s", "reported", True, f"median of {ROUNDS} starts"),
        Figure("aptmon serve to the overview's first chart in Chromium", drawn, "s", f"< {TARGET_S:g} s",
               drawn < TARGET_S, note),
    ]  # fmt: skip


def main() -> None:
    record_results("bench_start", run())


if __name__ == "__main__":
    main()
