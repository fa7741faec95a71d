"""The first layout a browser asks for holds the page it opened, so the pages router need not draw it."""

from __future__ import annotations

import json

import pytest
from support.dash_requests import call_callback, sign_in
from support.factories import add_return
from support.signing_in import add_test_users

from dashboard import read_cache
from etl import warehouse
from etl.plan.plans import SEED_PLAN

BASE = "http://localhost"


@pytest.fixture
def app(warehouse_file):
    add_test_users(warehouse_file)
    add_return(warehouse_file, "KHM", 2015, [("A1", "ongoing", ["5.1"])])
    warehouse.refresh_snapshots(warehouse_file)
    from dashboard.app import create_app

    app = create_app(warehouse_file)
    read_cache.clear()
    return app


def layout(client, referer: str | None) -> str:
    headers = {"Referer": referer} if referer is not None else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def props_of(text: str, component_id: str) -> dict | None:
    """The props of the component with that id in a layout's JSON, or None."""

    def walk(node):
        if isinstance(node, list):
            return next((found for child in node if (found := walk(child)) is not None), None)
        if isinstance(node, dict) and "props" in node:
            if node["props"].get("id") == component_id:
                return node["props"]
            return walk(node["props"].get("children"))
        return None

    return walk(json.loads(text))


def test_the_layout_for_an_address_holds_that_page_and_its_location(app):
    client = sign_in(app.server.test_client(), "viewer")
    overview = layout(client, BASE + "/")
    assert props_of(overview, "trend-graph") is not None
    location = props_of(overview, "_pages_location")
    assert (location["pathname"], location["search"]) == ("/", "")
    assert "href" not in location and "hash" not in location  # reported by the Location; the router ignores them
    heatmap = layout(client, BASE + "/heatmap?year=2015")
    assert props_of(heatmap, "heatmap-graph") is not None and props_of(heatmap, "trend-graph") is None
    location = props_of(heatmap, "_pages_location")
    assert (location["pathname"], location["search"]) == ("/heatmap", "?year=2015")
    # The page's title, as the router would have set it.
    assert props_of(heatmap, "_pages_store")["data"] == {"title": "Pillars x countries - APT Work Plan Monitor"}


def test_the_layout_is_kept_per_address(app):
    client = sign_in(app.server.test_client(), "viewer")
    first = layout(client, BASE + "/country?country=KHM")
    assert layout(client, BASE + "/country?country=KHM") == first
    other = layout(client, BASE + "/country?country=LAO")
    assert other != first and '"value":"LAO"' in other.replace(" ", "")
    assert props_of(other, "_pages_location")["search"] == "?country=LAO"


@pytest.mark.parametrize("referer", [None, "http://elsewhere.example/heatmap", BASE + "/no-such-page"])
def test_without_a_page_to_name_the_router_draws_it(app, referer):
    client = sign_in(app.server.test_client(), "viewer")
    text = layout(client, referer)
    # Dash's empty container: the Location reports the address when it mounts, and the router fills it.
    assert props_of(text, "_pages_content").get("children") is None
    assert "pathname" not in props_of(text, "_pages_location")


def test_an_admin_page_in_the_first_layout_still_checks_the_role(app):
    viewer = sign_in(app.server.test_client(), "viewer")
    admin = sign_in(app.server.test_client(), "admin")
    assert layout(viewer, BASE + "/schedule") != layout(admin, BASE + "/schedule")


def test_a_static_asset_is_sent_compressed_from_memory(app):
    client = app.server.test_client()
    path = "/assets/05-plotly-dashboard.min.js?m=1"
    first = client.get(path, headers={"Accept-Encoding": "br"})
    second = client.get(path, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br" and "Transfer-Encoding" not in first.headers
    assert int(first.headers["Content-Length"]) == len(first.get_data()) < 600_000
    assert second.get_data() == first.get_data()


def test_a_starting_worker_asks_the_overviews_questions_before_any_browser(app):
    from dashboard import app as dashboard_app
    from dashboard.data import connection, loaded
    from dashboard.pages import home

    connection.clear_cache(results_only=True)
    dashboard_app._warm_up_landing_page()
    warmed = connection._cached_query.cache_info()
    home.update_overview(str(loaded.data_state()["latest_year"]), "ALL", "ALL")
    after = connection._cached_query.cache_info()
    assert warmed.currsize > 0 and after.misses == warmed.misses  # the first browser's questions were all asked


def test_warming_up_an_empty_warehouse_asks_nothing(warehouse_file):
    from dashboard import app as dashboard_app
    from dashboard.data import connection, loaded

    dashboard_app.create_app(warehouse_file)
    connection.clear_cache(results_only=True)
    loaded.data_state()
    asked = connection._cached_query.cache_info().currsize
    dashboard_app._warm_up_landing_page()  # no returns: the overview's questions wait for a browser
    assert connection._cached_query.cache_info().currsize == asked


def drawn(layout_text: str) -> dict:
    """The overview's cards, charts, lag panel and country ranking as its layout holds them, keyed as the callbacks
    answer."""
    return {
        component: props_of(layout_text, component)[prop]
        for component, prop in [
            ("headline-cards", "children"),
            ("trend-graph", "figure"),
            ("pillar-ranking-graph", "figure"),
            ("pillar-trends-graph", "figure"),
            ("where-it-lags", "children"),
            ("country-ranking-panel", "children"),
        ]
    }


def answered(client, app, year: str, country: str, pillar: str) -> dict:
    """What the overview's two callbacks answer for those filters (the page drawn for the seed plan, the default)."""
    answers = {}
    for name in ("update_overview", "update_where_it_lags"):
        response = call_callback(client, app, name, [year, country, pillar], state=[SEED_PLAN.plan_id])
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        answers |= {
            component: next(iter(props.values())) for component, props in response.get_json()["response"].items()
        }
    return answers


def test_the_overview_comes_drawn_with_what_its_callbacks_answer_for_the_addresss_filters(app):
    client = sign_in(app.server.test_client(), "viewer")
    first = drawn(layout(client, BASE + "/?year=2015&country=KHM&pillar=5"))
    assert first["trend-graph"]["data"] and first["headline-cards"]
    assert first == answered(client, app, "2015", "KHM", "5")
    assert drawn(layout(client, BASE + "/")) == answered(client, app, "2015", "ALL", "ALL")  # the latest year


def test_the_drawn_overview_follows_every_commit_at_once(app, warehouse_file):
    client = sign_in(app.server.test_client(), "viewer")
    before = drawn(layout(client, BASE + "/?year=2015"))
    add_return(warehouse_file, "JPN", 2015, [("J1", "completed", ["5.1"]), ("J2", "ongoing", ["1.1.1"])])
    after = drawn(layout(client, BASE + "/?year=2015"))  # the same session and address, one commit later
    assert after != before
    assert after == answered(client, app, "2015", "ALL", "ALL")
