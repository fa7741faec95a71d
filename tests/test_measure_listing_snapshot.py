"""The measure page's fast listing (through measure_link_spans_snapshot) lists exactly what activity_listing lists,
and both list one plan's activities, however many another plan sharing the measure ids has."""

from datetime import date
from pathlib import Path

from support.factories import add_return

from etl import warehouse
from etl.plan.plans import SEED_PLAN
from etl.warehouse.plan_loading import add_plan

PLAN_TEXTS = Path(__file__).resolve().parent / "plan_texts"


def _rows(con, sql: str, params: list) -> list[tuple]:
    return sorted(con.execute(sql, params).fetchall(), key=repr)


def test_snapshot_listing_equals_the_live_listing_for_every_linked_measure(demo_warehouse):
    with warehouse.read_connection(demo_warehouse) as con:
        cancelled = con.execute("SELECT count(*) FROM activities WHERE status = 'cancelled'").fetchone()[0]
        plans = con.execute("SELECT plan_id, end_year FROM plans ORDER BY plan_id").fetchall()
        assert cancelled > 0 and plans  # the comparison covers cancelled listings
        for plan_id, end_year in plans:
            measures = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT measure_id FROM activity_measures WHERE plan_id = ? ORDER BY 1", [plan_id]
                ).fetchall()
            ]
            assert len(measures) > 50  # the comparison covers many measures
            for year in (end_year - 4, end_year - 2, end_year):
                for measure in measures[::4]:
                    params = [plan_id, year, measure]
                    fast = _rows(con, "SELECT * FROM measure_activity_listing(?, ?, ?, 100000)", params)
                    live = _rows(con, "SELECT * FROM activity_listing(?, ?, NULL, ?, 100000)", params)
                    assert fast == live, (plan_id, year, measure)
                    assert {row[0] for row in fast} <= {plan_id}


def test_another_plan_s_activities_never_take_a_listing_s_places(tmp_path):
    """Two plans over the same years, sharing the measure id 2.1.1: a listing capped at one row shows the row of
    the plan asked about, though the other plan's activity comes first in country and activity order."""
    path = tmp_path / "warehouse.duckdb"
    warehouse.initialise(path)
    later = "example-2015-2016"
    add_plan(path, PLAN_TEXTS / "example-2020-2021.txt", later, (2015, 2016), "Overlapping plan", is_example=True)
    add_return(path, "KHM", 2015, [("A1", "ongoing", ["2.1.1"])], received_on=date(2016, 3, 1))
    add_return(path, "KHM", 2015, [("B1", "ongoing", ["2.1.1"])], received_on=date(2016, 3, 2), plan_id=later)
    with warehouse.read_connection(path) as con:
        for plan_id, activity in ((SEED_PLAN.plan_id, "A1"), (later, "B1")):
            for sql in (
                "SELECT plan_id, activity_id FROM measure_activity_listing(?, 2015, '2.1.1', 1)",
                "SELECT plan_id, activity_id FROM activity_listing(?, 2015, NULL, '2.1.1', 1)",
                "SELECT plan_id, activity_id FROM activity_listing(?, 2015, 'KHM', NULL, 1)",
            ):
                assert con.execute(sql, [plan_id]).fetchall() == [(plan_id, activity)], (sql, plan_id)
