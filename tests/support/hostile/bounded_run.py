"""Run a command as a child process with a wall-clock limit, measuring its own peak memory (not a guess)."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_MIB = 1024.0


@dataclass
class BoundedRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float
    timed_out: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_bounded(args: list[str], *, timeout: float = TIME_LIMIT_S, env: dict | None = None) -> BoundedRun:
    """Run `args`, killing it after `timeout` seconds; the child's own rusage (os.wait4) gives its peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(args, stdout=out, stderr=err, env=env, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.monotonic() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        err.seek(0)
        return BoundedRun(
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss / 1024,  # Linux reports KiB
            timed_out,
        )
