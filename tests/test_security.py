"""The app under gunicorn against sign-in and session weaknesses: ended sessions, throttling, headers, files, limits."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from support.dash_requests import upload_check_body
from support.return_files import write_xlsx
from support.served_app import Browser, aptmon, aptmon_env, reporting_body, served
from support.server import APTMON

from etl import accounts, warehouse

pytestmark = pytest.mark.slow  # every test serves the app under gunicorn

PASSWORD = "saffron-harbour-lantern-7"
NEW_PASSWORD = "cobalt-meadow-ferry-2031"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    warehouse.initialise(path)
    accounts.add_user("admin", PASSWORD, "admin", None, path)
    accounts.add_user("ana", PASSWORD, "analyst", "KHM", path)
    accounts.add_user("vic", PASSWORD, "viewer", None, path)
    return path


def signed_in(base_url: str, username: str, **kwargs) -> Browser:
    """A client signed in with PASSWORD; `kwargs` as Browser's (the proxy's client address, https)."""
    browser = Browser(base_url, **kwargs)
    assert browser.sign_in(username, PASSWORD).status_code == 302
    return browser


def assert_session_ended(saved: Browser) -> None:
    """A saved cookie opens nothing, whichever worker answers: 401 on callbacks and Dash's data, a redirect on pages."""
    for _ in range(4):  # two workers: each must see the end
        assert saved.get("/_dash-layout").status_code == 401
        assert saved.post("/_dash-update-component", json={}).status_code == 401
        page = saved.get("/reporting")
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
        assert saved.get("/download/template?year=2016").status_code == 302


def assert_session_open(browser: Browser) -> None:
    for _ in range(4):
        assert browser.get("/_dash-layout").status_code == 200
    response = browser.callback(reporting_body(browser))
    assert response.status_code == 200, response.text[:500]


def test_a_saved_cookie_stops_working_after_sign_out_and_every_server_side_end(tmp_path, db):
    env = aptmon_env(tmp_path)
    with served(tmp_path, db) as base_url:
        # Sign-out: the form's POST ends the session on the server, not only in this browser.
        browser = signed_in_with(base_url, "vic", PASSWORD)
        assert_session_open(browser)
        saved = browser.copy()
        assert browser.sign_out().headers["Location"] == "/login"
        assert_session_ended(saved)

        # A password change, a role change and an admin's order each end every session signed in before,
        # on every device, whichever worker it reaches.
        password = PASSWORD
        for command, new_password in (
            (["users", "password", "vic", "--password-stdin"], NEW_PASSWORD),
            (["users", "role", "vic", "--role", "evaluator"], None),
            (["users", "sign-out", "vic"], None),
        ):
            laptop, phone = signed_in_with(base_url, "vic", password), signed_in_with(base_url, "vic", password)
            assert_session_open(laptop)
            saved = laptop.copy()
            aptmon(env, *command, "--warehouse", str(db), stdin=f"{NEW_PASSWORD}\n")
            password = new_password or password
            for ended in (laptop, phone, saved):
                assert_session_ended(ended)
        # Signing in again works: nothing was locked.
        assert_session_open(signed_in_with(base_url, "vic", NEW_PASSWORD))


def signed_in_with(base_url: str, username: str, password: str) -> Browser:
    browser = Browser(base_url)
    assert browser.sign_in(username, password).status_code == 302
    return browser


def test_idle_and_absolute_lifetimes(tmp_path, db):
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    with served(tmp_path, db, APTMON_SESSION_IDLE_MINUTES="0.05") as base_url:  # 3 seconds
        browser = signed_in(base_url, "vic")
        for _ in range(3):  # requests within the idle time keep the session open
            time.sleep(1)
            assert browser.get("/_dash-layout").status_code == 200
        time.sleep(4)
        assert browser.get("/_dash-layout").status_code == 401

        # Absolute: a session signed in more than 8 hours ago ends even while it is in use. Its cookie is made
        # here with the deployment's own key (instance/secret_key), so only the times differ from a real one.
        browser = signed_in(base_url, "vic")
        key = (tmp_path / "instance" / "secret_key").read_text().strip()
        reader = Flask("forge", root_path=str(tmp_path))
        reader.secret_key = key
        fresh = SecureCookieSessionInterface().get_signing_serializer(reader).loads(browser.cookie("aptmon_session"))
        assert set(fresh) >= {"_user_id", "signed_in_at", "seen_at", "csrf_token"}
        now = int(time.time())
        for signed_in_at, expected in ((now - 8 * 3600 + 60, 200), (now - 8 * 3600 - 60, 401)):
            forged = Flask("forge", root_path=str(tmp_path))
            forged.secret_key = key
            cookie = (
                SecureCookieSessionInterface()
                .get_signing_serializer(forged)
                .dumps(fresh | {"signed_in_at": signed_in_at, "seen_at": now})
            )
            replay = Browser(base_url)
            replay.http.headers["Cookie"] = f"aptmon_session={cookie}"
            assert replay.get("/_dash-layout").status_code == expected


