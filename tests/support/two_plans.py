"""A warehouse holding two plans for the dashboard's plan tests: the seed plan and an example 2018-2022 plan added
from its text, a few returns under each, and a crosswalk between them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from openpyxl import load_workbook

from etl import warehouse
from etl.crosswalk.layout import COLUMNS, CROSSWALK_SHEET
from etl.crosswalk.load import load_crosswalk_file
from etl.crosswalk.template import write_crosswalk_template
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


def crosswalk_workbook(path: Path, target: Path, from_plan: str, to_plan: str, pairs: tuple[tuple[str, str], ...]):
    """The crosswalk workbook of `aptmon plan crosswalk template`, its answers set to the given (from, to) links and
    every other measure continuing none."""
    write_crosswalk_template(target, from_plan, to_plan, path)
    continues: dict[str, list[str]] = {}
    for earlier, later in pairs:
        continues.setdefault(later, []).append(earlier)
    workbook = load_workbook(target)
    sheet = workbook[CROSSWALK_SHEET]
    column = next(i for i, c in enumerate(COLUMNS, start=1) if c.field == "continues")
    for row in range(2, sheet.max_row + 1):
        measure = sheet.cell(row=row, column=1).value
        if measure:
            sheet.cell(row=row, column=column).value = "; ".join(continues.get(measure, [])) or None
    workbook.save(target)
    return target


def link_measures(path: Path, from_plan: str, to_plan: str, pairs: tuple[tuple[str, str], ...]) -> None:
    """Load a crosswalk between two plans with the given (from measure, to measure) links, as an officer would:
    the template filled in, then `aptmon plan crosswalk load`'s check and load."""
    with tempfile.TemporaryDirectory() as folder:
        workbook = crosswalk_workbook(path, Path(folder) / "crosswalk.xlsx", from_plan, to_plan, pairs)
        result = load_crosswalk_file(workbook, warehouse_file=path, loaded_by="test")
    assert result.status == "accepted", [issue.to_dict() for issue in result.issues]
