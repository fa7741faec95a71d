"""The read path under load: 20 signed-in clients replay the requests Chromium sends while opening six pages.

Starts `aptmon serve` on a free loopback port over the synthetic demo warehouse. Headless Chromium opens the
overview, heatmap, measures, a measure, a country and reporting once, and every non-static request it sends
(the page, `/_dash-layout`, `/_dash-dependencies`, each `/_dash-update-component` body) is captured. Then 20
clients, each signed in as its own user, replay those requests page after page without pausing for 30 s,
while a probe fetches a static stylesheet in the same run: each latency is reported beside the static file's,
as a ratio, so a busy machine moves both. The same is measured again while 100 000-row returns are loaded
one after another by `aptmon ingest`. Chromium also times the overview's first load with a cold cache and
counts the static files a second load asks the server for (the server's access log, not the browser, says).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from benchmarks.bench_ingest import write_large_return
from benchmarks.bench_load import PASSWORD, prepare
from benchmarks.quiet import wait_until_quiet
from benchmarks.results import Figure, load_average, percentile, record_results
from tests.support.server import free_port, running_server

CLIENTS = 20
PHASE_S = float(os.environ.get("READ_PATH_SECONDS", 30))
WORKERS = int(os.environ.get("READ_PATH_WORKERS", 4))
THREADS = int(os.environ.get("READ_PATH_THREADS", 4))
LOAD_ROWS = 100_000
STATIC_PATH = "/assets/10-dashboard.css"
STATIC_EVERY_S = 0.05
REQUEST_TIMEOUT_S = 60.0
CALLBACK_P50_MS, CALLBACK_P95_MS, LAYOUT_P95_MS = 100, 250, 150
FIRST_LOAD_TARGET_S = 1.0
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]  # fmt: skip
# Each page and the chart whose drawing means it has loaded.
PAGES = {
    "/": "trend-graph",
    "/heatmap": "heatmap-graph",
    "/measures": "catalogue-treemap",
    "/measure/2.1.6": "measure-countries-graph",
    "/country?country=KHM": "country-pillars-graph",
    "/reporting": "reporting-matrix-graph",
}
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
_DRAWN = """id => { const gd = document.getElementById(id)?.querySelector('.js-plotly-plot');
                    return gd && gd._fullData && gd._fullData.length > 0; }"""


@dataclass
class Captured:
    """One request Chromium sent while opening a page."""

    kind: str  # "page", "layout", "dependencies", "callback"
    method: str
    path: str
    body: str | None = None


@dataclass
class Samples:
    """Every timed request of a phase: (kind, started at, seconds, ok), and what went wrong."""

    rows: list[tuple[str, float, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, started: float, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.rows.append((kind, started, seconds, ok))
            if not ok:
                self.errors.append(f"{kind}: {detail}"[:300])

    def ms(self, kind: str, within: list[tuple[float, float]] | None = None) -> list[float]:
        def inside(at: float) -> bool:
            return within is None or any(start <= at <= end for start, end in within)

        return [s * 1000 for k, at, s, ok in self.rows if k == kind and ok and inside(at)]


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=REQUEST_TIMEOUT_S)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    answer = session.post(f"{base}/login", data=form, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    if answer.status_code != 302:
        raise RuntimeError(f"signing in as {username} failed: {answer.status_code}")
    return session


def _chromium(pw):
    return pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS)


def _signed_in_context(browser, base: str, username: str):
    """A fresh browser context (empty cache) holding a session cookie, signed in without loading any page."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    form_page = context.request.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form_page.text()).group(1)
    context.request.post(
        f"{base}/login", form={"username": username, "password": PASSWORD, "csrf_token": token}, max_redirects=0
    )
    return context


def capture(base: str, username: str) -> dict[str, list[Captured]]:
    """The non-static requests Chromium sends while opening each page, in the order it sent them."""
    from playwright.sync_api import sync_playwright

    captured: dict[str, list[Captured]] = {}
    with sync_playwright() as pw:
        browser = _chromium(pw)
        context = _signed_in_context(browser, base, username)
        for url, graph in PAGES.items():
            requests_seen: list[Captured] = []
            tab = context.new_page()

            def seen(request, into=requests_seen):
                path = urlsplit(request.url).path
                query = urlsplit(request.url).query
                if path.startswith(STATIC_PREFIXES):
                    return
                kind = {"/_dash-layout": "layout", "/_dash-dependencies": "dependencies",
                        "/_dash-update-component": "callback"}.get(path, "page")  # fmt: skip
                into.append(Captured(kind, request.method, path + (f"?{query}" if query else ""), request.post_data))

            tab.on("request", seen)
            tab.goto(base + url)
            tab.wait_for_function(_DRAWN, arg=graph, timeout=60000)
            tab.wait_for_load_state("networkidle")
            tab.close()
            captured[url] = requests_seen
        browser.close()
    return captured


