"""aptmon backup, restore and check: a consistent copy taken during an upload comes back whole at another path."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.damage import damage_warehouse
from support.dash_requests import sign_in
from support.return_files import GOOD_ROWS, write_xlsx
from support.signing_in import add_test_users

from etl import warehouse
from etl.cli import cli
from etl.returns.ingest import ingest_file
from etl.warehouse import backup
from etl.warehouse.locks import file_lock
from etl.warehouse.metrics import read_metric

# The metric views (read as the dashboard reads them) and the funding and activity listings beside them.
NUMBERS = ("measure_progress", "metrics_pillar_country", "metrics_section_country", "metrics_reporting")
LISTINGS = ("funding", "activities_as_of")


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A warehouse with users and two accepted returns (KHM 2015, 2016), its files under tmp_path/live."""
    live = tmp_path / "live"
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(live / "returns"))
    monkeypatch.setenv("APTMON_INSTANCE_DIR", str(live / "instance"))
    (live / "instance").mkdir(parents=True)
    (live / "instance" / "secret_key").write_text("a-key-kept-by-the-backup\n", encoding="utf-8")
    db = live / "warehouse" / "aptmon.duckdb"
    warehouse.initialise(db)
    add_test_users(db)
    for year in (2015, 2016):
        ingest_file(write_xlsx(tmp_path / f"khm-{year}.xlsx", year=year), warehouse_file=db, country="KHM")
    return db


def numbers(db: Path) -> dict:
    """Every metric the dashboard shows, as rows."""
    with warehouse.read_connection(db) as con:
        found = {}
        for view in NUMBERS:
            frame = read_metric(con, view)
            found[view] = sorted(map(tuple, frame.astype(str).itertuples(index=False)))
        for view in LISTINGS:
            found[view] = con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
        found["log"] = con.execute(
            "SELECT submission_id, status, country, reporting_year, version, stored_path, sha256 FROM submissions "
            "ORDER BY ALL"
        ).fetchall()
    return found


def test_a_backup_taken_during_an_upload_restores_elsewhere_with_every_number_and_download_identical(
    data, tmp_path, monkeypatch
):
    before_upload = numbers(data)
    rows = [*GOOD_ROWS, ["KHM-004", "1.1.1", "A new seminar", "Completed"]]
    target = tmp_path / "backups" / "today"
    read_during_backup = []

    # An upload in progress: its rows are loaded and its file stored, under the writer's lock, not yet published.
    with warehouse.write_connection(data) as con:
        new_return = write_xlsx(tmp_path / "khm-2017.xlsx", rows=rows, year=2017)
        ingest_file(new_return, connection=con, warehouse_file=data, country="KHM")
        # The backup runs beside it (another thread, as under the server) and waits for no lock; a reader too.
        outcome = {}

        def back_up():
            outcome["summary"] = backup.take_backup(target, data)
            with warehouse.read_connection(data) as reader:
                read_during_backup.append(reader.execute("SELECT count(*) FROM submissions").fetchone()[0])

        worker = threading.Thread(target=back_up)
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive(), "the backup waited for the upload's lock"
    assert numbers(data) != before_upload  # the upload committed after the backup was taken
    assert outcome["summary"].submissions == 2 and read_during_backup == [2]

    # Restored into other folders, at another warehouse path: the numbers of the last commit before the backup.
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(elsewhere / "returns"))
    monkeypatch.setenv("APTMON_INSTANCE_DIR", str(elsewhere / "instance"))
    restored = elsewhere / "other-name.duckdb"
    run = CliRunner().invoke(cli, ["restore", str(target), "--warehouse", str(restored)])
    assert run.exit_code == 0, run.output
    assert numbers(restored) == before_upload
    assert (elsewhere / "instance" / "secret_key").read_text(encoding="utf-8") == "a-key-kept-by-the-backup\n"
    assert CliRunner().invoke(cli, ["check", "--warehouse", str(restored)]).exit_code == 0

    # Every raw return downloads from the restored data exactly as it was received.
    from dashboard.app import create_app

    app = create_app(restored)
    admin = sign_in(app.server.test_client(), "admin")
    live_returns = tmp_path / "live" / "returns"
    for submission_id, _, _, _, _, stored, _ in before_upload["log"]:
        response = admin.get(f"/download/submission/{submission_id}")
        assert response.status_code == 200
        assert response.get_data() == (live_returns / stored).read_bytes()


def test_a_backup_needs_no_lock_and_a_half_written_one_never_looks_complete(data, tmp_path):
    # A writer holds the warehouse for as long as it likes: the backup copies the last commit all the same.
    with file_lock(data, exclusive=True, timeout=5):
        summary = backup.take_backup(tmp_path / "held", data)
    assert summary.submissions == 2
    manifest = json.loads((tmp_path / "held" / backup.MANIFEST_NAME).read_text(encoding="utf-8"))
    sums = (tmp_path / "held" / backup.SUMS_NAME).read_text(encoding="utf-8").splitlines()
    assert len(sums) == len(manifest["files"]) == summary.files
    assert {entry["path"].split("/")[0] for entry in manifest["files"]} == {"warehouse", "returns", "instance"}
    assert oct((tmp_path / "held").stat().st_mode & 0o777) == "0o700"
    # A second backup into the same folder is refused; nothing partial is left beside it.
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.take_backup(tmp_path / "held", data)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".held")] == []


def test_a_damaged_backup_is_refused_and_nothing_is_restored(data, tmp_path, monkeypatch):
    folder = tmp_path / "bk"
    backup.take_backup(folder, data)
    stored = next((folder / "returns").rglob("*.xlsx"))
    stored.write_bytes(stored.read_bytes() + b"x")
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "new" / "returns"))
    target = tmp_path / "new" / "w.duckdb"

    run = CliRunner().invoke(cli, ["restore", str(folder), "--warehouse", str(target)])

    assert run.exit_code == 2 and "differs from its SHA-256" in run.output and "Nothing was restored" in run.output
    assert not target.exists() and not (tmp_path / "new" / "returns").exists()


def test_restore_over_a_warehouse_needs_replace(data, tmp_path):
    folder = tmp_path / "bk"
    backup.take_backup(folder, data)
    refused = CliRunner().invoke(cli, ["restore", str(folder), "--warehouse", str(data)])
    assert refused.exit_code == 2 and "--replace" in refused.output
    replaced = CliRunner().invoke(cli, ["restore", str(folder), "--warehouse", str(data), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert not list(data.parent.glob(data.name + warehouse.COPY_INFIX + "*"))  # the old file's readers' copies


def test_check_names_a_changed_or_missing_return(data, tmp_path, monkeypatch):
    returns = Path(os.environ["APTMON_RETURNS_DIR"])
    first, second = sorted(returns.rglob("*.xlsx"))
    first.write_bytes(b"not what arrived")
    second.unlink()

    run = CliRunner().invoke(cli, ["check", "--warehouse", str(data)])

    assert run.exit_code == 1
    assert "differs from the one received (SHA-256 mismatch)" in run.output
    assert "the stored file is missing" in run.output
    assert "aptmon restore" in run.output


@pytest.mark.parametrize("damage", ["overwritten", "truncated"])
def test_check_finds_a_damaged_warehouse(demo_warehouse, tmp_path, damage):
    db = tmp_path / "damaged.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    damage_warehouse(db, damage)

    run = CliRunner().invoke(cli, ["check", "--warehouse", str(db)])

    assert run.exit_code == 1 and "Damaged:" in run.output and "aptmon restore" in run.output
    assert str(tmp_path) not in run.output.replace(str(db), "")
