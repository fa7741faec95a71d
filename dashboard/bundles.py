"""Which script bundles a page loads up front; the others are fetched only if a component asks for them.

With eager loading (dashboard.app), Dash puts every chunk of every component library in the page, and the
browser parses all of them before the first chart can draw: 19 MiB of script, most of it for components this
dashboard never shows (AG Grid's enterprise modules, MathJax, the deprecated DataTable) or shows only on one
page. Those are marked "lazy" here: still served, under the same fingerprinted names, when a component asks.

plotly.js itself (4.6 MiB, every trace type) gives way to assets/05-plotly-dashboard.min.js, the same release
built with the four traces the charts draw (1.3 MiB; `make plotly-bundle` rebuilds it from tools/plotly-bundle):
dcc.Graph uses the window.Plotly it finds, and fetches the full one only when there is none.
"""

from __future__ import annotations

import dash_ag_grid
from dash import dash_table, dcc

# (library's resource list, file names it serves that no page needs before its first chart).
_FETCHED_WHEN_ASKED = (
    # Only the date picker (the upload form) and the upload box use these dcc chunks; MathJax, Markdown, its
    # code highlighting and the slider appear nowhere. plotly.min.js is the full plotly.js, which Dash adds to
    # dcc's list as each app is made.
    (dcc._js_dist, ("async-datepicker.js", "async-highlight.js", "async-markdown.js", "async-mathjax.js",
                    "async-slider.js", "async-upload.js", "plotly.min.js")),
    # The community grid is all the dashboard uses; the enterprise modules are never asked for. The community
    # chunk (850 KiB) is fetched when a page first draws a grid: the overview, which draws none, no longer
    # fetches and parses it before its first chart.
    (dash_ag_grid._js_dist, ("async-community.js", "async-enterprise.js")),
    # The dashboard's tables are AG Grid; the DataTable's bundle and chunks load only if one is ever drawn.
    (dash_table._js_dist, ("bundle.js", "async-export.js", "async-table.js", "async-highlight.js")),
)  # fmt: skip


def load_only_what_pages_draw() -> None:
    """Leave the unneeded bundles out of the page; idempotent: call after making each app, before it serves one."""
    for resources, names in _FETCHED_WHEN_ASKED:
        for resource in resources:
            if resource.get("relative_package_path", "").rsplit("/", 1)[-1] not in names:
                continue
            if "async" in resource:
                resource["async"] = "lazy"  # Dash refuses "dynamic" beside "async"; "lazy" means the same
            else:
                resource["dynamic"] = True