def first_loads(base: str, username: str, access_log: Path) -> tuple[float, float, list[str]]:
    """The overview's first load with a cold cache, a second load, and the static files the second one fetched."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _chromium(pw)
        context = _signed_in_context(browser, base, username)
        loads = []
        fetched: list[str] = []
        for attempt in range(2):
            tab = context.new_page()
            logged = access_log.stat().st_size
            started = time.perf_counter()
            tab.goto(base + "/")
            tab.wait_for_function(_DRAWN, arg=PAGES["/"], timeout=60000)
            loads.append(time.perf_counter() - started)
            tab.wait_for_load_state("networkidle")
            if attempt == 1:
                time.sleep(0.5)  # the access log is written after each response
                with access_log.open() as log:
                    log.seek(logged)
                    fetched = [p for p in _logged_paths(log.read()) if p.startswith(STATIC_PREFIXES)]
            tab.close()
        browser.close()
    return loads[0], loads[1], fetched


def _logged_paths(text: str) -> list[str]:
    return [urlsplit(match).path for match in re.findall(r'"(?:GET|POST|HEAD) (\S+) HTTP/[\d.]+"', text)]


def replay(base: str, captured: dict[str, list[Captured]], seconds: float, samples: Samples, sessions: list) -> float:
    """The signed-in clients replay the captured pages for `seconds`; a probe times the static file meanwhile."""
    pages = list(captured.values())
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        session, page = sessions[number], number % len(pages)  # each client starts on another page
        while time.monotonic() < deadline:
            for request in pages[page]:
                timed(session, request.kind, request.method, request.path, request.body)
                if time.monotonic() >= deadline:
                    return
            page = (page + 1) % len(pages)

    def timed(session, kind, method, path, body=None) -> None:
        started = time.perf_counter()
        headers = _callback_headers(session) if body else {}
        try:
            answer = session.request(method, base + path, data=body, headers=headers, timeout=REQUEST_TIMEOUT_S)
            ok, detail = answer.status_code in (200, 204), f"{method} {path} -> {answer.status_code}"
        except requests.RequestException as exc:
            ok, detail = False, repr(exc)
        samples.add(kind, started, time.perf_counter() - started, ok, detail)

    def probe() -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            timed(session, "static", "GET", STATIC_PATH)
            time.sleep(STATIC_EVERY_S)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(sessions))]
    threads.append(threading.Thread(target=probe))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 2 * REQUEST_TIMEOUT_S)
    return time.monotonic() - started


def _callback_headers(session) -> dict:
    # As Dash's renderer sends every callback: JSON, with the session's token copied from its cookie.
    return {"Content-Type": "application/json", "X-CSRFToken": session.cookies.get("_csrf_token", "")}


def warm_up(base: str, captured: dict[str, list[Captured]], sessions: list) -> None:
    """Each client opens every captured page once, untimed (the answers a restart has not cached yet)."""

    def client(session) -> None:
        for sent in captured.values():
            for request in sent:
                headers = _callback_headers(session) if request.body else {}
                session.request(request.method, base + request.path, data=request.body, headers=headers,
                                timeout=REQUEST_TIMEOUT_S)  # fmt: skip

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def load_returns(env: dict, workbooks: list[Path], until: float, windows: list, results: list) -> None:
    """Load the large returns one after another (each a new version of KHM 2016) until `until`."""
    aptmon = str(Path(sys.executable).with_name("aptmon"))
    number = 0
    while time.monotonic() < until:
        workbook = workbooks[number % len(workbooks)]
        number += 1
        started = time.perf_counter()
        # Each file replaces the other's activities: confirmed, or it would be held (recorded, not loaded).
        command = [aptmon, "ingest", str(workbook), "--json", "--confirm-changes"]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        windows.append((started, time.perf_counter()))
        outcome = json.loads(done.stdout.splitlines()[-1])["status"] if done.stdout.strip() else done.stderr[-200:]
        results.append((time.perf_counter() - started, outcome))


def worker_memory(server: subprocess.Popen) -> list[tuple[float, float]]:
    """(RSS, PSS) in MiB of each gunicorn worker: the processes whose parent is the server's master."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != server.pid:
                continue
            rollup = (stat.parent / "smaps_rollup").read_text()
        except OSError:
            continue
        values = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if ":" in line}
        found.append((values.get("Rss", 0) / 1024, values.get("Pss", 0) / 1024))
    return found


