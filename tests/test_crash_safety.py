"""Killing `aptmon ingest` at any moment leaves the whole return or none of it, in a warehouse that still works."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import warehouse

pytestmark = pytest.mark.slow  # kills aptmon ingest child processes

APTMON = str(Path(sys.executable).with_name("aptmon"))
ROWS = 30_000  # enough that loading takes a second or so, so the kills land in every phase
SEED = 20130101
SPREAD_KILLS = 5  # at seeded moments spread over a whole run
WRITE_KILLS = 4  # at seeded moments just after the process takes the warehouse for writing ...
WRITE_STEP_S = 0.06  # ... one in each 60 ms step: the load transaction commits within about 200 ms
HEADER = ("Activity ID,Measure IDs,Title,Status,Start date,End date,Lead agency,Partner countries,Funding source,"
          "Budget (USD),Description / outputs")  # fmt: skip


@pytest.fixture(scope="module")
def large_return(tmp_path_factory) -> Path:
    """A Cambodia 2015 CSV return of ROWS activities, each under two measures."""
    path = tmp_path_factory.mktemp("crash") / "large-return.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(ROWS):
            out.write(
                f"KHM-{i:06d},2.1.6; 3.1.2(a),Customs activity {i},Completed,2014-01-{1 + i % 28:02d},2015-06-30,"
                f"Ministry {i % 17},Japan; KOR,Other,{i * 10},Outputs of activity {i}\n"
            )
    return path


def start_ingest(path: Path, db: Path, returns: Path) -> subprocess.Popen:
    env = {**os.environ, "APTMON_RETURNS_DIR": str(returns)}
    args = [APTMON, "ingest", str(path), "--country", "KHM", "--year", "2015", "--warehouse", str(db)]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def writer_holds(db: Path) -> bool:
    """Whether some process holds the warehouse's writer gate (taken for the whole of a write)."""
    fd = os.open(db.with_name(db.name + ".gate.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def kill_at(process: subprocess.Popen, seconds: float, started: float) -> bool:
    """SIGKILL the process `seconds` after `started`; False when it had already finished."""
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return True


def kill_while_writing(process: subprocess.Popen, db: Path, delay: float) -> bool:
    """SIGKILL the process `delay` seconds after it is seen taking the writer lock; False if it finished first."""
    while not writer_holds(db):
        if process.poll() is not None:
            return False
        time.sleep(0.001)
    return kill_at(process, delay, time.monotonic())


def loaded_state(db: Path) -> list[tuple]:
    """Per submission of the large return: (id, status, activities recorded, activity rows, measure rows)."""
    with warehouse.read_connection(db) as con:
        orphans = con.execute(
            "SELECT count(*) FROM activities WHERE submission_id NOT IN (SELECT submission_id FROM submissions)"
        ).fetchone()[0]
        assert orphans == 0
        return con.execute(
            "SELECT s.submission_id, s.status, s.activities, "
            "(SELECT count(*) FROM activities a WHERE a.submission_id = s.submission_id), "
            "(SELECT count(*) FROM activity_measures m WHERE m.submission_id = s.submission_id) "
            "FROM submissions s WHERE s.file_name = 'large-return.csv' ORDER BY s.submission_id"
        ).fetchall()


def assert_whole_or_nothing(db: Path) -> None:
    for _id, status, recorded, activities, measures in loaded_state(db):
        if status == "accepted":
            assert (recorded, activities, measures) == (ROWS, ROWS, 2 * ROWS)
        else:
            assert (status, activities, measures) == ("unchanged", 0, 0)


def assert_answers(db: Path) -> None:
    with warehouse.read_connection(db) as con:
        for view in warehouse.METRIC_VIEWS:
            assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0
        row = con.execute(
            "SELECT activities_total FROM measure_progress WHERE country = 'KHM' AND measure_id = '2.1.6' "
            "AND as_of_year = 2015"
        ).fetchone()
    assert row is None or row[0] in (0, ROWS)


def test_sigkill_during_ingest_leaves_all_or_nothing(large_return, tmp_path):
    clean = tmp_path / "clean.duckdb"
    warehouse.initialise(clean)
    returns = tmp_path / "returns"

    # An uninterrupted run on a copy: how long a whole ingest takes.
    reference = tmp_path / "reference.duckdb"
    shutil.copyfile(clean, reference)
    started = time.monotonic()
    process = start_ingest(large_return, reference, returns)
    process.communicate(timeout=120)
    duration = time.monotonic() - started
    assert process.returncode == 0

    rng = random.Random(SEED)
    # Kills spread over a whole run, then kills soon after the writer lock is taken: the load transaction
    # itself lasts a fraction of a second.
    plan = [("spread", duration * (i + rng.random()) / SPREAD_KILLS) for i in range(SPREAD_KILLS)]
    plan += [("writing", rng.uniform(i, i + 1) * WRITE_STEP_S) for i in range(WRITE_KILLS)]
    killed = 0
    outcomes = []
    for attempt, (kind, moment) in enumerate(plan):
        # Each attempt starts from the same warehouse, so every run does the full load and the moments compare.
        db = tmp_path / f"attempt-{attempt}.duckdb"
        shutil.copyfile(clean, db)
        process = start_ingest(large_return, db, returns)
        if kind == "spread":
            killed += kill_at(process, moment, time.monotonic())
        else:
            killed += kill_while_writing(process, db, moment)
        assert_whole_or_nothing(db)
        assert_answers(db)
        outcomes.append(len(loaded_state(db)))
    assert killed >= len(plan) - 2, outcomes  # nearly every kill landed before the run could finish
    assert 0 in outcomes  # some kills came before the commit (and left nothing)

    # The last killed warehouse (killed while writing) takes the same return afterwards, and holds it exactly once.
    process = start_ingest(large_return, db, returns)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, out + err
    assert_whole_or_nothing(db)
    assert_answers(db)
    states = loaded_state(db)
    assert [s[1] for s in states].count("accepted") == 1
    with warehouse.read_connection(db) as con:
        current = con.execute(
            "SELECT count(*) FROM submissions WHERE country = 'KHM' AND reporting_year = 2015 "
            "AND status = 'accepted' AND superseded_by IS NULL"
        ).fetchone()[0]
    assert current == 1
