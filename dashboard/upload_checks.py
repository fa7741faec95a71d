"""Uploads checked and loaded in a bounded child process, so one user's file cannot take a worker from readers.

Reading and checking a large or hostile file is pure-Python work: run in a gunicorn thread it holds the worker's
interpreter lock (the readers' callbacks in the same worker wait for it) and its memory stays with the worker.
Here each upload's ingest runs in a fresh Python process (`python -m dashboard.upload_checks`, a plain subprocess:
multiprocessing's fork server hung inside gunicorn's workers): at a lower CPU priority, watched for its memory and
time and killed past either limit, at most APTMON_UPLOAD_CHECKS_PER_WORKER at once per worker. The waiting thread
sleeps, so readers keep the interpreter.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboard.environment import env_number

DEFAULT_MAX_MB = 1024  # the worst 10 MB CSV, XLSX and ODS stay under 512 MiB (benchmarks/bench_upload_bounds.py)
DEFAULT_MAX_SECONDS = 300
DEFAULT_PER_WORKER = 1
QUEUE_WAIT_S = 30.0  # how long a check waits for its turn before the analyst is told to try again
NICENESS = 10  # the child yields the CPU to the readers' callbacks
_POLL_S = 0.05

_context_lock = threading.Lock()
_turns: threading.BoundedSemaphore | None = None


class CheckRefused(RuntimeError):
    """The file could not be checked within the limits, or the server is busy; the message says what to do."""


@dataclass(frozen=True)
class Steps:
    """What to run for one staged file: the page's check (dry run, then recording a rejected, unchanged or held
    return), or the Submit of a checked one."""

    path: str
    warehouse_file: str
    original_name: str
    submitted_by: str
    country: str | None
    year: int | None
    received_on: date | None
    report_dir: str
    submit: bool = False
    confirm_changes: bool | frozenset = False
    held_submission: int | None = None  # the log row of a held return its Submit confirms


def max_bytes() -> int:
    """The most memory a check may use: $APTMON_UPLOAD_CHECK_MAX_MB megabytes (default 1024)."""
    return int(env_number("APTMON_UPLOAD_CHECK_MAX_MB", DEFAULT_MAX_MB) * 1024 * 1024)


def max_seconds() -> float:
    """The longest a check may take: $APTMON_UPLOAD_CHECK_MAX_SECONDS (default 300)."""
    return float(env_number("APTMON_UPLOAD_CHECK_MAX_SECONDS", DEFAULT_MAX_SECONDS))


def run(steps: Steps):
    """The IngestResult of `steps`, run in a bounded child; raises CheckRefused, WarehouseError or RuntimeError."""
    from etl.warehouse import WarehouseError

    turn = _turn()
    if not turn.acquire(timeout=QUEUE_WAIT_S):
        raise CheckRefused(f"{steps.original_name}: the server is checking other files; upload it again in a minute.")
    try:
        outcome, payload = _run_in_child(steps)
    finally:
        turn.release()
    if outcome == "ok":
        return payload
    if outcome == "warehouse-error":
        raise WarehouseError(payload)
    if outcome == "refused":
        raise CheckRefused(payload)
    if outcome == "held-gone":
        from etl.returns.load import HeldUploadGone

        raise HeldUploadGone(payload)
    raise RuntimeError(payload)


def _turn() -> threading.BoundedSemaphore:
    global _turns
    with _context_lock:
        if _turns is None:
            _turns = threading.BoundedSemaphore(max(1, int(env_number("APTMON_UPLOAD_CHECKS_PER_WORKER",
                                                                           DEFAULT_PER_WORKER))))  # fmt: skip
        return _turns


def _run_in_child(steps: Steps) -> tuple[str, object]:
    limit_bytes, limit_s = max_bytes(), max_seconds()
    name = steps.original_name
    with tempfile.TemporaryDirectory(prefix="aptmon-check-") as folder:
        asked, answer = os.path.join(folder, "steps.pickle"), os.path.join(folder, "outcome.pickle")
        with open(asked, "wb") as out:
            pickle.dump(steps, out)
        # The child takes the server's environment as it is now (its APTMON_* settings included). Its output goes to
        # a file: a pipe nobody reads until the end could fill and stop it.
        errors = open(os.path.join(folder, "stderr.txt"), "w+b")  # noqa: SIM115 (closed below, after the child)
        child = subprocess.Popen(
            [sys.executable, "-m", "dashboard.upload_checks", asked, answer],
            stdin=subprocess.DEVNULL,
            stdout=errors,
            stderr=errors,
        )
        started = time.monotonic()
        try:
            while child.poll() is None:
                if _resident_bytes(child.pid) > limit_bytes:
                    return "refused", (
                        f"{name}: checking this file needed more than {limit_bytes // 2**20} MiB of memory; it is "
                        "too large or too complex to check. Remove unused rows and sheets, or split it, and upload "
                        "again."
                    )
                if time.monotonic() - started > limit_s:
                    return "refused", (
                        f"{name}: checking this file took more than {limit_s:g} seconds; remove unused rows and "
                        "sheets, or split it, and upload again."
                    )
                time.sleep(_POLL_S)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            errors.seek(0)
            output = errors.read()
            errors.close()
        if not os.path.exists(answer):
            tail = output.decode("utf-8", "replace")[-2000:]
            return "failed", f"the check of {name} ended without a result (exit code {child.returncode}): {tail}"
        with open(answer, "rb") as result:
            return pickle.load(result)


def _resident_bytes(pid: int) -> int:
    """A process's resident memory, from /proc (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(asked: str, answer: str) -> None:
    """In the child: step aside for readers, run the steps, write down the outcome."""
    os.nice(NICENESS)
    with open(asked, "rb") as given:
        steps = pickle.load(given)
    try:
        outcome = ("ok", _ingest_steps(steps))
    except Exception as exc:  # sent back as text: the parent shows a WarehouseError's message, logs anything else
        from etl.returns.load import HeldUploadGone
        from etl.warehouse import WarehouseError

        if isinstance(exc, HeldUploadGone):
            outcome = ("held-gone", str(exc))
        elif isinstance(exc, WarehouseError):
            outcome = ("warehouse-error", str(exc))
        else:
            import traceback

            outcome = ("failed", traceback.format_exc())
    with open(answer + ".part", "wb") as out:
        pickle.dump(outcome, out)
    os.replace(answer + ".part", answer)  # whole or not at all, should the child be killed while writing


def _ingest_steps(steps: Steps):
    from etl.returns.ingest import ingest_file

    def ingest(dry_run: bool, confirm_changes=False, held_submission=None):
        return ingest_file(
            Path(steps.path),
            warehouse_file=steps.warehouse_file,
            country=steps.country,
            year=steps.year,
            dry_run=dry_run,
            received_on=steps.received_on,
            submitted_by=steps.submitted_by,
            report_dir=None if dry_run else steps.report_dir,
            original_name=steps.original_name,
            confirm_changes=confirm_changes,
            held_submission=held_submission,
        )

    if steps.submit:
        return ingest(False, steps.confirm_changes, steps.held_submission)
    result = ingest(True)
    if result.status in ("rejected", "unchanged", "held"):
        # A rejected, unchanged or held return is recorded at once, as the log shows it (the rejected one with its
        # feedback workbook); a held one's Submit later confirms exactly the changes shown.
        result = ingest(False)
    return result


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
