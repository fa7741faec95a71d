"""`aptmon serve` started on a loopback port and waited for until it answers: one helper for tests and benchmarks.

The benchmarks import it as `tests.support.server` (`python -m benchmarks.x` from the project root puts the root on
sys.path, where `tests` is a namespace package), the tests as `support.server`; so it imports no other helper.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

APTMON = str(Path(sys.executable).with_name("aptmon"))
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def stop_with_parent() -> None:
    """In a child process: have Linux send it SIGTERM if the process that started it dies first (none left over)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass(frozen=True)
class RunningServer:
    """A started `aptmon serve`: its base URL and its process (gunicorn's master, leader of its process group)."""

    url: str
    process: subprocess.Popen


@contextmanager
def running_server(
    port: int,
    options: Sequence[str],
    env: Mapping[str, str],
    log_path: Path | None = None,
    ready: str | None = None,
    timeout: float = 90.0,
) -> Iterator[RunningServer]:
    """`aptmon serve --host 127.0.0.1 --port PORT *options` under `env`, yielded once it answers.

    Its output goes to `log_path`, or nowhere. It is up once /login answers or, given `ready`, once that text is in
    its log (so `ready` needs a `log_path`). Whatever happens, it stops on leaving, its workers with it.
    """
    url = f"http://{HOST}:{port}"
    command = [APTMON, "serve", "--host", HOST, "--port", str(port), *options]
    with log_path.open("w") if log_path else open(os.devnull, "w") as output:
        process = subprocess.Popen(
            command,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the master and its workers, and nothing else
            preexec_fn=stop_with_parent,
        )
        try:
            _wait_until_up(url, process, log_path, ready, timeout)
            yield RunningServer(url, process)
        finally:
            _stop(process)


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path | None, ready: str | None, timeout: float):
    deadline = time.monotonic() + timeout
    while not _is_up(url, log_path, ready):
        if process.poll() is not None:
            raise RuntimeError(f"aptmon serve exited with code {process.returncode}{_log_text(log_path)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"aptmon serve did not answer within {timeout:.0f} s{_log_text(log_path)}")
        time.sleep(0.2)


def _is_up(url: str, log_path: Path | None, ready: str | None) -> bool:
    if ready is not None:
        return ready in log_path.read_text()
    try:
        requests.get(f"{url}/login", timeout=10)
        return True
    except requests.RequestException:  # refused or reset while the workers boot
        return False


def _log_text(log_path: Path | None) -> str:
    return f": {log_path.read_text()}" if log_path else ""


def _stop(process: subprocess.Popen) -> None:
    # gunicorn's master passes SIGTERM on to its workers and waits for them (a graceful stop); SIGKILL the whole
    # group only if that takes too long.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
