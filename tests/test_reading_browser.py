"""What a reader sees in Chromium on the demo data, against the views: the status leads, every rate names its
denominator, which countries lag, no empty first paint, the treemap's drill-down in the address, the smaller
misreadings (issue 24)."""

from __future__ import annotations

import json
import math
import os
import re
import threading

import pytest
from conftest import TEST_USERS, add_test_users, sign_in
from werkzeug.serving import make_server

from etl import warehouse
from etl.outputs.palette import STATUS_COLOURS

pytestmark = pytest.mark.browser

YEAR = 2017
TIMEOUT = 20000


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The synthetic demo returns in one warehouse, served for the module; yields (base URL, warehouse)."""
    from dashboard.app import create_app
    from etl.demo.returns import run_demo

    root = tmp_path_factory.mktemp("reading")
    before = os.environ.get("APTMON_RETURNS_DIR")
    os.environ["APTMON_RETURNS_DIR"] = str(root / "returns")
    path = root / "warehouse.duckdb"
    try:
        run_demo(path)
    finally:
        if before is None:
            os.environ.pop("APTMON_RETURNS_DIR", None)
        else:
            os.environ["APTMON_RETURNS_DIR"] = before
    add_test_users(path)
    server = make_server("127.0.0.1", 0, create_app(path).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", path
    server.shutdown()


@pytest.fixture(scope="module")
def contexts(browser, demo_app):
    """One signed-in browser context per role, opened when first asked for."""
    opened = {}

    def context_for(role: str):
        if role not in opened:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            first = context.new_page()
            username, password, _ = TEST_USERS[role]
            sign_in(first, demo_app[0], username, password)
            first.close()
            opened[role] = context
        return opened[role]

    yield context_for
    for context in opened.values():
        context.close()


@pytest.fixture
def tab(contexts):
    """A fresh tab as a viewer, or as another role (tab.as_role("analyst")), recording console errors."""
    tabs = []

    def open_tab(role: str = "viewer"):
        new = contexts(role).new_page()
        new.console_errors = []
        new.on("console", lambda msg: msg.type == "error" and new.console_errors.append(msg.text))
        new.on("pageerror", lambda exc: new.console_errors.append(str(exc)))
        tabs.append(new)
        return new

    yield open_tab
    for opened in tabs:
        opened.close()


def view(path, sql: str, params: list | None = None) -> list[dict]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params or []).df().to_dict("records")


def filter_control(name: str) -> str:
    return f"[id='{json.dumps({'name': name, 'type': 'filter'}, separators=(',', ':'))}']"


def drawn(page, graph_id: str) -> dict:
    """What plotly drew in a graph: its traces (name, x, y, z, text, customdata, axes, colours) and layout parts."""
    return page.evaluate(
        """id => {
            const gd = document.getElementById(id).querySelector('.js-plotly-plot');
            const plain = v => (v && typeof v === 'object' && v.length !== undefined && typeof v !== 'string')
                ? Array.from(v, plain) : v;
            const L = gd._fullLayout;
            return {
                title: L.title.text,
                xaxis: L.xaxis && L.xaxis.title && L.xaxis.title.text,
                xaxis2: L.xaxis2 && L.xaxis2.title && L.xaxis2.title.text,
                annotations: (L.annotations || []).map(a => a.text),
                traces: gd._fullData.map(t => ({
                    name: t.name, type: t.type, x: plain(t.x), y: plain(t.y), z: plain(t.z), text: plain(t.text),
                    customdata: plain(t.customdata), xaxis: t.xaxis, yaxis: t.yaxis, ids: plain(t.ids),
                    colorscale: plain(t.colorscale), markerColors: plain(t.marker && t.marker.colors),
                    markerColor: plain(t.marker && t.marker.color), level: t.level,
                    dash: t.line && t.line.dash, symbol: t.marker && t.marker.symbol,
                })),
            };
        }""",
        graph_id,
    )


def wait_for_title(page, graph_id: str, text: str) -> None:
    page.wait_for_function(
        """([id, text]) => {
            const gd = document.getElementById(id)?.querySelector('.js-plotly-plot');
            // A title may wrap (on a phone, or a long one): it is read as one line.
            const title = gd && gd.layout && gd.layout.title && (gd.layout.title.text || '').replace(/<br>/g, ' ');
            return !!title && title.includes(text);
        }""",
        arg=[graph_id, text],
        timeout=TIMEOUT,
    )


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["traces"] if t["name"] == name)


# 1. The judgement leads.


def test_heatmap_cells_wear_their_status_colour_and_word(demo_app, tab):
    base, path = demo_app
    page = tab()
    page.goto(f"{base}/heatmap?year={YEAR}")
    wait_for_title(page, "heatmap-graph", f"Progress status against the schedule by pillar and country, end {YEAR}")
    figure = drawn(page, "heatmap-graph")
    statuses = {
        (r["pillar"], r["country"]): r
        for r in view(path, "SELECT * FROM metrics_pillar_country WHERE as_of_year = ?", [YEAR])
    }
    countries = view(path, "SELECT iso3 FROM countries ORDER BY ordinal")
    codes = [c["iso3"] for c in countries] + ["ALL"]
    pillars = ["1", "2", "3", "4", "5", "6", "ALL"]
    seen = 0
    for layer in figure["traces"]:
        # Each layer is one status: one colour, its cells carry the status word and the delivered count.
        assert layer["colorscale"][0][1] == layer["colorscale"][-1][1] == STATUS_COLOURS[layer["name"]]
        for i, pillar in enumerate(pillars):
            for j, country in enumerate(codes):
                if layer["z"][i][j] is None or (isinstance(layer["z"][i][j], float) and math.isnan(layer["z"][i][j])):
                    continue
                row = statuses[(pillar, country)]
                assert layer["name"] == row["progress_status"], (pillar, country)
                words = layer["text"][i][j].replace("<br>", " ")
                assert words.startswith(row["progress_status"])
                if row["progress_status"] not in ("insufficient data", "no commitments"):
                    assert words.endswith(f"{row['measures_delivered']} of {row['measures_in_scope']}")
                seen += 1
    assert seen == len(pillars) * len(codes)  # every cell, once
    # The cell Brunei x pillar I: the colour of its status, the word written on it, in the browser's own paint.
    brunei = statuses[("1", "BRN")]
    layer = trace(figure, brunei["progress_status"])
    assert layer["text"][0][0].replace("<br>", " ").startswith(brunei["progress_status"])
    # Coverage is the reader's choice, titled as breadth against all the row's measures.
    page.get_by_text("Coverage", exact=True).click()
    wait_for_title(page, "heatmap-graph", f"Coverage by pillar and country, end {YEAR} (breadth: of all the row's")
    assert "metric=coverage" in page.url
    assert page.console_errors == []


def test_country_bars_and_overview_ranking_are_coloured_by_status_with_the_word(demo_app, tab):
    base, path = demo_app
    page = tab()
    page.goto(f"{base}/country?country=BRN&year={YEAR}")
    wait_for_title(page, "country-pillars-graph", "Brunei Darussalam")
    figure = drawn(page, "country-pillars-graph")
    rows = view(
        path,
        "SELECT * FROM metrics_pillar_country WHERE as_of_year = ? AND country = 'BRN' ORDER BY pillar = 'ALL', pillar",
        [YEAR],
    )
    delivered = trace(figure, "Delivered")
    assert delivered["markerColor"] == [STATUS_COLOURS[r["progress_status"]] for r in rows]
    for r in rows:
        note = f"{r['measures_delivered']} of {r['measures_in_scope']} · {r['progress_status']}"
        assert (note if r["measures_in_scope"] else r["progress_status"]) in figure["annotations"]
    assert page.console_errors == []


# 2. One denominator per axis, named.


def test_every_rate_names_its_denominator_and_none_share_an_axis(demo_app, tab):
    base, path = demo_app
    page = tab()
    page.goto(f"{base}/country?country=BRN&year={YEAR}")
    wait_for_title(page, "country-pillars-graph", "Brunei Darussalam")
    figure = drawn(page, "country-pillars-graph")
    pillar_one = view(
        path, "SELECT * FROM metrics_pillar_country WHERE as_of_year = ? AND country = 'BRN' AND pillar = '1'", [YEAR]
    )[0]
    delivered, coverage = trace(figure, "Delivered"), trace(figure, "Coverage")
    assert delivered["xaxis"] == "x" and coverage["xaxis"] == "x2"  # two panels, two axes
    assert figure["xaxis"] == "Delivered, of the measures it took up or leads"
    assert figure["xaxis2"] == "Coverage, of all the pillar's measures"
    assert (
        f"{pillar_one['measures_delivered']} of the {pillar_one['measures_in_scope']} measures it took up or leads"
        in delivered["customdata"][0]
    )
    assert (
        f"{pillar_one['measures_covered']} of {pillar_one['measures_total']} measures of pillar I covered"
        in coverage["customdata"][0]
    )
    # The overview's trend: delivered above, coverage and completion below, each panel its own axis.
    page.goto(f"{base}/?year={YEAR}&country=BRN")
    wait_for_title(page, "trend-graph", "Against the schedule")
    trend = drawn(page, "trend-graph")
    assert trace(trend, "Delivered")["yaxis"] == "y"
    assert trace(trend, "Coverage")["yaxis"] == trace(trend, "Completion")["yaxis"] == "y2"
    # The heatmap's hover names both denominators.
    page.goto(f"{base}/heatmap?year={YEAR}")
    wait_for_title(page, "heatmap-graph", "Progress status")
    cell = trace(drawn(page, "heatmap-graph"), pillar_one["progress_status"])["customdata"][0][0]
    assert f"{pillar_one['measures_delivered']} of the {pillar_one['measures_in_scope']} measures it took up" in cell
    assert f"{pillar_one['measures_covered']} of {pillar_one['measures_total']} measures of pillar I covered" in cell
    assert page.console_errors == []


# 3. Which countries lag.


def test_the_overview_ranks_the_13_countries_as_the_view_does_each_a_link(demo_app, tab):
    base, path = demo_app
    page = tab()
    page.goto(f"{base}/?year={YEAR}&pillar=2")
    page.wait_for_selector("#country-ranking .ranked-row", timeout=TIMEOUT)
    ranked = view(path, "SELECT * FROM country_ranking WHERE as_of_year = ? AND pillar = '2' ORDER BY lag_rank", [YEAR])
    rows = page.locator("#country-ranking .ranked-row")
    assert rows.count() == 13
    assert [rows.nth(i).get_attribute("data-country") for i in range(13)] == [r["country"] for r in ranked]
    first = rows.first
    assert first.locator(".ranked-status").inner_text() == ranked[0]["progress_status"]
    assert first.locator(".ranked-delivered").inner_text() == (
        f"{ranked[0]['measures_delivered']} of {ranked[0]['measures_in_scope']}"
    )
    # Beside "Where it lags", on the same row of the page.
    lags = page.locator("#where-it-lags").bounding_box()
    ranking = page.locator("#country-ranking").bounding_box()
    assert abs(lags["y"] - ranking["y"]) < 40 and ranking["x"] > lags["x"] + lags["width"] - 1
    links = page.locator("#country-ranking a.ranked-country")
    assert links.first.get_attribute("href") == f"/country?country={ranked[0]['country']}&year={YEAR}"
    links.first.click()
    page.wait_for_url(f"**/country?country={ranked[0]['country']}*")
    wait_for_title(page, "country-pillars-graph", ranked[0]["country_name"])
    assert page.console_errors == []


# 6. No empty first paint.

FIRST_PAINT = {
    f"/?year={YEAR}": ["trend-graph", "pillar-ranking-graph", "pillar-trends-graph"],
    f"/heatmap?year={YEAR}": ["heatmap-graph"],
    f"/measures?year={YEAR}": ["catalogue-treemap"],
    f"/measure/2.7.10?year={YEAR}": ["measure-countries-graph"],
    f"/country?country=BRN&year={YEAR}": ["country-pillars-graph"],
}


def test_no_page_paints_empty_axes_or_an_empty_grid_while_its_callbacks_are_held(demo_app, tab):
    """Every callback request is held unanswered: what the reader sees then is what the layout brought. (The pages
    ask none on opening; were one to, the held request would leave its output as the layout drew it.)"""
    base, _ = demo_app
    page = tab()
    held = []
    page.route("**/_dash-update-component", lambda route: held.append(route))
    for address, graphs in FIRST_PAINT.items():
        page.goto(base + address)
        for graph in graphs:
            page.wait_for_function(
                "id => document.getElementById(id)?.querySelector('.js-plotly-plot')?._fullData",
                arg=graph,
                timeout=TIMEOUT,
            )
            painted = page.evaluate(
                """id => {
                    const gd = document.getElementById(id).querySelector('.js-plotly-plot');
                    const points = t => ['x', 'y', 'z', 'ids', 'labels'].map(k => (t[k] || []).length)
                        .reduce((a, b) => Math.max(a, b), 0);
                    return gd._fullData.map(points).reduce((a, b) => a + b, 0);
                }""",
                graph,
            )
            assert painted > 0, f"{address}: {graph} painted with no data"
        page.wait_for_timeout(300)  # a grid's rows render a frame after it
        assert page.locator(".ag-overlay-no-rows-center:visible").count() == 0, address
        assert "No Rows To Show" not in page.inner_text("body"), address
    # Whatever the pages asked of their callbacks (a change of filter would ask), nothing is answered.
    page.unroute("**/_dash-update-component")
    for route in held:
        route.abort()


# 6. The treemap: its top level coloured, its drill state in the address.


def test_the_treemap_colours_its_sections_and_keeps_its_drill_down_in_the_address(demo_app, tab):
    base, path = demo_app
    page = tab()
    page.goto(f"{base}/measures?year={YEAR}")
    wait_for_title(page, "catalogue-treemap", "Progress of each measure")
    tree = drawn(page, "catalogue-treemap")["traces"][0]
    sections = {
        r["section_id"]: r
        for r in view(path, "SELECT * FROM metrics_section_country WHERE as_of_year = ? AND country = 'ALL'", [YEAR])
    }
    section_tiles = [(i, tile) for i, tile in enumerate(tree["ids"]) if tile.startswith("S")]
    assert len(section_tiles) == len(sections)
    for i, tile in section_tiles:
        row = sections[tile[1:]]
        assert tree["markerColors"][i] == STATUS_COLOURS[row["progress_status"]], tile
        assert tree["text"][i].replace("<br>", " ").startswith(row["progress_status"])  # a long status wraps
    # "Where it lags" opens the section's measures: the chart opens zoomed into that section.
    page.goto(f"{base}/?year={YEAR}")
    page.wait_for_selector("#where-it-lags a.lag-section", timeout=TIMEOUT)
    link = page.locator("#where-it-lags a.lag-section").first
    section = link.inner_text().split(" ", 1)[0]
    link.click()
    page.wait_for_url(f"**/measures?*section={section}*")
    wait_for_title(page, "catalogue-treemap", "Progress of each measure")
    page.wait_for_function(
        "level => document.querySelector('#catalogue-treemap .js-plotly-plot')._fullData[0].level === level",
        arg=f"S{section}",
        timeout=TIMEOUT,
    )
    measures = [m["measure_id"] for m in view(path, "SELECT measure_id FROM measures WHERE section_id = ?", [section])]
    page.wait_for_timeout(1000)  # the zoom's transition
    tiles = " ".join(page.locator("#catalogue-treemap g.slice text").all_text_contents())
    assert measures and all(m in tiles for m in measures), (measures, tiles)
    # Switching the colouring keeps the drill-down, and the address carries both.
    page.get_by_text("Colour by the schedule", exact=False).click()
    page.wait_for_url("**colour=schedule*")
    page.wait_for_timeout(1000)
    assert f"section={section}" in page.url
    assert drawn(page, "catalogue-treemap")["traces"][0]["level"] == f"S{section}"
    # A click on a section's tile at the top level puts it in the address.
    page.goto(f"{base}/measures?year={YEAR}")
    wait_for_title(page, "catalogue-treemap", "Progress of each measure")
    # A tile's name is wrapped into lines: its text reads "1.2Strengthening ...".
    page.locator("#catalogue-treemap g.slice").filter(has_text=re.compile(r"^1\.2(?!\d)")).first.click()
    page.wait_for_url("**section=1.2*", timeout=TIMEOUT)
    assert "pillar=1" in page.url
    page.reload()
    page.wait_for_function(
        "() => document.querySelector('#catalogue-treemap .js-plotly-plot')?._fullData?.[0]?.level === 'S1.2'",
        timeout=TIMEOUT,
    )
    # A click on the tile the chart is zoomed into goes back up to its pillar, in the address too.
    page.wait_for_timeout(1000)
    page.locator("#catalogue-treemap g.slice").filter(has_text=re.compile(r"^1\.2(?!\.)")).first.click()
    page.wait_for_url("**section=ALL*", timeout=TIMEOUT)
    assert "pillar=1" in page.url
    assert page.console_errors == []


# The smaller misreadings.


def _bar_and_label_centres(page, graph_id: str) -> list[tuple[str, float, list[float]]]:
    """Each x tick label's centre and the centres of the bars drawn over its category, in screen pixels."""
    return page.evaluate(
        """id => {
            const root = document.getElementById(id);
            const ticks = Array.from(root.querySelectorAll('.xtick text'));
            const bars = Array.from(root.querySelectorAll('.bars path')).map(p => p.getBoundingClientRect())
                .filter(r => r.width > 0 && r.height > 0);
            return ticks.map(t => {
                const box = t.getBoundingClientRect();
                const centre = box.x + box.width / 2;
                const near = bars.filter(b => Math.abs(b.x + b.width / 2 - centre) < 60)
                    .map(b => b.x + b.width / 2);
                return [t.textContent, centre, near];
            });
        }""",
        graph_id,
    )


