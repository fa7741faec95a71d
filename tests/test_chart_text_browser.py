"""The sentence a screen reader gets in place of a chart (dashboard/assets/40-chart-text.js), in Chromium on the demo
data, against the views: it accounts for every category the chart shows, not the first few."""

from __future__ import annotations

from collections import Counter

import pytest
from support.accessibility import settle

from dashboard import ids
from etl import warehouse
from etl.plan.labels import pillar_label

pytestmark = pytest.mark.browser

YEAR = 2017
PLAN = "apt-2013-2017"


def view(path, sql: str, params: list) -> list[dict]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params).df().to_dict("records")


def summary_of(page, base: str, path: str, graph_id: str) -> str:
    page.goto(f"{base}{path}")
    settle(page)
    caption = page.locator(f"#{graph_id}-summary .chart-summary")
    page.wait_for_function("e => e.textContent.length > 0", arg=caption.element_handle(), timeout=15000)
    return " ".join(caption.inner_text().split())


def test_the_heatmaps_summary_counts_every_status_among_its_cells(served_demo, served_demo_tabs):
    base, path = served_demo
    cells = view(
        path, "SELECT progress_status FROM metrics_pillar_country WHERE plan_id = ? AND as_of_year = ?", [PLAN, YEAR]
    )
    statuses = Counter(c["progress_status"] for c in cells)
    # The demo's cells hold the statuses whose words are short or break over two lines ("on<br>track",
    # "no<br>commitments"): the ones the summary used to leave out.
    assert {"on track", "no commitments"} <= set(statuses) and len(statuses) >= 3
    text = summary_of(served_demo_tabs("viewer"), base, f"/heatmap?year={YEAR}", ids.HEATMAP_GRAPH)
    pillars = len(view(path, "SELECT pillar FROM pillars WHERE plan_id = ?", [PLAN]))
    countries = len(view(path, "SELECT iso3 FROM countries", []))
    assert f"{pillars + 1} rows by {countries + 1} columns: " in text, text  # pillars and all; countries and all
    for status, count in statuses.items():
        assert f"{count} {status}" in text, (status, text)
    assert sum(statuses.values()) == (pillars + 1) * (countries + 1)  # and so every cell is counted once


def test_the_overviews_small_multiples_summary_names_every_pillar(served_demo, served_demo_tabs):
    base, path = served_demo
    pillars = view(path, "SELECT pillar, title FROM pillars WHERE plan_id = ? ORDER BY pillar", [PLAN])
    assert len(pillars) > 3  # the summary used to stop after the third pillar
    text = summary_of(served_demo_tabs("viewer"), base, f"/?year={YEAR}", ids.PILLAR_TRENDS_GRAPH)
    # Each panel under its own title, in the plan's order: the first pillar's as well as the others'.
    labels = [pillar_label(p["pillar"], p["title"], 24) for p in pillars]
    places = [text.find(f"{label} ") for label in labels]
    assert all(place >= 0 for place in places) and places == sorted(places), (labels, text)
    assert f"at {YEAR}, " in text and "Delivered" in text
    assert len(text) < 600, text  # short: the numbers table holds the rest


def test_the_pillar_rankings_summary_counts_the_bars_of_each_status(served_demo, served_demo_tabs):
    base, path = served_demo
    rows = view(
        path,
        "SELECT progress_status FROM metrics_pillar_country "
        "WHERE plan_id = ? AND as_of_year = ? AND country = 'ALL' AND pillar <> 'ALL'",
        [PLAN, YEAR],
    )
    statuses = Counter(r["progress_status"] for r in rows)
    assert len(statuses) > 1  # the bars are split into one trace per status
    text = summary_of(served_demo_tabs("viewer"), base, f"/?year={YEAR}", ids.PILLAR_RANKING_GRAPH)
    assert f"({len(rows)} bars: " in text, text
    for status, count in statuses.items():
        assert f"{count} {status}" in text, (status, text)


def test_a_charts_scope_line_reads_as_a_clause_of_its_title(served_demo, served_demo_tabs):
    # The overview's charts put their scope on a styled line under the title; read through as a space, the
    # summary ran "... the 2013-2017 plan all 13 countries".
    base, _ = served_demo
    text = summary_of(served_demo_tabs("viewer"), base, f"/?year={YEAR}", ids.PILLAR_RANKING_GRAPH)
    assert f"end {YEAR}, the 2013-2017 plan, all 13 countries: " in text, text
