"""Signing in: users and their passwords, the login form, sessions, and the aptmon users commands."""

from __future__ import annotations

import json
import re
import stat

import pytest
from click.testing import CliRunner
from support.dash_requests import csrf_header

from etl import accounts, warehouse
from etl.cli import cli

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def module_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "warehouse.duckdb"
    warehouse.initialise(path)
    accounts.add_user("ana", PASSWORD, "analyst", "Cambodia", path)
    accounts.add_user("vic", PASSWORD, "viewer", None, path)
    return path


@pytest.fixture(scope="module")
def app(module_warehouse):
    from dashboard.app import create_app

    return create_app(module_warehouse)


@pytest.fixture
def client(app, module_warehouse, monkeypatch):
    # The app serves the warehouse named in the environment; other tests here create apps of their own.
    monkeypatch.setenv("APTMON_WAREHOUSE", str(module_warehouse))
    return app.server.test_client()


def login(client, username: str, password: str, next_path: str = "/"):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": next_path}
    )


def test_password_is_stored_as_scrypt_hash(module_warehouse):
    with warehouse.read_connection(module_warehouse) as con:
        stored = con.execute("SELECT password_hash, country FROM users WHERE username = 'ana'").fetchone()
    assert stored[0].startswith("scrypt:")
    assert PASSWORD not in stored[0]
    assert stored[1] == "KHM"


@pytest.mark.parametrize(
    ("name", "role", "country", "message"),
    [
        ("bad name", "viewer", None, "is not allowed"),
        ("x", "superuser", None, "is not one of"),
        ("y", "analyst", None, "works for one country"),
        ("z", "analyst", "Atlantis", "works for one country"),
        ("w", "viewer", "KHM", "Only analysts are bound to a country"),
    ],
)
def test_invalid_users_are_refused(module_warehouse, name, role, country, message):
    with pytest.raises(accounts.UserError, match=message):
        accounts.add_user(name, PASSWORD, role, country, module_warehouse)


def test_short_password_and_duplicate_name_are_refused(module_warehouse):
    with pytest.raises(accounts.UserError, match="at least 12 characters"):
        accounts.add_user("newcomer", "short", "viewer", None, module_warehouse)
    with pytest.raises(accounts.UserError, match="already exists"):
        accounts.add_user("ana", PASSWORD, "viewer", None, module_warehouse)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
        ("            ", 'Repeats like "aaa" are easy to guess'),
        ("password1234", "This is a very common password"),
        ("qwertyuiop12", "This is similar to a commonly used password"),
        ("newcomer2026!", "Add another word or two"),  # the user's own name and a year
    ],
)
def test_weak_passwords_are_refused_with_the_reason(module_warehouse, password, why):
    with pytest.raises(accounts.UserError, match="too easy to guess") as refused:
        accounts.add_user("newcomer", password, "viewer", None, module_warehouse)
    assert why in str(refused.value)
    assert accounts.get_user("newcomer", module_warehouse) is None


def test_a_long_uncommon_password_is_accepted(warehouse_file):
    accounts.add_user("lee", "tamarind-lantern-93-ferry", "viewer", None, warehouse_file)
    assert accounts.authenticate("lee", "tamarind-lantern-93-ferry", warehouse_file).ok


def test_failed_sign_ins_write_nothing_and_never_lock_the_account(warehouse_file):
    accounts.add_user("lee", PASSWORD, "viewer", None, warehouse_file)
    before = warehouse.warehouse_path(warehouse_file).stat().st_mtime_ns
    for _ in range(20):
        assert not accounts.authenticate("lee", "wrong-password", warehouse_file).ok
    assert warehouse.warehouse_path(warehouse_file).stat().st_mtime_ns == before
    assert accounts.authenticate("lee", PASSWORD, warehouse_file).ok


def test_unknown_user_and_wrong_password_get_the_same_answer(module_warehouse):
    assert accounts.authenticate("nobody", PASSWORD, module_warehouse) == accounts.authenticate(
        "ana", "not-the-password", module_warehouse
    )


