"""aptmon init: schema, catalogue load, idempotence, and the cross-process locks."""

import multiprocessing
import shutil
import threading
import time

import duckdb
import pytest

from etl import warehouse
from etl.warehouse import connection, published
from etl.warehouse.threads import one_thread


def _counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("plans", "pillars", "sections", "measures", "sub_items", "submissions", "settings")
        }
    finally:
        con.close()


def test_init_loads_the_catalogue_with_plan_id(warehouse_file):
    counts = _counts(warehouse_file)
    assert counts["measures"] == 183 and counts["sub_items"] == 13 and counts["pillars"] == 6
    with warehouse.read_connection(warehouse_file) as con:
        assert con.execute("SELECT DISTINCT plan_id FROM measures").fetchall() == [("apt-2013-2017",)]
        assert con.execute("SELECT count(*) FROM catalogue").fetchone()[0] == 183 + 13


def test_init_twice_changes_nothing(warehouse_file):
    before = _counts(warehouse_file)
    loaded_at = duckdb.connect(str(warehouse_file), read_only=True).execute("SELECT loaded_at FROM plans").fetchone()
    result = warehouse.initialise(warehouse_file)
    assert result["catalogue_loaded"] is False
    assert _counts(warehouse_file) == before
    con = duckdb.connect(str(warehouse_file), read_only=True)
    assert con.execute("SELECT loaded_at FROM plans").fetchone() == loaded_at
    con.close()


def test_force_rebuilds_the_catalogue_and_keeps_submissions(warehouse_file):
    with warehouse.write_connection(warehouse_file) as con:
        con.execute(
            "INSERT INTO submissions (plan_id, country, reporting_year, version, file_name, sha256, submitted_by,"
            " submitted_at, received_on, status) VALUES ('apt-2013-2017', 'KHM', 2014, 1, 'r.xlsx', 'abc', 'me',"
            " now(), current_date, 'accepted')"
        )
        con.execute("DELETE FROM measures WHERE measure_id = '2.7.10'")
    assert warehouse.initialise(warehouse_file, force=True)["catalogue_loaded"] is True
    counts = _counts(warehouse_file)
    assert counts["measures"] == 183 and counts["submissions"] == 1


def test_reading_a_missing_warehouse_says_to_run_init(tmp_path):
    with (
        pytest.raises(warehouse.WarehouseError, match="aptmon init"),
        warehouse.read_connection(tmp_path / "no.duckdb"),
    ):
        pass


def _hold_write_lock(path, seconds, ready, delete_measure=None):
    with warehouse.write_connection(path) as con:
        if delete_measure:
            con.execute("DELETE FROM measures WHERE measure_id = ?", [delete_measure])
            con.execute("CHECKPOINT")  # the change is in the file itself while the writer still holds it
        ready.set()
        time.sleep(seconds)


def _measures(path) -> int:
    with warehouse.read_connection(path) as con:
        return con.execute("SELECT count(*) FROM measures").fetchone()[0]


@pytest.mark.slow  # a writer in another process, timed
def test_a_reader_does_not_wait_for_a_writer_in_another_process(warehouse_file):
    ready = multiprocessing.Event()
    writer = multiprocessing.Process(target=_hold_write_lock, args=(warehouse_file, 3.0, ready, "2.7.10"))
    writer.start()
    assert ready.wait(30)
    before = warehouse.data_version(warehouse_file)
    started = time.monotonic()
    during = _measures(warehouse_file)
    waited = time.monotonic() - started
    version_during = warehouse.data_version(warehouse_file)  # the file has changed under the writer by now
    writer.join()
    assert writer.exitcode == 0
    # It read the last published commit at once, not the writer's work in progress, and the version readers key
    # their caches on stood still meanwhile...
    assert (during, waited < 1.5, version_during) == (183, True, before)
    # ...then the writer's commit as soon as it was done, under a new version.
    assert _measures(warehouse_file) == 182
    assert warehouse.data_version(warehouse_file) != before


def test_every_commit_publishes_one_readers_copy_and_old_ones_go(warehouse_file):
    for _ in range(4):
        with warehouse.write_connection(warehouse_file):
            pass
    copies = {p.name for p in warehouse_file.parent.glob(warehouse_file.name + warehouse.COPY_INFIX + "*")}
    token = warehouse.data_version(warehouse_file)[0]
    assert len(copies) == 2 and warehouse_file.name + warehouse.COPY_INFIX + token in copies
    assert not list(warehouse_file.parent.glob("." + warehouse_file.name + "*"))  # no temporary left behind


