"""Dashboard callbacks called as plain functions on a real warehouse: the numbers they show are the views'."""

from __future__ import annotations

import contextlib
import math
import os
import sys
from datetime import date

import dash
import pandas as pd
import pytest
from dash import no_update
from support.factories import add_return

from dashboard.components.catalogue_tree import PROGRESS_COLOURS
from dashboard.data import loaded, plan
from etl import warehouse
from etl.outputs.palette import STATUS_COLOURS
from etl.plan.plans import SEED_PLAN

# The worked example of docs/metrics.md (pillar 5), one late return, and one rejected upload with its errors.
KHM_2014 = [("A1", "ongoing", ["5.1"]), ("A2", "completed", ["5.2", "5.3"]), ("A3", "planned", ["5.4"])]
KHM_2015 = [("A1", "completed", ["5.1"]), ("A3", "cancelled", ["5.4"])]
JPN_2015 = [("J1", "ongoing", ["5.2"]), ("J2", "suspended", ["5.6"])]


@pytest.fixture(scope="module")
def example_warehouse(tmp_path_factory):
    """The worked example in a real warehouse, served by an app created over it."""
    path = tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb"
    warehouse.initialise(path)
    add_return(path, "KHM", 2014, KHM_2014)
    add_return(path, "KHM", 2015, KHM_2015, received_on=date(2016, 6, 1))
    add_return(path, "JPN", 2015, JPN_2015)
    rejected = add_return(path, "JPN", 2016, [("J3", "ongoing", ["2.1.1"])], status="rejected")
    with warehouse.write_connection(path) as con:
        con.execute(
            "INSERT INTO issues VALUES (?, 'error', 'unknown-measure', 'Activities', 14, 'Measure IDs', '2.1.17', "
            "'Row 14, Measure IDs: \"2.1.17\" is not a measure of section 2.1 (2.1.1-2.1.16)')",
            [rejected],
        )
    before = os.environ.get("APTMON_WAREHOUSE")
    from dashboard.app import create_app

    create_app(path)
    yield path
    if before is None:
        os.environ.pop("APTMON_WAREHOUSE", None)
    else:
        os.environ["APTMON_WAREHOUSE"] = before


def page(name: str):
    """The page module as Dash imported it (importing it again under another name would register it twice)."""
    module = next(p["module"] for p in dash.page_registry.values() if p["module"].rsplit(".", 1)[-1] == name)
    return sys.modules[module]


def view(path, sql: str, params: list) -> dict:
    with warehouse.read_connection(path) as con:
        return con.execute(sql, params).df().iloc[0].to_dict()


def texts(component) -> str:
    """All the text inside a Dash component tree."""
    if component is None or isinstance(component, (int, float)):
        return "" if component is None else str(component)
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(texts(c) for c in component)
    return texts(getattr(component, "children", None))


def trace(figure, name: str):
    return next(t for t in figure.data if t.name == name)


def test_overview_cards_and_charts_show_the_view_numbers(example_warehouse):
    cards, trend, ranking, multiples = page("home").update_overview("2015", "KHM", "5")
    row = view(
        example_warehouse,
        "SELECT * FROM metrics_pillar_country WHERE as_of_year = 2015 AND country = 'KHM' AND pillar = '5'",
        [],
    )
    assert (row["measures_covered"], row["measures_total"], row["progress_status"]) == (3, 6, "on track")
    shown = texts(cards)
    assert "3 / 6" in shown and "coverage 50.0%" in shown and "completion 50.0%" in shown
    assert "2 / 3" in shown  # KHM returns received as of 2015, of 3 expected
    # KHM took up 3 measures of pillar 5 and delivered all 3, against 0.6 expected: pace 1.67.
    assert "pace 1.67" in shown and "on track" in shown
    assert "on track from 0.95, acceleration needed from 0.60" in shown
    assert list(trace(trend, "Coverage").x) == [2013, 2014, 2015]
    assert list(trace(trend, "Completion").y) == pytest.approx([0, 2 / 6, 3 / 6])
    # The dashed line is what the schedule expects of KHM's measures in scope: none in 2013 (no return), then
    # the default schedule's shares of 2014 ... 2017.
    expected = list(trace(trend, "Expected by the schedule").y)
    assert expected[:2] == [0, None] and expected[2:] == pytest.approx([0.4, 0.6, 0.8, 1])
    delivered = trace(trend, "Delivered")
    assert math.isnan(delivered.y[0])  # nothing in scope for KHM in 2013: no rate, a gap in the line
    assert list(delivered.y[1:]) == pytest.approx([2 / 4, 3 / 3]) and list(delivered.customdata[-1]) == [3, 3]
    assert "3 / 3" in shown and "of the 3 measures it took up or leads" in shown
    bar = trace(ranking, "on track")
    assert bar.marker.color == STATUS_COLOURS["on track"]
    # Pillars ranked on the share delivered of the measures in scope (KHM's 3 of 3), the status word beside it.
    assert list(bar.x) == [pytest.approx(1.0)] and bar.y[0].startswith("V ")
    assert "3 of 3<br>on track" in [note.text for note in ranking.layout.annotations]
    # Each pillar's small multiple is the judgement alone: delivered against the schedule's line.
    assert len([t for t in multiples.data if t.name == "Delivered"]) == 6
    assert not [t for t in multiples.data if t.name in ("Coverage", "Completion")]
    # Delivered and coverage/completion count different measures: they never share an axis.
    assert trace(trend, "Delivered").yaxis != trace(trend, "Coverage").yaxis == trace(trend, "Completion").yaxis


