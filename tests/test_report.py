"""aptmon report: one self-contained HTML file, its numbers from the views, its charts drawn offline in Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from support.accessibility import details, violations

from etl import warehouse
from etl.cli import cli
from etl.outputs.pace import pace_figure
from etl.outputs.report.write import write_report
from etl.plan.definitions import GLOSSARY


@pytest.fixture(scope="module")
def report(demo_warehouse, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "progress.html"
    result = write_report(path, warehouse_file=demo_warehouse, as_of=2016)
    return result, path.read_text(encoding="utf-8")


class _Resources(HTMLParser):
    """Every URL an element of the page would load (script text is not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.urls.append(f"{tag} {value}")


def test_the_file_references_nothing_outside_itself(report):
    _, text = report
    resources = _Resources()
    resources.feed(text)
    assert resources.urls == []
    assert text.count("<script") >= 4  # plotly.js inline, then one script per chart
    assert "@page { size: A4" in text and "@media print" in text


def test_headline_and_tables_come_from_the_views(report, demo_warehouse):
    result, text = report
    with warehouse.read_connection(demo_warehouse) as con:
        covered, total, status = con.execute(
            "SELECT measures_covered, measures_total, progress_status FROM metrics_pillar_country"
            " WHERE as_of_year = 2016 AND pillar = 'ALL' AND country = 'ALL'"
        ).fetchone()
        received, expected = con.execute(
            "SELECT returns_received, returns_expected FROM metrics_reporting"
            " WHERE as_of_year = 2016 AND country = 'ALL'"
        ).fetchone()
        idle = con.execute(
            "SELECT count(*) FROM measure_progress WHERE as_of_year = 2016 AND country = 'ALL' AND activities_total = 0"
        ).fetchone()[0]
    assert result.as_of_year == 2016 and "progress report as of 2016" in text
    assert f"{covered} of {total}" in text and f"{received} of {expected}" in text
    assert "Overall progress status as of 2016: " in text and status in text
    assert f"{idle} of {total} measures have no activity" in text
    assert "SYNTHETIC DEMO DATA" in text and result.fingerprint in text
    for definition in GLOSSARY:
        assert f"<code>{definition.column}</code>" in text


def test_the_report_names_its_schedule_and_lists_the_overdue_measures(report, demo_warehouse):
    _, text = report
    with warehouse.read_connection(demo_warehouse) as con:
        overdue = con.execute(
            "SELECT measure_id, due_year FROM measure_progress WHERE as_of_year = 2016 AND country = 'ALL' AND overdue "
            "ORDER BY measure_id"
        ).fetchall()
        delivered, in_scope, count = con.execute(
            "SELECT measures_delivered, measures_in_scope, measures_overdue FROM metrics_pillar_country"
            " WHERE as_of_year = 2016 AND pillar = 'ALL' AND country = 'ALL'"
        ).fetchone()
    assert overdue and all(due <= 2016 for _, due in overdue)
    section = text.split('<section id="overdue-measures"', 1)[1].split("</section>", 1)[0]
    assert f"{len(overdue)} one-off measures were due by the end of 2016" in section
    listed = [cell.split("</td>")[0] for cell in section.split("<tr><td>")[1:]]
    assert sorted(listed) == [measure for measure, _ in overdue]
    assert count == len(overdue) and f"{delivered} of {in_scope}" in text
    note = text.split('id="schedule-used">', 1)[1].split("</p>", 1)[0]
    assert note.startswith("Progress is judged against the implementation schedule (Work Plan item 6.3): version 1")
    assert "an example, not the Secretariat&#x27;s schedule" in note
    assert "Expected by the schedule" in text


@pytest.mark.browser
def test_charts_render_offline_without_console_errors(report, browser, tmp_path):
    result, _ = report
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    errors, blocked = [], []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def offline(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    try:
        page.goto(result.path.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        plots = page.locator(".js-plotly-plot")
        assert plots.count() == result.charts == 3
        for index in range(plots.count()):
            plot = plots.nth(index)
            assert plot.locator("svg.main-svg .trace").count() >= 2
            assert plot.locator("svg.main-svg .point").count() + plot.locator("path.js-line").count() > 0
        assert page.locator("#headline .card").count() == 7
        assert page.locator("table.matrix tbody tr").count() == 14
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        assert errors == [] and blocked == []
    finally:
        context.close()


def test_cli_report(demo_warehouse, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["report", "--warehouse", str(demo_warehouse), "-o", str(tmp_path / "r.html")])
    assert ok.exit_code == 0, ok.output
    assert "progress report as of 2017" in ok.output  # the latest year with data
    assert (tmp_path / "r.html").stat().st_size > 1_000_000  # plotly.js is inside
    bad = runner.invoke(cli, ["report", "--warehouse", str(demo_warehouse), "--as-of", "2012", "-o",
                              str(tmp_path / "x.html")])  # fmt: skip
    assert bad.exit_code == 2 and "2013 to 2017" in bad.output


def test_each_countrys_pace_is_shown_in_the_band_of_its_status(report, demo_warehouse):
    """Cambodia's 0.595 is 'limited progress': it shows as 0.59, never rounded up onto the legend's 0.60."""
    _, text = report
    section = text.split('<section id="country-ranking"', 1)[1].split("</section>", 1)[0]
    shown = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1]):
        cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        shown[cells[1]] = (cells[2], cells[5])
    with warehouse.read_connection(demo_warehouse) as con:
        ranked = con.execute(
            "SELECT country_name, progress_status, pace_index FROM country_ranking"
            " WHERE plan_id = 'apt-2013-2017' AND as_of_year = 2016 AND pillar = 'ALL'"
        ).fetchall()
    assert len(shown) == len(ranked) == 13
    for name, status, pace in ranked:
        assert shown[name] == (status, pace_figure(pace))
        if status == "limited progress":
            assert float(shown[name][1]) < 0.6, (name, pace)
        elif status == "acceleration needed":
            assert 0.6 <= float(shown[name][1]) < 0.95, (name, pace)
    assert shown["Cambodia"][0] == "limited progress" and shown["Cambodia"][1] == "0.59"


def test_each_matrix_cell_says_its_status_in_words_beside_the_country_name(report, demo_warehouse):
    """The caption promises the cell's colour and word: the word is in the cell (WCAG 1.4.1), not in a tooltip."""
    _, text = report
    section = text.split('<section id="pillar-country"', 1)[1].split("</section>", 1)[0]
    assert "the cell&#x27;s colour and word" in section and "title=" not in section
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1])]
    names = [re.sub(r"<[^>]+>", "", row[0]) for row in rows]
    with warehouse.read_connection(demo_warehouse) as con:
        ranked = {name for (name,) in con.execute("SELECT DISTINCT country_name FROM country_ranking").fetchall()}
        delivered, in_scope, status = con.execute(
            "SELECT measures_delivered, measures_in_scope, progress_status FROM metrics_pillar_country"
            " WHERE as_of_year = 2016 AND pillar = '1' AND country = 'KHM'"
        ).fetchone()
    # The names "Which countries lag" gives, in the same words, not ISO codes.
    assert set(names[:-1]) == ranked and names[-1] == "All 13 countries" and "Cambodia" in names
    cambodia = rows[names.index("Cambodia")][1]
    assert re.sub(r"<[^>]+>", "|", cambodia).strip("|") == f"{delivered} of {in_scope} delivered|{status}"
    assert all('class="word"' in cell for row in rows for cell in row[1:])


