"""A client from outside the project: plain http.client threads replaying captured callback requests.

Run as its own process (`python benchmarks/outside_client.py PLAN.json`), it imports nothing of the project, so
what it measures is what any HTTP client sees: it signs in through the login form, then CLIENTS threads, each on
one keep-alive connection, send the captured callback requests round robin for the run's seconds after a
warm-up, while one more thread fetches a static file every few milliseconds, on as many connections in turn (see
replay). It writes every timing, and the
X-Aptmon-Cache header of every callback answer, as JSON to the path the plan names.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
from urllib.parse import urlsplit

TIMEOUT_S = 60.0
STATIC_EVERY_S = 0.05


class Connection:
    """One keep-alive HTTP/1.1 connection carrying a signed-in session's cookies."""

    def __init__(self, base: str, cookies: dict[str, str], accept_encoding: str | None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies)
        self.accept_encoding = accept_encoding
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body bytes); a connection the server closed is opened again once."""
        sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.accept_encoding:
            sent["Accept-Encoding"] = self.accept_encoding
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
            try:
                # Without an encoding of its own, the request carries no Accept-Encoding at all (http.client would
                # otherwise add "identity"), as a script or a proxy that strips it sends.
                self._connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for name, value in sent.items():
                    self._connection.putheader(name, value)
                if body is not None:
                    self._connection.putheader("Content-Length", str(len(body)))
                self._connection.endheaders(body)
                answer = self._connection.getresponse()
                data = answer.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.close()
                if attempt:
                    raise
                continue
            self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
            if answer.getheader("Connection", "").lower() == "close":
                self.close()
            return answer.status, answer.headers, data
        raise AssertionError("unreachable")

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _, value = line.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def sign_in(base: str, username: str, password: str) -> dict[str, str]:
    """The cookies of a session signed in through the login form."""
    connection = Connection(base, {}, None)
    status, _, page = connection.request("GET", "/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    form = f"username={username}&password={password}&csrf_token={token}".encode()
    status, _, _ = connection.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
    connection.close()
    if status != 302:
        raise RuntimeError(f"signing in as {username} failed: {status}")
    return connection.cookies


def replay(plan: dict) -> dict:
    """Warm up, then time every callback and static request for the plan's seconds; returns the samples."""
    base, callbacks = plan["base"], plan["callbacks"]
    cookies = sign_in(base, plan["username"], plan["password"])
    encoding = plan.get("accept_encoding")
    samples: list[tuple[str, float, float, int, str]] = []  # kind, started (epoch s), seconds, status, cache
    errors: list[str] = []
    lock = threading.Lock()
    recording = threading.Event()
    warm_until = time.monotonic() + plan["warm_up_s"]
    deadline = warm_until + plan["seconds"]

    def timed(connection: Connection, kind: str, method: str, path: str, body: bytes | None, headers: dict) -> None:
        started, at = time.perf_counter(), time.time()
        try:
            status, answer_headers, _ = connection.request(method, path, body, headers)
            cache = answer_headers.get("X-Aptmon-Cache", "")
        except (OSError, http.client.HTTPException) as exc:
            status, cache = 0, repr(exc)
        seconds = time.perf_counter() - started
        if not recording.is_set():
            return
        with lock:
            samples.append((kind, at, seconds, status, cache))
            if status not in (200, 204):
                errors.append(f"{kind} {path} -> {status} {cache}"[:300])

    def client(number: int) -> None:
        connection = Connection(base, cookies, encoding)
        headers = {"Content-Type": "application/json", "X-CSRFToken": cookies.get("_csrf_token", "")}
        turn = number % len(callbacks)  # each client starts on another request
        while time.monotonic() < deadline:
            body = callbacks[turn]
            timed(connection, "callback", "POST", "/_dash-update-component", body.encode(), headers)
            turn = (turn + 1) % len(callbacks)
        connection.close()

    def probe() -> None:
        # As many keep-alive connections as there are clients, used in turn: each is answered by the worker that took
        # it, so the probes reach the workers as the clients' connections do. One connection would time one worker
        # all along, and while returns load the workers take turns being busy: the static file's p50 then depended on
        # the worker the probe happened to reach (callbacks 0.2x to 2.8x of it, run to run). A new connection for
        # each probe would time the accepting of it as well, which is slow on a busy machine.
        connections = [Connection(base, {}, encoding) for _ in range(plan["clients"])]
        turn = 0
        while time.monotonic() < deadline:
            timed(connections[turn], "static", "GET", plan["static_path"], None, {})
            turn = (turn + 1) % len(connections)
            time.sleep(STATIC_EVERY_S)
        for connection in connections:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(plan["clients"])]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, warm_until - time.monotonic()))
    recording.set()
    started = time.time()
    for thread in threads:
        thread.join()
    return {"samples": samples, "errors": errors, "started": started, "ended": time.time()}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        plan = json.load(file)
    result = replay(plan)
    with open(plan["output"], "w", encoding="utf-8") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
