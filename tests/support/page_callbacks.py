"""The callback requests a browser sends when it opens a page, built from the page's layout and Dash's dependencies."""

from __future__ import annotations

import json

# Pattern-matching wildcards: a callback on them is fired per matched component, not once from the layout.
_WILDCARDS = ('["MATCH"]', '["ALL"]', '["ALLSMALLER"]')


def initial_requests(
    client, path: str, include_prevented: bool = False, origin: str = "http://localhost"
) -> list[dict]:
    """The bodies of the server-side callbacks the renderer fires on opening `path`, with the layout's values.

    The layout is the one the server draws for that page (its Referer names it, dashboard.first_page); a callback
    fires on load when it is not prevented and every output, input and state it names is in that layout. With
    `include_prevented`, the callbacks a page prevents on load (drawn with the layout, redrawn when a filter
    changes) are included too, as a change of their inputs' values would send them. `client` is a Flask test
    client, or anything with its get(path, headers=) answering with status_code, get_json() and get_data();
    `origin` is the server's scheme and host, as the Referer names them.
    """
    layout = client.get("/_dash-layout", headers={"Referer": f"{origin}{path}"})
    assert layout.status_code == 200, layout.get_data(as_text=True)[:300]
    dependencies = client.get("/_dash-dependencies").get_json()
    props = _props_by_id(layout.get_json())
    bodies = []
    for dependency in dependencies:
        if dependency.get("clientside_function") or (dependency.get("prevent_initial_call") and not include_prevented):
            continue
        items = dependency["inputs"] + dependency["state"]
        if any(w in item["id"] for item in items for w in _WILDCARDS) or any(
            w in dependency["output"] for w in _WILDCARDS
        ):
            continue
        outputs = [_item(part) for part in _output_parts(dependency["output"])]
        if not items or not all(_id_key(item["id"]) in props for item in items + outputs):
            continue
        bodies.append(
            {
                "output": dependency["output"],
                "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
                "inputs": [_with_value(item, props) for item in dependency["inputs"]],
                "state": [_with_value(item, props) for item in dependency["state"]],
                "changedPropIds": [],
            }
        )
    return bodies


def _props_by_id(node, found: dict | None = None) -> dict[str, dict]:
    """Every component of a layout with an id, by the id as Dash writes it in its dependencies."""
    found = {} if found is None else found
    if isinstance(node, list):
        for child in node:
            _props_by_id(child, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if "id" in props:
                found[_id_key(props["id"])] = props
            for value in props.values():
                _props_by_id(value, found)
    return found


def _id_key(component_id) -> str:
    if isinstance(component_id, str) and component_id.startswith("{"):
        component_id = json.loads(component_id)
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def _output_parts(key: str) -> list[str]:
    return key[2:-2].split("...") if key.startswith("..") else [key]


def _item(part: str) -> dict:
    component, _, prop = part.rpartition(".")
    return {"id": json.loads(component) if component.startswith("{") else component, "property": prop}


def _with_value(item: dict, props: dict[str, dict]) -> dict:
    component = item["id"]
    sent = {"id": json.loads(component) if component.startswith("{") else component, "property": item["property"]}
    held = props[component]
    if item["property"] in held:  # the renderer leaves out a property the component does not hold
        sent["value"] = held[item["property"]]
    return sent