@pytest.mark.parametrize("measure", ["2.5.1", "2.7.10"])
def test_a_measures_bars_stand_over_their_country_label(demo_app, tab, measure):
    base, _ = demo_app
    page = tab()
    page.goto(f"{base}/measure/{measure}?year={YEAR}")
    wait_for_title(page, "measure-countries-graph", f"Activities under {measure}")
    page.wait_for_selector("#measure-countries-graph .bars path", timeout=TIMEOUT)
    for label, centre, bars in _bar_and_label_centres(page, "measure-countries-graph"):
        assert bars, label
        assert all(abs(b - centre) < 2 for b in bars), (label, centre, bars)
    assert page.console_errors == []


def test_completion_and_delivered_differ_by_dash_and_marker_and_titles_clear_the_toolbar(demo_app, tab):
    base, _ = demo_app
    page = tab()
    # The filtered overview: a long pillar and scope.
    page.goto(f"{base}/?year={YEAR}&country=KHM&pillar=3")
    wait_for_title(page, "trend-graph", "Against the schedule")
    trend = drawn(page, "trend-graph")
    completion, delivered = trace(trend, "Completion"), trace(trend, "Delivered")
    assert completion["dash"] != delivered["dash"] and completion["symbol"] != delivered["symbol"]
    for graph in ("trend-graph", "pillar-ranking-graph", "pillar-trends-graph"):
        overlap = page.evaluate(
            """id => {
                const root = document.getElementById(id);
                const title = root.querySelector('.gtitle').getBoundingClientRect();
                const bar = root.querySelector('.modebar').getBoundingClientRect();
                const plot = root.querySelector('.main-svg').getBoundingClientRect();
                const apart = title.right <= bar.left || title.bottom <= bar.top || title.top >= bar.bottom;
                return {apart, inside: title.right <= plot.right + 1};
            }""",
            graph,
        )
        assert overlap == {"apart": True, "inside": True}, graph
    assert page.console_errors == []