def phase_figures(label: str, samples: Samples, elapsed: float, machine: str, within=None) -> list[Figure]:
    callbacks, layouts = samples.ms("callback", within), samples.ms("layout", within)
    statics = samples.ms("static", within)
    pages = samples.ms("page", within)
    static_p50, static_p95 = percentile(statics, 50), percentile(statics, 95)
    cb50, cb95, lay50, lay95 = (percentile(callbacks, 50), percentile(callbacks, 95), percentile(layouts, 50),
                                percentile(layouts, 95))  # fmt: skip
    beside = f"static file p50 {static_p50:.1f} ms, p95 {static_p95:.1f} ms in the same run ({len(statics)} probes)"
    rate = len(callbacks) / elapsed if elapsed else float("nan")
    served_by = f"{CLIENTS} clients, {WORKERS} workers of {THREADS} threads"
    note = f"{len(callbacks)} callbacks ({rate:.0f}/s), {served_by}; {machine}"
    errors = sorted({e.split(" -> ")[-1] for e in samples.errors})
    return [
        Figure(f"{label}: callbacks p50", cb50, "ms", f"<= {CALLBACK_P50_MS} ms", cb50 <= CALLBACK_P50_MS, note),
        Figure(f"{label}: callbacks p95", cb95, "ms", f"<= {CALLBACK_P95_MS} ms", cb95 <= CALLBACK_P95_MS, beside),
        Figure(f"{label}: callbacks p50 / static p50", cb50 / static_p50, "x", "reported", True, beside),
        Figure(f"{label}: callbacks p95 / static p95", cb95 / static_p95, "x", "reported", True, beside),
        Figure(f"{label}: /_dash-layout p50", lay50, "ms", "reported", True, f"{len(layouts)} layouts"),
        Figure(f"{label}: /_dash-layout p95", lay95, "ms", f"<= {LAYOUT_P95_MS} ms", lay95 <= LAYOUT_P95_MS, beside),
        Figure(f"{label}: /_dash-layout p95 / static p95", lay95 / static_p95, "x", "reported", True, beside),
        Figure(f"{label}: page HTML p95", percentile(pages, 95), "ms", "reported", True, f"{len(pages)} pages"),
        Figure(f"{label}: errors", len(samples.errors), "count", "0", not samples.errors, "; ".join(errors[:5])),
    ]


def run() -> list[Figure]:
    before = load_average()  # the machine itself, before this benchmark's server and clients load it
    with tempfile.TemporaryDirectory(prefix="aptmon-read-") as tmp:
        folder = Path(tmp)
        env = prepare(folder)
        workbooks = [write_large_return(folder / f"KHM-2016-large-{seed}.xlsx", LOAD_ROWS, seed) for seed in (1, 2)]
        access_log = folder / "access.log"
        options = ["--workers", str(WORKERS), "--threads", str(THREADS)]
        with running_server(free_port(), options, env, log_path=access_log, timeout=120) as running:
            base, server = running.url, running.process
            # Measured once the workers have warmed their caches and the returns above are written: the browser's
            # cache is what is cold here (bench_start times the first chart straight after a start).
            settled = wait_until_quiet()
            cold_s, warm_s, fetched = first_loads(base, "user00", access_log)
            captured = capture(base, "user01")
            for url, sent in captured.items():
                print(f"captured {url}: " + ", ".join(f"{r.kind}" for r in sent))
            sessions = [sign_in(base, f"user{n:02d}") for n in range(CLIENTS)]
            # Each client opens the six pages once first (untimed), as after a restart; then the timed replay.
            warm_up(base, captured, sessions)
            steady = Samples()
            steady_elapsed = replay(base, captured, PHASE_S, steady, sessions)
            steady_memory = worker_memory(server)
            loading, windows, loads = Samples(), [], []
            loader = threading.Thread(
                target=load_returns, args=(env, workbooks, time.monotonic() + PHASE_S - 5, windows, loads)
            )
            loader.start()
            replay(base, captured, PHASE_S, loading, sessions)
            loader.join()
            loading_memory = worker_memory(server)
            for session in sessions:
                session.close()  # else the threaded workers keep the idle connections through the graceful stop
    for error in (steady.errors + loading.errors)[:10]:
        print("error:", error)
    for seconds, outcome in loads:
        print(f"load of {LOAD_ROWS} rows: {outcome} in {seconds:.1f} s")
    busy = sum(end - start for start, end in windows)
    # The load after the run is mostly its own clients and server; the load before says how quiet the machine was.
    machine = f"before the benchmark: {before}; after it: {load_average()}"
    figures = phase_figures("steady", steady, steady_elapsed, machine)
    figures += phase_figures("during 100 000-row loads", loading, busy, machine, within=windows)
    rss = [r for r, _ in steady_memory + loading_memory]
    pss = [p for _, p in steady_memory + loading_memory]
    figures += [
        Figure("100 000-row returns loaded during the second phase", len(loads), "count", "> 0",
               bool(loads) and all(o == "accepted" for _, o in loads),
               ", ".join(f"{o} in {s:.1f} s" for s, o in loads)),
        Figure("server memory per worker, RSS (max)", max(rss, default=float("nan")), "MiB", "reported", True,
               f"{len(steady_memory)} workers; mean {statistics.mean(rss) if rss else float('nan'):.0f} MiB"),
        Figure("server memory per worker, PSS (max)", max(pss, default=float("nan")), "MiB", "reported", True,
               "proportional set size: pages shared with the master and the other workers counted once"),
        Figure("overview first load in Chromium, cold cache", cold_s, "s", f"< {FIRST_LOAD_TARGET_S:g} s",
               cold_s < FIRST_LOAD_TARGET_S, f"until its main chart has drawn, the server started and warm; {settled}"),
        Figure("overview second load in Chromium", warm_s, "s", "reported", True, "same browser, a new tab"),
        Figure("static files the second load fetched from the server", len(fetched), "count", "0", not fetched,
               ", ".join(fetched[:5])),
    ]  # fmt: skip
    return figures


def main() -> None:
    record_results("bench_read_path", run())


if __name__ == "__main__":
    main()
