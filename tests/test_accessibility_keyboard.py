"""Each role's main job done with the keyboard alone in Chromium, and the shell a keyboard and a screen reader need:
skip link, focus on the new page's heading, visible focus rings, a folding navigation, titles and chart tables."""

from __future__ import annotations

import re

import pytest
from support.accessibility import WIDTHS, served_copy, settle, signed_in_tabs
from support.return_files import write_xlsx
from support.schedule_files import write_schedule
from support.signing_in import TEST_USERS

pytestmark = pytest.mark.browser

ACTIVE = """() => { const e = document.activeElement;
    return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || '').trim(),
            label: e.getAttribute('aria-label') || '', type: e.type || ''}; }"""
# What sticks out past a 320 px screen, outside the charts and grids that may scroll inside themselves.
TOO_WIDE = """() => Array.from(document.querySelectorAll('body *')).filter(e => {
    const box = e.getBoundingClientRect();
    return box.right > 320 && box.width > 0 && !e.closest('.js-plotly-plot, .ag-root-wrapper, .wide-chart');
}).slice(0, 5).map(e => e.tagName + '.' + String(e.className).slice(0, 50))"""
FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
    return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor}; }"""


@pytest.fixture(scope="module")
def returns_dir(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("returns")
        mp.setenv("APTMON_RETURNS_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def demo_app(demo_warehouse, returns_dir, tmp_path_factory):
    with served_copy(demo_warehouse, tmp_path_factory.mktemp("keyboard")) as url:
        yield url


@pytest.fixture(scope="module")
def tabs(browser, demo_app):
    with signed_in_tabs(browser, demo_app) as tab:
        yield tab


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def tab_until(page, matches, limit: int = 80, key: str = "Tab") -> dict:
    """Press Tab until the focused element satisfies `matches`; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = active(page)
        if matches(focused):
            return focused
    raise AssertionError(f"never reached by {key} in {limit} presses; last focused {focused}")


def open_page(page, base: str, path: str) -> None:
    page.goto(f"{base}{path}")
    settle(page)


def test_sign_in_with_the_keyboard_alone(demo_app, browser):
    context = browser.new_context(viewport=WIDTHS["1366px"])
    page = context.new_page()
    try:
        page.goto(f"{demo_app}/login")
        assert active(page)["id"] == "username"  # the form takes the focus as it opens
        username, password, _ = TEST_USERS["viewer"]
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        with page.expect_navigation(url=re.compile(r"^(?!.*/login)"), wait_until="load"):
            page.keyboard.press("Enter")
        settle(page)
        assert page.title() == "Overview - APT Work Plan Monitor"
    finally:
        context.close()


def test_the_skip_link_comes_first_and_jumps_past_the_navigation(demo_app, tabs):
    page = tabs("admin")
    open_page(page, demo_app, "/heatmap")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("main").count() == 1 and page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == "Pillars x countries"
    page.keyboard.press("Tab")
    skip = active(page)
    assert skip["text"] == "Skip to main content"
    assert page.locator("#skip-link").is_visible()  # off screen until it has the focus
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main-content"
    page.keyboard.press("Tab")
    # Next comes the page's first control, not one of the admin's dozen navigation links.
    assert page.evaluate("document.activeElement.closest('#navbar') === null")
    assert page.evaluate("document.getElementById('main-content').contains(document.activeElement)")


def test_following_a_link_moves_the_focus_to_the_new_pages_heading_and_names_the_tab(demo_app, tabs, tmp_path):
    page = tabs("viewer")
    open_page(page, demo_app, "/")
    link = tab_until(page, lambda f: f["tag"] == "a" and f["text"] == "Measures")
    ring = page.evaluate(FOCUS_RING)
    assert ring["style"] == "solid" and ring["width"] >= 3, ring  # a visible ring on the navigation's links
    page.screenshot(path=str(tmp_path / "focus-on-navigation-link.png"))
    assert link["text"] == "Measures"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'", timeout=15000)
    assert active(page)["text"] == "Work Plan measures"
    page.wait_for_function("() => document.title === 'Measures - APT Work Plan Monitor'", timeout=15000)
    open_page(page, demo_app, "/measure/2.1.6")
    assert page.title() == "Measure 2.1.6 - APT Work Plan Monitor"
    assert page.locator("h1").inner_text() == "Measure 2.1.6"