def test_the_tables_fit_the_page_on_screen_and_in_print(report, browser, tmp_path):
    """The matrix ran 88 px past the text column; now every table fits, a narrow screen scrolls it in its own
    labelled region, and in print the matrix has a landscape page to itself, all 14 rows on it."""
    result, _ = report
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    try:
        page.goto(result.path.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        overflow = "[...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.parentElement.clientWidth)"
        assert page.evaluate(f"{overflow}.length") == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        region = page.locator("#pillar-country .table-scroll")
        assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label") == "Pillars and countries"
        found = violations(page)
        assert found == [], details(found)

        page.set_viewport_size({"width": 480, "height": 900})  # a phone: the matrix scrolls inside its region
        regions = "[...document.querySelectorAll('.table-scroll')]"
        assert page.evaluate(f"{regions}.every(r => r.getBoundingClientRect().right <= window.innerWidth)")
        assert region.evaluate("r => r.scrollWidth > r.clientWidth")
        found = violations(page)
        assert found == [], details(found)

        page.set_viewport_size({"width": 1000, "height": 1400})
        page.emulate_media(media="print")
        pdf_path = tmp_path / "printed.pdf"
        page.pdf(path=str(pdf_path), format="A4", print_background=True)
    finally:
        context.close()
    pages = [
        (p.mediabox.width > p.mediabox.height, " ".join(p.extract_text().split()))
        for p in PdfReader(str(pdf_path)).pages
    ]
    matrix = [(wide, words) for wide, words in pages if "Pillars and countries" in words]
    assert len(matrix) == 1
    wide, words = matrix[0]
    assert wide and "Brunei Darussalam" in words and "All 13 countries" in words
    assert all(not wide for wide, words in pages if "Pillars and countries" not in words)
