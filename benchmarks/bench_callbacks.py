"""Dashboard speed on the 1 000 000-activity warehouse: each callback's server time and each page's first load.

Server time is the callback function plus the JSON encoding Dash sends back. Each call starts with an empty
result cache, as for the first visitor to ask for that year and scope after an upload (the check that the
metric snapshots are current is made once per warehouse version, as in the app); warm figures are printed
for reference. First load is measured in headless Chromium, from navigation until the page's main chart
has drawn. Each figure's note gives the machine's load average, since other work on it slows both.
Where a cold callback's time goes is profiled too (cProfile over every cold call, each function's own time
given to the library it belongs to): the read path's work list, largest first.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from itertools import product
from pathlib import Path

import plotly.io as pio
from werkzeug.serving import make_server

from benchmarks.generate_warehouse import benchmark_warehouse
from benchmarks.results import Figure, load_average, record_results
from etl import warehouse

MEDIAN_TARGET_MS = 150
P95_TARGET_MS = 300
FIRST_LOAD_TARGET_S = 2.0
YEARS = ["2013", "2015", "2017"]
COUNTRIES = ["ALL", "KHM", "JPN"]
VIEWER = ("bench-viewer", "bench-viewer-password")
# Each page, a URL that opens it, and the chart whose drawing means the page has loaded.
PAGES = {
    "overview": ("/", "trend-graph"),
    "heatmap": ("/heatmap?year=2016", "heatmap-graph"),
    "measures": ("/measures", "catalogue-treemap"),
    "measure": ("/measure/2.7.10", "measure-countries-graph"),
    "country": ("/country?country=KHM", "country-pillars-graph"),
    "reporting": ("/reporting", "reporting-matrix-graph"),
}


def _page_module(name: str):
    import dash

    module = next(p["module"] for p in dash.page_registry.values() if p["module"].rsplit(".", 1)[-1] == name)
    return sys.modules[module]


def _calls() -> dict[str, list]:
    """Each callback with the argument sets a visitor would try."""
    home, heatmap, measures = _page_module("home"), _page_module("heatmap"), _page_module("measures")
    measure, country, reporting = _page_module("measure"), _page_module("country"), _page_module("reporting")
    return {
        "update_overview": [
            (home.update_overview, (y, c, p)) for y, c, p in product(YEARS, COUNTRIES, ["ALL", "2", "5"])
        ],
        "update_heatmap": [
            (heatmap.update_heatmap, (y, m, r, p))
            for y, m, r, p in product(YEARS, ["coverage", "completion"], ["pillars", "sections"], ["ALL", "4"])
        ],
        "update_treemap": [(measures.update_treemap, (y, c, p)) for y, c, p in product(YEARS, COUNTRIES, ["ALL", "2"])],
        "update_table": [
            (measures.update_table, (y, c, "ALL", s)) for y, c, s in product(YEARS, COUNTRIES, [None, "energy"])
        ],
        "update_measure": [
            (measure.update_measure, (y, m)) for y, m in product(YEARS, ["2.7.10", "1.1.1", "5.3", "3.1.2"])
        ],
        "update_measure_activities": [
            (measure.update_measure_activities, (y, m)) for y, m in product(YEARS, ["2.7.10", "1.1.1", "5.3", "3.1.2"])
        ],
        "update_country_activities": [
            (country.update_country_activities, (y, c)) for y, c in product(YEARS, ["KHM", "JPN", "SGP", "CHN"])
        ],
        "update_country": [(country.update_country, (y, c)) for y, c in product(YEARS, ["KHM", "JPN", "SGP", "CHN"])],
        "update_reporting": [(reporting.update_reporting, (y, c)) for y, c in product(YEARS, COUNTRIES)],
    }


def _encode(outputs) -> str:
    # What Dash does with a callback's return value before it leaves the server.
    return pio.json.to_json_plotly(outputs if isinstance(outputs, tuple) else (outputs,))


def time_callbacks() -> tuple[list[Figure], dict[str, float]]:
    from dashboard.data import connection

    figures, warm = [], {}
    connection.clear_cache()
    _calls()["update_overview"][0][0]("2017", "ALL", "ALL")  # the per-version snapshot check, once
    for name, calls in _calls().items():
        cold_ms, warm_ms = [], []
        for function, args in calls:
            connection.clear_cache(results_only=True)
            start = time.perf_counter()
            _encode(function(*args))
            cold_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            _encode(function(*args))
            warm_ms.append((time.perf_counter() - start) * 1000)
        median = statistics.median(cold_ms)
        p95 = statistics.quantiles(cold_ms, n=20)[-1] if len(cold_ms) >= 2 else cold_ms[0]
        note = (
            f"{len(calls)} argument sets, empty result cache each time; warm median "
            f"{statistics.median(warm_ms):.1f} ms; {load_average()}"
        )
        figures.append(
            Figure(
                f"{name} server time, median", median, "ms", f"< {MEDIAN_TARGET_MS} ms", median < MEDIAN_TARGET_MS, note
            )
        )
        figures.append(
            Figure(f"{name} server time, p95", p95, "ms", f"< {P95_TARGET_MS} ms", p95 < P95_TARGET_MS, note)
        )
        warm[name] = statistics.median(warm_ms)
    return figures, warm


# Where a callback's own Python time goes, by the file a function comes from (first match wins).
_PROFILE_PARTS = (
    ("building plotly figures", ("/plotly/", "/_plotly_utils/")),
    ("pandas and NumPy (shaping the rows)", ("/pandas/", "/numpy/", "pandas._libs", "numpy")),
    ("Dash components (building the page's parts)", ("/dash/", "/dash_bootstrap_components/", "/dash_ag_grid/")),
    ("the dashboard's own code", ("/dashboard/", "/etl/")),
)


def profile_cold_calls() -> list[Figure]:
    """The share of a cold callback's server time each part of the read path takes.

    The warehouse reads (connect, query, the result as a DataFrame: DuckDB's own threads, which cProfile does not
    see) and the JSON encoding are timed around their calls; the rest is profiled, each function's own time given
    to the library it belongs to.
    """
    from dashboard.data import connection

    profiler = cProfile.Profile()
    spent = {"reading the warehouse (DuckDB connect, query, DataFrame)": 0.0, "JSON encoding (orjson)": 0.0}
    run = connection._run

    def timed_run(path, work):
        profiler.disable()
        started = time.perf_counter()
        try:
            return run(path, work)
        finally:
            spent["reading the warehouse (DuckDB connect, query, DataFrame)"] += time.perf_counter() - started
            profiler.enable()

    connection._run = timed_run
    calls = 0
    try:
        for batch in _calls().values():
            for function, args in batch:
                connection.clear_cache(results_only=True)
                profiler.enable()
                outputs = function(*args)
                profiler.disable()
                started = time.perf_counter()
                _encode(outputs)
                spent["JSON encoding (orjson)"] += time.perf_counter() - started
                calls += 1
    finally:
        connection._run = run
    other = "other Python (caching, threading, the standard library)"
    parts = {**spent, **dict.fromkeys([name for name, _ in _PROFILE_PARTS] + [other], 0.0)}
    for (filename, _line, function), (_n, _primitive, own, _cumulative, _callers) in pstats.Stats(
        profiler
    ).stats.items():
        where = f"{filename} {function}"
        parts[next((name for name, marks in _PROFILE_PARTS if any(m in where for m in marks)), other)] += own
    total = sum(parts.values()) or 1.0
    return [
        Figure(f"cold callback time: {name}", 100 * seconds / total, "%", "reported", True,
               f"{seconds * 1000 / calls:.1f} ms per call, over {calls} cold calls (profiled, so slower than above)")
        for name, seconds in sorted(parts.items(), key=lambda item: -item[1])
    ]  # fmt: skip


def time_first_loads(path: Path) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    from dashboard.app import create_app
    from etl import accounts

    if accounts.get_user(VIEWER[0], path) is None:
        accounts.add_user(VIEWER[0], VIEWER[1], "viewer", None, path)
    server = make_server("127.0.0.1", 0, create_app(path).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    figures = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("#username", VIEWER[0])
            page.fill("#password", VIEWER[1])
            page.click("#login-form button[type=submit]")
            page.wait_for_load_state("networkidle")
            for name, (url, graph) in PAGES.items():
                # A new tab per page: the browser cache is warm (as for any returning visitor), the page is not.
                tab = context.new_page()
                start = time.perf_counter()
                tab.goto(base + url)
                tab.wait_for_function(
                    """id => { const gd = document.getElementById(id)?.querySelector('.js-plotly-plot');
                               return gd && gd._fullData && gd._fullData.length > 0; }""",
                    arg=graph,
                    timeout=30000,
                )
                seconds = time.perf_counter() - start
                tab.close()
                figures.append(
                    Figure(
                        f"{name} page first load in Chromium",
                        seconds,
                        "s",
                        f"< {FIRST_LOAD_TARGET_S:g} s",
                        seconds < FIRST_LOAD_TARGET_S,
                        f"{url}, until its main chart has drawn; {load_average()}",
                    )
                )
            browser.close()
    finally:
        server.shutdown()
    return figures


def main() -> None:
    source = benchmark_warehouse()
    # Work on a copy: the app's sign-in writes to the warehouse, which other benchmarks share.
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("APTMON_INSTANCE_DIR", folder)
        path = Path(folder) / source.name
        path.write_bytes(source.read_bytes())
        warehouse.ensure_readers_copy(path)  # as `aptmon serve` does as it starts: readers read the copy it publishes
        from dashboard.app import create_app

        create_app(path)
        figures, warm = time_callbacks()
        figures += profile_cold_calls()
        figures += time_first_loads(path)
    for name, ms in warm.items():
        print(f"{name}: warm median {ms:.1f} ms")
    record_results("bench_callbacks", figures)


if __name__ == "__main__":
    main()
