"""Each dashboard page in headless Chromium on the demo data: load, change a filter, see the views' numbers."""

from __future__ import annotations

import json
import os
import re
import threading

import pytest
from conftest import TEST_USERS, add_test_users, sign_in
from werkzeug.serving import make_server

from etl import warehouse
from etl.outputs.pace import pace_figure
from etl.plan.plans import SEED_PLAN

SEED = SEED_PLAN.plan_id  # the demo's default plan: its official one

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The synthetic demo returns in one warehouse, served for the whole module; yields (base URL, warehouse)."""
    from dashboard.app import create_app
    from etl.demo.returns import run_demo

    root = tmp_path_factory.mktemp("demo")
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
def viewer_context(browser, demo_app):
    """One signed-in browser context (a viewer's session) shared by the module's pages."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    first = context.new_page()
    username, password, _ = TEST_USERS["viewer"]
    sign_in(first, demo_app[0], username, password)
    first.close()
    yield context
    context.close()


@pytest.fixture
def page(viewer_context):
    """A fresh tab in the signed-in context that records console errors in `page.console_errors`."""
    tab = viewer_context.new_page()
    tab.console_errors = []
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    tab.hosts = set()
    tab.on("request", lambda request: tab.hosts.add(request.url.split("/")[2]))
    yield tab
    tab.close()


def view(path, sql: str, params: list | None = None) -> list[dict]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params or []).df().to_dict("records")


def filter_control(name: str) -> str:
    """The CSS selector of a shared filter (its id is a JSON object, as Dash renders pattern-matching ids)."""
    return f"[id='{json.dumps({'name': name, 'type': 'filter'}, separators=(',', ':'))}']"


