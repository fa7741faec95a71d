"""`aptmon serve` with several gunicorn workers: concurrent uploads and reads never fail and never lose a return."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from support import served_app
from support.dash_requests import upload_check_body
from support.return_files import write_xlsx
from support.served_app import aptmon_env
from support.server import APTMON, stop_with_parent

from etl import accounts, warehouse

pytestmark = pytest.mark.slow  # every test starts aptmon serve

PASSWORD = "concurrent-password-1"
UPLOADERS = {"up-khm": ("KHM", "Cambodia"), "up-tha": ("THA", "Thailand"), "up-vnm": ("VNM", "Viet Nam")}
YEARS = (2013, 2014, 2015, 2016)
READERS = 3
OUTCOME_PATTERN = '{"token":["MATCH"],"type":"upload-outcome"}'
SUBMIT_PATTERN = '{"token":["MATCH"],"type":"upload-submit"}'
STATUS_PATTERN = '{"token":["MATCH"],"type":"upload-status"}'
HELD_PATTERN = '{"token":["MATCH"],"type":"upload-held"}'


class Session:
    """A signed-in browser stand-in: cookies kept, the login form's token read like a browser would."""

    def __init__(self, base_url: str, username: str):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        form = self.get("/login").decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        fields = {"username": username, "password": PASSWORD, "csrf_token": token, "next": "/login"}
        self.opener.open(f"{base_url}/login", urllib.parse.urlencode(fields).encode(), timeout=60).read()

    def get(self, path: str) -> bytes:
        return self._open(urllib.request.Request(f"{self.base_url}{path}"))

    def callback(self, body: dict) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}/_dash-update-component",
            data=json.dumps(body).encode(),
            # As Dash's renderer does: the session's token from its cookie, as a header.
            headers={"Content-Type": "application/json", "X-CSRFToken": self.cookie("_csrf_token")},
        )
        return json.loads(self._open(request))

    def cookie(self, name: str) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    def _open(self, request: urllib.request.Request) -> bytes:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            # A plain message: an HTTPError holds an open socket and cannot travel back from a worker process.
            raise AssertionError(f"{request.get_method()} {request.full_url}: HTTP {exc.code}") from None


def submit_body(token: str) -> dict:
    outcome = {"type": "upload-outcome", "token": token}
    button = {"type": "upload-submit", "token": token}
    status = {"type": "upload-status", "token": token}
    held = {"type": "upload-held", "token": token}
    return {
        "output": f"..{OUTCOME_PATTERN}.children...{SUBMIT_PATTERN}.disabled...{STATUS_PATTERN}.children"
                  f"...{STATUS_PATTERN}.color...{HELD_PATTERN}.children..",
        "outputs": [{"id": outcome, "property": "children"}, {"id": button, "property": "disabled"},
                    {"id": status, "property": "children"}, {"id": status, "property": "color"},
                    {"id": held, "property": "children"}],
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "state": [{"id": "upload-received-on", "property": "date", "value": None}],
        "changedPropIds": ['{"token":"' + token + '","type":"upload-submit"}.n_clicks'],
    }  # fmt: skip


def upload_all(base_url: str, username: str, files: list[str]) -> list[str]:
    """One analyst's process: check then submit each of their returns; the outcome text of each."""
    session = Session(base_url, username)
    outcomes = []
    for file in files:
        checked = json.dumps(session.callback(upload_check_body(Path(file))))
        token = re.search(r'"type": "upload-submit", "token": "([0-9a-f]{32})"', checked)
        if token is None:
            token = re.search(r'"token": "([0-9a-f]{32})", "type": "upload-submit"', checked)
        assert token is not None, checked[:2000]
        outcomes.append(json.dumps(session.callback(submit_body(token.group(1)))))
    return outcomes


def chart_body(session: Session, output_id: str) -> dict:
    """The request the browser sends for the callback that draws `output_id`, for 2016 and all countries."""
    dependencies = json.loads(session.get("/_dash-dependencies"))
    spec = next(d for d in dependencies if f"{output_id}." in d["output"])
    outputs = []
    for part in spec["output"][2:-2].split("..."):
        component, prop = part.rsplit(".", 1)
        # A pattern-matching id (the data grids') travels as its JSON text in "output" but as an object here.
        outputs.append({"id": json.loads(component) if component.startswith("{") else component, "property": prop})
    values = {"year": "2016", "country": "ALL"}
    inputs = [
        {**item, "id": json.loads(item["id"]), "value": values[json.loads(item["id"])["name"]]}
        for item in spec["inputs"]
    ]
    changed = f"{item_id(inputs[0]['id'])}.{inputs[0]['property']}"
    state = [{**item, "value": None} for item in spec.get("state", [])]  # the plan it was opened on: the default
    return {"output": spec["output"], "outputs": outputs, "inputs": inputs, "state": state, "changedPropIds": [changed]}