def test_a_stranger_cannot_lock_the_owner_out(tmp_path, db):
    limits = "3 per 3 seconds; 5 per minute"
    with served(tmp_path, db, APTMON_PROXY_FIX="1", APTMON_SIGNIN_LIMITS=limits) as base_url:
        attacker = Browser(base_url, client="203.0.113.7")
        owner_ip = "198.51.100.2"
        for _ in range(3):
            assert attacker.sign_in("admin", "guess-guess-guess").status_code == 401
        # The attacker's client is throttled for that name: even the right password is not tried now.
        throttled = attacker.sign_in("admin", PASSWORD)
        assert throttled.status_code == 429
        assert "Too many failed sign-ins from here with this user name" in throttled.text
        # The owner, from their own address, signs in at once.
        owner = signed_in(base_url, "admin", client=owner_ip)
        assert owner.get("/_dash-layout").status_code == 200
        # An unknown name is throttled the same way, with the same words: nothing tells names apart.
        for _ in range(3):
            unknown = attacker.sign_in("no-such-user", "guess-guess-guess")
            assert unknown.status_code == 401
            assert "Wrong user name or password." in unknown.text
        assert attacker.sign_in("no-such-user", "guess").text.count("Too many failed sign-ins") == 1

        # Growing delays: after the short window the attacker may try twice more, then waits for the long one.
        time.sleep(3.5)
        for _ in range(2):
            assert attacker.sign_in("admin", "guess-guess-guess").status_code == 401
        assert attacker.sign_in("admin", "guess-guess-guess").status_code == 429
        time.sleep(3.5)
        assert attacker.sign_in("admin", PASSWORD).status_code == 429
        # The owner is still never kept out; a success does not count against anyone.
        assert signed_in(base_url, "admin", client=owner_ip).get("/_dash-layout").status_code == 200


def test_without_the_proxy_setting_a_forwarded_address_is_not_believed(tmp_path, db):
    with served(tmp_path, db, APTMON_SIGNIN_LIMITS="2 per minute") as base_url:
        for client in ("203.0.113.1", "203.0.113.2"):
            assert Browser(base_url, client=client).sign_in("admin", "guess-guess-guess").status_code == 401
        assert Browser(base_url, client="203.0.113.3").sign_in("admin", PASSWORD).status_code == 429


def test_headers_csp_hsts_and_secure_cookies_over_https(tmp_path, db):
    with served(tmp_path, db, APTMON_PROXY_FIX="1") as base_url:
        plain = Browser(base_url)
        login = plain.get("/login")
        assert "Strict-Transport-Security" not in login.headers
        plain.sign_in("vic", PASSWORD)
        page = plain.get("/reporting")
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self' 'sha256-" in policy and "'unsafe-inline'" not in policy.split(";")[1]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert not any(cookie.secure for cookie in plain.http.cookies)

        https = Browser(base_url, https=True)
        response = https.sign_in("vic", PASSWORD)
        assert response.status_code == 302
        assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
        cookies = {header.split("=")[0]: header for header in response.raw.headers.getlist("Set-Cookie")}
        assert "; Secure" in cookies["aptmon_session"] and "; HttpOnly" in cookies["aptmon_session"]
        assert "; Secure" in cookies["_csrf_token"] and "SameSite=Strict" in cookies["_csrf_token"]
        # A session cookie: no expiry date, so it ends when the browser closes.
        assert "Expires" not in cookies["aptmon_session"] and "Max-Age" not in cookies["aptmon_session"]
        assert https.get("/reporting").headers["Strict-Transport-Security"].startswith("max-age=")


def test_assets_serves_only_real_files(tmp_path, db):
    with served(tmp_path, db) as base_url:
        browser = Browser(base_url)
        assert browser.get("/assets/00-bootstrap.min.css").status_code == 200
        for path in ("/assets/nope", "/assets/x/y.js", "/assets/", "/assets/00-bootstrap.min.css/x"):
            response = browser.get(path)
            assert response.status_code == 404, path
            assert "dash-renderer" not in response.text and "_dash-config" not in response.text


