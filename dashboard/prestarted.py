"""Child processes started before their job, one kept waiting per worker, so a job skips an interpreter's start.

A child is a fresh interpreter (subprocess, never a fork of the worker) that gets ready on its own (imports, at its
own priority) and then waits for its one job on stdin. It runs that job only: the next job gets the next child, so
nothing one job leaves in a process (caches, open files, memory) reaches another. A spare started under another
environment, priority or working folder than the worker's now is not used: the job would run in another setting.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import IO

log = logging.getLogger(__name__)


@dataclass
class Child:
    """One started child: its process (stdin takes the job, stdout gives the answer) and its other output."""

    process: subprocess.Popen
    output: IO[bytes]  # its stderr (and anything it prints), for the message of a child that failed
    setting: tuple

    def end(self) -> None:
        """Stop it if it still runs, reap it and close its pipes and output."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.output):
            if stream is not None:
                stream.close()


class Prestarted:
    """Children of one command; once keep_one_ready() is called, one more is always started and waiting."""

    def __init__(self, command: list[str]):
        self._command = command
        self._lock = threading.Lock()
        self._spare: Child | None = None
        self._keep_ready = False

    def keep_one_ready(self) -> None:
        """From now on keep one child waiting; the first is started in the background now."""
        self._keep_ready = True
        self.replenish()

    def take(self) -> Child:
        """A started child for one job: the waiting one when it is alive and started in today's setting, else a
        new one; the next one is started meanwhile. Raises OSError when no process can be started."""
        with self._lock:
            spare, self._spare = self._spare, None
        # The next one starts now, beside this job (on another core, at its own priority): a job that follows at
        # once (a Submit clicked as soon as the check is shown) finds it ready, not half started.
        self.replenish()
        if spare is not None:
            if spare.process.poll() is None and spare.setting == _setting():
                return spare
            spare.end()
        return self._start()

    def waiting(self) -> int | None:
        """The process id of the child waiting for a job, if one is."""
        with self._lock:
            return None if self._spare is None else self._spare.process.pid

    def close(self) -> None:
        """Keep no child ready any more, and end the one waiting."""
        self._keep_ready = False
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.end()

    def replenish(self) -> None:
        """Start the next waiting child in the background, unless one waits already or none is to be kept."""
        if self._keep_ready:
            threading.Thread(target=self._start_spare, name="prestart-child", daemon=True).start()

    def _start_spare(self) -> None:
        with self._lock:
            if self._spare is not None or not self._keep_ready:
                return
            try:
                self._spare = self._start()
            except OSError as exc:  # the next job tries again, and reports it if it still fails
                log.warning("Could not start a spare child process: %s", exc)

    def _start(self) -> Child:
        output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Child.end)
        try:
            # Its output goes to a file: a pipe nobody reads until the end could fill and stop it.
            process = subprocess.Popen(
                [sys.executable, *self._command], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=output
            )
        except BaseException:
            output.close()
            raise
        return Child(process, output, _setting())


def _setting() -> tuple:
    """What a child takes from the process that starts it and a job depends on."""
    try:
        folder = os.getcwd()
    except OSError:  # removed since: a child started there now could not run either
        folder = None
    return dict(os.environ), os.getpriority(os.PRIO_PROCESS, 0), folder