def figure(page, graph_id: str) -> dict:
    """The figure plotly drew: each trace's name, x, y, z and text, and the title."""
    return page.evaluate(
        """id => {
            const gd = document.getElementById(id).querySelector('.js-plotly-plot');
            const plain = v => (v && typeof v === 'object' && v.length !== undefined && typeof v !== 'string')
                ? Array.from(v, plain) : v;
            return {
                title: gd.layout.title.text,
                traces: gd._fullData.map(t => ({name: t.name, x: plain(t.x), y: plain(t.y), z: plain(t.z),
                                                text: plain(t.text)})),
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
        timeout=15000,
    )


def trace(drawn: dict, name: str) -> dict:
    return next(t for t in drawn["traces"] if t["name"] == name)


def test_overview_redraws_for_the_chosen_year(demo_app, page):
    base, path = demo_app
    page.goto(base + "/")
    wait_for_title(page, "trend-graph", "Against the schedule")
    assert "Demo data" in page.inner_text("#demo-banner")
    page.select_option(filter_control("year"), "2014")
    wait_for_title(page, "pillar-ranking-graph", "end 2014")
    row = view(
        path, "SELECT * FROM metrics_pillar_country WHERE as_of_year = 2014 AND country = 'ALL' AND pillar = 'ALL'"
    )[0]
    page.wait_for_function(
        "text => document.querySelector('#card-covered .stat-value').innerText === text",
        arg=f"{row['measures_covered']} / {row['measures_total']}",
        timeout=15000,
    )
    coverage = trace(figure(page, "trend-graph"), "Coverage")
    assert coverage["x"] == [2013, 2014]
    assert coverage["y"][-1] == pytest.approx(row["coverage_rate"])
    assert row["progress_status"] in page.inner_text("#card-status")
    assert "year=2014" in page.url
    assert page.console_errors == []


def test_heatmap_toggles_to_completion(demo_app, page):
    base, path = demo_app
    page.goto(base + "/heatmap?year=2016")
    wait_for_title(page, "heatmap-graph", "Progress status against the schedule by pillar and country, end 2016")
    page.get_by_text("Completion", exact=True).click()
    wait_for_title(page, "heatmap-graph", "Completion by pillar and country, end 2016")
    rows = view(path, "SELECT * FROM metrics_pillar_country WHERE as_of_year = 2016 AND pillar = '2'")
    drawn = figure(page, "heatmap-graph")
    rates, withheld, together = drawn["traces"][1], drawn["traces"][0], drawn["traces"][2]
    # Columns in the countries' order, the 13 together last (their own trace).
    codes = [r["iso3"] for r in view(path, "SELECT iso3 FROM countries ORDER BY ordinal")] + ["ALL"]
    for row in rows:
        column = codes.index(row["country"])
        drawn_rate = together if row["country"] == "ALL" else rates
        if row["progress_status"] == "insufficient data":
            assert withheld["text"][1][column] == "insufficient<br>data"
            assert drawn_rate["z"][1][column] is None
        else:
            assert drawn_rate["z"][1][column] == pytest.approx(row["completion_rate"])
    assert page.console_errors == []


def test_measures_search_then_open_a_measure(demo_app, page):
    base, path = demo_app
    page.goto(base + "/measures")
    wait_for_title(page, "catalogue-treemap", "Progress of each measure")
    page.fill("#catalogue-search", "oil and gas")
    page.wait_for_function(
        """() => {
            const texts = [...document.querySelectorAll("#catalogue-table .ag-cell[col-id='text']")];
            return texts.length > 0 && texts.every(td => td.innerText.toLowerCase().includes('oil and gas'));
        }""",
        timeout=15000,
    )
    page.locator("#catalogue-table .ag-cell[col-id='measure_id'] a", has_text="2.7.10").click()
    page.wait_for_url("**/measure/2.7.10**")
    wait_for_title(page, "measure-countries-graph", "Activities under 2.7.10")
    year = view(
        path, "SELECT max(reporting_year) AS y FROM submissions WHERE status = 'accepted' AND plan_id = ?", [SEED]
    )[0]["y"]
    overall = view(
        path,
        "SELECT * FROM measure_progress WHERE plan_id = ? AND as_of_year = ? AND measure_id = '2.7.10' "
        "AND country = 'ALL'",
        [SEED, year],
    )[0]
    assert page.locator("#measure-summary .stat-value").first.inner_text() == str(overall["activities_total"])
    listed = view(path, "SELECT * FROM activity_listing(?, ?, NULL, '2.7.10', 1000)", [SEED, year])
    cells = page.locator("#measure-activities-table .ag-center-cols-container .ag-cell[col-id='activity_id']")
    cells.first.wait_for(timeout=15000)
    shown = cells.all_inner_texts()
    assert sorted(shown) == sorted(r["activity_id"] for r in listed)[: len(shown)] and len(shown) == min(
        15, len(listed)
    )
    assert page.console_errors == []


def test_country_profile_switches_country(demo_app, page):
    base, path = demo_app
    page.goto(base + "/country?country=KHM&year=2017")
    wait_for_title(page, "country-pillars-graph", "Cambodia: delivery against the schedule")
    page.select_option(filter_control("country"), "JPN")
    wait_for_title(page, "country-pillars-graph", "Japan: delivery against the schedule")
    rows = view(
        path, "SELECT * FROM metrics_pillar_country WHERE as_of_year = 2017 AND country = 'JPN' ORDER BY pillar"
    )
    coverage = trace(figure(page, "country-pillars-graph"), "Coverage")
    assert coverage["x"] == pytest.approx([r["coverage_rate"] for r in rows])
    received = view(path, "SELECT * FROM metrics_reporting WHERE as_of_year = 2017 AND country = 'JPN'")[0]
    assert f"{received['returns_received']} / {received['returns_expected']}" in page.inner_text("#country-reporting")
    assert "country=JPN" in page.url
    assert page.console_errors == []


def test_reporting_matrix_and_rejected_upload(demo_app, page):
    base, path = demo_app
    page.goto(base + "/reporting?year=2017")
    wait_for_title(page, "reporting-matrix-graph", "as of end 2017")
    rejected = view(
        path,
        "SELECT s.country, s.reporting_year, i.code, i.message FROM issues i JOIN submissions s USING (submission_id) "
        "WHERE s.status = 'rejected' AND i.severity = 'error'",
    )
    assert rejected, "the demo includes a rejected upload"
    page.wait_for_selector("#reporting-issues-table .ag-cell[col-id='message']", timeout=15000)
    # The page's user is a viewer: the errors are counted by kind, their cells and values are not shown.
    shown = page.inner_text("#reporting-issues-table")
    assert f"'{rejected[0]['code']}'" in shown and rejected[0]["message"] not in shown
    page.select_option(filter_control("year"), "2015")
    wait_for_title(page, "reporting-matrix-graph", "as of end 2015")
    matrix = figure(page, "reporting-matrix-graph")["traces"][0]
    assert matrix["x"] == ["2013", "2014", "2015"]
    states = view(path, "SELECT return_state FROM return_status WHERE reporting_year <= 2015 ORDER BY country_ordinal")
    assert sum(t.startswith("on time") for row in matrix["text"] for t in row) == sum(
        s["return_state"] == "on time" for s in states
    )
    received = view(path, "SELECT * FROM metrics_reporting WHERE as_of_year = 2015 AND country = 'ALL'")[0]
    assert f"{received['returns_received']} / {received['returns_expected']}" in page.inner_text(
        "#card-reporting-received"
    )
    assert page.console_errors == []


def test_a_shared_link_restores_its_filters_and_survives_a_reload(demo_app, page):
    base, _ = demo_app
    page.goto(base + "/heatmap?year=2014&metric=completion&rows=sections&pillar=2")
    wait_for_title(page, "heatmap-graph", "Completion by section and country, end 2014")
    assert page.input_value(filter_control("year")) == "2014"
    assert page.input_value(filter_control("pillar")) == "2"
    assert figure(page, "heatmap-graph")["traces"][1]["y"][0].startswith("2.1 ")
    page.select_option(filter_control("year"), "2016")
    wait_for_title(page, "heatmap-graph", "Completion by section and country, end 2016")
    page.wait_for_function("() => window.location.search.includes('year=2016')", timeout=5000)
    page.reload()
    wait_for_title(page, "heatmap-graph", "Completion by section and country, end 2016")
    assert page.input_value(filter_control("pillar")) == "2"
    assert page.console_errors == []


def test_pages_fit_a_tablet_width(demo_app, page):
    base, _ = demo_app
    page.set_viewport_size({"width": 768, "height": 1024})
    for path, graph in (("/", "trend-graph"), ("/heatmap", "heatmap-graph"), ("/reporting", "reporting-matrix-graph")):
        page.goto(base + path)
        wait_for_title(page, graph, " ")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 768, path
    assert page.hosts == {base.split("/")[2]}  # every script, style and font from the app itself
    assert page.console_errors == []


def grid_count(page, listing: str, text: str) -> None:
    page.wait_for_function(
        "([listing, text]) => (document.querySelector(`#${listing} .grid-count`) || {}).innerText === text",
        arg=[listing, text],
        timeout=30000,
    )


def test_a_grid_filters_counts_and_downloads_what_it_shows(demo_app, page):
    base, path = demo_app
    page.goto(base + "/measures?year=2016")
    grid_count(page, "catalogue-table", "183 rows")
    expected = view(
        path,
        "SELECT p.measure_id, p.activities_total FROM measure_progress p JOIN catalogue c ON c.id = p.measure_id "
        "WHERE p.as_of_year = 2016 AND p.country = 'ALL' AND lower(c.text) LIKE '%energy%'",
    )
    assert 0 < len(expected) < 183
    page.locator("#catalogue-table .ag-floating-filter[col-id='text'] input").fill("Energy")
    grid_count(page, "catalogue-table", f"{len(expected)} of 183 rows (filtered)")
    page.locator(
        "#catalogue-table [role=columnheader][col-id='activities_total'] .ag-header-cell-label"
    ).click()  # sort ascending
    with page.expect_download() as download:
        page.locator("#catalogue-table .grid-csv").click()
    assert download.value.suggested_filename == "measures.csv"
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], [line.split(",")[0].strip('"') for line in lines[1:]]
    assert header.startswith('"Id","Pillar","Section","Text","Progress","Activities"')
    assert sorted(rows) == sorted(r["measure_id"] for r in expected)  # every filtered row, not just one page
    totals = {r["measure_id"]: r["activities_total"] for r in expected}
    assert [totals[m] for m in rows] == sorted(totals.values())  # in the order shown
    assert page.console_errors == []


def test_grids_use_the_page_font_and_their_filter_boxes_never_overlap(demo_app, page):
    base, _ = demo_app
    for path, listing in [("/country?country=KHM", "country-activities-table"), ("/measures", "catalogue-table")]:
        page.goto(base + path)
        page.locator(f"#{listing} .ag-center-cols-container .ag-cell").first.wait_for(timeout=30000)
        fonts = page.evaluate(
            """(listing) => [document.body, document.querySelector(`#${listing} .ag-cell`),
                              document.querySelector(`#${listing} .ag-header-cell-text`)]
                             .map(e => getComputedStyle(e).fontFamily)""",
            listing,
        )
        assert fonts[1] == fonts[2] == fonts[0], path
        boxes = page.evaluate(
            """(listing) => [...document.querySelectorAll(`#${listing} .ag-floating-filter input`)]
                             .map(e => e.getBoundingClientRect()).map(r => [r.left, r.right, r.width])""",
            listing,
        )
        assert len(boxes) >= 9
        assert all(width >= 40 for _, _, width in boxes), path
        assert all(right <= after[0] for (_, right, _), after in zip(boxes, boxes[1:], strict=False)), path
    assert page.console_errors == []


def test_selecting_a_rejected_upload_lists_its_problems(demo_app, browser):
    base, path = demo_app
    rejected = view(
        path,
        "SELECT s.submission_id, s.file_name, i.message FROM submissions s JOIN issues i USING (submission_id) "
        "WHERE s.status = 'rejected' AND i.severity = 'error'",
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        admin = context.new_page()
        username, password, _ = TEST_USERS["admin"]
        sign_in(admin, base, username, password)
        admin.goto(base + "/submissions")
        total = view(path, "SELECT count(*) AS n FROM submissions")[0]["n"]
        grid_count(admin, "submissions-table", f"{total} rows")
        # An admin's navigation (every page) fits the 1366 px screen: nothing runs off to the right. (Asked once
        # the page has drawn: right after the load event Dash has not yet rendered the navigation bar.)
        assert admin.evaluate("() => document.documentElement.scrollWidth") <= 1366
        sign_out = admin.locator("#sign-out-form button").bounding_box()
        assert sign_out["x"] + sign_out["width"] <= 1366
        admin.locator("#submissions-table .ag-floating-filter[col-id='status'] input").fill("rejected")
        grid_count(admin, "submissions-table", f"1 of {total} rows (filtered)")
        admin.locator("#submissions-table .ag-center-cols-container .ag-cell[col-id='file_name']").first.click()
        admin.wait_for_selector("#submission-issues .ag-cell[col-id='message']", timeout=15000)
        assert f"Upload {rejected[0]['submission_id']}: {rejected[0]['file_name']}" in admin.inner_text(
            "#submission-detail"
        )
        assert len({r["submission_id"] for r in rejected}) == 1, "the demo rejects one upload"
        shown = admin.inner_text("#submission-issues")
        assert all(r["message"] in shown for r in rejected)
        assert "error" in admin.locator("#submission-issues .flag-error").first.inner_text()
    finally:
        context.close()


CHART_PAGES = {
    "/": ["trend-graph", "pillar-ranking-graph", "pillar-trends-graph"],
    "/heatmap": ["heatmap-graph"],
    "/heatmap?rows=sections": ["heatmap-graph"],
    "/measures": ["catalogue-treemap"],
    "/measure/2.7.10": ["measure-countries-graph"],
    "/country?country=BRN": ["country-pillars-graph"],
    "/reporting": ["reporting-matrix-graph"],
    "/review": [],
    "/funding": ["funding-graph"],
}
# The data grids each page shows a viewer (the admin pages' grids: test_admin_grid_headers_are_never_cut).
GRID_PAGES = {
    "/measures": ["catalogue-table"],
    "/measure/2.7.10": ["measure-activities-table"],
    "/country?country=BRN": ["country-returns-table", "country-versions-table", "country-activities-table"],
    "/reporting": ["reporting-issues-table"],
    "/review": ["review-returns-table", "review-activities-table", "review-measures-table"],
    "/funding": ["funding-table"],
}


def cut_grid_headers(page, grids: list[str]) -> list[str]:
    """The header texts of these grids that do not fit their cell (AG Grid would end them with an ellipsis)."""
    for grid in grids:
        page.locator(f"#{grid} .ag-header-cell-text").first.wait_for(timeout=30000)
    return page.evaluate(
        """ids => ids.flatMap(id => Array.from(document.querySelectorAll(`#${id} .ag-header-cell-text`))
            .filter(e => e.scrollWidth > e.clientWidth).map(e => `${id}: ${e.innerText}`))""",
        grids,
    )


def grid_headers_while_sorted(page, grids: list[str]) -> list[str]:
    """Sort by each column in turn (its arrow takes room beside the text) and list the headers cut meanwhile."""
    cut = []
    for grid in grids:
        labels = page.locator(f"#{grid} [role=columnheader] .ag-header-cell-label")
        for index in range(labels.count()):
            labels.nth(index).click()
            page.locator(f"#{grid} .ag-header-cell-sorted-asc").first.wait_for(timeout=5000)
            cut += cut_grid_headers(page, [grid])
    return cut


def test_no_chart_label_or_grid_header_on_any_page_is_cut_at_1366_px(demo_app, page):
    base, _ = demo_app
    assert page.viewport_size["width"] == 1366
    for path, graphs in CHART_PAGES.items():
        page.goto(base + path)
        for graph in graphs:
            wait_for_title(page, graph, " ")
        # Every piece of text plotly drew: titles, ticks, annotations, legend entries, tile and cell labels.
        drawn = page.evaluate(
            """ids => ids.flatMap(id => Array.from(
                document.getElementById(id).querySelectorAll('.js-plotly-plot svg text'), t => t.textContent))""",
            graphs,
        )
        assert len(drawn) > 5 or not graphs, path
        cut = [text for text in drawn if text.rstrip().endswith(("…", "..."))]
        assert cut == [], (path, cut)
        # Every grid header wraps between words and is never cut, sorted or not.
        grids = GRID_PAGES.get(path, [])
        assert cut_grid_headers(page, grids) == [], path
        assert page.locator(".data-grid").count() == len(grids), path  # no page's grid goes unchecked
        if path == "/measures":  # the grid with the most columns a viewer sees
            assert grid_headers_while_sorted(page, grids) == [], path
    assert page.console_errors == []


def test_admin_grid_headers_are_never_cut(demo_app, browser):
    base, _ = demo_app
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        admin = context.new_page()
        username, password, _ = TEST_USERS["admin"]
        sign_in(admin, base, username, password)
        for path, grids in {"/submissions": ["submissions-table"], "/schedule": ["schedule"]}.items():
            admin.goto(base + path)
            assert cut_grid_headers(admin, grids) == [], path
            assert grid_headers_while_sorted(admin, grids) == [], path
    finally:
        context.close()


def test_overview_where_it_lags_panel_shows_the_views_numbers(demo_app, page):
    base, path = demo_app
    page.goto(base + "/?year=2017")
    page.wait_for_selector("#where-it-lags .lag-section", timeout=15000)
    overdue = view(
        path,
        "SELECT mp.measure_id FROM measure_progress mp JOIN measures m USING (plan_id, measure_id) "
        "WHERE mp.as_of_year = 2017 AND mp.country = 'ALL' AND mp.overdue ORDER BY m.ordinal",
    )
    assert page.inner_text("#lags-overdue-count") == f"{len(overdue)} overdue measures"
    links = page.locator("#where-it-lags a.lag-measure")
    assert links.all_inner_texts() == [r["measure_id"] for r in overdue][:8]
    behind = view(
        path,
        "SELECT section_id, pace_index FROM metrics_section_country WHERE as_of_year = 2017 AND country = 'ALL' "
        "AND pace_index < 1 AND progress_status NOT IN ('insufficient data', 'no commitments', 'not yet due') "
        "ORDER BY pace_index, expected_rate - delivery_rate DESC",
    )
    shown = page.locator("#where-it-lags a.lag-section").all_inner_texts()
    assert [s.split(" ", 1)[0] for s in shown] == [r["section_id"] for r in behind][:5]
    assert f"pace {pace_figure(behind[0]['pace_index'])}" in page.inner_text("#where-it-lags")
    idle = view(
        path,
        "SELECT count(*) AS n FROM measure_progress WHERE as_of_year = 2017 AND country = 'ALL' AND NOT engaged",
    )[0]["n"]
    assert page.inner_text("#lags-not-taken-up") == str(idle)
    # Each is a link: the first section opens the measures page on that section alone.
    page.locator("#where-it-lags a.lag-section").first.click()
    page.wait_for_url(f"**/measures?pillar=*&section={behind[0]['section_id']}&year=2017")
    wait_for_title(page, "catalogue-treemap", "Progress of each measure")
    assert page.input_value(filter_control("section")) == behind[0]["section_id"]
    # A pillar narrows the panel to its sections.
    page.goto(base + "/?year=2017&pillar=2")
    page.wait_for_selector("#where-it-lags .lag-section", timeout=15000)
    assert all(s.startswith("2.") for s in page.locator("#where-it-lags a.lag-section").all_inner_texts())
    assert page.console_errors == []


def test_review_page_counts_the_changes_between_the_two_recorded_meetings(demo_app, page):
    base, path = demo_app
    from etl.demo.returns import REVIEW_MEETINGS

    (before, _), (now, _) = REVIEW_MEETINGS
    page.goto(base + "/review")
    page.wait_for_selector("#card-review-returns .stat-value", timeout=15000)
    # The dates start at the last two meetings the demo recorded.
    assert page.input_value(filter_control("from")) == before.isoformat()
    assert page.input_value(filter_control("to")) == now.isoformat()
    returns = view(path, "SELECT * FROM review_returns(?, ?, ?)", [SEED, before, now])
    changes = view(path, "SELECT change FROM review_activities(?, ?, ?)", [SEED, before, now])
    measures = view(path, "SELECT change FROM review_measures(?, ?, ?)", [SEED, before, now])
    expected = {
        "#card-review-returns": len(returns),
        "#card-review-added": sum(c["change"] == "added" for c in changes),
        "#card-review-completed": sum(c["change"] == "completed" for c in changes),
        "#card-review-back": sum(c["change"] == "went back" for c in changes),
        "#card-review-delivered": sum(m["change"] == "newly delivered" for m in measures),
        "#card-review-overdue": sum(m["change"] == "newly overdue" for m in measures),
    }
    assert expected["#card-review-returns"] > 0 and expected["#card-review-added"] > 0
    for card, count in expected.items():
        assert page.inner_text(f"{card} .stat-value") == str(count), card
    # Other dates: the earlier meeting against the last upload; the numbers follow.
    page.fill(filter_control("from"), "2015-06-15")
    page.wait_for_function("() => window.location.search.includes('from=2015-06-15')", timeout=15000)
    earlier = view(path, "SELECT * FROM review_returns(?, DATE '2015-06-15', ?)", [SEED, now])
    page.wait_for_function(
        "n => document.querySelector('#card-review-returns .stat-value').innerText === n",
        arg=str(len(earlier)),
        timeout=15000,
    )


def test_an_admin_records_a_review_meeting_and_sees_it_in_the_list(demo_app, page, browser):
    base, path = demo_app
    from etl.demo.returns import REVIEW_MEETINGS

    (before, _), (last, _) = REVIEW_MEETINGS
    page.goto(base + "/review")
    page.wait_for_selector("#card-review-returns .stat-value", timeout=15000)
    assert page.locator("#review-meeting-form").count() == 0  # a viewer gets no form
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        admin = context.new_page()
        admin.console_errors = []
        admin.on("pageerror", lambda exc: admin.console_errors.append(str(exc)))
        username, password, _ = TEST_USERS["admin"]
        sign_in(admin, base, username, password)
        admin.goto(base + "/review")
        admin.wait_for_selector("#review-meeting-form", timeout=15000)
        alert = admin.locator("#review-meeting-result .alert")
        # A date already recorded is refused in the command line's words.
        admin.fill("#review-meeting-date", last.isoformat())
        admin.click("#review-meeting-record")
        alert.filter(has_text=f"A meeting on {last:%Y-%m-%d} is already recorded.").wait_for(timeout=15000)
        # The refusal is tied to the date field: invalid, and described by the message (WCAG 3.3.1).
        date_field = admin.locator("#review-meeting-date")
        admin.wait_for_function("() => document.querySelector('#review-meeting-date').ariaInvalid === 'true'")
        assert date_field.get_attribute("aria-describedby") == "review-meeting-result"
        admin.fill("#review-meeting-date", "2018-03-01")
        admin.fill("#review-meeting-title", "CPR Plus Three, March 2018")
        admin.click("#review-meeting-record")
        alert.filter(has_text="Recorded CPR Plus Three, March 2018 on 2018-03-01.").wait_for(timeout=15000)
        assert "alert-success" in alert.get_attribute("class")
        admin.wait_for_function("() => document.querySelector('#review-meeting-date').ariaInvalid === null")
        assert date_field.get_attribute("aria-describedby") is None
        assert "CPR Plus Three, March 2018 (01 Mar 2018)" in admin.inner_text("#review-meetings")
        assert view(path, "SELECT title, recorded_by FROM review_meetings WHERE meeting_on = DATE '2018-03-01'") == [
            {"title": "CPR Plus Three, March 2018", "recorded_by": "admin"}
        ]
        # The dates move to the last two meetings, and the counts follow them.
        assert admin.input_value(filter_control("from")) == last.isoformat()
        assert admin.input_value(filter_control("to")) == "2018-03-01"
        received = view(path, "SELECT * FROM review_returns(?, ?, DATE '2018-03-01')", [SEED, last])
        admin.wait_for_function(
            "n => document.querySelector('#card-review-returns .stat-value').innerText === n",
            arg=str(len(received)),
            timeout=15000,
        )
        # Removed again (the module's other tests read the demo's two meetings).
        admin.select_option("#review-meeting-choice", "2018-03-01")
        # Remove asks first: dismissed, nothing changes; accepted, the meeting goes.
        asked = []
        admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        with admin.expect_event("dialog", timeout=15000):  # it comes with the callback's answer
            admin.click("#review-meeting-remove")
        assert asked and "Remove the review meeting" in asked[0] and "March 2018" in asked[0]
        assert "March 2018" in admin.inner_text("#review-meetings")
        admin.once("dialog", lambda dialog: dialog.accept())
        admin.click("#review-meeting-remove")
        alert.filter(has_text="Removed the meeting of 2018-03-01.").wait_for(timeout=15000)
        assert "March 2018" not in admin.inner_text("#review-meetings")
        assert admin.input_value(filter_control("from")) == before.isoformat()
        assert admin.input_value(filter_control("to")) == last.isoformat()
        assert admin.console_errors == []
    finally:
        context.close()
        with warehouse.write_connection(path) as con:
            con.execute("DELETE FROM review_meetings WHERE meeting_on = DATE '2018-03-01'")


def test_funding_page_shows_the_funding_views_numbers(demo_app, page):
    base, path = demo_app
    page.goto(base + "/funding?year=2016")
    wait_for_title(page, "funding-graph", "all 13 countries, end 2016")
    rows = view(path, "SELECT * FROM funding WHERE as_of_year = 2016")
    whole = next(r for r in rows if r["country"] == "ALL" and r["pillar"] == "ALL")
    assert whole["budget_total_usd"] > whole["budget_apt_fund_usd"] > 0 and whole["activities_without_budget"] > 0
    assert f"USD {whole['budget_total_usd'] / 1e6:,.1f} million" in page.inner_text("#card-budget")
    fund = page.inner_text("#card-fund")
    assert f"{whole['apt_fund_share'] * 100:.1f}% of the reported budget" in fund
    assert f"{whole['activities_apt_fund']} activities" in fund
    no_budget = f"{whole['activities_without_budget']} / {whole['activities_total']}"
    assert no_budget in page.inner_text("#card-no-budget")
    drawn = figure(page, "funding-graph")
    by_pillar = [r for r in rows if r["country"] == "ALL"]  # the view's order: pillars 1 ... 6, then ALL
    assert trace(drawn, "APT Cooperation Fund")["x"] == pytest.approx([r["budget_apt_fund_usd"] for r in by_pillar])
    assert trace(drawn, "National budgets")["x"] == pytest.approx([r["budget_national_usd"] for r in by_pillar])
    labels = trace(drawn, "Other")["y"]
    assert labels[0] == "I Political & Security" and labels[-1] == "All pillars"  # names, not numbers
    grid_count(page, "funding-table", "14 rows")
    all_row = page.locator("#funding-table .ag-row", has_text="All 13 countries")
    assert all_row.locator("[col-id='budget_total_usd']").inner_text() == f"{whole['budget_total_usd']:,.0f}"
    assert all_row.locator("[col-id='activities_without_budget']").inner_text() == str(
        whole["activities_without_budget"]
    )
    # One country and one pillar: the cards follow the view's row for that scope.
    page.select_option(filter_control("country"), "KHM")
    page.select_option(filter_control("pillar"), "2")
    wait_for_title(page, "funding-graph", "Cambodia, end 2016")
    khm = next(r for r in rows if r["country"] == "KHM" and r["pillar"] == "2")
    page.wait_for_function(
        "text => document.querySelector('#card-no-budget').innerText.includes(text)",
        arg=f"{khm['activities_without_budget']} / {khm['activities_total']}",
        timeout=15000,
    )
    assert "pillar II" in page.inner_text("#card-budget")
    assert page.console_errors == []


def test_the_overview_draws_without_the_router_its_callbacks_or_the_grid_chunk_and_navigation_still_routes(
    demo_app, browser
):
    base, _ = demo_app
    context = browser.new_context(viewport={"width": 1366, "height": 768})  # a cold cache: every file is fetched
    try:
        tab = context.new_page()
        username, password, _ = TEST_USERS["viewer"]
        sign_in(tab, base, username, password)
        fetched, routed, errors = [], [], []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.on("pageerror", lambda exc: errors.append(str(exc)))

        asked: list[str] = []  # the outputs of every callback the server is asked for

        def note_route(request):
            if "/_dash-update-component" in request.url:
                asked.append(request.post_data or "")
                if "_pages_content" in (request.post_data or ""):
                    routed.append(request.url)

        tab.on("request", note_route)
        tab.goto(base + "/?year=2016")
        wait_for_title(tab, "trend-graph", "Against the schedule")
        tab.wait_for_load_state("networkidle")
        # The first layout held the page: the router was never asked, and no grid chunk was fetched.
        assert routed == []
        assert not [url for url in fetched if "async-community" in url]
        # The page's HTML asked for that layout while the bundles loaded, and the renderer took the preloaded one.
        layouts = tab.evaluate(
            "() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('/_dash-layout'))"
            ".map(e => e.initiatorType)"
        )
        assert layouts == ["link"] and len([url for url in fetched if url.endswith("/_dash-layout")]) == 1
        # Its cards, charts and lag panel came drawn with that layout: none of them was asked for again.
        assert not [body for body in asked if "trend-graph" in body or "where-it-lags" in body]
        wait_for_title(tab, "pillar-ranking-graph", "end 2016")  # the query's year, read by the page's layout
        # A link to a grid page goes through the router, which draws the grid once its chunk has arrived.
        tab.locator("#navbar a.nav-link", has_text="Measures").click()
        grid_count(tab, "catalogue-table", "183 rows")
        assert len(routed) == 1
        assert [url for url in fetched if "async-community" in url]
        tab.locator("#navbar a.nav-link", has_text="Overview").click()
        wait_for_title(tab, "trend-graph", "Against the schedule")
        assert len(routed) == 2 and errors == []
    finally:
        context.close()


def test_every_link_opens_its_page_as_of_the_year_shown(demo_app, page):
    # A measure or section opened from the 2015 overview, the treemap or the grid opened as of the latest year (2017):
    # only ?plan= was carried, and the next page's filters then wrote their default year into the address.
    base, _ = demo_app
    page.goto(base + "/?year=2015")
    page.wait_for_selector("#where-it-lags .lag-measure", timeout=15000)
    measure = page.locator("#where-it-lags a.lag-measure").first.inner_text()
    page.locator("#where-it-lags a.lag-measure").first.click()
    page.wait_for_url(f"**/measure/{measure}?year=2015")
    assert page.input_value(filter_control("year")) == "2015"

    page.goto(base + "/?year=2015")
    page.wait_for_selector("#where-it-lags .lag-section", timeout=15000)
    page.locator("#where-it-lags a.lag-section").first.click()
    page.wait_for_url("**/measures?pillar=*&section=*&year=2015")
    wait_for_title(page, "catalogue-treemap", "end 2015")

    # The navigation's links carry it too, and a link naming its own year (a country's) keeps that.
    page.get_by_role("link", name="Pillars x countries", exact=True).click()
    page.wait_for_url("**/heatmap?year=2015")
    assert page.input_value(filter_control("year")) == "2015"

    # A measure's tile in the treemap, drilled into a section.
    page.goto(base + "/measures?year=2015&section=2.5")
    wait_for_title(page, "catalogue-treemap", "end 2015")
    page.wait_for_function("() => document.querySelectorAll('#catalogue-treemap g.slice').length > 1", timeout=15000)
    page.locator("#catalogue-treemap g.slice").last.click()
    page.wait_for_url(re.compile(rf"/measure/2\.5\.\d+\?plan={SEED}&year=2015$"))
    assert page.input_value(filter_control("year")) == "2015"

    # A measure's link in the grid.
    page.goto(base + "/measures?year=2016")
    page.locator("#catalogue-table .ag-cell[col-id='measure_id'] a").first.wait_for(timeout=15000)
    first = page.locator("#catalogue-table .ag-cell[col-id='measure_id'] a").first
    measure = first.inner_text()
    first.click()
    page.wait_for_url(f"**/measure/{measure}?year=2016")
    wait_for_title(page, "measure-countries-graph", f"Activities under {measure}")
    assert page.console_errors == []


def test_a_grids_csv_downloads_its_rows_while_the_address_names_a_plan_and_year(demo_app, page):
    # The links script took the grid's blob: link for one of the site's (same origin) and rewrote it to an http
    # address with ?plan= added: the "CSV" downloaded was the dashboard's HTML page.
    base, _ = demo_app
    page.goto(base + f"/measures?plan={SEED}&year=2016")
    grid_count(page, "catalogue-table", "183 rows")
    with page.expect_download() as download:
        page.locator("#catalogue-table .grid-csv").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith('"Id","Pillar","Section","Text","Progress","Activities"')
    assert len(lines) == 1 + 183
    assert page.console_errors == []


# Every text plotly drew in a chart with its box, the chart's box, and whether its narrow layout is on
# (45-narrow-charts.js): a text that sticks out of the chart is cut, two that overlap cannot be read.
DRAWN_TEXT = """id => {
    const gd = document.getElementById(id).querySelector('.js-plotly-plot');
    const box = e => { const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top,
                                                                    bottom: b.bottom}; };
    const texts = Array.from(gd.querySelectorAll('svg text')).filter(t => t.textContent.trim() &&
        getComputedStyle(t).display !== 'none' && t.getBoundingClientRect().width > 0);
    return {frame: box(gd), narrow: gd.__narrowOn === true,
            texts: texts.map(t => ({text: t.textContent, ...box(t)}))};
}"""
PHONE = {"width": 390, "height": 844}
PHONE_CHARTS = {
    "/": ["trend-graph", "pillar-ranking-graph", "pillar-trends-graph"],
    "/measure/1.1.1": ["measure-countries-graph"],
    "/country?country=BRN": ["country-pillars-graph"],
}


def cut_or_overlapping(drawn: dict) -> list[str]:
    """The texts that leave the chart's box and the pairs of texts whose boxes overlap (by more than a pixel)."""
    frame, texts = drawn["frame"], drawn["texts"]
    found = [
        f"cut: {t['text']}"
        for t in texts
        if t["left"] < frame["left"] - 1 or t["right"] > frame["right"] + 1 or t["top"] < frame["top"] - 1
    ]
    for i, one in enumerate(texts):
        for other in texts[i + 1 :]:
            across = min(one["right"], other["right"]) - max(one["left"], other["left"])
            down = min(one["bottom"], other["bottom"]) - max(one["top"], other["top"])
            if across > 1 and down > 1:
                found.append(f"overlap: {one['text']} / {other['text']}")
    return found