def test_overview_scope_all_withholds_status(example_warehouse):
    cards, *_ = page("home").update_overview("2015", "ALL", "5")
    assert "insufficient data" in texts(cards)
    assert "3 / 39" in texts(cards)  # returns received of 13 x 3 expected


def test_heatmap_opens_on_the_status_with_the_word_in_its_colour(example_warehouse):
    figure = page("heatmap").update_heatmap("2015", "status", "pillars", "ALL")
    layers = {t.name: t for t in figure.data}
    on_track = layers["on track"]
    columns, rows = list(on_track.x[1]), list(on_track.y)
    khm, jpn, pillar5 = columns.index("Cambodia"), columns.index("Japan"), rows.index("V Connectivity")
    # KHM took up 3 measures of pillar V and delivered all 3: on track, in its colour, the word and count on it.
    assert on_track.z[pillar5][khm] == 1 and on_track.colorscale[0][1] == STATUS_COLOURS["on track"]
    assert on_track.text[pillar5][khm] == "on<br>track<br>3 of 3"
    assert "3 of the 3 measures it took up or leads delivered" in on_track.customdata[pillar5][khm]
    assert "3 of 6 measures of pillar V covered" in on_track.customdata[pillar5][khm]
    # No other layer colours that cell: the colour is the word's.
    assert all(math.isnan(t.z[pillar5][khm]) for name, t in layers.items() if name != "on track")
    assert layers["insufficient data"].text[pillar5][jpn] == "insufficient<br>data"
    assert "Progress status against the schedule" in figure.layout.title.text


def test_heatmap_prints_rates_and_insufficient_data(example_warehouse):
    figure = page("heatmap").update_heatmap("2015", "coverage", "pillars", "ALL")
    rates, withheld = figure.data[1], figure.data[0]
    columns = list(rates.x[1])
    rows = list(rates.y)
    # Columns carry the countries' names (wrapped onto two lines where long), the all-countries column last.
    assert columns[0] == "Brunei<br>Darussalam" and columns[-1] == "All 13<br>countries"
    khm, jpn, pillar5 = columns.index("Cambodia"), columns.index("Japan"), rows.index("V Connectivity")
    assert rates.z[pillar5][khm] == pytest.approx(0.5)
    assert rates.text[pillar5][khm] == "50%<br>3 of 6"  # the rate and its denominator, all 6 of pillar V
    assert math.isnan(rates.z[pillar5][jpn])  # not 0: JPN sent 1 of 3 returns
    assert withheld.text[pillar5][jpn] == "insufficient<br>data"
    assert list(rates.x[0]).count("ASEAN") == 10 and list(rates.x[0]).count("Plus Three") == 3
    completion = page("heatmap").update_heatmap("2014", "completion", "pillars", "ALL").data[1]
    assert completion.z[pillar5][khm] == pytest.approx(2 / 6)
    # The all-countries column is drawn apart, on its own scale; the countries' scale ends at their highest rate.
    # (Here 3 of 39 returns: the 13 together are withheld too; the demo data's browser test reads their rates.)
    together = figure.data[2]
    assert withheld.text[pillar5][-1] == "insufficient<br>data" and math.isnan(together.z[pillar5][-1])
    assert (together.zmin, together.zmax, together.showscale) == (0, 1, False)
    highest = view(
        example_warehouse,
        "SELECT max(coverage_rate) AS top FROM metrics_pillar_country WHERE as_of_year = 2015 AND country <> 'ALL' "
        "AND progress_status <> 'insufficient data'",
        [],
    )["top"]
    assert rates.zmin == 0 and rates.zmax == pytest.approx(math.ceil(highest * 10) / 10)