def test_callbacks_need_the_session_token(tmp_path, db):
    with served(tmp_path, db) as base_url:
        browser = signed_in(base_url, "vic")
        body = reporting_body(browser)
        assert browser.post("/_dash-update-component", json=body).status_code == 403
        forged = {"X-CSRFToken": "forged"}
        assert browser.post("/_dash-update-component", json=body, headers=forged).status_code == 403
        assert browser.callback(body).status_code == 200


def test_files_are_private_whatever_the_umask(tmp_path):
    db = tmp_path / "data" / "warehouse.duckdb"
    db.parent.mkdir()
    env = aptmon_env(tmp_path)

    def loose_umask():
        os.umask(0o022)

    subprocess.run([APTMON, "init", "--warehouse", str(db)], env=env, check=True, preexec_fn=loose_umask)
    subprocess.run(
        [APTMON, "users", "add", "ana", "--role", "analyst", "--country", "KHM", "--password-stdin",
         "--warehouse", str(db)],
        env=env, input=f"{PASSWORD}\n", text=True, check=True, preexec_fn=loose_umask,
    )  # fmt: skip
    instance, returns = tmp_path / "instance", tmp_path / "returns"
    assert mode(db) == 0o600
    assert mode(instance) == 0o700 and mode(returns) == 0o700
    assert all(mode(lock) == 0o600 for lock in db.parent.glob("*.lock"))
    # A return ingested from the command line is stored privately too.
    path = write_xlsx(tmp_path / "khm.xlsx", [["KHM-1", "2.1.6", "Trade fair", "Planned"]], country="Cambodia")
    subprocess.run([APTMON, "ingest", str(path), "--warehouse", str(db)], env=env, check=True, preexec_fn=loose_umask)
    stored = [p for p in returns.rglob("*") if p.is_file()]
    assert stored and all(mode(p) == 0o600 for p in stored)
    assert all(mode(p) == 0o700 for p in returns.rglob("*") if p.is_dir())
    # The server (its own umask as well) keeps the key, the throttle's counters and staged uploads private.
    with served(tmp_path, db) as base_url:
        browser = signed_in(base_url, "ana")
        again = write_xlsx(tmp_path / "again.xlsx", [["KHM-2", "2.1.6", "Fair", "Planned"]], country="Cambodia")
        checked = browser.callback(upload_check_body(again))
        assert checked.status_code == 200
    private = [instance / "secret_key", instance / "rate-limits.sqlite3"]
    assert all(mode(p) == 0o600 for p in private)
    assert all(mode(p) == 0o700 for p in instance.rglob("*") if p.is_dir())
    assert all(mode(p) == 0o600 for p in instance.rglob("*") if p.is_file())
    assert mode(db) == 0o600


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_per_user_upload_limits_and_staged_files_expiring(tmp_path, db):
    settings = {"APTMON_UPLOADS_PER_HOUR": "3", "APTMON_CONCURRENT_CHECKS": "1", "APTMON_STAGED_MAX_MINUTES": "0.05"}
    staging = tmp_path / "instance" / "uploads"
    with served(tmp_path, db, **settings) as base_url:
        analyst = signed_in(base_url, "ana")
        admin = signed_in(base_url, "admin")
        good = write_xlsx(tmp_path / "khm.xlsx", [["KHM-1", "2.1.6", "Trade fair", "Planned"]], country="Cambodia")

        # Concurrent checks: while another check of the analyst's holds the one slot (taken here as a worker
        # would, by its lock file), a new check is refused at once; other users are not affected.
        checks = tmp_path / "instance" / "checks"
        checks.mkdir(mode=0o700, exist_ok=True)
        slot = os.open(checks / "ana.0.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(slot, fcntl.LOCK_EX)
        try:
            busy = analyst.callback(upload_check_body(good)).text
            assert "You already have 1 upload being checked" in busy
            assert "Submit" in admin.callback(upload_check_body(good)).text
        finally:
            fcntl.flock(slot, fcntl.LOCK_UN)
            os.close(slot)

        # Staged files go when they expire (3 seconds here), with no further upload to trigger a clean-up.
        first = analyst.callback(upload_check_body(good)).text
        assert "Submit" in first
        assert len(list(staging.iterdir())) >= 1
        deadline = time.monotonic() + 15
        while any(staging.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert list(staging.iterdir()) == []

        # Uploads per hour: the third of this hour is the last one checked; the fourth is refused with the reason.
        for _ in range(2):
            assert "Submit" in analyst.callback(upload_check_body(good)).text
        refused = analyst.callback(upload_check_body(good)).text
        assert "you reached the limit of 3 uploads an hour" in refused
        assert "Submit" in admin.callback(upload_check_body(good)).text  # counted per user
