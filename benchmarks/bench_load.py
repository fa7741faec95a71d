"""Concurrent load on the served dashboard: 20 signed-in users read, filter and export while 2 analysts upload.

Starts `aptmon serve --workers 4` on a free loopback port over a generated warehouse (the synthetic demo returns
plus users), drives it for 60 s through the same HTTP endpoints a browser uses (the login form, page loads, the
Dash callback endpoint, the export download), has two analysts upload returns through the upload page's own
flow (check, then submit), and checks afterwards that every accepted upload is in the warehouse exactly once.
Only loopback traffic; every loop stops at the deadline.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from openpyxl import Workbook

from benchmarks.results import Figure, load_average, percentile, record_results
from dashboard import ids
from dashboard.components.tables import grid_id
from etl import warehouse
from tests.support.server import free_port, running_server

USERS = 20
EXPORTERS = 4  # of the USERS, evaluators who also download exports
ANALYSTS = (("analyst-khm", "KHM", "Cambodia"), ("analyst-lao", "LAO", "Lao PDR"))
WORKERS = 4
DURATION_S = float(os.environ.get("LOAD_SECONDS", 60))
UPLOAD_EVERY_S = 4.0
THINK_S = (0.05, 0.4)  # a user's pause between two actions
REQUEST_TIMEOUT_S = 60.0
PASSWORD = "load-test-password-2013"
SEED = 2013
PAGES = ("/", "/heatmap", "/measures", "/measure/2.1.6", "/country?country=KHM", "/reporting")
YEARS = [str(y) for y in range(2013, 2018)]
COUNTRIES = ["ALL", "KHM", "LAO", "JPN", "VNM", "KOR"]
PILLARS = ["ALL", "1", "2", "3", "4", "5", "6"]


@dataclass
class Log:
    """Every request made: (kind, seconds, ok), plus what went wrong and the uploads."""

    samples: list[tuple[str, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    uploads: list[tuple[str, str]] = field(default_factory=list)  # (file name, outcome text)
    by_output: dict[str, list[float]] = field(default_factory=dict)  # callback seconds by the component it fills
    cpu_share: tuple[float, float] = (float("nan"), float("nan"))  # of the machine: (server, load generator)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.samples.append((kind, seconds, ok))
            if not ok:
                self.errors.append(f"{kind}: {detail}"[:300])


def aptmon(env: dict, *args: str, stdin: str | None = None) -> None:
    command = [str(Path(sys.executable).with_name("aptmon")), *args]
    subprocess.run(command, env=env, input=stdin, text=True, check=True, capture_output=True, timeout=600)


def prepare(folder: Path) -> dict:
    """A warehouse with the synthetic demo returns and the users of the run; returns the server's environment."""
    env = {
        **os.environ,
        "APTMON_WAREHOUSE": str(folder / "warehouse.duckdb"),
        "APTMON_RETURNS_DIR": str(folder / "returns"),
        "APTMON_INSTANCE_DIR": str(folder / "instance"),
    }
    aptmon(env, "init")
    aptmon(env, "demo")
    for n in range(USERS):
        role = "evaluator" if n < EXPORTERS else "viewer"
        aptmon(env, "users", "add", f"user{n:02d}", "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    for name, country, _ in ANALYSTS:
        aptmon(env, "users", "add", name, "--role", "analyst", "--country", country, "--password-stdin",
               stdin=PASSWORD + "\n")  # fmt: skip
    return env


def group_cpu_seconds(group: int) -> float:
    """CPU seconds used so far by every live process of a process group (the server's master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[2]) == group:  # fields after the command name: state, ppid, pgrp, ..., utime, stime
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Client:
    """One signed-in browser: a cookie session that times every request it makes."""

    def __init__(self, base: str, username: str, log: Log):
        self.base, self.log = base, log
        self.session = requests.Session()
        page = self.request("sign-in", "GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"username": username, "password": PASSWORD, "csrf_token": token}
        self.request("sign-in", "POST", "/login", data=form, allow_redirects=False, expect=(302,))
        self.callbacks = self.request("page", "GET", "/_dash-dependencies").json()

    def request(self, kind: str, method: str, path: str, expect=(200, 204), **kwargs) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=REQUEST_TIMEOUT_S, **kwargs)
        except requests.RequestException as exc:
            self.log.add(kind, time.perf_counter() - started, False, repr(exc))
            raise
        ok = response.status_code in expect
        self.log.add(kind, time.perf_counter() - started, ok, f"{method} {path} -> {response.status_code}")
        return response

    def callback(self, kind: str, output_id: str | dict, values: dict, match: dict | None = None) -> requests.Response:
        """POST the callback filling `output_id`, its inputs and states taken from `values` by component id."""
        spec = next(c for c in self.callbacks if _fills(c["output"], output_id))
        outputs = [_concrete(part, match) for part in _output_parts(spec["output"])]
        body = {
            "output": spec["output"],
            "outputs": outputs if spec["output"].startswith("..") else outputs[0],
            "inputs": [_with_value(item, values, match) for item in spec["inputs"]],
            "state": [_with_value(item, values, match) for item in spec.get("state", [])],
        }
        first = body["inputs"][0]
        first_id = json.dumps(first["id"], sort_keys=True, separators=(",", ":")) if isinstance(
            first["id"], dict) else first["id"]  # fmt: skip
        body["changedPropIds"] = [f"{first_id}.{first['property']}"]
        started = time.perf_counter()
        # As Dash's renderer does: the session's token from its cookie, as a header.
        token = {"X-CSRFToken": self.session.cookies.get("_csrf_token", "")}
        response = self.request(kind, "POST", "/_dash-update-component", json=body, headers=token)
        with self.log.lock:
            label = output_id if isinstance(output_id, str) else output_id["grid"]
            self.log.by_output.setdefault(label, []).append(time.perf_counter() - started)
        return response


def _fills(output: str, component_id: str | dict) -> bool:
    """Whether the callback's outputs include `component_id`: a plain id, a pattern-matching id's type, or a whole
    dict id (a listing's grid, tables.grid_id)."""
    for part in _output_parts(output):
        component = part.rpartition(".")[0]
        if not component.startswith("{"):
            if component == component_id:
                return True
            continue
        parsed = json.loads(component)
        if parsed == component_id or parsed["type"] == component_id:
            return True
    return False


def _output_parts(output: str) -> list[str]:
    return output[2:-2].split("...") if output.startswith("..") else [output]


def _component(raw: str, match: dict | None):
    if raw.startswith("{"):
        pattern = json.loads(raw)
        return {k: (match[k] if v == ["MATCH"] else v) for k, v in pattern.items()}
    return raw


def _concrete(part: str, match: dict | None) -> dict:
    component, _, prop = part.rpartition(".")
    return {"id": _component(component, match), "property": prop}


def _with_value(item: dict, values: dict, match: dict | None) -> dict:
    component = _component(item["id"], match) if isinstance(item["id"], str) else item["id"]
    key = json.dumps(component, sort_keys=True) if isinstance(component, dict) else component
    return {"id": component, "property": item["property"], "value": values.get((key, item["property"]))}


def _key(component) -> str:
    return json.dumps(component, sort_keys=True) if isinstance(component, dict) else component


def filter_values(rng: random.Random, page: str) -> dict:
    return {
        (_key(ids.YEAR), "value"): rng.choice(YEARS),
        (_key(ids.COUNTRY), "value"): rng.choice(COUNTRIES[1:] if page.startswith("/country") else COUNTRIES),
        (_key(ids.PILLAR), "value"): rng.choice(PILLARS),
        (_key(ids.METRIC), "value"): rng.choice(["coverage", "completion"]),
        (_key(ids.ROWS), "value"): rng.choice(["pillars", "sections"]),
        (_key(ids.CATALOGUE_SEARCH), "value"): rng.choice([None, "", "trade", "energy"]),
        (_key(ids.MEASURE_ID), "data"): "2.1.6",
    }


PAGE_OUTPUTS = {
    "/": [ids.HEADLINE_CARDS],
    "/heatmap": [ids.HEATMAP_GRAPH],
    # A listing's callback fills the grid inside it (tables.grid_id).
    "/measures": [ids.CATALOGUE_TREEMAP, grid_id(ids.CATALOGUE_TABLE)],
    "/measure/2.1.6": [ids.MEASURE_SUMMARY, grid_id(ids.MEASURE_ACTIVITIES_TABLE)],
    "/country?country=KHM": [ids.COUNTRY_PILLARS_GRAPH, grid_id(ids.COUNTRY_ACTIVITIES_TABLE)],
    "/reporting": [ids.REPORTING_CARDS],
}


def viewer(base: str, username: str, exporter: bool, deadline: float, log: Log, seed: int) -> None:
    """One user: sign in, then open pages, change filters and (evaluators) download exports until the deadline."""
    rng = random.Random(seed)
    try:
        client = Client(base, username, log)
    except (requests.RequestException, AttributeError):
        return
    page = "/"
    while time.monotonic() < deadline:
        action = rng.random()
        try:
            if action < 0.3:
                page = rng.choice(PAGES)
                path, _, search = page.partition("?")
                client.request("page", "GET", page)
                values = {("_pages_location", "pathname"): path, ("_pages_location", "search"): f"?{search}"}
                client.callback("page", "_pages_content", values | filter_values(rng, page))
                for output in PAGE_OUTPUTS[page]:
                    client.callback("page", output, filter_values(rng, page))
            elif action < 0.9 or not exporter:
                output = rng.choice(PAGE_OUTPUTS[page])
                client.callback("filter", output, filter_values(rng, page))
            else:
                fmt = rng.choice(["csv", "xlsx"])
                client.request("export", "GET", f"/download/export?as_of={rng.choice(YEARS)}&format={fmt}")
        except (requests.RequestException, StopIteration) as exc:
            log.add("client", 0.0, False, repr(exc))
        time.sleep(rng.uniform(*THINK_S))


def return_workbook(country_name: str, year: int, tags: list[str]) -> bytes:
    """A small valid return with one activity per tag: each upload adds one, so it is a new version that undoes
    nothing of the one before (a return that drops an activity is held for confirmation, not loaded)."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    for row in (["Country", country_name], ["Reporting year", year], ["Prepared by", "Load test analyst"]):
        cover.append(row)
    sheet = workbook.create_sheet("Activities")
    sheet.append(["Activity ID", "Measure IDs", "Title", "Status", "Start date", "End date"])
    sheet.append(["LOAD-001", "2.1.6", "Customs training", "Ongoing", f"{year}-02-01", None])
    for tag in tags:
        sheet.append([f"LOAD-{tag}", "5.1; 5.2", f"Connectivity study {tag}", "Planned", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def analyst(base: str, username: str, country: str, name: str, deadline: float, log: Log, seed: int) -> None:
    """An analyst: every few seconds, check a return on the upload page, then submit it."""
    rng = random.Random(seed)
    try:
        client = Client(base, username, log)
    except (requests.RequestException, AttributeError):
        return
    number = 0
    tags: dict[int, list[str]] = {2016: [], 2017: []}  # each year's activities so far
    while time.monotonic() + UPLOAD_EVERY_S < deadline:
        number += 1
        year = rng.choice([2016, 2017])
        file_name = f"{country}-{year}-load-{number:03d}.xlsx"
        tags[year].append(f"{seed}-{number:03d}")
        content = base64.b64encode(return_workbook(name, year, tags[year])).decode()
        values = {
            (ids.UPLOAD, "contents"): [f"data:application/octet-stream;base64,{content}"],
            (ids.UPLOAD, "filename"): [file_name],
            (ids.UPLOAD_COUNTRY, "value"): country,
            (ids.UPLOAD_YEAR, "value"): year,
            (ids.UPLOAD_RECEIVED_ON, "date"): None,
        }
        try:
            checked = client.callback("upload", ids.UPLOAD_RESULTS, values)
            tokens = submit_tokens(checked.json())
            if not tokens:
                log.add("upload", 0.0, False, f"no Submit button for {file_name}: {checked.text[:200]}")
                continue
            match = {"type": ids.UPLOAD_SUBMIT, "token": tokens[0]}
            values = {(_key(match), "n_clicks"): 1, (ids.UPLOAD_RECEIVED_ON, "date"): None}
            submitted = client.callback("upload", ids.UPLOAD_SUBMIT, values, match=match)
            outcome = "accepted" if "Submitted:" in submitted.text else submitted.text[:200]
            with log.lock:
                log.uploads.append((file_name, outcome))
        except (requests.RequestException, StopIteration) as exc:
            log.add("upload", 0.0, False, repr(exc))
        time.sleep(max(0.0, UPLOAD_EVERY_S - rng.uniform(0, 1)))


def submit_tokens(node) -> list[str]:
    """The staged-file tokens of the Submit buttons in a callback answer."""
    if isinstance(node, dict):
        component = node.get("id")
        found = (
            [component["token"]] if isinstance(component, dict) and component.get("type") == ids.UPLOAD_SUBMIT else []
        )
        return found + [t for value in node.values() for t in submit_tokens(value)]
    if isinstance(node, list):
        return [t for value in node for t in submit_tokens(value)]
    return []


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="aptmon-load-") as tmp:
        folder = Path(tmp)
        env = prepare(folder)
        log = Log()
        with running_server(free_port(), ["--workers", str(WORKERS)], env, timeout=120) as running:
            base, server = running.url, running.process
            deadline = time.monotonic() + DURATION_S
            threads = [
                threading.Thread(target=viewer, args=(base, f"user{n:02d}", n < EXPORTERS, deadline, log, SEED + n))
                for n in range(USERS)
            ]
            threads += [
                threading.Thread(target=analyst, args=(base, user, country, name, deadline, log, SEED + 100 + i))
                for i, (user, country, name) in enumerate(ANALYSTS)
            ]
            started = time.monotonic()
            server_cpu = group_cpu_seconds(server.pid)
            client_cpu = time.process_time()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=DURATION_S + 2 * REQUEST_TIMEOUT_S)
            elapsed = time.monotonic() - started
            log.cpu_share = (
                (group_cpu_seconds(server.pid) - server_cpu) / (elapsed * os.cpu_count()),
                (time.process_time() - client_cpu) / (elapsed * os.cpu_count()),
            )
        return figures(log, elapsed, Path(env["APTMON_WAREHOUSE"]))


def figures(log: Log, elapsed: float, db: Path) -> list[Figure]:
    interactive = [s * 1000 for kind, s, ok in log.samples if kind in ("page", "filter") and ok]
    exports = [s * 1000 for kind, s, ok in log.samples if kind == "export" and ok]
    uploads_ms = [s * 1000 for kind, s, ok in log.samples if kind == "upload" and ok]
    accepted = [name for name, outcome in log.uploads if outcome == "accepted"]
    # A file whose check held it (its first upload replaces the demo's return) is logged as held, then loaded when
    # the analyst confirms: one accepted row per file submitted, whatever else the log holds.
    with warehouse.read_connection(db) as con:
        counts = dict(
            con.execute(
                "SELECT file_name, count(*) FROM submissions WHERE file_name LIKE '%-load-%' AND status = 'accepted'"
                " GROUP BY file_name"
            ).fetchall()
        )
    not_once = [name for name in accepted if counts.get(name) != 1]
    for error in log.errors[:10]:
        print("error:", error)
    for output, seconds in sorted(log.by_output.items(), key=lambda item: -statistics.median(item[1])):
        print(f"callback {output}: median {statistics.median(seconds) * 1000:.0f} ms over {len(seconds)} calls")
    medians = {output: statistics.median(seconds) * 1000 for output, seconds in log.by_output.items()}
    slowest = max(medians, key=medians.get) if medians else "none"
    served = len(log.samples)
    server_share, client_share = log.cpu_share
    busy = (
        f"{len(interactive)} requests; the server kept {100 * server_share:.0f}% and the load generator "
        f"{100 * client_share:.0f}% of the {os.cpu_count()} cores busy"
    )
    if server_share + client_share > 0.8:
        busy += ", so requests queue for CPU"
    note = (
        f"{USERS} users ({EXPORTERS} exporting) + {len(ANALYSTS)} analysts, {elapsed:.0f} s, {WORKERS} workers; "
        f"{load_average()} at the end (clients run on the same machine)"
    )
    return [
        Figure("requests served", served, "count", "> 0", served > 0, note),
        Figure("requests per second", served / elapsed, "req/s", "reported", True),
        Figure("errors (failed or refused requests)", len(log.errors), "count", "0", not log.errors,
               "; ".join(sorted({e.split(":")[0] for e in log.errors}))),
        Figure("server CPU use during the run", 100 * server_share, "% of the machine", "reported", True,
               f"the load generator used {100 * client_share:.0f}% more on the same {os.cpu_count()} cores"),
        Figure("page and filter p50 latency", percentile(interactive, 50), "ms", "<= 300 ms",
               percentile(interactive, 50) <= 300, busy),
        Figure("page and filter p95 latency", percentile(interactive, 95), "ms", "<= 1000 ms",
               percentile(interactive, 95) <= 1000, busy),
        Figure("page and filter p99 latency", percentile(interactive, 99), "ms", "<= 2000 ms",
               percentile(interactive, 99) <= 2000, busy),
        Figure("slowest callback, median", medians.get(slowest, float("nan")), "ms", "reported", True,
               f"{slowest}, over {len(log.by_output.get(slowest, []))} calls"),
        Figure("export download p95 latency", percentile(exports, 95), "ms", "<= 5000 ms",
               percentile(exports, 95) <= 5000, f"{len(exports)} exports"),
        Figure("upload check/submit p95 latency", percentile(uploads_ms, 95), "ms", "<= 5000 ms",
               percentile(uploads_ms, 95) <= 5000, "through the upload page's callbacks"),
        Figure("uploads accepted", len(accepted), "count", f"= uploads submitted ({len(log.uploads)})",
               len(accepted) == len(log.uploads) and len(accepted) > 0),
        Figure("accepted uploads not in the warehouse exactly once", len(not_once), "count", "0", not not_once,
               ", ".join(not_once[:5])),
    ]  # fmt: skip


def main() -> None:
    record_results("load", run())


if __name__ == "__main__":
    main()
