"""In Chromium: the Reporting page, its card and the country page tell one story, the view's, about a missing return."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.factories import add_return

from etl import warehouse

pytestmark = pytest.mark.browser

# The text of one cell of the Reporting page's returns matrix: the country's row, the year's column.
MATRIX_CELL = """([name, year]) => {
    const graph = document.querySelector('#reporting-matrix-graph .js-plotly-plot');
    const heatmap = graph.data[0];
    const rows = Array.isArray(heatmap.y[0]) ? heatmap.y[1] : heatmap.y;
    return heatmap.text[rows.indexOf(name)][heatmap.x.map(String).indexOf(String(year))];
}"""


def _view(path, sql: str, params: list) -> tuple:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params).fetchone()


def test_a_return_past_its_deadline_reads_missing_everywhere_the_view_counts_it(live_app, page):
    # Brunei reported 2013-2016; its 2017 return was due on 31 March 2018, long past today.
    for year in range(2013, 2017):
        add_return(live_app.warehouse, "BRN", year, [(f"B{year}", "ongoing", ["1.1.1"])],
                   received_on=date(year + 1, 2, 1))  # fmt: skip
    received, expected = _view(
        live_app.warehouse,
        "SELECT returns_received, returns_expected FROM metrics_reporting WHERE as_of_year = 2017 AND country = ?",
        ["ALL"],
    )
    (state,) = _view(
        live_app.warehouse,
        "SELECT return_state FROM return_status_as_of(2017) WHERE country = 'BRN' AND reporting_year = ?",
        [2017],
    )
    assert (received, expected, state) == (4, 65, "missing")

    page.goto(f"{live_app}/reporting?year=2017")
    card = page.locator("#card-reporting-received .stat-value")
    card.wait_for(timeout=15000)
    assert card.inner_text() == f"{received} / {expected}"
    page.wait_for_function(
        "() => { const g = document.querySelector('#reporting-matrix-graph .js-plotly-plot');"
        " return g && g.data && g.data.length > 0; }",
        timeout=15000,
    )
    assert page.evaluate(MATRIX_CELL, ["Brunei Darussalam", 2017]).startswith("missing")
    assert page.evaluate(MATRIX_CELL, ["Brunei Darussalam", 2016]).startswith("on time")

    page.goto(f"{live_app}/country?country=BRN&year=2017")
    page.wait_for_selector("#country-returns-table .ag-row", timeout=15000)
    brunei = _view(
        live_app.warehouse,
        "SELECT returns_received, returns_expected FROM metrics_reporting WHERE as_of_year = 2017 AND country = ?",
        ["BRN"],
    )
    assert brunei == (4, 5)
    returns_card = page.locator(".stat-card", has_text="Returns received").locator(".stat-value")
    assert returns_card.inner_text() == "4 / 5"
    year_cell = page.locator('[col-id="reporting_year"]', has_text=re.compile(r"^2017$"))
    row = page.locator("#country-returns-table .ag-row").filter(has=year_cell)
    assert row.locator('[col-id="return_state"]').inner_text() == "missing"
    assert "not yet due" not in page.inner_text("#country-returns-table")