@pytest.mark.parametrize("path", ["/", "/measures", "/upload", "/no-such-page"])
def test_pages_redirect_to_login_when_signed_out(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/_dash-layout"),
        ("get", "/_dash-dependencies"),
        ("post", "/_dash-update-component"),
        ("get", "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"),
    ],
)
def test_dash_endpoints_refuse_a_signed_out_request(client, method, path):
    response = getattr(client, method)(path, json={} if method == "post" else None)
    assert response.status_code == 401


def test_login_page_and_its_stylesheet_are_public(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="password" type="password"' in page.get_data(as_text=True)
    assert client.get("/assets/00-bootstrap.min.css").status_code == 200


def test_sign_in_sets_a_strict_session_cookie_and_opens_pages(client):
    response = login(client, "ana", PASSWORD, "/measures")
    assert response.status_code == 302
    assert response.headers["Location"] == "/measures"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("aptmon_session="))
    assert "aptmon_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # it ends with the browser
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "ana" in layout.get_data(as_text=True)
    assert layout.headers["Cache-Control"] == "no-store"
    assert client.get("/measures").status_code == 200


def test_wrong_password_and_unknown_name_show_one_message_and_no_session(client):
    for username, password in [("ana", "not-the-password"), ("nobody-here", PASSWORD)]:
        response = login(client, username, password)
        assert response.status_code == 401
        assert "Wrong user name or password." in response.get_data(as_text=True)
        assert client.get("/_dash-layout").status_code == 401
    assert login(client, "ana", PASSWORD).status_code == 302


