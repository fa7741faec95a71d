"""Finding 12 of issue 28: ten sockets trickling their request headers must not keep /login from answering when
nothing buffers in front of gunicorn (dashboard/gunicorn_worker.py cuts headers that take too long)."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from support import served_app

from etl import warehouse

pytestmark = pytest.mark.slow  # serves the dashboard under gunicorn

SLOW_SOCKETS = 10


def _trickle(host: str, port: int, stop: threading.Event, closed: list) -> None:
    """Open a connection, start a request, then send one header byte a second until told to stop."""
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(b"GET /login HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        while not stop.is_set():
            try:
                sock.sendall(b"a")
                sock.settimeout(1.0)
                if sock.recv(1) == b"":  # the server shut the connection
                    closed.append(time.monotonic())
                    return
            except TimeoutError:
                continue
            except OSError:
                closed.append(time.monotonic())
                return


def test_login_answers_while_ten_sockets_send_their_headers_slowly(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    warehouse.initialise(db)
    # One worker of four threads: ten slow sockets are more than it has threads.
    with served_app.served(tmp_path, db, workers=1, APTMON_HEADER_TIMEOUT_SECONDS="3") as base_url:
        host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
        stop, closed = threading.Event(), []
        slow = [threading.Thread(target=_trickle, args=(host, port, stop, closed), daemon=True)
                for _ in range(SLOW_SOCKETS)]  # fmt: skip
        for thread in slow:
            thread.start()
        try:
            time.sleep(1.5)  # every slow socket has sent its first bytes and holds a thread
            started = time.monotonic()
            answer = requests.get(f"{base_url}/login", timeout=30)
            took = time.monotonic() - started
            assert answer.status_code == 200 and "password" in answer.text.lower()
            assert took < 6, f"/login took {took:.1f} s behind {SLOW_SOCKETS} slow clients"
            # The slow clients are cut off in turn as threads take them up (3 s each, four at a time), not served.
            deadline = time.monotonic() + 20
            while len(closed) < SLOW_SOCKETS and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(closed) == SLOW_SOCKETS
        finally:
            stop.set()
            for thread in slow:
                thread.join(5)
