"""Uploads checked and loaded in a bounded child process, so one user's file cannot take a worker from readers.

Reading and checking a large or hostile file is pure-Python work: run in a gunicorn thread it holds the worker's
interpreter lock (the readers' callbacks in the same worker wait for it) and its memory stays with the worker.
Here each upload's ingest runs in a child forked from a clean forkserver (the library preloaded, so a fork costs
milliseconds): at a lower CPU priority, watched for its memory and time and killed past either limit, at most
APTMON_UPLOAD_CHECKS_PER_WORKER at once per worker. The waiting thread sleeps, so readers keep the interpreter.
"""

from __future__ import annotations

import multiprocessing
import os
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
_PRELOAD = ["etl.returns.ingest", "etl.returns.feedback", "etl.returns.regressions"]

_context = None
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


def _forkserver():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


def _run_in_child(steps: Steps) -> tuple[str, object]:
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    # The forkserver was started with the environment of its time; the child takes today's settings.
    settings = {name: value for name, value in os.environ.items() if name.startswith("APTMON_")}
    child = context.Process(target=_child, args=(sender, steps, settings), daemon=True)
    child.start()
    sender.close()
    limit_bytes, limit_s = max_bytes(), max_seconds()
    started = time.monotonic()
    name = steps.original_name
    try:
        while True:
            if receiver.poll(_POLL_S):
                try:
                    return receiver.recv()
                except EOFError:  # the child ended without an answer
                    break
            if not child.is_alive():
                break
            if _resident_bytes(child.pid) > limit_bytes:
                child.kill()
                return "refused", (
                    f"{name}: checking this file needed more than {limit_bytes // 2**20} MiB of memory; it is "
                    "too large or too complex to check. Remove unused rows and sheets, or split it, and upload again."
                )
            if time.monotonic() - started > limit_s:
                child.kill()
                return "refused", (
                    f"{name}: checking this file took more than {limit_s:g} seconds; remove unused rows and sheets, "
                    "or split it, and upload again."
                )
    finally:
        receiver.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    return "failed", f"the check of {name} ended without a result (exit code {child.exitcode})"


def _resident_bytes(pid: int) -> int:
    """A process's resident memory, from /proc (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(sender, steps: Steps, settings: dict[str, str]) -> None:
    """In the child: take the server's settings, step aside for readers, run the steps, send back the outcome."""
    for name in [n for n in os.environ if n.startswith("APTMON_")]:
        del os.environ[name]
    os.environ.update(settings)
    os.nice(NICENESS)
    try:
        sender.send(("ok", _ingest_steps(steps)))
    except Exception as exc:  # sent back as text: the parent shows a WarehouseError's message, logs anything else
        from etl.returns.load import HeldUploadGone
        from etl.warehouse import WarehouseError

        if isinstance(exc, HeldUploadGone):
            sender.send(("held-gone", str(exc)))
        elif isinstance(exc, WarehouseError):
            sender.send(("warehouse-error", str(exc)))
        else:
            import traceback

            sender.send(("failed", traceback.format_exc()))
    finally:
        sender.close()


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
