"""`aptmon demo`'s example second plan: a synthetic text labelled as an example, its crosswalk loaded through the
real workbook, and returns in which activities carry on across plans under their ids."""

from __future__ import annotations

import pytest

from etl import warehouse
from etl.demo.example_plan import EXAMPLE_PLAN_ID, EXAMPLE_TITLE, example_plan_text
from etl.plan.catalogue import load_catalogue, parse_catalogue
from etl.plan.plans import default_plan_id
from etl.warehouse.continuity import carried_over


@pytest.fixture(scope="module")
def demo_with_example_plan(tmp_path_factory):
    import os

    from etl.demo.returns import run_demo

    root = tmp_path_factory.mktemp("demo-example-plan")
    before = os.environ.get("APTMON_RETURNS_DIR")
    os.environ["APTMON_RETURNS_DIR"] = str(root / "returns")
    try:
        summary = run_demo(root / "warehouse.duckdb", example_plan=True)
    finally:
        if before is None:
            os.environ.pop("APTMON_RETURNS_DIR", None)
        else:
            os.environ["APTMON_RETURNS_DIR"] = before
    return root / "warehouse.duckdb", summary


def test_the_example_text_parses_and_maps_onto_the_seed_plan():
    seed = load_catalogue()
    text, continues = example_plan_text(seed)
    catalogue = parse_catalogue(text, EXAMPLE_PLAN_ID)
    assert text.startswith(EXAMPLE_TITLE) and "not an official APT text" in EXAMPLE_TITLE
    assert (len(catalogue.pillars), len(catalogue.measures)) == (6, 106)
    assert len(continues) == 100 and set(continues) <= {m.measure_id for m in catalogue.measures}
    # Every continued measure keeps the seed measure's words.
    for later, earlier in continues.items():
        assert catalogue.measure(later).text == seed.measure(earlier).text


@pytest.mark.slow  # the whole demo, both plans' returns written and ingested: about a minute on an idle machine
@pytest.mark.timeout(900)
def test_the_demo_adds_the_example_plan_labelled_as_one(demo_with_example_plan):
    path, summary = demo_with_example_plan
    assert summary.example_plan["measures"] == 106
    assert (summary.crosswalk.status, summary.crosswalk.version, summary.crosswalk.links) == ("accepted", 1, 100)
    with warehouse.read_connection(path) as con:
        plans = con.execute(
            "SELECT plan_id, title, is_example, returns FROM plan_summary ORDER BY start_year"
        ).fetchall()
        # The example plan is never the default while the official one is loaded.
        assert default_plan_id(con) == "apt-2013-2017"
        years = con.execute(
            "SELECT DISTINCT reporting_year FROM current_submissions WHERE plan_id = ? ORDER BY 1", [EXAMPLE_PLAN_ID]
        ).fetchall()
        synthetic = con.execute(
            "SELECT bool_and(is_synthetic) FROM submissions WHERE plan_id = ?", [EXAMPLE_PLAN_ID]
        ).fetchone()[0]
        carried = con.execute(
            "SELECT count(DISTINCT (a.country, a.activity_id)) FROM activities a JOIN activities b "
            "USING (country, activity_id) WHERE a.plan_id = 'apt-2013-2017' AND b.plan_id = ?",
            [EXAMPLE_PLAN_ID],
        ).fetchone()[0]
        outcomes = carried_over(con, EXAMPLE_PLAN_ID, 2021)["outcome"].value_counts().to_dict()
    assert plans[0][:3] == ("apt-2013-2017", "2013-2017 ASEAN Plus Three Cooperation Work Plan", False)
    assert plans[1][:3] == (EXAMPLE_PLAN_ID, EXAMPLE_TITLE, True) and plans[1][3] == 13 * 4
    assert years == [(2018,), (2019,), (2020,), (2021,)] and synthetic
    assert carried > 20  # activities of 2013-2017 that countries carried on under the next plan, same ids
    assert set(outcomes) <= {"continued and delivered", "continued and not yet", "not continued"}
    assert outcomes.get("continued and delivered", 0) > 0 and outcomes.get("not continued", 0) > 0
