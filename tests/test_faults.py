"""Faults answer clearly (issue 28): a damaged warehouse, a full disk, a crash mid-submit, a very long file name."""

from __future__ import annotations

import base64
import contextlib
import errno
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from support.damage import damage_warehouse
from support.dash_requests import call_callback, sign_in
from support.return_files import GOOD_ROWS, write_xlsx
from support.served_app import served
from support.signing_in import TEST_USERS, add_test_users

from etl import warehouse

BAD_ROWS = [GOOD_ROWS[0], ["KHM-009", "9.9.9", "Unknown measure", "Weird status"]]
PAGES = ("/login", "/", "/measures", "/country/KHM", "/upload", "/submissions")


@pytest.fixture
def folders(tmp_path, monkeypatch) -> Path:
    """Returns and instance/ of this test's own."""
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))
    monkeypatch.setenv("APTMON_INSTANCE_DIR", str(tmp_path / "instance"))
    return tmp_path


def data_url(path: Path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def check_upload(client, app, path: Path, name: str | None = None) -> str:
    response = call_callback(client, app, "check_uploads", [[data_url(path)]], [[name or path.name], "KHM", 2015, None])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def tokens(text: str) -> list[str]:
    return sorted(set(re.findall(r'"token":"([0-9a-f]{32})"', text)))


def says_what_to_do(text: str) -> bool:
    return "cannot be read" in text and "aptmon check" in text and "aptmon restore" in text


# --- A damaged or unreadable warehouse -------------------------------------------------------------------------


def test_a_truncated_warehouse_answers_every_page_with_what_the_admin_should_do(demo_warehouse, folders):
    from dashboard import start_up
    from dashboard.app import create_app

    db = folders / "damaged.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    damage_warehouse(db, "truncated")
    app = create_app(db)
    assert start_up.prepare_warehouse() is False  # the worker starts all the same
    client = app.server.test_client()

    for path in PAGES:
        page = client.get(path, headers={"Accept": "text/html"})
        text = page.get_data(as_text=True)
        assert page.status_code == 503 and says_what_to_do(text), path
        assert str(folders) not in text and "Traceback" not in text and "duckdb" not in text.lower()
        assert '<html lang="en">' in text and "<main" in text and "<h1" in text
    sign_in_attempt = client.post("/login", data={"username": "admin", "password": "x"})
    callback = client.post("/_dash-update-component", json={})
    for answer in (sign_in_attempt, callback):
        assert answer.status_code == 503 and says_what_to_do(answer.get_data(as_text=True))
        assert str(folders) not in answer.get_data(as_text=True)
    assert client.get("/assets/00-bootstrap.min.css").status_code == 200  # the page's own stylesheet


def test_the_sign_in_page_never_shows_the_warehouse_s_path(folders):
    """Finding 6: where the site answered, the sign-in page showed the server's absolute warehouse path."""
    from dashboard.app import create_app

    app = create_app(folders / "nowhere" / "aptmon.duckdb")
    client = app.server.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)

    answer = client.post("/login", data={"username": "admin", "password": "x", "csrf_token": token})

    text = answer.get_data(as_text=True)
    assert answer.status_code == 503 and "Signing in is not possible right now" in text
    assert str(folders) not in text and "aptmon.duckdb" not in text


@pytest.mark.slow
@pytest.mark.parametrize("how", ["overwritten", "truncated"])
def test_the_server_starts_on_a_damaged_warehouse_and_every_page_says_so(demo_warehouse, tmp_path, how):
    """Finding 6: with 256 KiB overwritten, workers crashed at start 14 times in 20 s and the site never answered."""
    db = tmp_path / "damaged.duckdb"
    db.write_bytes(demo_warehouse.read_bytes())
    damage_warehouse(db, how)
    log = tmp_path / "server.log"

    with served(tmp_path, db, workers=2, log_path=log) as url:
        for path in PAGES:
            page = requests.get(url + path, headers={"Accept": "text/html"}, timeout=60, allow_redirects=False)
            assert page.status_code == 503 and says_what_to_do(page.text), path
            assert str(tmp_path) not in page.text and "Traceback" not in page.text
    output = log.read_text(encoding="utf-8")
    assert output.count("Booting worker") == 2  # no worker died and came back
    assert "the warehouse cannot be read" in output and "aptmon check" in output


