"""The data grids' column filters (dashboard/components/tables.py): a column of statuses matches the whole value, so
the example the docs give, `completed` in the measures' Progress, finds the completed measures only; the other ways
to match stay on the filter's button, and Download CSV follows the filter."""

from __future__ import annotations

import csv
import io

import pytest
from support.accessibility import settle

from dashboard.components.tables import WHOLE_VALUE_FIELDS, data_grid
from etl import warehouse

YEAR = 2016
PLAN = "apt-2013-2017"
GRID = "#catalogue-table"
PROGRESS_FILTER = f"{GRID} .ag-floating-filter[col-id='progress']"


def progress_counts(path) -> dict[str, int]:
    """The measures of the plan as of YEAR for all 13 countries: all of them, completed, covered and not completed."""
    with warehouse.read_connection(path) as con:
        total, completed, covered_only = con.execute(
            "SELECT count(*), count(*) FILTER (completed), count(*) FILTER (covered AND NOT completed) "
            "FROM measure_progress WHERE plan_id = ? AND as_of_year = ? AND country = 'ALL'",
            [PLAN, YEAR],
        ).fetchone()
    return {"total": total, "completed": completed, "covered_only": covered_only}


def grid_count(page, text: str) -> None:
    page.wait_for_function(
        "([grid, text]) => (document.querySelector(`${grid} .grid-count`) || {}).innerText === text",
        arg=[GRID, text],
        timeout=30000,
    )


def test_a_status_column_filters_on_its_whole_value_and_a_text_column_on_what_it_contains():
    columns = [("Text", "text"), ("Progress", "progress"), ("Status", "status")]
    grid = data_grid("listing", columns, [])
    defs = {c["field"]: c for c in grid.children[1].columnDefs}
    assert {"progress", "status"} <= WHOLE_VALUE_FIELDS
    for field in ("progress", "status"):
        assert defs[field]["filterParams"]["defaultOption"] == "equals", field
        assert "filterOptions" not in defs[field]["filterParams"]  # AG Grid's whole list: contains and the rest
        assert defs[field]["suppressFloatingFilterButton"] is False  # the button that offers them
    assert "filterParams" not in defs["text"] and "suppressFloatingFilterButton" not in defs["text"]
    assert grid.children[1].defaultColDef["filter"] == "agTextColumnFilter"  # "contains" unless told otherwise


@pytest.mark.browser
def test_completed_in_the_progress_filter_gives_the_completed_measures_and_downloads_them(
    served_demo, served_demo_tabs
):
    base, path = served_demo
    counts = progress_counts(path)
    assert counts["covered_only"] > 0  # measures whose progress also holds the word, "covered, not completed"
    page = served_demo_tabs("evaluator")
    page.goto(f"{base}/measures?year={YEAR}")
    settle(page)
    grid_count(page, f"{counts['total']} rows")
    page.locator(f"{PROGRESS_FILTER} input").fill("completed")  # the docs' example
    grid_count(page, f"{counts['completed']} of {counts['total']} rows (filtered)")
    with page.expect_download() as download:
        page.locator(f"{GRID} .grid-csv").click()
    header, *rows = csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")))
    assert [row[header.index("Progress")] for row in rows] == ["completed"] * counts["completed"]  # every page
    # "Contains" is still there, on the filter's button: it gives the measures whose progress holds the word.
    page.locator(f"{PROGRESS_FILTER} button").click()
    page.locator(".ag-filter .ag-filter-select .ag-picker-field-wrapper").first.click()
    page.locator(".ag-select-list-item", has_text="Contains").first.click()
    grid_count(page, f"{counts['completed'] + counts['covered_only']} of {counts['total']} rows (filtered)")