def test_login_without_the_form_token_is_refused(client):
    # Neither a post from another site (no session yet, no token) nor a forged token signs anyone in.
    response = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": ""})
    assert response.status_code == 400
    client.get("/login")
    response = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_sign_in_never_redirects_to_another_site(client, target):
    response = login(client, "vic", PASSWORD, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_session_id_changes_at_sign_in(client):
    client.get("/login")
    before = client.get_cookie("aptmon_session").value
    login(client, "vic", PASSWORD)
    after = client.get_cookie("aptmon_session").value
    assert before != after
    assert "csrf_token" not in after  # the pre-sign-in session was cleared


def test_sign_out_is_a_form_post_with_the_session_token(client):
    login(client, "vic", PASSWORD)
    layout = client.get("/_dash-layout").json
    form = find_component(layout, "sign-out-form")
    assert (form["method"], form["action"]) == ("post", "/logout")
    layout = json.dumps(layout)
    assert "csrf_token=" not in layout  # no token in any URL
    client.get("/logout")  # a link (or an image on another site) cannot sign anyone out
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/_dash-layout").status_code == 200
    token = client.get_cookie("_csrf_token").value
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401


def find_component(tree, component_id: str) -> dict | None:
    """The props of the component with this id in a Dash layout tree."""
    if isinstance(tree, list):
        return next((found for item in tree if (found := find_component(item, component_id))), None)
    if not isinstance(tree, dict):
        return None
    props = tree.get("props", {})
    if props.get("id") == component_id:
        return props
    return find_component(props.get("children"), component_id)


def test_password_change_ends_existing_sessions(warehouse_file):
    from dashboard.app import create_app

    accounts.add_user("pat", PASSWORD, "viewer", None, warehouse_file)
    client = create_app(warehouse_file).server.test_client()
    login(client, "pat", PASSWORD)
    assert client.get("/_dash-layout").status_code == 200
    accounts.set_password("pat", "a-brand-new-password", warehouse_file)
    assert client.get("/_dash-layout").status_code == 401


def test_a_callback_without_the_session_token_is_refused(client):
    login(client, "vic", PASSWORD)
    body = {"output": "x.children", "outputs": {"id": "x", "property": "children"}, "inputs": [], "state": []}
    assert client.post("/_dash-update-component", json=body).status_code == 403
    assert client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"}).status_code == 403
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None and cookie.http_only is False  # Dash's renderer must read it
    assert client.post("/_dash-update-component", json=body, headers=csrf_header(client)).status_code != 403


def test_secure_cookie_flag_follows_the_environment(warehouse_file, monkeypatch):
    from dashboard.app import create_app

    monkeypatch.setenv("APTMON_SECURE_COOKIES", "1")
    app = create_app(warehouse_file)
    assert app.server.config["SESSION_COOKIE_SECURE"] is True
    assert app.server.config["SESSION_COOKIE_HTTPONLY"] is True


def test_secret_key_comes_from_environment_or_a_private_file(tmp_path, monkeypatch):
    from dashboard.security import auth

    monkeypatch.setenv("APTMON_SECRET_KEY", "from-the-environment")
    assert auth.secret_key() == "from-the-environment"
    monkeypatch.delenv("APTMON_SECRET_KEY")
    monkeypatch.setenv("APTMON_INSTANCE_DIR", str(tmp_path / "instance"))
    first = auth.secret_key()
    key_file = tmp_path / "instance" / "secret_key"
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert auth.secret_key() == first  # every worker reads the same key
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_cli_users_add_reads_a_confirmed_hidden_prompt(warehouse_file):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["users", "add", "mai", "--role", "analyst", "--country", "THA", "--warehouse", str(warehouse_file)],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "User mai added: analyst for THA." in result.output
    assert PASSWORD not in result.output
    assert accounts.authenticate("mai", PASSWORD, warehouse_file).user.country == "THA"


def test_cli_users_add_from_stdin_and_its_errors(warehouse_file):
    runner = CliRunner()
    args = ["users", "add", "cpr-jpn", "--role", "viewer", "--password-stdin", "--warehouse", str(warehouse_file)]
    assert runner.invoke(cli, args, input=f"{PASSWORD}\n").exit_code == 0
    again = runner.invoke(cli, args, input=f"{PASSWORD}\n")
    assert again.exit_code == 2
    assert "Error: A user named 'cpr-jpn' already exists." in again.output
    no_country = runner.invoke(
        cli, ["users", "add", "x1", "--role", "analyst", "--password-stdin", "--warehouse", str(warehouse_file)]
    )
    assert no_country.exit_code == 2
    assert "give --country" in no_country.output


def test_cli_users_demo_creates_each_role_once_with_private_passwords(warehouse_file, tmp_path, monkeypatch):
    monkeypatch.setenv("APTMON_INSTANCE_DIR", str(tmp_path / "instance"))
    runner = CliRunner()
    first = runner.invoke(cli, ["users", "demo", "--warehouse", str(warehouse_file)])
    assert first.exit_code == 0, first.output
    credentials = tmp_path / "instance" / "demo-users.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    rows = [line.split() for line in credentials.read_text().splitlines() if not line.startswith("#")]
    assert [row[0] for row in rows] == ["viewer", "analyst-khm", "evaluator", "admin"]
    for username, password, *_ in rows:
        assert accounts.authenticate(username, password, warehouse_file).ok
    assert accounts.get_user("analyst-khm", warehouse_file).country == "KHM"
    second = runner.invoke(cli, ["users", "demo", "--warehouse", str(warehouse_file)])
    assert "created" not in second.output
    assert credentials.read_text().count("admin") == 2  # one line: the user name and its role


def test_sign_in_without_a_warehouse_says_so(tmp_path):
    from dashboard.app import create_app

    client = create_app(tmp_path / "missing.duckdb").server.test_client()
    response = login(client, "ana", PASSWORD)
    assert response.status_code == 503
    assert "runs `aptmon init` first" in response.get_data(as_text=True)
    assert str(tmp_path) not in response.get_data(as_text=True)  # the server's paths are for its log alone


def test_a_cross_site_form_cannot_drive_a_callback(client):
    """A form on another site can send neither the token header nor JSON: refused before the callback runs."""
    login(client, "vic", PASSWORD)
    response = client.post("/_dash-update-component", data={"output": "upload-results.children"})
    assert response.status_code == 403