def test_a_viewer_changes_filters_and_reads_a_charts_numbers_with_the_keyboard(demo_app, tabs):
    page = tabs("viewer")
    open_page(page, demo_app, "/")
    year = tab_until(page, lambda f: f["tag"] == "select" and '"year"' in f["id"])
    assert page.evaluate("document.querySelector(`label[for='${document.activeElement.id}']`).innerText") == "As of"
    before = page.locator("#trend-graph-summary").inner_text()
    page.keyboard.press("ArrowUp")  # a native select changes its value with the arrows, closed
    settle(page)
    chosen = page.evaluate("document.activeElement.value")
    assert chosen != "" and f"year={chosen}" in page.url and year["id"]
    page.wait_for_function(
        "before => document.querySelector('#trend-graph-summary').innerText !== before", arg=before, timeout=15000
    )
    # The chart's numbers: its disclosure opens with Enter, and the table holds the figure's own points.
    tab_until(page, lambda f: f["tag"] == "summary" and "Progress against the schedule" in f["text"])
    page.keyboard.press("Enter")
    table = page.locator("#trend-graph-table table")
    table.wait_for(timeout=10000)
    drawn = page.evaluate(
        "() => document.querySelector('#trend-graph .js-plotly-plot')._fullData"
        ".filter(t => t.y && Array.from(t.y).some(v => v !== null)).map(t => t.name)"
    )
    headers = table.locator("thead th").all_inner_texts()
    assert all(name in headers or name in table.inner_text() for name in drawn), (drawn, headers)
    caption = " ".join(page.locator("#trend-graph-summary").inner_text().split())
    assert caption.startswith("Progress against the schedule. Against the schedule")  # its name, then its title


def test_a_viewer_drills_into_a_section_with_the_keyboard(demo_app, tabs):
    page = tabs("viewer")
    open_page(page, demo_app, "/measures")
    tab_until(page, lambda f: f["tag"] == "select" and '"pillar"' in f["id"])
    page.keyboard.press("ArrowDown")  # from all pillars to pillar 1
    settle(page)
    tab_until(page, lambda f: f["tag"] == "select" and '"section"' in f["id"])
    page.keyboard.press("ArrowDown")  # from all sections to the pillar's first section
    settle(page)
    assert "pillar=1" in page.url and "section=1.1" in page.url
    page.wait_for_function(
        "() => document.querySelector('#catalogue-treemap-summary').innerText.includes('tiles')", timeout=15000
    )


def test_a_viewer_opens_a_measure_from_the_grid_with_the_keyboard(demo_app, tabs):
    # The grid keeps Tab and the arrows to its cells, never the link inside one, and Enter on the measure's cell
    # did nothing: no keyboard way to open a measure from the grid (WCAG 2.1.1).
    page = tabs("viewer")
    open_page(page, demo_app, "/measures?year=2016")
    tab_until(page, lambda f: f["id"] == "catalogue-search")
    tab_until(
        page,
        lambda f: (
            page.evaluate("document.activeElement.getAttribute('col-id')") == "measure_id"
            and page.evaluate("document.activeElement.classList.contains('ag-cell')")
        ),
    )
    page.keyboard.press("ArrowDown")  # the second measure, past the first the grid focused
    measure = active(page)["text"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", measure), measure
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/measure/{re.escape(measure)}\?year=2016$"), timeout=15000)
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'", timeout=15000)
    assert active(page)["text"] == f"Measure {measure}"


def test_the_skip_links_target_leaves_the_address_when_a_filter_changes(demo_app, tabs):
    # '#main-content' stayed in the address after the skip link (?year=2016...#main-content), so a link shared
    # from there opened scrolled past the navigation.
    page = tabs("viewer")
    open_page(page, demo_app, "/?year=2015")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    tab_until(page, lambda f: f["tag"] == "select" and '"year"' in f["id"])
    page.keyboard.press("ArrowDown")  # from 2015 to 2016
    settle(page)
    assert "year=2016" in page.url and "#" not in page.url


def test_an_analyst_uploads_and_confirms_a_return_with_the_keyboard(demo_app, tabs, tmp_path):
    page = tabs("analyst")
    open_page(page, demo_app, "/upload")
    drop_zone = tab_until(page, lambda f: f["tag"] == "input" and f["type"] == "file")
    assert drop_zone["label"] == "Drop return files here, or choose files"
    ring = page.evaluate("() => getComputedStyle(document.querySelector('#upload .upload-drop')).outlineStyle")
    assert ring == "solid"  # the zone shows the focus its hidden input has
    page.screenshot(path=str(tmp_path / "focus-on-drop-zone.png"))
    rows = [["KHM-001", "2.1.6", "Customs training", "Planned"]]  # a new version the analyst confirms
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(write_xlsx(tmp_path / "khm-2013.xlsx", rows, year=2013)))
    page.wait_for_selector(".upload-submit", timeout=30000)
    settle(page)
    submit = tab_until(page, lambda f: "upload-submit" in (page.evaluate("document.activeElement.className") or ""))
    assert submit["text"].startswith("Submit")
    page.keyboard.press("Enter")
    outcome = page.locator(".upload-outcome").first
    outcome.wait_for(timeout=30000)
    assert "Submitted: KHM 2013 is now version" in outcome.inner_text()


