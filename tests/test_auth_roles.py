"""Each protected callback and download route, called directly as each role and as nobody, answers as roles allow."""

from __future__ import annotations

import json

import pytest
from support.dash_requests import call_callback, callback_key, csrf_header, sign_in
from support.signing_in import TEST_USERS, add_test_users

from dashboard.security import auth

ROLES = list(TEST_USERS)
# Each route with the roles that may use it (the route itself may still answer 400/404 for a bad argument).
ROUTES = {
    "/download/template?year=2015&country=KHM": auth.UPLOADERS,
    "/download/feedback/0123456789abcdef0123456789abcdef": auth.UPLOADERS,
    "/download/submission/1": auth.SUBMISSION_READERS,
    "/download/export?as_of=2015&format=csv": auth.EXPORTERS,
    "/download/report?as_of=2015": auth.EXPORTERS,
    "/download/crosswalk?from=apt-2013-2017&to=apt-2013-2017": (auth.ADMIN,),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from dashboard.app import create_app
    from etl import warehouse

    path = tmp_path_factory.mktemp("roles") / "warehouse.duckdb"
    warehouse.initialise(path)
    add_test_users(path)
    app = create_app(path)
    app.warehouse = path
    sign_in(app.server.test_client(), "viewer").get("/_dash-layout")  # Dash adds its page callbacks on first use
    return app


@pytest.fixture(autouse=True)
def serve_this_warehouse(app, monkeypatch):
    # The app serves the warehouse named in the environment, which any other app created since may have changed.
    monkeypatch.setenv("APTMON_WAREHOUSE", str(app.warehouse))


@pytest.fixture(scope="module")
def clients(app):
    return {role: sign_in(app.server.test_client(), role) for role in ROLES} | {None: app.server.test_client()}


def protected_callbacks(app) -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for spec in app.callback_map.values():
        function = spec.get("callback")
        while function is not None and not hasattr(function, "required_roles"):
            function = getattr(function, "__wrapped__", None)
        if function is not None:
            found.append((function.__wrapped__.__name__, function.required_roles))
    return found


def test_the_role_protected_callbacks_are_the_expected_ones(app):
    names = {name for name, _ in protected_callbacks(app)}
    expected = {"check_uploads", "submit_upload", "template_link", "filter_submissions", "show_submission"}
    assert expected | {"export_links", "load_schedule", "change_meetings", "add_plan", "load_crosswalk"} <= names


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_protected_callback_answers_only_its_roles(app, clients, role):
    checked = 0
    for name, allowed in protected_callbacks(app):
        spec = app.callback_map[callback_key(app, name)]
        response = call_callback(
            clients[role], app, name, [None] * len(spec["inputs"]), [None] * len(spec["state"]), match={"token": "x"}
        )
        if role is None:
            assert response.status_code == 401, name
        elif role in allowed:
            assert response.status_code not in (401, 403), (name, role, response.status_code)
        else:
            assert response.status_code == 403, (name, role)
        checked += 1
    assert checked >= 3


def test_every_callback_refuses_a_signed_out_caller(app, clients):
    """Callbacks without a role of their own (the charts) still need a signed-in user."""
    assert len(app.callback_map) > 5
    for key in app.callback_map:
        response = clients[None].post("/_dash-update-component", json={"output": key, "inputs": []})
        assert response.status_code == 401, key


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_download_route_answers_only_its_roles(clients, role):
    for path, allowed in ROUTES.items():
        response = clients[role].get(path)
        if role is None:
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
        elif role in allowed:
            assert response.status_code not in (401, 403), (path, role)
        else:
            assert response.status_code == 403, (path, role)


@pytest.mark.parametrize(
    ("role", "shows_upload"), [("viewer", False), ("evaluator", False), ("analyst", True), ("admin", True)]
)
def test_upload_page_and_its_link_follow_the_role(app, clients, role, shows_upload):
    pages_key = next(key for key in app.callback_map if "_pages_content" in key)
    spec = app.callback_map[pages_key]
    inputs = ["/upload" if item["property"] == "pathname" else None for item in spec["inputs"]]
    response = clients[role].post(
        "/_dash-update-component",
        json={
            "output": pages_key,
            "outputs": [{"id": part.rpartition(".")[0], "property": part.rpartition(".")[2]}
                        for part in pages_key[2:-2].split("...")],
            "inputs": [{**item, "value": value} for item, value in zip(spec["inputs"], inputs, strict=True)],
            "state": [{**item, "value": None} for item in spec["state"]],
            "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
        },
        headers=csrf_header(clients[role]),
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert ('"id":"upload"' in page) is shows_upload
    assert ("Your role does not allow you to upload returns" in page) is not shows_upload
    navigation = json.dumps(clients[role].get("/_dash-layout").get_json(), separators=(",", ":"))
    assert ('"href":"/upload"' in navigation) is shows_upload


def test_every_callback_of_a_restricted_page_checks_the_role(app):
    """A callback added later to the upload, export or submissions page without require_role fails here."""
    import dash

    restricted = {page["module"]: page["roles"] for page in dash.page_registry.values() if page.get("roles")}
    assert len(restricted) >= 3
    checked = 0
    for spec in app.callback_map.values():
        function, roles = spec.get("callback"), None
        while function is not None:
            roles = roles or getattr(function, "required_roles", None)
            inner, function = function, getattr(function, "__wrapped__", None)
        if spec.get("callback") is not None and inner.__module__ in restricted:
            assert roles is not None and set(roles) <= set(restricted[inner.__module__]), inner.__name__
            checked += 1
    assert checked >= 6  # template link, check, submit, log filter, log detail, export links
