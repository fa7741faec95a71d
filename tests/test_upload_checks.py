"""Uploads are checked in a bounded child process: its answer is the in-process one, and past its memory or time
limit, or with the worker's checks all taken, the analyst gets a clear refusal instead of a held worker."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest
from support.return_files import write_xlsx

from dashboard import upload_checks
from dashboard.prestarted import Prestarted
from etl.returns.ingest import ingest_file

pytestmark = pytest.mark.slow  # starts child processes


def _steps(tmp_path, warehouse_file, path, **changes) -> upload_checks.Steps:
    return upload_checks.Steps(
        path=str(path),
        warehouse_file=str(warehouse_file),
        original_name=path.name,
        submitted_by="analyst-khm",
        country=None,
        year=None,
        received_on=None,
        report_dir=str(tmp_path / "report"),
        **changes,
    )


@pytest.fixture
def returns_here(tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))


def test_a_check_in_the_child_gives_the_in_process_answer_and_records_a_rejection(
    tmp_path, warehouse_file, returns_here
):
    good = write_xlsx(tmp_path / "good.xlsx")
    bad = write_xlsx(tmp_path / "bad.xlsx", [["KHM-001", "9.9.9", "Unknown measure", "Ongoing"]])
    checked = upload_checks.run(_steps(tmp_path, warehouse_file, good))
    expected = ingest_file(good, warehouse_file=warehouse_file, dry_run=True)
    assert (checked.status, checked.activities, checked.country) == (expected.status, expected.activities, "KHM")
    assert checked.status == "accepted" and checked.dry_run

    rejected = upload_checks.run(_steps(tmp_path, warehouse_file, bad))
    assert rejected.status == "rejected" and not rejected.dry_run and rejected.submission_id
    assert rejected.report_path and os.path.exists(rejected.report_path)
    assert {i.code for i in rejected.issues} >= {"unknown-measure", "missing-date"}
    # The returns folder the child stored into is the one the server is set to now (not the forkserver's).
    assert rejected.stored_path.startswith(str(tmp_path / "returns"))

    submitted = upload_checks.run(_steps(tmp_path, warehouse_file, good, submit=True))
    assert (submitted.status, submitted.version) == ("accepted", 1)


def test_a_check_past_its_memory_limit_is_stopped_with_a_message(tmp_path, warehouse_file, monkeypatch):
    monkeypatch.setenv("APTMON_UPLOAD_CHECK_MAX_MB", "1")  # any child is over this at once
    with pytest.raises(upload_checks.CheckRefused, match=r"good.xlsx: checking this file needed more than 1 MiB"):
        upload_checks.run(_steps(tmp_path, warehouse_file, write_xlsx(tmp_path / "good.xlsx")))


def test_a_check_past_its_time_limit_is_stopped_with_a_message(tmp_path, warehouse_file, monkeypatch):
    monkeypatch.setenv("APTMON_UPLOAD_CHECK_MAX_SECONDS", "0.001")
    with pytest.raises(upload_checks.CheckRefused, match=r"took more than 0.001 seconds"):
        upload_checks.run(_steps(tmp_path, warehouse_file, write_xlsx(tmp_path / "good.xlsx")))


def test_with_the_workers_checks_all_taken_the_next_one_is_told_to_wait(tmp_path, warehouse_file, monkeypatch):
    monkeypatch.setattr(upload_checks, "QUEUE_WAIT_S", 0.1)
    turn = upload_checks._turn()
    assert turn.acquire(timeout=5)
    try:
        with pytest.raises(upload_checks.CheckRefused, match="the server is checking other files"):
            upload_checks.run(_steps(tmp_path, warehouse_file, write_xlsx(tmp_path / "good.xlsx")))
    finally:
        turn.release()


def test_a_short_job_keeps_the_worker_s_priority_and_a_long_one_steps_aside(tmp_path, warehouse_file, monkeypatch):
    seen = []
    real = upload_checks._resident_bytes

    def watch(pid: int) -> int:
        with contextlib.suppress(OSError):
            seen.append(os.getpriority(os.PRIO_PROCESS, pid))
        return real(pid)

    monkeypatch.setattr(upload_checks, "_resident_bytes", watch)
    good = write_xlsx(tmp_path / "good.xlsx")
    own = os.getpriority(os.PRIO_PROCESS, 0)
    # A small return is checked well within its grace: at the worker's priority throughout.
    upload_checks.run(_steps(tmp_path, warehouse_file, good))
    assert seen and set(seen) == {own}
    # Past its grace (none here), a job yields the CPU to the readers.
    seen.clear()
    monkeypatch.setattr(upload_checks, "GRACE_CPU_S", 0.0)
    upload_checks.run(_steps(tmp_path, warehouse_file, good))
    assert seen and max(seen) == min(own + upload_checks.NICENESS, 19)


@pytest.fixture
def warm(monkeypatch):
    """This test's own checkers, one started ahead as a server's worker keeps it (upload_checks.keep_warm)."""

    def keep_warm():
        upload_checks.keep_warm()
        deadline = time.monotonic() + 60
        while children.waiting() is None:
            assert time.monotonic() < deadline, "no checker was started ahead"
            time.sleep(0.01)
        return children.waiting()

    children = Prestarted(["-m", "dashboard.upload_checks"])
    monkeypatch.setattr(upload_checks, "_children", children)
    yield keep_warm
    children.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_checker_started_ahead_gives_the_in_process_answers_one_job_each(tmp_path, warehouse_file, returns_here,
                                                                          warm, monkeypatch):  # fmt: skip
    seen = []
    real = upload_checks._resident_bytes

    def watch(pid: int) -> int:
        with contextlib.suppress(OSError):
            seen.append((pid, os.getpriority(os.PRIO_PROCESS, pid)))
        return real(pid)

    monkeypatch.setattr(upload_checks, "_resident_bytes", watch)
    good = write_xlsx(tmp_path / "good.xlsx")
    bad = write_xlsx(tmp_path / "bad.xlsx", [["KHM-001", "9.9.9", "Unknown measure", "Ongoing"]])
    spare = warm()
    own = os.getpriority(os.PRIO_PROCESS, 0)
    checked = upload_checks.run(_steps(tmp_path, warehouse_file, good))
    expected = ingest_file(good, warehouse_file=warehouse_file, dry_run=True)
    assert (checked.status, checked.activities, checked.country) == (expected.status, expected.activities, "KHM")
    # The job ran in the child started ahead, at the worker's priority (well within its grace); that child ended.
    assert {pid for pid, _ in seen} == {spare} and {nice for _, nice in seen} == {own}
    assert _gone(spare)

    seen.clear()
    next_spare = warm()
    assert next_spare != spare
    rejected = upload_checks.run(_steps(tmp_path, warehouse_file, bad))
    assert {pid for pid, _ in seen} == {next_spare}
    assert rejected.status == "rejected" and rejected.report_path and os.path.exists(rejected.report_path)
    assert rejected.stored_path.startswith(str(tmp_path / "returns"))


def test_a_checker_started_ahead_past_its_memory_limit_is_killed_and_another_started(tmp_path, warehouse_file,
                                                                                     warm, monkeypatch):  # fmt: skip
    monkeypatch.setenv("APTMON_UPLOAD_CHECK_MAX_MB", "1")  # before it starts: a spare under another setting is unused
    spare = warm()
    with pytest.raises(upload_checks.CheckRefused, match=r"good.xlsx: checking this file needed more than 1 MiB"):
        upload_checks.run(_steps(tmp_path, warehouse_file, write_xlsx(tmp_path / "good.xlsx")))
    assert _gone(spare)
    assert warm() != spare


def test_a_checker_that_dies_during_its_job_is_reported_and_another_started(tmp_path, warehouse_file, warm,
                                                                            monkeypatch):  # fmt: skip
    def crash(pid: int) -> int:
        os.kill(pid, signal.SIGKILL)
        return 0

    monkeypatch.setattr(upload_checks, "_resident_bytes", crash)
    spare = warm()
    with pytest.raises(RuntimeError, match=r"the check of good.xlsx ended without a result \(exit code -9\)"):
        upload_checks.run(_steps(tmp_path, warehouse_file, write_xlsx(tmp_path / "good.xlsx")))
    assert _gone(spare)
    assert warm() != spare


def test_a_checker_started_under_other_settings_is_not_used(tmp_path, warehouse_file, warm, monkeypatch):
    spare = warm()
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns-now"))
    bad = write_xlsx(tmp_path / "bad.xlsx", [["KHM-001", "9.9.9", "Unknown measure", "Ongoing"]])
    rejected = upload_checks.run(_steps(tmp_path, warehouse_file, bad))
    # Stored where the server is set to store now, by a child started now; the one started before was let go.
    assert rejected.stored_path.startswith(str(tmp_path / "returns-now"))
    assert _gone(spare)
