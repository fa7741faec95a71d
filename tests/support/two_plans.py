"""A warehouse holding two plans for the dashboard's plan tests: the seed plan and an example 2018-2022 plan added
from its text, a few returns under each, and a crosswalk between them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from etl import warehouse
from etl.plan.plans import SEED_PLAN
from etl.warehouse.plan_loading import add_plan
from support.factories import add_return

PLAN_TEXTS = Path(__file__).resolve().parents[1] / "plan_texts"
SECOND_PLAN = "apt-2018-2022"
SHORT_PLAN = "apt-2020-2021"

# Which measures of the 2018-2022 example plan continue which measures of the seed plan: one to one (1.1.1), one
# to many (2.1.2 into 2.1.1 and 2.1.2), many to one (5.1 and 5.2 into 3.3.1).
CROSSWALK = (
    ("1.1.1", "1.1.1"),
    ("2.1.2", "2.1.1"),
    ("2.1.2", "2.1.2"),
    ("5.1", "3.3.1"),
    ("5.2", "3.3.1"),
)


def build(path: Path) -> Path:
    """The seed plan with returns for 2016 and 2017, the example plan with returns for 2018 and 2019 (KHM keeps
    activity A1 from one plan to the next), and the crosswalk above."""
    warehouse.initialise(path)
    add_return(path, "KHM", 2016, [("A1", "planned", ["5.1"]), ("A2", "completed", ["1.1.1"])])
    add_return(path, "KHM", 2017, [("A1", "ongoing", ["5.1"]), ("A2", "completed", ["1.1.1"])])
    add_return(path, "JPN", 2017, [("J1", "completed", ["5.2"])])
    add_plan(path, PLAN_TEXTS / "example-2018-2022.txt", SECOND_PLAN, (2018, 2022), is_example=True)
    add_return(path, "KHM", 2018, [("A1", "ongoing", ["3.3.1"])], plan_id=SECOND_PLAN)
    add_return(path, "KHM", 2019, [("A1", "completed", ["3.3.1"]), ("K9", "ongoing", ["2.1.1"])], plan_id=SECOND_PLAN)
    link_measures(path, SEED_PLAN.plan_id, SECOND_PLAN, CROSSWALK)
    return path


def link_measures(path: Path, from_plan: str, to_plan: str, pairs: tuple[tuple[str, str], ...]) -> None:
    """Record one crosswalk version between two plans with the given (from measure, to measure) links."""
    with warehouse.write_connection(path) as con:
        version = con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM crosswalk_loads WHERE from_plan_id = ? AND to_plan_id = ?",
            [from_plan, to_plan],
        ).fetchone()[0]
        load_id = con.execute(
            "INSERT INTO crosswalk_loads (from_plan_id, to_plan_id, version, source_file, source_sha256, loaded_at,"
            " loaded_by) VALUES (?, ?, ?, 'crosswalk.xlsx', 'test', ?, 'test') RETURNING load_id",
            [from_plan, to_plan, version, datetime(2026, 1, 5, 9, 30)],
        ).fetchone()[0]
        con.executemany(
            "INSERT INTO crosswalk_links (load_id, from_plan_id, from_measure_id, to_plan_id, to_measure_id, relation)"
            " VALUES (?, ?, ?, ?, ?, 'continues')",
            [(load_id, from_plan, a, to_plan, b) for a, b in pairs],
        )