@pytest.mark.parametrize(("viewport", "narrow"), [(PHONE, True), ({"width": 1366, "height": 768}, False)])
def test_overview_and_measure_charts_keep_every_label_whole_and_apart(demo_app, page, viewport, narrow):
    """At 390 px (WCAG 1.4.10 reflow) the charts take their narrow layout: titles wrap, the small multiples stand in
    one column, the years go by two digits; at 1366 px they keep their own. Either way no title, tick, note or
    legend entry is cut at the chart's edge or drawn over another (the phone cut the ranking's title to "end 2017,
    th", its notes to "limited pro", ran the panels' titles together and their years into "'1'1'1")."""
    base, _ = demo_app
    page.set_viewport_size(viewport)
    for path, graphs in PHONE_CHARTS.items():
        page.goto(base + path)
        for graph in graphs:
            wait_for_title(page, graph, " ")
            page.wait_for_function(
                "([id, narrow]) => (document.getElementById(id).querySelector('.js-plotly-plot').__narrowOn === true)"
                " === narrow",
                arg=[graph, narrow],
                timeout=15000,
            )
            page.wait_for_timeout(300)  # the relayout's drawing
            drawn = page.evaluate(DRAWN_TEXT, graph)
            assert drawn["narrow"] is narrow, graph
            assert len(drawn["texts"]) > 5, graph
            assert cut_or_overlapping(drawn) == [], (graph, viewport["width"])
    assert page.console_errors == []