# --- A full disk --------------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 48 MiB tmpfs to fill: the real thing where the test may mount one (root), else the folder as it is and a
    full disk simulated where the product writes (see fill_disk)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    mount_is_real = made.returncode == 0
    (mount / ".real").write_text("1" if mount_is_real else "0", encoding="ascii")
    yield mount
    if mount_is_real:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(disk: Path, monkeypatch) -> None:
    """Fill the small disk to its last byte; without a real one, make every write of the product's fail as a full
    disk fails (ENOSPC from the staging writes, the stored copy and the throttle's SQLite file)."""
    if (disk / ".real").read_text(encoding="ascii") == "1":
        with open(disk / "filler", "wb", buffering=0) as filler:
            for size in (1 << 20, 1 << 12, 1):
                with contextlib.suppress(OSError):
                    while True:
                        filler.write(b"\0" * size)
        return
    from dashboard import uploads
    from dashboard.security import throttling
    from etl.returns import ingest

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def no_space_in_sqlite(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    real_open = os.open
    monkeypatch.setattr(
        uploads.os, "open", lambda p, *a, **k: no_space() if "uploads" in str(p) else real_open(p, *a, **k)
    )
    monkeypatch.setattr(ingest.shutil, "copyfile", no_space)
    monkeypatch.setattr(throttling.SharedFileStorage, "incr", no_space_in_sqlite)


def test_a_full_disk_refuses_the_upload_in_one_message_and_sign_in_still_answers(small_disk, monkeypatch):
    """Finding 7: an upload returned HTTP 500 and showed nothing; a wrong password got a 500."""
    from dashboard.app import create_app

    monkeypatch.setenv("APTMON_RETURNS_DIR", str(small_disk / "returns"))
    monkeypatch.setenv("APTMON_INSTANCE_DIR", str(small_disk / "instance"))
    db = small_disk / "warehouse" / "aptmon.duckdb"
    warehouse.initialise(db)
    add_test_users(db)
    app = create_app(db)
    analyst = sign_in(app.server.test_client(), "analyst")
    bad = write_xlsx(small_disk.parent / "bad.xlsx", rows=BAD_ROWS)
    good = write_xlsx(small_disk.parent / "good.xlsx")
    fill_disk(small_disk, monkeypatch)
    with warehouse.read_connection(db) as con:
        logged = con.execute("SELECT count(*) FROM submissions").fetchone()

    for upload in (bad, good):
        text = check_upload(analyst, app, upload)
        assert "disk is full" in text and "nothing was changed" in text and "internal error" not in text

    # Nothing half-written: no staged file, no stored copy, no row.
    staging = small_disk / "instance" / "uploads"
    assert not staging.exists() or list(staging.iterdir()) == []
    assert (
        not (small_disk / "returns").exists() or [p for p in (small_disk / "returns").rglob("*") if p.is_file()] == []
    )
    with warehouse.read_connection(db) as con:
        assert con.execute("SELECT count(*) FROM submissions").fetchone() == logged
    # Sign-in answers as ever: a wrong password gets the sign-in message, the right one signs in.
    visitor = app.server.test_client()
    form = visitor.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    username, password, _ = TEST_USERS["viewer"]
    wrong = visitor.post("/login", data={"username": username, "password": "not it", "csrf_token": token})
    assert wrong.status_code == 401 and "Wrong user name or password." in wrong.get_data(as_text=True)
    right = visitor.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert right.status_code == 302


# --- A crash mid-submit -------------------------------------------------------------------------------------------

# A worker killed (kill -9) mid-submit: it has claimed the staged file and stored its copy, and dies before the load.
_KILLED_MID_SUBMIT = textwrap.dedent(
    """
    import os, signal, sys
    from dashboard import uploads
    from etl.returns import ingest, load

    staged = uploads.load_staged(sys.argv[2])
    assert uploads.claim(staged)
    load.load_return = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
    ingest.ingest_file(staged.path, warehouse_file=sys.argv[1], original_name=staged.original_name)
    """
)


def test_the_next_start_clears_what_a_crash_mid_submit_left(folders, monkeypatch):
    """Finding 8: the stored copy stayed with no row in the log, and Submit said "already being submitted"."""
    from dashboard import start_up
    from dashboard.app import create_app

    db = folders / "warehouse.duckdb"
    warehouse.initialise(db)
    add_test_users(db)
    app = create_app(db)
    analyst = sign_in(app.server.test_client(), "analyst")
    (token,) = tokens(check_upload(analyst, app, write_xlsx(folders / "khm.xlsx")))

    crashed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_SUBMIT, str(db), token],
        env=os.environ | {"PYTHONPATH": os.pathsep.join([str(Path.cwd()), *sys.path])},
        capture_output=True,
        text=True,
    )
    assert crashed.returncode == -9, crashed.stderr
    returns = folders / "returns"
    left = [p for p in returns.rglob("*") if p.is_file()]
    assert len(left) == 1  # the stored copy, with no row in the log
    submitted = call_callback(analyst, app, "submit_upload", [1], [None], match={"token": token})
    assert "already being submitted" in submitted.get_data(as_text=True)

    start_up.prepare_warehouse()  # what each worker does as it starts

    assert [p for p in returns.rglob("*") if p.is_file()] == []
    submitted = call_callback(analyst, app, "submit_upload", [1], [None], match={"token": token})
    assert submitted.status_code == 200 and "already being submitted" not in submitted.get_data(as_text=True)
    with warehouse.read_connection(db) as con:
        (stored,) = con.execute("SELECT stored_path FROM submissions WHERE status = 'accepted'").fetchone()
    assert (returns / stored).is_file() and [p for p in returns.rglob("*") if p.is_file()] == [returns / stored]