def test_the_drop_zone_opens_on_space_too(demo_app, tabs):
    page = tabs("admin")
    open_page(page, demo_app, "/upload")
    tab_until(page, lambda f: f["tag"] == "input" and f["type"] == "file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press(" ")
    assert chooser.value.is_multiple()


def test_an_evaluator_exports_with_the_keyboard(demo_app, tabs):
    page = tabs("evaluator")
    open_page(page, demo_app, "/export")
    tab_until(page, lambda f: f["tag"] == "a" and f["text"] == "Download the tables")
    with page.expect_download(timeout=60000) as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_an_admin_checks_a_schedule_with_the_keyboard(demo_app, tabs, tmp_path):
    page = tabs("admin")
    open_page(page, demo_app, "/schedule")
    tab_until(page, lambda f: f["tag"] == "input" and f["type"] == "checkbox")
    page.keyboard.press(" ")  # check only: the module's warehouse keeps its schedule
    assert page.locator("#schedule-dry-run").is_checked()
    drop_zone = tab_until(page, lambda f: f["tag"] == "input" and f["type"] == "file")
    assert drop_zone["label"] == "Drop the schedule workbook here, or choose a file"
    schedule = write_schedule(tmp_path / "schedule.xlsx", [{"measure_id": "5.1", "kind": "sometimes"}])
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(schedule))
    page.locator(".schedule-result .ag-cell").first.wait_for(timeout=30000)
    assert page.locator(".schedule-status").inner_text() == "rejected"


def test_at_200_percent_zoom_the_navigation_folds_behind_a_labelled_button(demo_app, tabs):
    page = tabs("admin")
    page.set_viewport_size(WIDTHS["683px"])
    try:
        open_page(page, demo_app, "/")
        links = page.locator("#navbar .nav-link")
        assert not links.first.is_visible()
        toggler = page.get_by_role("button", name="Toggle navigation")
        assert toggler.is_visible()
        assert page.locator("h1").bounding_box()["y"] < WIDTHS["683px"]["height"]  # the page starts on screen one
        tab_until(page, lambda f: f["id"] == "navbar-toggler")
        page.keyboard.press("Enter")
        links.first.wait_for(state="visible", timeout=5000)
        assert all(link.is_visible() for link in links.all())
    finally:
        page.set_viewport_size(WIDTHS["1366px"])


OVERLAPPING_LABELS = """() => {
    const boxes = [...document.querySelectorAll('#heatmap-graph g.xaxislayer-above text')]
        .map(e => e.getBoundingClientRect()).filter(b => b.width > 0);
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
    }
    return [boxes.length, overlaps];
}"""


def test_at_200_percent_zoom_the_heatmaps_country_names_do_not_overlap(demo_app, tabs):
    page = tabs("admin")
    page.set_viewport_size(WIDTHS["683px"])
    try:
        open_page(page, demo_app, "/heatmap")
        page.wait_for_function("() => document.querySelectorAll('#heatmap-graph g.xaxislayer-above text').length > 0")
        labels, overlaps = page.evaluate(OVERLAPPING_LABELS)
        assert labels >= 13 and overlaps == 0  # the chart scrolls sideways in its box instead (WCAG 1.4.10)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["683px"]["width"]
    finally:
        page.set_viewport_size(WIDTHS["1366px"])


@pytest.mark.parametrize("path", ["/", "/heatmap", "/measures", "/country", "/reporting", "/upload", "/export"])
def test_at_320_px_a_page_scrolls_only_one_way(demo_app, tabs, path):
    page = tabs("admin")
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        open_page(page, demo_app, path)
        # Charts and grids may scroll sideways inside their own box (WCAG 1.4.10 exempts them); the page may not.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at 320 px: {page.evaluate(TOO_WIDE)}"
    finally:
        page.set_viewport_size(WIDTHS["1366px"])
