"""Run a command as a child process with a wall-clock limit, measuring its own peak memory (not a guess)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_MIB = 1024.0

# Linux records, as a process execs, the peak RSS of the memory it had until then (the parent's, copied at fork): a
# command forked from this test process would report this process's peak, hundreds of MiB late in a run. So the
# command is forked from a small interpreter instead, which reports the command's own peak (ru_maxrss, KiB) in a
# file, and exits with its status.
_SHIM = """
import os, sys
report, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execvp(command[0], command)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


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
    """Run `args`, killing it after `timeout` seconds; its own rusage (wait4, in a small parent) gives its peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "maxrss"
        shim = [sys.executable, "-I", "-S", "-c", _SHIM, str(report), *args]
        start = time.monotonic()
        process = subprocess.Popen(shim, stdout=out, stderr=err, env=env, start_new_session=True)
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)  # the shim and the command: one session
            process.wait()
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        max_rss_kib = int(report.read_text()) if report.exists() and report.read_text() else 0
        return BoundedRun(
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            max_rss_kib / 1024,  # Linux reports KiB
            timed_out,
        )