def test_an_analysts_pages_open_on_their_own_country(demo_app, tab):
    base, _ = demo_app
    _, _, country = TEST_USERS["analyst"]
    page = tab("analyst")
    page.goto(f"{base}/country")
    wait_for_title(page, "country-pillars-graph", "Cambodia")
    assert page.input_value(filter_control("country")) == country
    page.goto(f"{base}/")
    wait_for_title(page, "trend-graph", "Cambodia")
    assert page.input_value(filter_control("country")) == country
    # A viewer's open on the first of the 13 (Countries) and on all 13 (Overview).
    viewer = tab()
    viewer.goto(f"{base}/country")
    wait_for_title(viewer, "country-pillars-graph", "Brunei Darussalam")
    viewer.goto(f"{base}/")
    wait_for_title(viewer, "trend-graph", "all 13 countries")
    assert page.console_errors == [] and viewer.console_errors == []


def test_the_schedule_table_shows_each_measures_text_beside_its_id(demo_app, tab):
    base, path = demo_app
    page = tab("admin")
    page.goto(f"{base}/schedule")
    page.wait_for_selector("#schedule .ag-row", timeout=TIMEOUT)
    first = view(path, "SELECT measure_id, text FROM measures ORDER BY ordinal LIMIT 1")[0]
    row = page.locator("#schedule .ag-row[row-index='0']").first
    assert row.locator("[col-id='measure_id']").inner_text() == first["measure_id"]
    assert row.locator("[col-id='text']").inner_text().strip() == first["text"].strip()
    assert page.console_errors == []
