"""The page loads only the script bundles its charts and tables need, and the dashboard's own plotly.js build."""

from __future__ import annotations

import re

from plotly.offline import get_plotlyjs_version
from support.dash_requests import sign_in
from support.signing_in import add_test_users

from dashboard import app as dashboard_app

BUNDLE = dashboard_app.HERE / "assets" / "05-plotly-dashboard.min.js"


def _scripts(warehouse_file) -> list[str]:
    add_test_users(warehouse_file)
    client = sign_in(dashboard_app.create_app(warehouse_file).server.test_client(), "viewer")
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', page)


def test_the_page_leaves_out_the_bundles_no_page_draws(warehouse_file):
    names = [src.split("?")[0].rsplit("/", 1)[-1] for src in _scripts(warehouse_file)]
    assert "05-plotly-dashboard.min.js" in names
    # async-community: the grid's chunk, fetched when a page first draws a grid (the overview draws none).
    for left_out in ("async-enterprise", "async-community", "async-mathjax", "async-markdown", "plotly.v", "bundle.v"):
        assert not [name for name in names if name.startswith(left_out)], left_out
    # What the overview needs before its first chart stays in the page.
    for kept in ("async-graph", "async-dropdown", "dash_ag_grid", "dash_renderer"):
        assert [name for name in names if name.startswith(kept)], kept


def test_a_left_out_bundle_is_still_served_when_a_component_asks(warehouse_file):
    scripts = _scripts(warehouse_file)
    add_test_users(warehouse_file)
    client = sign_in(dashboard_app.create_app(warehouse_file).server.test_client(), "viewer")
    graph = next(src for src in scripts if "async-graph" in src)
    mathjax = graph.replace("async-graph", "async-mathjax")
    assert client.get(mathjax).status_code == 200


def test_the_dashboards_plotly_build_is_the_release_plotly_py_expects():
    banner = BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js v{get_plotlyjs_version()} " in banner
    # Built with the traces the charts draw: scatter with the core, bar, heatmap, treemap.
    assert "(scatter, bar, heatmap, treemap)" in banner
