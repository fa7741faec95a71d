"""The demo's example second plan (2018-2022): a synthetic text in the numbered style, written from the seed plan's
measures, with its crosswalk; labelled as an example wherever it shows, never an official text."""

from __future__ import annotations

import math
import os
from pathlib import Path

from openpyxl import load_workbook

from etl.crosswalk.layout import COLUMNS, CROSSWALK_SHEET
from etl.crosswalk.load import CrosswalkResult, load_crosswalk_file
from etl.crosswalk.template import write_crosswalk_template
from etl.plan.catalogue import Catalogue
from etl.plan.plans import SEED_PLAN
from etl.warehouse.plan_loading import add_plan

EXAMPLE_PLAN_ID = "example-2018-2022"
EXAMPLE_YEARS = (2018, 2022)
EXAMPLE_TITLE = "Example plan 2018-2022 (synthetic, for the demonstration; not an official APT text)"
# One new line of cooperation per pillar, continuing nothing of the earlier plan.
NEW_MEASURES = {
    1: "Explore cooperation on cybersecurity and the security of information and communication technologies;",
    2: "Promote cooperation on the digital economy, electronic commerce and the free flow of data with trust;",
    3: "Cooperate on marine plastic debris through the sharing of experiences and joint research;",
    4: "Promote cooperation on healthy ageing and universal health coverage;",
    5: "Support the implementation of the Master Plan on ASEAN Connectivity 2025;",
    6: "Review the implementation of this Work Plan every year through the ASEAN Plus Three Senior Officials.",
}


def example_plan_text(seed: Catalogue) -> tuple[str, dict[str, str]]:
    """The example plan's text, and which seed measure each of its measures continues (its id -> the seed's id).

    Every pillar and section of the seed plan carries on with the first half of its measures, renumbered, and
    each pillar gains one new measure."""
    lines = [EXAMPLE_TITLE, "", "A synthetic text written for the monitor's demonstration from the 2013-2017 Work "
             "Plan's measures; it is not an official APT text.", ""]  # fmt: skip
    continues: dict[str, str] = {}
    for pillar in seed.pillars:
        lines += [f"{pillar.roman}.", pillar.title, ""]
        measures = [m for m in sorted(seed.measures, key=lambda m: m.ordinal) if m.pillar == pillar.pillar]
        sections = [s for s in sorted(seed.sections, key=lambda s: s.ordinal)
                    if s.pillar == pillar.pillar and not s.is_direct_group]  # fmt: skip
        direct = [m for m in measures if m.parent_id == str(pillar.pillar)]
        number = 0
        for measure in direct[: math.ceil(len(direct) / 2)]:
            number += 1
            continues[f"{pillar.pillar}.{number}"] = measure.measure_id
            lines += [f"{pillar.pillar}.{number}. {measure.text}", ""]
        if not sections:  # the pillar's new measure sits directly under it too
            number += 1
            lines += [f"{pillar.pillar}.{number}. {NEW_MEASURES[pillar.pillar]}", ""]
        for position, section in enumerate(sections):
            number += 1
            section_id = f"{pillar.pillar}.{number}"
            lines += [f"{section_id} {section.title}", ""]
            in_section = [m for m in measures if m.section_id == section.section_id]
            kept = in_section[: math.ceil(len(in_section) / 2)]
            for index, measure in enumerate(kept, start=1):
                continues[f"{section_id}.{index}"] = measure.measure_id
                lines += [f"{section_id}.{index} {measure.text}", ""]
            if position == 0:  # the pillar's new measure closes its first section
                lines += [f"{section_id}.{len(kept) + 1} {NEW_MEASURES[pillar.pillar]}", ""]
    return "\n".join(lines) + "\n", continues


def load_example_plan(folder: Path, seed: Catalogue, warehouse_file: str | os.PathLike | None = None) -> dict:
    """Write the example plan's text into `folder` and add it as a plan marked as an example; what add_plan says,
    with the mapping its crosswalk records."""
    text, continues = example_plan_text(seed)
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{EXAMPLE_PLAN_ID}.txt"
    source.write_text(text, encoding="utf-8")
    added = add_plan(warehouse_file, source, EXAMPLE_PLAN_ID, EXAMPLE_YEARS, EXAMPLE_TITLE, is_example=True)
    return added | {"continues": continues}


def load_example_crosswalk(
    folder: Path, continues: dict[str, str], warehouse_file: str | os.PathLike | None = None
) -> CrosswalkResult:
    """The crosswalk from the seed plan to the example plan, written through the real template with the answers
    an officer would give (the mapping the example was written from), and loaded through the real check."""
    path, _ = write_crosswalk_template(
        folder / "crosswalk-example.xlsx", SEED_PLAN.plan_id, EXAMPLE_PLAN_ID, warehouse_file
    )
    column = next(i for i, c in enumerate(COLUMNS, start=1) if c.field == "continues")
    workbook = load_workbook(path)
    sheet = workbook[CROSSWALK_SHEET]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column).value = continues.get(str(sheet.cell(row=row, column=1).value))
    workbook.save(path)
    return load_crosswalk_file(path, warehouse_file=warehouse_file, loaded_by="demo")
