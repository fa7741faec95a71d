"""The crosswalk workbook: every measure of the later plan with the earlier plan's most similar measures."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from etl import warehouse
from etl.crosswalk.layout import (
    COLUMNS,
    COVER_SHEET,
    CROSSWALK_SHEET,
    FROM_LABEL,
    FROM_MEASURES_SHEET,
    INSTRUCTIONS_SHEET,
    SUGGESTIONS,
    TO_LABEL,
)
from etl.crosswalk.suggest import PREFILL_AT, suggest
from etl.plan.plans import PlanTimeframe, plan_timeframe
from etl.returns.load import read_catalogue
from etl.returns.template import HEADER_FILL, HEADER_FONT, LABEL_FONT
from etl.spreadsheet_text import keep_sheet_text

INSTRUCTIONS = (
    "The crosswalk from {from_title} ({from_span}) to {to_title} ({to_span})",
    "The Crosswalk sheet lists every measure of the later plan. In 'Continues', type the measure IDs of the earlier "
    "plan it continues, separated by ';' (e.g. 2.1.6; 2.1.7). Leave it blank when it continues none.",
    "A measure of the earlier plan may be continued by several of the later one (type it in each of their rows), "
    "and one measure may continue several (type them all in its row).",
    f"'Continues' is filled in where a suggestion is at least {PREFILL_AT}% similar: confirm or correct it. The "
    f"{SUGGESTIONS} suggestions beside each measure are the earlier plan's measures whose texts are most alike "
    "(similarity 0-100, by their words); they are not read.",
    "The Cover names the two plans: do not change it. The sheet '" + FROM_MEASURES_SHEET + "' lists every measure of "
    "the earlier plan, for reference.",
    "Check the file before loading it: aptmon plan crosswalk load --dry-run FILE. Every load is kept as a new "
    "version; the monitor uses the newest.",
)


def write_crosswalk_template(
    path: str | os.PathLike, from_plan: str, to_plan: str, warehouse_file: str | os.PathLike | None = None
) -> tuple[Path, int]:
    """Write the crosswalk workbook from one plan to a later one; the path and how many answers were prefilled."""
    from etl.crosswalk.check import CrosswalkRefused, check_plan_pair

    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        earlier, later = plan_timeframe(con, from_plan), plan_timeframe(con, to_plan)
        problem = check_plan_pair(earlier, later)
        if problem:
            raise CrosswalkRefused(problem)
        earlier_catalogue = read_catalogue(con, earlier.plan_id)
        later_catalogue = read_catalogue(con, later.plan_id)
    suggestions = suggest(earlier_catalogue, later_catalogue, SUGGESTIONS)
    workbook = Workbook()
    cover = workbook.active
    cover.title = COVER_SHEET
    _write_cover(cover, earlier, later)
    sheet = workbook.create_sheet(CROSSWALK_SHEET)
    sheet.append([c.header for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    prefilled = 0
    for measure in sorted(later_catalogue.measures, key=lambda m: m.ordinal):
        ranked = suggestions.get(measure.measure_id, [])
        best = ranked[0] if ranked and ranked[0].similarity >= PREFILL_AT else None
        prefilled += best is not None
        values = {
            "measure_id": measure.measure_id,
            "measure_text": measure.text,
            "continues": best.measure_id if best else None,
            "note": None,
        }
        for n in range(1, SUGGESTIONS + 1):
            found = ranked[n - 1] if len(ranked) >= n else None
            values[f"suggestion_{n}"] = found.measure_id if found else None
            values[f"similarity_{n}"] = found.similarity if found else None
            values[f"suggestion_{n}_text"] = found.text if found else None
        sheet.append([values[c.field] for c in COLUMNS])
        for n, column in enumerate(COLUMNS, start=1):  # ids stay text: 2.1.10 typed as a number would read 2.11
            if column.field in ("measure_id", "continues") or column.field.startswith("suggestion_"):
                sheet.cell(row=sheet.max_row, column=n).number_format = "@"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{sheet.max_row}"
    _write_earlier_measures(workbook.create_sheet(FROM_MEASURES_SHEET), earlier_catalogue)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), earlier, later)
    workbook.active = 1
    for each in workbook.worksheets:  # plan texts and titles are stored text: never a formula in the workbook
        keep_sheet_text(each)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path, prefilled


def _write_cover(sheet, earlier: PlanTimeframe, later: PlanTimeframe) -> None:
    sheet["A1"] = f"Crosswalk: {later.title} continues {earlier.title}"
    sheet["A1"].font = Font(bold=True, size=14)
    for row, (label, plan) in enumerate(((FROM_LABEL, earlier), (TO_LABEL, later)), start=3):
        sheet.cell(row=row, column=1, value=label).font = LABEL_FONT
        sheet.cell(row=row, column=2, value=plan.plan_id)
        example = ", an example" if plan.is_example else ""
        sheet.cell(row=row, column=3, value=f"{plan.title} ({plan.span}{example})")
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 70


def _write_earlier_measures(sheet, catalogue) -> None:
    sheet.append(["Measure ID", "Pillar", "Measure"])
    for measure in sorted(catalogue.measures, key=lambda m: m.ordinal):
        sheet.append([measure.measure_id, measure.pillar, measure.text])
    for index in range(1, 4):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["C"].width = 100


def _write_instructions(sheet, earlier: PlanTimeframe, later: PlanTimeframe) -> None:
    words = dict(from_title=earlier.title, from_span=earlier.span, to_title=later.title, to_span=later.span)
    for index, line in enumerate(INSTRUCTIONS, start=1):
        cell = sheet.cell(row=index, column=1, value=line.format(**words))
        cell.font = Font(bold=index == 1, size=13 if index == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120
