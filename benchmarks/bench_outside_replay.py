"""The read path as an outside client sees it: a separate process of plain http.client replays the six pages' callbacks.

Starts `aptmon serve --workers 4` on the synthetic demo warehouse, lets headless Chromium open the overview,
heatmap, measures, a measure, a country and reporting once, and keeps the callback requests it sent, adding those
a change of filter sends on each page (built from its layout: most pages come drawn, so opening one sends few). Then
benchmarks/outside_client.py, its own process importing nothing of the project, signs in as one viewer and
replays them round robin from 20 threads on keep-alive connections (5 s warm-up, 30 s timed) while a probe
fetches a static stylesheet in the same run, on 20 keep-alive connections in turn, so it reaches the workers as they do:
once with no Accept-Encoding and once as a browser asks (gzip, deflate, br); then both again while 100 000-row
returns are loaded one after another by `aptmon ingest`.
Each callback figure stands beside the static file's of the same run, as a ratio, so a busy machine moves both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks.bench_ingest import write_large_return
from benchmarks.bench_load import PASSWORD, prepare
from benchmarks.bench_read_path import STATIC_PATH, capture
from benchmarks.bench_read_path import sign_in as sign_in_with_requests
from benchmarks.results import Figure, load_average, percentile, record_results
from tests.support.page_callbacks import initial_requests
from tests.support.server import free_port, running_server

CLIENTS = 20
WORKERS = 4
WARM_UP_S = float(os.environ.get("OUTSIDE_REPLAY_WARM_UP_SECONDS", 5))
PHASE_S = float(os.environ.get("OUTSIDE_REPLAY_SECONDS", 30))
LOAD_ROWS = 100_000
P50_RATIO, P95_RATIO = 2.0, 3.0
CLIENT_SCRIPT = Path(__file__).resolve().with_name("outside_client.py")
ENCODINGS = {"no Accept-Encoding": None, "compressed": "gzip, deflate, br"}
USERNAME = "user05"  # a viewer of bench_load.prepare


class _LiveClient:
    """A signed-in requests session answering as a Flask test client does, for tests.support.page_callbacks."""

    def __init__(self, base: str, username: str):
        self.base, self.session = base, sign_in_with_requests(base, username)

    def get(self, path: str, headers: dict | None = None):
        answer = self.session.get(self.base + path, headers=headers, timeout=60)
        answer.get_json, answer.get_data = answer.json, lambda as_text=False: answer.text if as_text else answer.content
        return answer


def callback_requests(base: str, captured: dict) -> list[str]:
    """The callbacks of the six pages: those Chromium sent opening them, and those a change of filter sends (most
    pages come drawn with their layout, so opening one sends few), built from each page's layout; each once."""
    client = _LiveClient(base, "user02")
    bodies = [request.body for sent in captured.values() for request in sent if request.kind == "callback"]
    seen = {json.dumps(json.loads(body), sort_keys=True) for body in bodies}
    for page in captured:
        for built in initial_requests(client, page, include_prevented=True, origin=base):
            if json.dumps(built, sort_keys=True) not in seen:
                seen.add(json.dumps(built, sort_keys=True))
                bodies.append(json.dumps(built))
    client.session.close()
    return bodies


def replay(base: str, callbacks: list[str], encoding: str | None, folder: Path, name: str) -> dict:
    """Run the outside client once and return its samples; its environment holds nothing of the project."""
    plan = {
        "base": base, "callbacks": callbacks, "username": USERNAME, "password": PASSWORD,
        "accept_encoding": encoding, "warm_up_s": WARM_UP_S, "seconds": PHASE_S, "clients": CLIENTS,
        "static_path": STATIC_PATH, "output": str(folder / f"{name}.json"),
    }  # fmt: skip
    plan_path = folder / f"{name}-plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    subprocess.run([sys.executable, "-I", str(CLIENT_SCRIPT), str(plan_path)], env=env, check=True, cwd=folder)
    return json.loads(Path(plan["output"]).read_text(encoding="utf-8"))


def load_returns(env: dict, workbooks: list[Path], until: float, windows: list, outcomes: list) -> None:
    """Load the large returns one after another (each a new version of KHM 2016) until `until` (epoch seconds)."""
    aptmon = str(Path(sys.executable).with_name("aptmon"))
    while time.time() < until:
        # Never the file loaded just before (over all phases): it would be unchanged, and nothing would load.
        workbook = workbooks[len(outcomes) % len(workbooks)]
        started = time.time()
        command = [aptmon, "ingest", str(workbook), "--json", "--confirm-changes"]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        windows.append((started, time.time()))
        outcome = json.loads(done.stdout.splitlines()[-1])["status"] if done.stdout.strip() else done.stderr[-200:]
        outcomes.append((time.time() - started, outcome))


