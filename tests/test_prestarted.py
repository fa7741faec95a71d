"""Children started before their job: one waits once asked for, each runs one job, and a spare started in another
setting (environment, priority, folder) or since dead is never given a job."""

from __future__ import annotations

import os
import time

import pytest

from dashboard.prestarted import Prestarted

pytestmark = pytest.mark.slow  # starts Python processes

# Reads its job whole, answers it reversed, with the environment variable the tests change.
ECHO = ["-c", "import os, sys; job = sys.stdin.buffer.read(); print(job[::-1].decode(), os.environ.get('PRESTART_T'))"]


@pytest.fixture
def children():
    made = Prestarted(ECHO)
    yield made
    made.close()


def _waiting(children: Prestarted) -> int:
    deadline = time.monotonic() + 30
    while children.waiting() is None:
        assert time.monotonic() < deadline, "no child was started ahead"
        time.sleep(0.01)
    return children.waiting()


def _ended(pid: int) -> bool:
    """Whether a child has ended (a zombie until it is reaped)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def _run(child, job: bytes) -> str:
    child.process.stdin.write(job)
    child.process.stdin.close()
    answer = child.process.stdout.read().decode()
    child.end()
    return answer


def test_without_being_asked_none_waits_and_each_job_gets_a_new_child(children):
    first, second = children.take(), children.take()
    assert first.process.pid != second.process.pid
    assert (_run(first, b"abc"), _run(second, b"xyz")) == ("cba None\n", "zyx None\n")
    children.replenish()
    time.sleep(0.2)
    assert children.waiting() is None


def test_once_asked_a_child_waits_the_next_job_takes_it_and_another_is_started(children):
    children.keep_one_ready()
    spare = _waiting(children)
    child = children.take()
    assert child.process.pid == spare
    assert _waiting(children) not in (None, spare)  # started while the job runs
    assert _run(child, b"job") == "boj None\n"


def test_a_spare_started_before_the_environment_changed_is_not_used(children, monkeypatch):
    children.keep_one_ready()
    spare = _waiting(children)
    monkeypatch.setenv("PRESTART_T", "now")
    child = children.take()
    assert child.process.pid != spare
    assert _run(child, b"ab") == "ba now\n"  # the job ran under the environment of its time


def test_a_spare_started_at_another_priority_or_in_another_folder_is_not_used(children, monkeypatch, tmp_path):
    children.keep_one_ready()
    spare = _waiting(children)
    monkeypatch.chdir(tmp_path)
    assert children.take().process.pid != spare
    children.replenish()
    spare = _waiting(children)
    # As if this process had been reniced since (to a priority other than its own: earlier in-process commands of a
    # test run may have lowered it to 19 already).
    other = 18 if os.getpriority(os.PRIO_PROCESS, 0) == 19 else 19
    monkeypatch.setattr(os, "getpriority", lambda *_: other)
    assert children.take().process.pid != spare


def test_a_spare_that_died_is_replaced(children):
    children.keep_one_ready()
    spare = _waiting(children)
    os.kill(spare, 9)
    while not _ended(spare):
        time.sleep(0.01)
    child = children.take()
    assert child.process.pid != spare
    assert _run(child, b"ok") == "ko None\n"


def test_closing_ends_the_waiting_child_and_starts_no_other(children):
    children.keep_one_ready()
    spare = _waiting(children)
    children.close()
    assert children.waiting() is None
    with pytest.raises(ProcessLookupError):
        os.kill(spare, 0)  # reaped, not left a zombie
    children.replenish()
    time.sleep(0.2)
    assert children.waiting() is None
