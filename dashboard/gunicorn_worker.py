"""gunicorn's threaded worker with a deadline on request headers, so a slow client cannot hold a thread.

gunicorn's gthread worker waits a few seconds for a connection's first byte away from its threads, but once a byte
has come a thread reads the headers to their end, however slowly they trickle in: ten sockets sending a header byte
a second held every thread of a worker, and /login stopped answering (issue 28, finding 12). Here a request whose
headers are not complete within APTMON_HEADER_TIMEOUT_SECONDS (default 5) has its socket shut, which frees the
thread at once. A buffering reverse proxy in front (docs/deployment.md) does this and more; this is the floor
without one. Request bodies (uploads) are not under the deadline: they are read by the application.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

from gunicorn.workers import gthread
from gunicorn.workers.gthread import ThreadWorker

DEFAULT_HEADER_TIMEOUT_S = 5.0
_SWEEP_S = 0.25


def header_timeout_s() -> float:
    """Seconds a client has to send a request's headers: $APTMON_HEADER_TIMEOUT_SECONDS (default 5)."""
    try:
        return max(float(os.environ.get("APTMON_HEADER_TIMEOUT_SECONDS", DEFAULT_HEADER_TIMEOUT_S)), 0.5)
    except ValueError:
        return DEFAULT_HEADER_TIMEOUT_S


class _Deadlines:
    """The sockets reading headers and when each must be done; one thread shuts the late ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[int, tuple[float, socket.socket]] = {}
        self._thread = threading.Thread(target=self._sweep, name="header-deadlines", daemon=True)
        self._thread.start()

    def start(self, key: int, sock: socket.socket, seconds: float) -> None:
        with self._lock:
            self._due[key] = (time.monotonic() + seconds, sock)

    def stop(self, key: int) -> None:
        with self._lock:
            self._due.pop(key, None)

    def _sweep(self) -> None:
        while True:
            time.sleep(_SWEEP_S)
            now = time.monotonic()
            with self._lock:
                late = [key for key, (due, _) in self._due.items() if due <= now]
                socks = [self._due.pop(key)[1] for key in late]
            for sock in socks:
                # The thread blocked in recv() sees the end of the stream and gives the connection up; a socket
                # closed meanwhile needs nothing.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class HeaderDeadlineWorker(ThreadWorker):
    """gthread, with every request's headers due within header_timeout_s() of the thread taking them up."""

    def init_process(self) -> None:
        self._deadlines = _Deadlines()
        self._header_timeout_s = header_timeout_s()
        super().init_process()

    def handle(self, conn):
        # A new connection's first byte is awaited as gunicorn does (an idle one goes back to the poller), so the
        # deadline runs from the first byte: a browser's pre-opened connection is not cut while it waits.
        if not conn.initialized and not conn.data_ready and not conn.wait_for_data(gthread.DEFAULT_WORKER_DATA_TIMEOUT):
            return gthread._DEFER
        self._deadlines.start(id(conn), conn.sock, self._header_timeout_s)
        try:
            return super().handle(conn)
        finally:
            self._deadlines.stop(id(conn))

    def handle_request(self, req, conn):
        # The headers are in: from here on the application reads the body at its own pace.
        self._deadlines.stop(id(conn))
        return super().handle_request(req, conn)
