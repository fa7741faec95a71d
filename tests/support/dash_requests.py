"""Call a Dash callback the way the browser does: a POST to /_dash-update-component built from the app's map."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import dash

from support.signing_in import TEST_USERS


def sign_in(client, role_or_username: str, password: str | None = None):
    """Sign a Flask test client in through the login form (a role name picks that role's test user)."""
    if role_or_username in TEST_USERS:
        username, password, _ = TEST_USERS[role_or_username]
    else:
        username = role_or_username
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def callback_key(app: dash.Dash, function_name: str) -> str:
    """The callback map key of the callback whose Python function has this name."""
    for key, spec in app.callback_map.items():
        function = spec.get("callback")
        while function is not None:
            if getattr(function, "__name__", None) == function_name and key:
                return key
            function = getattr(function, "__wrapped__", None)
    raise KeyError(function_name)


def call_callback(
    client, app: dash.Dash, function_name: str, inputs: list, state: list | None = None, match=None, changed: int = 0
):
    """POST one callback request; `inputs`/`state` are values in declaration order, `match` fills MATCH ids,
    `changed` is the index of the input that fired it (a click on the second of two buttons: 1). Without `state`,
    every State is empty, as on a page opened without one (the plan a page was opened on: the default plan)."""
    key = callback_key(app, function_name)
    spec = app.callback_map[key]
    if state is None:
        state = [None] * len(spec["state"])
    outputs = [_concrete(_split(part), match) for part in _output_parts(key)]
    body = {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [_with_value(item, value, match) for item, value in zip(spec["inputs"], inputs, strict=True)],
        "state": [_with_value(item, value, match) for item, value in zip(spec["state"], state or [], strict=True)],
    }
    fired = body["inputs"][changed]
    fired_id = (
        json.dumps(fired["id"], sort_keys=True, separators=(",", ":")) if isinstance(fired["id"], dict) else fired["id"]
    )
    body["changedPropIds"] = [f"{fired_id}.{fired['property']}"]
    return client.post("/_dash-update-component", json=body, headers=csrf_header(client))


def csrf_header(client) -> dict:
    """The header Dash's renderer sends with every callback: the session's token, copied from its cookie."""
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value} if cookie else {}


def _output_parts(key: str) -> list[str]:
    if key.startswith(".."):
        return key[2:-2].split("...")
    return [key]


def _split(part: str) -> dict:
    component, _, prop = part.rpartition(".")
    return {"id": component, "property": prop}


def _concrete(item: dict, match: dict | None) -> dict:
    component = item["id"]
    if isinstance(component, str) and component.startswith("{"):
        pattern = json.loads(component)
        component = {k: (match[k] if v == ["MATCH"] else v) for k, v in pattern.items()}
    return {"id": component, "property": item["property"]}


def _with_value(item: dict, value, match: dict | None) -> dict:
    return {**_concrete(item, match), "value": value}


def upload_check_body(path: Path, name: str | None = None) -> dict:
    """The upload page's check callback for one file, as the browser sends it."""
    contents = "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()
    return {
        "output": "upload-results.children",
        "outputs": {"id": "upload-results", "property": "children"},
        "inputs": [{"id": "upload", "property": "contents", "value": [contents]}],
        "state": [
            {"id": "upload", "property": "filename", "value": [name or path.name]},
            {"id": "upload-country", "property": "value", "value": None},
            {"id": "upload-year", "property": "value", "value": None},
            {"id": "upload-received-on", "property": "date", "value": None},
        ],
        "changedPropIds": ["upload.contents"],
    }