def test_readers_of_one_process_read_the_published_copy_side_by_side(warehouse_file):
    inside, other_done = threading.Event(), threading.Event()

    def other_reader():
        inside.wait(10)
        assert _measures(warehouse_file) == 183
        other_done.set()

    thread = threading.Thread(target=other_reader)
    thread.start()
    with warehouse.read_connection(warehouse_file) as con:
        inside.set()
        # The other thread reads while this one still holds its cursor: no reader queues behind another.
        finished_meanwhile = other_done.wait(10)
        assert con.execute("SELECT count(*) FROM measures").fetchone()[0] == 183
    thread.join()
    assert finished_meanwhile


def test_a_copy_dropped_while_it_is_read_is_closed_by_its_last_reader(warehouse_file):
    with warehouse.read_connection(warehouse_file) as con:
        old = next(kept for kept in published._OPEN_COPIES.values() if kept.readers)
        for measure in ("2.7.10", "2.7.9"):  # two commits later the process keeps two newer copies open
            with warehouse.write_connection(warehouse_file) as writer:
                writer.execute("DELETE FROM measures WHERE measure_id = ?", [measure])
            assert _measures(warehouse_file) == 183 - (1 if measure == "2.7.10" else 2)
        assert old.retired and old not in published._OPEN_COPIES.values()
        assert con.execute("SELECT count(*) FROM measures").fetchone()[0] == 183  # still readable, as of its commit
    with pytest.raises(duckdb.ConnectionException):
        old.connection.execute("SELECT 1")  # closed as its last reader gave the cursor back


def test_a_warehouse_copied_without_its_readers_copy_gets_one_before_it_is_served(warehouse_file, tmp_path):
    moved = tmp_path / "moved" / "warehouse.duckdb"
    moved.parent.mkdir()
    shutil.copyfile(warehouse_file, moved)  # the file alone, as a copy or a restore by hand leaves it
    assert published.published_copy(moved) is None
    version = warehouse.data_version(moved)
    warehouse.ensure_readers_copy(moved)  # what `aptmon serve` does as it starts
    copy = published.published_copy(moved)
    assert copy is not None and warehouse.data_version(moved) != version
    assert _measures(moved) == 183
    assert any(path == copy for path in published._OPEN_COPIES)  # read from the copy, not the file
    warehouse.ensure_readers_copy(moved)  # one there already: nothing written
    assert published.published_copy(moved) == copy


@pytest.mark.slow  # a writer in another process, timed
def test_a_reader_waits_for_a_writer_when_no_copy_is_published(warehouse_file):
    # A warehouse last written by an older version, without readers' copies: readers read the file, under the lock.
    for copy in warehouse_file.parent.glob(warehouse_file.name + warehouse.COPY_INFIX + "*"):
        copy.unlink()
    ready = multiprocessing.Event()
    writer = multiprocessing.Process(target=_hold_write_lock, args=(warehouse_file, 0.5, ready))
    writer.start()
    ready.wait(10)
    started = time.monotonic()
    assert _measures(warehouse_file) == 183
    waited = time.monotonic() - started
    writer.join()
    assert writer.exitcode == 0
    assert waited > 0.2  # it queued behind the writer instead of failing with a lock error


def test_a_write_outside_our_lock_is_read_from_the_file_itself(warehouse_file):
    assert _measures(warehouse_file) == 183
    con = duckdb.connect(str(warehouse_file))  # an admin's own DuckDB session
    con.execute("DELETE FROM measures WHERE measure_id = '2.7.10'")
    con.close()
    assert _measures(warehouse_file) == 182


@pytest.mark.slow  # a writer in another process, timed
def test_a_writer_gives_up_with_a_clear_message(warehouse_file, monkeypatch):
    ready = multiprocessing.Event()
    writer = multiprocessing.Process(target=_hold_write_lock, args=(warehouse_file, 2, ready))
    writer.start()
    ready.wait(10)
    monkeypatch.setattr(connection, "WRITE_TIMEOUT_S", 0.2)
    with pytest.raises(warehouse.WarehouseBusy, match="busy"), warehouse.write_connection(warehouse_file):
        pass
    writer.join()


def test_one_thread_restores_the_threads_and_keeps_the_blocks_own_error(tmp_path):
    """After the block the connection runs on every thread again; a statement that fails inside a transaction is
    the error raised, not DuckDB's refusal to reset the setting before the rollback."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("SET threads = 3")
    con.execute("CREATE TABLE t (a INTEGER PRIMARY KEY)")
    with one_thread(con):
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] != 1
    con.execute("BEGIN")
    with pytest.raises(duckdb.ConstraintException), one_thread(con):
        con.execute("INSERT INTO t VALUES (1), (1)")
    con.execute("ROLLBACK")
    con.close()