def test_the_start_keeps_every_stored_return_the_log_names_and_files_it_did_not_make(folders):
    from etl.returns.ingest import ingest_file
    from etl.warehouse import debris

    db = folders / "warehouse.duckdb"
    warehouse.initialise(db)
    result = ingest_file(write_xlsx(folders / "khm.xlsx"), warehouse_file=db, country="KHM")
    note = folders / "returns" / "KHM" / "2015" / "README.txt"
    note.write_text("an admin's note", encoding="utf-8")

    assert debris.remove_orphan_returns(db) == []
    assert Path(result.stored_path).is_file() and note.is_file()


# --- A very long file name ----------------------------------------------------------------------------------------


def test_a_250_character_file_name_is_recorded_and_its_feedback_kept(folders):
    """Finding 10: a 250-character file name gave an internal error, and the rejected upload was not recorded."""
    from dashboard.app import create_app

    db = folders / "warehouse.duckdb"
    warehouse.initialise(db)
    add_test_users(db)
    app = create_app(db)
    analyst = sign_in(app.server.test_client(), "analyst")
    long_name = "Cambodia annual return " + "x" * 222 + ".xlsx"
    assert len(long_name) == 250

    rejected = check_upload(analyst, app, write_xlsx(folders / "bad.xlsx", rows=BAD_ROWS), name=long_name)
    accepted = check_upload(analyst, app, write_xlsx(folders / "good.xlsx"), name=long_name)

    assert "internal error" not in rejected and "internal error" not in accepted
    (feedback,) = re.findall(r"(/download/feedback/[0-9a-f]{32})", rejected.replace("\\u002f", "/"))
    download = analyst.get(feedback)
    assert download.status_code == 200 and download.get_data()[:2] == b"PK"
    (token,) = tokens(accepted)
    assert "internal error" not in call_callback(
        analyst, app, "submit_upload", [1], [None], match={"token": token}
    ).get_data(as_text=True)
    with warehouse.read_connection(db) as con:
        logged = con.execute("SELECT status, file_name FROM submissions ORDER BY submission_id").fetchall()
    assert logged == [("rejected", long_name), ("accepted", long_name)]
    assert all(len(p.name) < 100 for p in (folders / "returns").rglob("*"))