def item_id(component: dict) -> str:
    return json.dumps(component, sort_keys=True, separators=(",", ":"))


def read_until(base_url: str, stop_file: str) -> int:
    """A reader's process: layouts, the reporting chart, the log and a template until told to stop; requests made."""
    session = Session(base_url, "admin-reader")
    chart = chart_body(session, "reporting-matrix-graph")
    log_grid = {"grid": "submissions-table", "type": "data-grid"}
    log_body = {
        "output": f"{item_id(log_grid)}.rowData",
        "outputs": {"id": log_grid, "property": "rowData"},
        "inputs": [{"id": "submissions-country", "property": "value", "value": "ALL"}],
        "state": [],
        "changedPropIds": ["submissions-country.value"],
    }
    requests = 0
    while not os.path.exists(stop_file):
        session.get("/_dash-layout")
        figure = session.callback(chart)["response"]["reporting-matrix-graph"]["figure"]
        assert figure["data"][0]["type"] == "heatmap"
        assert "rowData" in json.dumps(session.callback(log_body)["response"])
        session.get("/download/template?year=2016&country=KHM")
        requests += 4
    return requests


@pytest.fixture
def served(tmp_path):
    """`aptmon serve --workers 3` over a fresh warehouse with the analysts and a reader; base URL, warehouse, log."""
    db = tmp_path / "warehouse.duckdb"
    warehouse.initialise(db)
    for username, (iso3, _) in UPLOADERS.items():
        accounts.add_user(username, PASSWORD, "analyst", iso3, db)
    accounts.add_user("admin-reader", PASSWORD, "admin", None, db)
    log_path = tmp_path / "server.log"
    with served_app.served(tmp_path, db, workers=3, log_path=log_path) as base_url:
        yield base_url, db, log_path


def test_concurrent_uploads_and_reads_across_workers(served, tmp_path):
    base_url, db, server_log = served
    files = {
        username: [
            str(write_xlsx(tmp_path / f"{iso3}-{year}.xlsx", [[f"{iso3}-{year}", "2.1.6", "Trade fair", "Planned"]],
                           country=name, year=year))
            for year in YEARS
        ]
        for username, (iso3, name) in UPLOADERS.items()
    }  # fmt: skip
    stop_file = str(tmp_path / "stop")
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(UPLOADERS) + READERS, mp_context=spawn, initializer=stop_with_parent) as pool:
        readers = [pool.submit(read_until, base_url, stop_file) for _ in range(READERS)]
        uploads = {username: pool.submit(upload_all, base_url, username, paths) for username, paths in files.items()}
        outcomes = {username: future.result(timeout=300) for username, future in uploads.items()}
        Path(stop_file).touch()
        reads = [future.result(timeout=120) for future in readers]
    print(f"reads per reader process: {reads}")

    for username, texts in outcomes.items():
        iso3 = UPLOADERS[username][0]
        assert [re.search(r"Submitted: (\w+ \d+) is now version (\d)", t).groups() for t in texts] == [
            (f"{iso3} {year}", "1") for year in YEARS
        ]
    assert all(count > 0 for count in reads)

    # Through the lock: the workers rebuild the metric snapshots in the background after the uploads.
    with warehouse.read_connection(db) as con:
        accepted = con.execute(
            "SELECT country, reporting_year, count(*) FROM submissions WHERE status = 'accepted' GROUP BY ALL"
        ).fetchall()
        activities = con.execute("SELECT count(*), count(DISTINCT activity_id) FROM activities").fetchone()
        other = con.execute("SELECT count(*) FROM submissions WHERE status <> 'accepted'").fetchone()[0]
    expected = {(iso3, year, 1) for iso3, _ in UPLOADERS.values() for year in YEARS}
    assert set(accepted) == expected and len(accepted) == len(expected)
    assert activities == (len(expected), len(expected))
    assert other == 0
    # Every request the server saw succeeded (gunicorn's access log: "METHOD path HTTP/1.1" status).
    statuses = re.findall(r'HTTP/1\.[01]" (\d{3})', server_log.read_text())
    assert statuses and all(status in ("200", "204", "302") for status in statuses), sorted(set(statuses))