def test_heatmap_sections_of_one_pillar(example_warehouse):
    figure = page("heatmap").update_heatmap("2015", "coverage", "sections", "5")
    rates = figure.data[1]
    assert list(rates.y) == ["5.0 Measures directly under pillar V"]
    assert rates.z[0][list(rates.x[1]).index("Cambodia")] == pytest.approx(0.5)


def test_measures_table_search_and_treemap(example_warehouse):
    measures = page("measures")
    rows = measures.update_table("2015", "ALL", "ALL", "5.2")
    row = next(r for r in rows if r["measure_id"] == "5.2")
    progress = view(
        example_warehouse,
        "SELECT * FROM measure_progress WHERE as_of_year = 2015 AND country = 'ALL' AND measure_id = '5.2'",
        [],
    )
    assert (row["activities_total"], row["activities_implemented"], row["activities_completed"]) == (2, 2, 1)
    assert row["countries_implementing"] == progress["countries_implementing"] == 2
    assert row["progress"] == "completed"
    energy = measures.update_table("2015", "ALL", "2", "energy")
    assert energy and all(r["section_id"] == "2.7" for r in energy)
    assert len(measures.update_table("2015", "ALL", "ALL", None)) == 183
    treemap = measures.update_treemap("2015", "KHM", "5").data[0]
    ids = list(treemap.ids)
    assert treemap.marker.colors[ids.index("5.2")] == PROGRESS_COLOURS["completed"]
    assert treemap.marker.colors[ids.index("5.6")] == PROGRESS_COLOURS["not covered"]
    # Each measure's tile says its class in words too, not by its colour alone.
    assert (treemap.text[ids.index("5.2")], treemap.text[ids.index("5.6")]) == ("completed", "not covered")
    assert set(ids) == {"P5", "S5.0", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6"}
    # Pillars and sections first; a section's tile says, and its hover details, the scope's counts from the view.
    assert treemap.maxdepth == 2
    section = view(example_warehouse, "SELECT * FROM metrics_section_country WHERE as_of_year = 2015 "
                   "AND country = 'KHM' AND section_id = '5.0'", [])  # fmt: skip
    # The section's tile is in its status colour with the word and how many of the measures in scope it delivered.
    assert section["progress_status"] == "on track"
    assert treemap.text[ids.index("S5.0")] == (
        f"on track<br>{section['measures_delivered']} of {section['measures_in_scope']} delivered"
    )
    assert treemap.marker.colors[ids.index("S5.0")] == STATUS_COLOURS["on track"]
    assert (
        f"{section['measures_covered']} of 6 measures of section 5.0 covered, {section['measures_completed']} completed"
        in treemap.hovertext[ids.index("S5.0")]
    )
    assert "measures of pillar V covered" in treemap.hovertext[ids.index("P5")]
    assert treemap.level == "P5"  # the pillar filter is the drill-down the chart opens on
    # Every section's tile is the same size, however few its measures, which share it; a pillar of one or two
    # sections (V, with its one group of direct measures) has the room of three.
    tree = measures.update_treemap("2015", "ALL", "ALL", "ALL").data[0]
    tree_ids = list(tree.ids)
    size = tree.values[tree_ids.index("S1.1")]
    assert {tree.values[tree_ids.index(i)] for i in tree_ids if i.startswith(("S1.", "S2.", "S4."))} == {size}
    assert tree.values[tree_ids.index("S5.0")] == pytest.approx(3 * size)
    assert tree.values[tree_ids.index("5.2")] == pytest.approx(3 * size / 6)


def test_clicking_a_measure_tile_opens_it(example_warehouse):
    measures = page("measures")
    assert measures.open_clicked_measure({"points": [{"customdata": "5.2", "id": "5.2"}]}) == "/measure/5.2"
    assert measures.open_clicked_measure({"points": [{"customdata": "", "id": "S5.0"}]}) is no_update


def test_a_measure_tile_opens_in_the_pages_plan_and_as_of_year(example_warehouse):
    # The as-of year went missing: the measure opened at the plan's latest year, not the year the page showed.
    clicked = {"points": [{"customdata": "5.2", "id": "5.2"}]}
    opened = page("measures").open_clicked_measure(clicked, "apt-2013-2017", "2015")
    assert opened == "/measure/5.2?plan=apt-2013-2017&year=2015"


def test_measure_page_lists_activities_with_history_and_provenance(example_warehouse):
    summary, figure = page("measure").update_measure("2015", "5.2")
    activities, note = page("measure").update_measure_activities("2015", "5.2")
    assert note is None
    assert "Lao" not in texts(summary) and "Cambodia, Japan" in texts(summary)
    by_id = {a["activity_id"]: a for a in activities}
    assert set(by_id) == {"A2", "J1"}
    assert by_id["A2"]["status"] == "completed" and by_id["A2"]["status_history"] == "2014 completed"
    assert (by_id["A2"]["file_name"], by_id["A2"]["source_sheet"], by_id["A2"]["source_row"]) == (
        "KHM-2014-v1.xlsx",
        "Activities",
        3,
    )
    # Two countries have activities under 5.2: the chart shows those two, by name.
    completed = trace(figure, "Completed")
    assert dict(zip(completed.x, completed.y, strict=True)) == {"Cambodia": 1, "Japan": 0}
    assert "the 2 countries with activities" in figure.layout.title.text


def test_measure_page_names_sub_items_and_unknown_ids(example_warehouse):
    layout = page("measure").layout(measure_id="3.1.2")
    assert "3.1.2(a)" in texts(layout)
    assert "Measure not found" in texts(page("measure").layout(measure_id="9.9.9"))


def test_country_profile_reporting_record_with_arrows(example_warehouse):
    reporting, figure = page("country").update_country("2015", "KHM")
    activities, note = page("country").update_country_activities("2015", "KHM")
    assert note is None
    assert page("country").update_country_activities("2013", "KHM") == (
        [],
        "No activities reported by this country as of this year.",
    )
    shown = texts(reporting)
    assert "2 / 3" in shown and "▲ up from 50.0%" in shown  # reporting rate 1/2 in 2014, 2/3 in 2015
    assert "1 / 3" in shown  # on time: the 2015 return came after 31 March 2016
    assert "▼ down from 50.0%" in shown  # on-time rate 1/2 -> 1/3
    a1 = next(a for a in activities if a["activity_id"] == "A1")
    assert a1["status_history"] == "2014 ongoing → 2015 completed"
    a2 = next(a for a in activities if a["activity_id"] == "A2")
    assert a2["measures"] == "5.2, 5.3" and a2["status"] == "completed"
    coverage = trace(figure, "Coverage")
    assert dict(zip(coverage.y, coverage.x, strict=True))["V Connectivity"] == pytest.approx(0.5)
    # Delivered counts the measures KHM took up or leads, coverage all the pillar's: two panels, two axes.
    delivered = trace(figure, "Delivered")
    assert (delivered.xaxis, coverage.xaxis) == (None, "x2")
    assert dict(zip(delivered.y, delivered.x, strict=True))["V Connectivity"] == pytest.approx(1.0)
    assert figure.layout.xaxis.title.text == "Delivered, of the measures it took up or leads"
    assert figure.layout.xaxis2.title.text == "Coverage, of all the pillar's measures"
    assert "3 of 3 · on track" in [note.text for note in figure.layout.annotations]


@contextlib.contextmanager
def signed_in_as(role: str, country: str | None = None):
    """A request of a signed-in user of that role, for callbacks that scope what they show by the user."""
    from flask_login import login_user

    from dashboard.security.sessions import SignedInUser
    from etl.accounts import User

    with dash.get_app().server.test_request_context():
        login_user(SignedInUser(User(f"a-{role}", role, country, "fingerprint")))
        yield


def test_reporting_matrix_and_rejected_issues(example_warehouse):
    with signed_in_as("admin"):
        cards, figure, issues, note = page("reporting").update_reporting("2016", "JPN")
    assert "1 / 4" in texts(cards)
    matrix = figure.data[0]
    assert list(matrix.x) == ["2013", "2014", "2015", "2016"]
    assert matrix.text[0][2] == "on time" and matrix.text[0][3].startswith("rejected")
    assert issues[0]["row"] == 14 and "2.1.17" in issues[0]["message"] and note is None
    with signed_in_as("admin"):
        _, figure_2015, issues_2015, note_2015 = page("reporting").update_reporting("2015", "KHM")
    assert issues_2015 == [] and "No upload" in note_2015
    assert [row for row in figure_2015.data[0].text[0]] == ["missing", "on time", "late"]


@pytest.mark.parametrize(("role", "country"), [("viewer", None), ("evaluator", None), ("analyst", "KHM")])
def test_rejected_cell_values_are_scoped_like_the_submissions_log(example_warehouse, role, country):
    """Only the Secretariat and the country's own analyst see a rejected upload's cells; others see counts."""
    for scope in ("JPN", "ALL"):
        with signed_in_as(role, country):
            _, _, issues, note = page("reporting").update_reporting("2016", scope)
        assert note is None
        assert issues == [
            {"country": "JPN", "reporting_year": 2016, "file_name": None, "submitted_at": None, "sheet": None,
             "row": None, "column": None, "value": None,
             "message": "1 error 'unknown-measure' in 1 upload (the cells are shown to the country's analyst)"}
        ]  # fmt: skip
    with signed_in_as("analyst", "JPN"):
        _, _, issues, _ = page("reporting").update_reporting("2016", "ALL")
    assert [(row["row"], row["value"]) for row in issues] == [(14, "2.1.17")]


def test_layout_reads_filters_from_the_url(example_warehouse):
    layout = page("heatmap").layout(year="2014", metric="completion", rows="sections", pillar="5")
    values = {}

    def walk(component):
        if isinstance(getattr(component, "id", None), dict):
            values[component.id["name"]] = component.value
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(layout)
    assert values == {"year": "2014", "metric": "completion", "rows": "sections", "pillar": "5"}
    # Unknown values fall back to the defaults: the latest year with a return, the status, pillars, all.
    walk(page("heatmap").layout(year="1999", metric="nonsense", pillar="9"))
    assert values == {"year": "2015", "metric": "status", "rows": "pillars", "pillar": "ALL"}


def test_empty_warehouse_says_how_to_load_returns(tmp_path):
    path = tmp_path / "empty.duckdb"
    warehouse.initialise(path)
    before = os.environ["APTMON_WAREHOUSE"]
    os.environ["APTMON_WAREHOUSE"] = str(path)
    try:
        shown = texts(page("home").layout())
        cards, *_ = page("home").update_overview("2017", "ALL", "ALL")
    finally:
        os.environ["APTMON_WAREHOUSE"] = before
    assert "No returns loaded yet" in shown and "aptmon ingest" in shown
    assert "0 / 183" in texts(cards) and "0 / 65" in texts(cards)


def test_query_cache_follows_the_warehouse_file(example_warehouse):
    first = loaded.data_state()
    assert first == {"has_returns": True, "synthetic": False, "latest_year": 2015}
    with warehouse.write_connection(example_warehouse) as con:
        con.execute("UPDATE submissions SET is_synthetic = true WHERE country = 'KHM' AND reporting_year = 2014")
    try:
        assert loaded.data_state()["synthetic"] is True
    finally:
        with warehouse.write_connection(example_warehouse) as con:
            con.execute("UPDATE submissions SET is_synthetic = false")


def test_a_capped_listing_says_so():
    from dashboard.components.tables import listing_note

    assert listing_note(500, 500, "activities") == "Showing the first 500 activities; `aptmon export` writes them all."
    assert listing_note(12, 500, "activities") is None


def _table_rows(component, table_id: str) -> list[dict]:
    """The rows of the listing with that id inside a component tree (its AG Grid's `rowData`)."""
    if isinstance(component, (list, tuple)):
        return next((rows for c in component if (rows := _table_rows(c, table_id)) is not None), None)
    if component is None or isinstance(component, (str, int, float)):
        return None
    if getattr(component, "id", None) == {"type": "data-grid", "grid": table_id}:  # the grid inside the listing
        return component.rowData
    return _table_rows(getattr(component, "children", None), table_id)


def test_country_record_gives_every_return_its_due_date_and_judges_it_on_the_day_it_is_read(example_warehouse):
    reporting, _ = page("country").update_country("2016", "KHM")
    rows = {r["reporting_year"]: r for r in _table_rows(reporting, "country-returns-table")}
    # Nothing came for 2013: missing, and its due date is shown all the same.
    assert (rows[2013]["return_state"], rows[2013]["deadline"]) == ("missing", "2014-03-31")
    assert (rows[2015]["return_state"], rows[2015]["deadline"]) == ("late", "2016-03-31")
    # The page is read today, long after 31 March 2017: the 2016 return is due even as of the end of 2016
    # (the one reporting rule, pinned with a fixed today in tests/test_reporting_rule.py).
    assert (rows[2016]["return_state"], rows[2016]["deadline"]) == ("missing", "2017-03-31")
    reporting_2017, _ = page("country").update_country("2017", "KHM")
    later = {r["reporting_year"]: r["return_state"] for r in _table_rows(reporting_2017, "country-returns-table")}
    assert (later[2016], later[2017]) == ("missing", "missing")


def _links(component) -> dict[str, str]:
    """The href of each link with an id inside a component tree."""
    found = {}
    if isinstance(component, (list, tuple)):
        for child in component:
            found |= _links(child)
        return found
    if component is None or isinstance(component, (str, int, float)):
        return found
    if getattr(component, "href", None) and getattr(component, "id", None):
        found[component.id] = component.href
    return found | _links(getattr(component, "children", None))


def test_measure_breadcrumb_links_its_pillar_and_section(example_warehouse):
    layout = page("measure").layout(measure_id="2.7.10")
    links = _links(layout)
    assert links["measure-pillar-link"] == "/measures?pillar=2"
    assert links["measure-section-link"] == "/measures?pillar=2&section=2.7"
    assert "2.7 Enhancing Energy Cooperation" in texts(layout)
    # The section link opens the measures page on that section alone.
    measures = page("measures")
    rows = measures.update_table("2015", "ALL", "2", None, "2.7")
    assert rows and {r["section_id"] for r in rows} == {"2.7"}
    tiles = measures.update_treemap("2015", "ALL", "2", "2.7").data[0].ids
    assert "S2.7" in tiles and all(i.startswith(("P2", "S2.7", "2.7.")) for i in tiles)
    # Another pillar's section falls back to all sections of the new pillar.
    options, value = measures.narrow_sections("5", "2.7")
    assert value == "ALL" and [o["value"] for o in options] == ["ALL", "5.0"]


def test_measure_chart_of_many_countries_shows_all_13_by_code():
    from dashboard.components.measure import measure_countries_figure

    countries = plan.countries()
    by_country = pd.DataFrame(
        {"country": countries.iso3, "activities_total": [1] * 7 + [0] * 6, "activities_implemented": 1}
    ).assign(activities_completed=0)
    figure = measure_countries_figure(by_country, countries, "Activities under 1.1.1 by country, end 2017")
    assert list(trace(figure, "Completed").x) == list(countries.iso3)
    assert list(trace(figure, "Completed").customdata) == list(countries.name)
    nobody = measure_countries_figure(by_country.assign(activities_total=0), countries, "Activities under 1.1.1")
    assert "No country has an activity" in nobody.layout.annotations[0].text


def test_status_history_names_the_years_of_the_returns_behind_each_status(tmp_path):
    path = tmp_path / "history.duckdb"
    warehouse.initialise(path)
    for year, status in ((2013, "planned"), (2014, "ongoing"), (2015, "ongoing"), (2017, "ongoing")):
        add_return(path, "LAO", year, [("L1", status, ["5.1"])])
    with warehouse.read_connection(path) as con:
        listed = con.execute(
            "SELECT status_history, last_reported_year, file_name FROM activity_listing(?, 2017, 'LAO', NULL, 10)",
            [SEED_PLAN.plan_id],
        ).fetchall()
        by_measure = con.execute(
            "SELECT status_history FROM activity_listing($plan, 2016, NULL, '5.1', 10) UNION ALL "
            "SELECT status_history FROM measure_activity_listing($plan, 2016, '5.1', 10, "
            "links := 'measure_link_spans')",
            {"plan": SEED_PLAN.plan_id},
        ).fetchall()
    # No return for 2016: the years say so, and the last of them is the return the file is.
    assert listed == [("2013 planned → 2014, 2015, 2017 ongoing", 2017, "LAO-2017-v1.xlsx")]
    assert by_measure == [("2013 planned → 2014–2015 ongoing",)] * 2