def phase_figures(label: str, result: dict, machine: str, within: list | None = None) -> list[Figure]:
    def inside(at: float) -> bool:
        return within is None or any(start <= at <= end for start, end in within)

    rows = [row for row in result["samples"] if inside(row[1])]
    callbacks = [row[2] * 1000 for row in rows if row[0] == "callback" and row[3] in (200, 204)]
    statics = [row[2] * 1000 for row in rows if row[0] == "static" and row[3] == 200]
    cache = Counter(row[4] for row in rows if row[0] == "callback")
    cb50, cb95 = percentile(callbacks, 50), percentile(callbacks, 95)
    st50, st95 = percentile(statics, 50), percentile(statics, 95)
    seconds = result["ended"] - result["started"] if within is None else sum(end - start for start, end in within)
    rate = len(callbacks) / seconds if seconds else float("nan")
    beside = f"static file p50 {st50:.1f} ms, p95 {st95:.1f} ms in the same run ({len(statics)} probes); {machine}"
    note = (
        f"{len(callbacks)} callbacks ({rate:.0f}/s), {CLIENTS} http.client threads in their own process, "
        f"aptmon serve --workers {WORKERS}; p50 {cb50:.1f} ms, p95 {cb95:.1f} ms"
    )
    errors = result["errors"]
    hits = cache.get("hit", 0) / max(1, sum(cache.values())) * 100
    return [
        Figure(f"{label}: callbacks p50 / static p50", cb50 / st50, "x", f"<= {P50_RATIO:g}x", cb50 / st50 <= P50_RATIO,
               f"{note}; {beside}"),
        Figure(f"{label}: callbacks p95 / static p95", cb95 / st95, "x", f"<= {P95_RATIO:g}x", cb95 / st95 <= P95_RATIO,
               f"{note}; {beside}"),
        Figure(f"{label}: callbacks p95", cb95, "ms", "reported", True, note),
        Figure(f"{label}: static file p95", st95, "ms", "reported", True, beside),
        Figure(f"{label}: callback answers from the cache", hits, "%", "reported", True,
               ", ".join(f"{k or 'no header'} {v}" for k, v in sorted(cache.items()))),
        Figure(f"{label}: errors", len(errors), "count", "0", not errors, "; ".join(sorted(set(errors))[:5])),
    ]  # fmt: skip


def run() -> list[Figure]:
    before = load_average()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="aptmon-outside-") as tmp:
        folder = Path(tmp)
        env = prepare(folder)
        workbooks = [write_large_return(folder / f"KHM-2016-large-{seed}.xlsx", LOAD_ROWS, seed) for seed in (1, 2)]
        options = ["--workers", str(WORKERS)]
        with running_server(free_port(), options, env, log_path=folder / "server.log", timeout=120) as running:
            captured = capture(running.url, "user01")
            callbacks = callback_requests(running.url, captured)
            print(f"{len(callbacks)} callback requests from {len(captured)} pages")
            for label, encoding in ENCODINGS.items():
                machine = f"load average before the phase: {load_average()}"
                result = replay(running.url, callbacks, encoding, folder, f"steady-{len(figures)}")
                figures += phase_figures(f"steady, {label}", result, machine)
            loads: list = []
            for label, encoding in ENCODINGS.items():
                machine = f"load average before the phase: {load_average()}"
                windows: list = []
                until = time.time() + WARM_UP_S + PHASE_S - 3
                loader = threading.Thread(target=load_returns, args=(env, workbooks, until, windows, loads))
                loader.start()
                result = replay(running.url, callbacks, encoding, folder, f"loading-{len(figures)}")
                loader.join()
                # Only the requests sent while a return was loading count, and only once the warm-up is over.
                windows = [(max(start, result["started"]), end) for start, end in windows if end > result["started"]]
                figures += phase_figures(f"during 100 000-row loads, {label}", result, machine, within=windows)
    figures.append(
        Figure("100 000-row returns loaded while replaying", len(loads), "count", "> 0",
               bool(loads) and all(o == "accepted" for _, o in loads),
               ", ".join(f"{o} in {s:.1f} s" for s, o in loads) + f"; before the benchmark: {before}")
    )  # fmt: skip
    return figures


def main() -> None:
    record_results("bench_outside_replay", run())


if __name__ == "__main__":
    main()