def test_the_country_ranking_fits_a_phone_without_scrolling(demo_app, page):
    """On a phone the ranked countries' table fits its card: the status words wrap inside their badges, so the
    Delivered column is not scrolled out of view (it showed as "D")."""
    base, _ = demo_app
    page.set_viewport_size(PHONE)
    page.goto(base + "/")
    page.locator(".country-ranking-table .ranked-delivered").first.wait_for(timeout=15000)
    widths = page.evaluate(
        """() => { const box = document.querySelector('.country-ranking .table-responsive');
                   return [box.scrollWidth, box.clientWidth]; }"""
    )
    assert widths[0] <= widths[1]
    header = page.locator(".country-ranking-table thead th", has_text="Delivered").bounding_box()
    assert header["x"] + header["width"] <= PHONE["width"]


def test_the_heatmap_keeps_its_row_labels_in_view_and_its_cell_words_whole_when_it_scrolls(demo_app, browser):
    """At 200% zoom (683 px at device scale 2) the 14 columns scroll sideways in their box: the row labels stay at
    its left edge, over a band that hides the cells passing under them, and every cell's words fit inside the cell
    (at the old width "no commitments" was cut to "ommitments")."""
    base, _ = demo_app
    # 200% zoom's width, and tall enough for the whole chart to be in the window, where a point can be hit-tested.
    context = browser.new_context(viewport={"width": 683, "height": 1400}, device_scale_factor=2)
    try:
        page = context.new_page()
        username, password, _ = TEST_USERS["viewer"]
        sign_in(page, base, username, password)
        page.goto(base + "/heatmap")
        wait_for_title(page, "heatmap-graph", " ")
        scrolled = page.evaluate(
            """() => { const box = document.querySelector('.wide-chart');
                       box.scrollLeft = box.scrollWidth; return [box.scrollLeft, box.clientWidth]; }"""
        )
        assert scrolled[0] > 300  # it does scroll: the labels would have gone with it
        page.wait_for_timeout(200)
        placed = page.evaluate(
            """() => {
                const box = document.querySelector('.wide-chart').getBoundingClientRect();
                const gd = document.querySelector('#heatmap-graph .js-plotly-plot');
                // The white band drawn with the labels, over the cells (the labels take no pointer events, so
                // a hit test cannot tell what is on top): each label must lie on it.
                const band = gd.querySelector('.yaxislayer-above rect.sticky-row-band');
                const under = band ? band.getBoundingClientRect() : {left: 0, right: 0, top: 0, bottom: 0};
                const labels = Array.from(gd.querySelectorAll('.ytick text'), t => {
                    const b = t.getBoundingClientRect();
                    return {text: t.textContent, left: b.left, right: b.right, onBand: under.left <= b.left + 1 &&
                            b.right <= under.right + 1 && under.top <= b.top && b.bottom <= under.bottom};
                });
                const cell = (gd._fullLayout._size.w / 14) - 2;
                const words = Array.from(gd.querySelectorAll('.heatmap-label'), t => ({
                    text: t.textContent, width: t.getBoundingClientRect().width}));
                return {box: {left: box.left, right: box.right}, labels, cell, words};
            }"""
        )
        assert len(placed["labels"]) == 7  # six pillars and all pillars
        for label in placed["labels"]:
            assert placed["box"]["left"] - 1 <= label["left"] and label["right"] <= placed["box"]["right"], label
            assert label["onBand"], label  # on white, not over the cells scrolling under it
        assert any("commitments" in w["text"] for w in placed["words"])
        assert [w for w in placed["words"] if w["width"] > placed["cell"]] == []
    finally:
        context.close()


def test_every_section_tile_of_the_treemap_shows_its_words_at_1366_px(demo_app, page):
    """Each section's tile carries its name and status: where a label did not fit at the template's 9 px floor,
    uniformtext hid it whole, and pillar III's second section (3.2, "acceleration needed" on one line in a narrow
    column) showed as a blank coloured block."""
    base, _ = demo_app
    assert page.viewport_size["width"] == 1366
    page.goto(base + "/measures")
    wait_for_title(page, "catalogue-treemap", " ")
    tiles = page.evaluate(
        """() => Array.from(document.querySelectorAll('#catalogue-treemap g.slice text.slicetext'), t => ({
            text: t.textContent, shown: getComputedStyle(t).display !== 'none' &&
                                        !/scale\\(0\\)/.test(t.getAttribute('transform') || '')}))"""
    )
    sections = [t for t in tiles if re.match(r"^\d\.\d+(?![.\d])", t["text"])]
    assert len(sections) >= 30
    assert [t["text"] for t in sections if not t["shown"]] == []