def test_an_upload_is_read_at_once_from_every_worker(served, tmp_path):
    """Every worker has cached the reporting cards; after an upload, each answers with the new count at once."""
    base_url, db, _ = served
    port = int(base_url.rsplit(":", 1)[1])
    reader = Session(base_url, "admin-reader")
    body = chart_body(reader, "reporting-cards")
    # The signed-in browser's cookie and user agent (Flask-Login marks a session seen from another agent as stale).
    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in reader.cookies), **dict(reader.opener.addheaders)}
    headers["X-CSRFToken"] = reader.cookie("_csrf_token")  # as Dash's renderer sends it with every callback

    def received_on_every_worker() -> dict[int, str]:
        """The 'Returns received' figure each worker gives, asking on new connections until all have answered."""
        answers: dict[int, str] = {}
        for _ in range(200):
            worker, text = _ask_one_worker(port, headers, body)
            answers.setdefault(worker, _returns_received(text))
            if len(answers) == 3:
                return answers
        pytest.fail(f"only workers {sorted(answers)} answered")

    before = received_on_every_worker()
    assert set(before.values()) == {"0 / 52"}, before
    path = write_xlsx(tmp_path / "KHM-2016.xlsx", [["KHM-1", "2.1.6", "Trade fair", "Planned"]], country="Cambodia",
                      year=2016)  # fmt: skip
    outcome = upload_all(base_url, "up-khm", [str(path)])
    assert "Submitted: KHM 2016 is now version 1" in outcome[0]
    after = received_on_every_worker()
    assert set(after) == set(before) and set(after.values()) == {"1 / 52"}, after


def _ask_one_worker(port: int, headers: dict, body: dict) -> tuple[int, str]:
    """POST a callback on a fresh connection; the pid of the worker that answered (from /proc), and the answer."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST", "/_dash-update-component", json.dumps(body), {"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        text = response.read().decode()
        assert response.status == 200, text[:500]
        worker = _server_end_owner(port, connection.sock.getsockname()[1])  # the connection is kept alive
    finally:
        connection.close()
    return worker, text


def _server_end_owner(server_port: int, client_port: int) -> int:
    """The process holding the server's end of the loopback connection from `client_port`."""
    wanted = f":{server_port:04X}", f":{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(wanted[0]) and fields[2].endswith(wanted[1]):
            inode = fields[9]
    assert inode is not None, "the server's end of the connection is not in /proc/net/tcp"
    return _socket_owner(inode)


def _returns_received(answer: str) -> str:
    text = json.dumps(json.loads(answer)["response"]["reporting-cards"])
    return text.split('"Returns received"', 1)[1].split('"children": "', 1)[1].split('"', 1)[0]


def test_serve_prints_the_address_and_demo_sign_ins_in_a_box_once_it_answers(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    warehouse.initialise(db)
    made = subprocess.run(
        [APTMON, "users", "demo", "--warehouse", str(db)], env=aptmon_env(tmp_path), capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    sign_ins = [line for line in (tmp_path / "instance" / "demo-users.txt").read_text().splitlines() if line[:1] != "#"]
    log_path = tmp_path / "server.log"
    with served_app.served(tmp_path, db, log_path=log_path, ready="The dashboard is ready") as base_url:
        # Ready means it answers.
        assert urllib.request.urlopen(f"{base_url}/login", timeout=30).status == 200
        time.sleep(1)  # the other worker's start-up lines, if any were to follow
    lines = log_path.read_text().splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("+--"))
    box = lines[top : top + len(sign_ins) + 5]
    assert box[1] == f"| The dashboard is ready: {base_url}".ljust(len(box[0]) - 1) + "|"
    for sign_in in sign_ins:
        assert any(sign_in.rstrip() in line for line in box), (sign_in, box)
    assert box[-1] == box[0] and all(len(line) == len(box[0]) for line in box)
    # Once, after gunicorn's own start-up lines, not lost among them.
    assert sum("The dashboard is ready" in line for line in lines) == 1
    assert not any("Booting worker" in line for line in lines[top:])


def test_each_worker_listens_on_a_socket_of_its_own(tmp_path):
    """The kernel spreads new connections over the workers: none queues a browser's requests while others idle."""
    db = tmp_path / "warehouse.duckdb"
    warehouse.initialise(db)
    with served_app.served(tmp_path, db, workers=3) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        # The first worker answers as soon as it is ready; gunicorn forks the others a moment apart.
        deadline = time.monotonic() + 30
        while len(listening := _listening(port)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        owners = {_socket_owner(inode) for inode in listening}
    assert (len(listening), len(owners)) == (3, 3)


def _listening(port: int) -> list[str]:
    """The inodes of the sockets listening on a port."""
    return [
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"  # 0A: LISTEN
    ]


def _socket_owner(inode: str) -> int:
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in fd_dir.iterdir()):
                return int(fd_dir.parent.name)
        except OSError:
            continue
    raise AssertionError(f"no process holds socket {inode}")


def test_serve_refuses_a_port_another_program_listens_on(tmp_path):
    import socket

    db = tmp_path / "warehouse.duckdb"
    warehouse.initialise(db)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [APTMON, "serve", "--port", str(port), "--warehouse", str(db)],
            env=aptmon_env(tmp_path), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode != 0
    assert f"Cannot serve on 127.0.0.1:{port}: Address already in use. Is the dashboard already running?" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
