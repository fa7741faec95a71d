"""Uploads checked and loaded in a bounded child process, so one user's file cannot take a worker from readers.

Reading and checking a large or hostile file is pure-Python work: run in a gunicorn thread it holds the worker's
interpreter lock (the readers' callbacks in the same worker wait for it) and its memory stays with the worker.
Here each upload's ingest runs in a fresh Python process (`python -m dashboard.upload_checks`, a plain subprocess:
multiprocessing's fork server hung inside gunicorn's workers): watched for its memory and time and killed past
either limit, and moved to a lower CPU priority once its job has used GRACE_CPU_S of CPU (an analyst's return is
checked or loaded before then, at the worker's priority; a large or hostile file then yields to the readers), at
most APTMON_UPLOAD_CHECKS_PER_WORKER at once per worker. The waiting thread sleeps, so readers keep the interpreter.
Once an analyst opens the Upload page, a worker starts each job's process ahead (keep_warm,
dashboard.prestarted): it has started and imported the ingest libraries before the file comes, runs that one job
and ends, and the next is started beside it.
"""

from __future__ import annotations

import os
import pickle
import select
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboard.environment import env_number
from dashboard.prestarted import Prestarted

DEFAULT_MAX_MB = 1024  # the worst 10 MB CSV, XLSX and ODS stay under 512 MiB (benchmarks/bench_upload_bounds.py)
DEFAULT_MAX_SECONDS = 300
DEFAULT_PER_WORKER = 1
QUEUE_WAIT_S = 30.0  # how long a check waits for its turn before the analyst is told to try again
NICENESS = 10  # a job past its grace yields the CPU to the readers' callbacks
# CPU seconds a job runs at the worker's priority: a 500-row return takes about 0.1 s to check and 0.5 s to load. At
# nice 10 from the start, a check among 20 busy readers waited 5-13 s for its share of the CPU (bench_load).
GRACE_CPU_S = 1.0
_POLL_S = 0.05
_LENGTH_BYTES = 8

# Each worker's checkers: a fresh interpreter per job, the next one started ahead once keep_warm() is called.
_children = Prestarted(["-m", "dashboard.upload_checks"])

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


def keep_warm() -> None:
    """Keep a checker started and ready from now on (a worker, once an analyst opens the Upload page): an upload
    then waits for no interpreter start and no imports, which took about a second of a check or a Submit on a busy
    machine. Not before: a server nobody uploads to keeps no checkers (about 60 MiB each), and a worker's start
    does not share the CPU with one importing."""
    _children.keep_one_ready()


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
    child = _children.take()
    try:
        try:
            child.process.stdin.write(pickle.dumps(steps))
            child.process.stdin.close()  # the end of the job: the child starts on it
        except BrokenPipeError:
            pass  # it died before reading: said below, with its output
        started = time.monotonic()
        used_before = _cpu_seconds(child.process.pid)  # its start and imports, if it is still at them
        stepped_aside = False
        answer = bytearray()
        channel = child.process.stdout.fileno()
        while True:
            if not stepped_aside and _cpu_seconds(child.process.pid) - used_before > GRACE_CPU_S:
                stepped_aside = _step_aside(child.process.pid)
            if _resident_bytes(child.process.pid) > limit_bytes:
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
            # The answer is read as it comes (a large one would fill the pipe and stop the child), and its end is
            # seen at once instead of at the next look at the child's memory.
            readable, _, _ = select.select([channel], [], [], _POLL_S)
            if readable:
                chunk = os.read(channel, 1 << 20)
                if not chunk:
                    break
                answer += chunk
        outcome = _answer(bytes(answer))
        if outcome is None:
            child.process.wait()
            child.output.seek(0)
            tail = child.output.read().decode("utf-8", "replace")[-2000:]
            code = child.process.returncode
            return "failed", f"the check of {name} ended without a result (exit code {code}): {tail}"
        return outcome
    finally:
        child.end()
        _children.replenish()  # should the one started with this job have failed to start


def _answer(sent: bytes) -> tuple[str, object] | None:
    """The outcome a child sent (its length first), or None when it ended before sending all of it."""
    size = int.from_bytes(sent[:_LENGTH_BYTES], "big")
    if len(sent) < _LENGTH_BYTES or len(sent) != _LENGTH_BYTES + size:
        return None
    return pickle.loads(sent[_LENGTH_BYTES:])


def _cpu_seconds(pid: int) -> float:
    """The CPU seconds (user and system) a process has used, from /proc (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name: state, ppid, ..., utime, stime
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _step_aside(pid: int) -> bool:
    """Lower a child's CPU priority to NICENESS below the worker's; True once done (or the child has gone)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(os.getpriority(os.PRIO_PROCESS, 0) + NICENESS, 19))
    except ProcessLookupError:
        pass
    except OSError:
        return False  # not ours to change: tried again at the next look
    return True


def _resident_bytes(pid: int) -> int:
    """A process's resident memory, from /proc (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child() -> None:
    """In the child: import what a job needs, then run the one job stdin brings and send its outcome on stdout (the
    parent lowers its priority if the job runs long: a process cannot raise its own again)."""
    # stdout is the answer's channel alone: anything printed goes where stderr goes.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    # Imported before the job comes, so a child started ahead (dashboard.prestarted) has them when it does.
    import etl.returns.feedback  # noqa: F401 (a rejected return's feedback workbook)
    import etl.returns.ingest  # noqa: F401

    job = sys.stdin.buffer.read()
    if not job:
        return  # let go unused: the worker stopped, or its setting changed
    steps = pickle.loads(job)
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
    sent = pickle.dumps(outcome)
    # Its length first: the parent tells a whole answer from one cut short by the child being killed.
    channel.write(len(sent).to_bytes(_LENGTH_BYTES, "big") + sent)
    channel.close()
    sys.stderr.flush()
    # Its work is done and said: no need to wait for the interpreter to tidy up before the parent reaps it.
    os._exit(0)


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
    _child()
