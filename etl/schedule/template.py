"""The schedule workbook: every measure of the plan with its current schedule, dropdowns, and how to fill it."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl import warehouse
from etl.plan.countries import COUNTRIES
from etl.plan.plans import PlanTimeframe, plan_timeframe
from etl.returns.template import HEADER_FILL, HEADER_FONT
from etl.schedule.layout import COLUMN_BY_FIELD, COLUMNS, LISTS_SHEET, ONE_OFF, SCHEDULE_SHEET
from etl.schedule.load import current_schedule
from etl.spreadsheet_text import keep_sheet_text

INSTRUCTIONS_SHEET = "How to fill"
INSTRUCTIONS = (
    "The implementation schedule of the Work Plan (item 6.3): {title}, {first}-{last} (plan {plan_id})",
    "The Schedule sheet lists every measure. For each, say when it is expected; progress is judged against it.",
    "Kind: One-off (delivered once: a study, an agreement, an institution set up) or Recurring (done every year, "
    "e.g. 'continue to hold the APT Summit annually'). Blank: one-off.",
    "Start year: the first year work on the measure is expected ({first}-{last}). Blank: {first}.",
    "Due year: a one-off measure's deadline; for a recurring measure, the last year it runs. Not before the start "
    "year. Blank: {last}.",
    "Lead countries: the APT countries that lead the measure, names or ISO3 codes separated by ';' (e.g. JPN; KOR). "
    "A lead country is judged on the measure even before it reports any activity under it. Blank: none.",
    "Note: free text, kept with the schedule.",
    "Measure: the measure's text, for reference; it is not read. Sub-items such as 3.1.2(a) follow their measure.",
    "You may delete rows: a measure that is not listed takes the default (one-off, "
    "{first} to {last}, no leads). Do not list a measure twice.",
    "Check the file before loading it: aptmon schedule load --plan {plan_id} --dry-run FILE (or the dashboard's "
    "Schedule page).",
)


def write_schedule_template(
    path: str | os.PathLike, warehouse_file: str | os.PathLike | None = None, plan_id: str | None = None
) -> Path:
    """Write the plan's schedule workbook (None: the default plan), filled with its current schedule (the default
    where none is set)."""
    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        plan = plan_timeframe(con, plan_id)
        plan_id = plan.plan_id
        schedule = current_schedule(con, plan_id)
        texts = dict(con.execute("SELECT measure_id, text FROM measures WHERE plan_id = ?", [plan_id]).fetchall())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SCHEDULE_SHEET
    sheet.append([c.header for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in schedule.itertuples():
        values = {
            "measure_id": row.measure_id,
            "measure_text": texts.get(row.measure_id, ""),
            "kind": "One-off" if row.kind == ONE_OFF else "Recurring",
            "start_year": int(row.start_year),
            "due_year": int(row.due_year),
            "lead_countries": row.lead_countries if isinstance(row.lead_countries, str) else None,
            "note": row.note if isinstance(row.note, str) else None,
        }
        sheet.append([values[c.field] for c in COLUMNS])
        # Measure ids stay text: 2.1.10 typed as a number would read as 2.11.
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{sheet.max_row}"
    _add_dropdowns(workbook, sheet, sheet.max_row, plan)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), plan)
    workbook.active = 0
    keep_sheet_text(sheet)  # a stored note or lead list goes back as text, never a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _add_dropdowns(workbook: Workbook, sheet, last_row: int, plan: PlanTimeframe) -> None:
    lists = workbook.create_sheet(LISTS_SHEET)
    columns = {
        "kind": ["One-off", "Recurring"],
        "year": list(plan.years),
        "country": [c.iso3 for c in COUNTRIES],
    }
    ranges = {}
    for index, (key, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=key.capitalize()).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value)
        ranges[key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"
    letters = {c.field: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    last = last_row + 50  # a few empty rows carry the dropdowns too

    def dropdown(field: str, source: str, strict: bool, prompt: str) -> None:
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        validation.showErrorMessage = strict
        validation.errorTitle = validation.promptTitle = COLUMN_BY_FIELD[field].header
        validation.error = validation.prompt = prompt
        validation.showInputMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letters[field]}2:{letters[field]}{last}")

    dropdown("kind", ranges["kind"], True, "One-off (delivered once) or Recurring (every year); blank: one-off")
    dropdown("start_year", ranges["year"], True, f"{plan.span}; blank: {plan.first_year}")
    dropdown("due_year", ranges["year"], True, f"{plan.span}; blank: {plan.last_year}")
    # Typed text must stay possible: a measure may have several leads ("JPN; KOR").
    dropdown("lead_countries", ranges["country"], False, "Pick a country or type several separated by ';'")


def _write_instructions(sheet, plan: PlanTimeframe) -> None:
    years = dict(title=plan.title, first=plan.first_year, last=plan.last_year, plan_id=plan.plan_id)
    for index, line in enumerate(INSTRUCTIONS, start=1):
        cell = sheet.cell(row=index, column=1, value=line.format(**years))
        cell.font = Font(bold=index == 1, size=13 if index == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120
