"""The real app under gunicorn for tests (`aptmon serve` with chosen settings), and a client that acts as a browser."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from support.server import APTMON, free_port, running_server


def aptmon_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of an `aptmon` command in a test: its own instance/ and returns folders, plus `settings`."""
    env = os.environ | {
        "APTMON_INSTANCE_DIR": str(tmp_path / "instance"),
        "APTMON_RETURNS_DIR": str(tmp_path / "returns"),
    }
    env.pop("APTMON_SECRET_KEY", None)  # the workers must agree on the key file made by the first of them
    return env | settings


def aptmon(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([APTMON, *args], env=env, input=stdin, capture_output=True, text=True, check=True)


@contextmanager
def served(
    tmp_path: Path, db: Path, workers: int = 2, log_path: Path | None = None, ready: str | None = None, **settings: str
) -> Iterator[str]:
    """`aptmon serve` on a free loopback port over `db` with extra environment `settings`; yields the base URL.

    Its output goes to `log_path` (server-PORT.log in tmp_path unless given). It is up once /login answers or, given
    `ready`, once that text is in its output. Whatever happens, it stops on leaving, its workers with it.
    """
    port = free_port()
    options = ["--workers", str(workers), "--warehouse", str(db)]
    env = aptmon_env(tmp_path, **settings)
    log_path = log_path or tmp_path / f"server-{port}.log"
    with running_server(port, options, env, log_path=log_path, ready=ready) as server:
        yield server.url


class Browser:
    """A cookie-keeping client that signs in through the form and calls callbacks as Dash's renderer does.

    `client` is the address the reverse proxy reports (X-Forwarded-For), `https` what it says of the scheme.
    """

    def __init__(self, base_url: str, client: str | None = None, https: bool = False):
        self.base_url = base_url
        self.http = requests.Session()
        if client:
            self.http.headers["X-Forwarded-For"] = client
        if https:
            self.http.headers["X-Forwarded-Proto"] = "https"
        self.https = https

    def get(self, path: str) -> requests.Response:
        return self._sent(self.http.get(self.base_url + path, allow_redirects=False, timeout=60))

    def post(self, path: str, **kwargs) -> requests.Response:
        return self._sent(self.http.post(self.base_url + path, allow_redirects=False, timeout=120, **kwargs))

    def _sent(self, response: requests.Response) -> requests.Response:
        if self.https:
            # The browser's leg to the proxy is HTTPS, where it sends Secure cookies back; this client talks plain
            # HTTP to gunicorn in the proxy's place, so it keeps them as plain ones (tests read Set-Cookie itself).
            for cookie in self.http.cookies:
                cookie.secure = False
        return response

    def sign_in(self, username: str, password: str) -> requests.Response:
        form = self.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        return self.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def sign_out(self) -> requests.Response:
        return self.post("/logout", data={"csrf_token": self.cookie("_csrf_token")})

    def cookie(self, name: str) -> str:
        return self.http.cookies.get(name, default="")

    def callback(self, body: dict) -> requests.Response:
        return self.post("/_dash-update-component", json=body, headers={"X-CSRFToken": self.cookie("_csrf_token")})

    def copy(self) -> Browser:
        """Another client holding a copy of this one's cookies, as an attacker who saved them would."""
        other = Browser(self.base_url)
        other.http.headers.update(self.http.headers)
        for cookie in self.http.cookies:
            other.http.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
        return other


def reporting_body(browser: Browser, year: int = 2016) -> dict:
    """The callback request that draws the Reporting page for a year and every country, built from its map."""
    dependencies = browser.get("/_dash-dependencies").json()
    spec = next(d for d in dependencies if "reporting-matrix-graph." in d["output"])
    outputs = []
    for part in spec["output"][2:-2].split("..."):
        component, prop = part.rsplit(".", 1)
        # A pattern-matching id (the data grids') travels as its JSON text in "output" but as an object here.
        outputs.append({"id": json.loads(component) if component.startswith("{") else component, "property": prop})
    values = {"year": str(year), "country": "ALL"}
    inputs = [
        {**item, "id": json.loads(item["id"]), "value": values[json.loads(item["id"])["name"]]}
        for item in spec["inputs"]
    ]
    first = json.dumps(inputs[0]["id"], sort_keys=True, separators=(",", ":"))
    return {
        "output": spec["output"],
        "outputs": outputs,
        "inputs": inputs,
        # The page's other state (the plan it was opened on) left empty: the default plan.
        "state": [{**item, "value": None} for item in spec.get("state", [])],
        "changedPropIds": [f"{first}.{inputs[0]['property']}"],
    }
