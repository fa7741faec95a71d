"""The return template workbook: Cover, Activities with dropdowns, the Measures catalogue and the Lists."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl import warehouse
from etl.plan.catalogue import Catalogue
from etl.plan.countries import COUNTRIES, country_name
from etl.plan.plans import plan_timeframe
from etl.returns import layout as fmt
from etl.spreadsheet_text import keep_sheet_text

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
LABEL_FONT = Font(bold=True)
PREFILLED_FROM_LABEL = "Prefilled from"
EMPTY_ROWS = 300  # rows below the activities that carry the dropdowns, ready to type into

INSTRUCTIONS = (
    "How to fill in this return",
    "1. Check Country and Reporting year above; fill Prepared by, Email and Date prepared.",
    "2. On the Activities sheet, list one activity per row under the header (do not rename or remove the header).",
    "3. Activity ID: your own code for the activity, unique in this return and the same every year (e.g. KHM-001).",
    "4. Measure IDs: one or more Work Plan measures, e.g. 2.1.6 or 3.1.2(a), separated by ';' "
    "(pick from the dropdown or type; the Measures sheet lists them all).",
    "5. Status: Planned, Ongoing, Suspended, Completed or Cancelled. Start date is needed for ongoing, suspended and "
    "completed activities, End date for completed ones (dates as 2015-03-01 or 01/03/2015).",
    "6. Partner countries: APT country names or codes separated by ';'. Budget (USD): a number, 0 or more.",
    "7. List every activity active in the year, including those that finished or were cancelled during it.",
    "8. Upload the file on the dashboard's Upload page: it is checked at once and any problems are listed, row by "
    "row; press Submit only when it passes. To check without the dashboard: aptmon ingest --dry-run FILE.",
)


def write_template(
    path: str | os.PathLike,
    country: str,
    year: int,
    catalogue: Catalogue,
    activities: list[dict] | None = None,
    synthetic: bool = False,
    prepared_by: str = "",
    email: str = "",
    date_prepared: date | None = None,
    prefilled_from: str = "",
) -> Path:
    """Write the return workbook for (country, year), with `activities` (dicts keyed by field) already filled;
    `prefilled_from` says on the Cover which return they come from (see prefill_activities)."""
    path = Path(path)
    workbook = Workbook()
    cover = workbook.active
    cover.title = fmt.COVER_SHEET
    _write_cover(cover, country, year, catalogue, synthetic, prepared_by, email, date_prepared, prefilled_from)
    activities_sheet = workbook.create_sheet(fmt.ACTIVITIES_SHEET)
    measures_sheet = workbook.create_sheet(fmt.MEASURES_SHEET)
    measure_count = _write_measures(measures_sheet, catalogue)
    lists = workbook.create_sheet(fmt.LISTS_SHEET)
    list_ranges = _write_lists(lists)
    _write_activities(activities_sheet, activities or [], measure_count, list_ranges)
    workbook.active = 1 if activities else 0
    # Stored text goes back as the text it was (a title "=2+2" is no formula), so the file re-uploads unchanged.
    for sheet in workbook.worksheets:
        keep_sheet_text(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _write_cover(
    sheet,
    country: str,
    year: int,
    catalogue: Catalogue,
    synthetic: bool,
    prepared_by,
    email,
    date_prepared,
    prefilled_from: str,
) -> None:
    span = f"{catalogue.first_year}-{catalogue.last_year}" if catalogue.first_year is not None else ""
    years = f" ({span})" if span and span not in catalogue.title else ""  # the plan's years, unless its title has them
    sheet["A1"] = f"{catalogue.title}{years}: annual activity return"
    sheet["A1"].font = Font(bold=True, size=14)
    values = {
        "country": country_name(country),
        "year": year,
        "prepared_by": prepared_by,
        "email": email,
        "date_prepared": date_prepared,
        "plan": catalogue.plan_id,
    }
    row = 3
    for field in fmt.COVER_FIELDS:
        if field.key == "data":
            if not synthetic:
                continue
            value = f"{fmt.SYNTHETIC_MARK} (demonstration data, not an official return)"
        else:
            value = values[field.key]
        sheet.cell(row=row, column=1, value=field.label).font = LABEL_FONT
        cell = sheet.cell(row=row, column=2, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        if field.key == "data":
            cell.font = Font(bold=True, color="C00000")
        row += 1
    if prefilled_from:
        # Not a Cover field the reader looks for: it tells the analyst what the Activities sheet starts from.
        sheet.cell(row=row, column=1, value=PREFILLED_FROM_LABEL).font = LABEL_FONT
        sheet.cell(row=row, column=2, value=prefilled_from)
        row += 1
    row += 1
    for index, line in enumerate(INSTRUCTIONS):
        cell = sheet.cell(row=row + index, column=1, value=line)
        cell.font = Font(bold=index == 0)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 40


def _write_measures(sheet, catalogue: Catalogue) -> int:
    sheet.append(["Measure ID", "Pillar", "Section", "Measure"])
    sections = {s.section_id: s.title for s in catalogue.sections}
    count = 0
    for measure in sorted(catalogue.measures, key=lambda m: m.ordinal):
        section = "" if measure.section_id.endswith(".0") else f"{measure.section_id} {sections[measure.section_id]}"
        sheet.append([measure.measure_id, measure.pillar, section, measure.text])
        count += 1
        for sub_item in measure.sub_items:
            sheet.append([sub_item.sub_item_id, measure.pillar, section, sub_item.text])
            count += 1
    _style_header(sheet, 4)
    for letter, width in zip("ABCD", (12, 8, 40, 100), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return count


def _write_lists(sheet) -> dict[str, str]:
    columns = {
        "status": ("Status", [s.capitalize() for s in fmt.STATUSES]),
        "country": ("Country", [c.name for c in COUNTRIES]),
        "funding": ("Funding source", list(fmt.FUNDING_SOURCES)),
    }
    ranges = {}
    for index, (key, (title, values)) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=title).font = LABEL_FONT
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=value)
        sheet.column_dimensions[letter].width = 24
        ranges[key] = f"{fmt.LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _write_activities(sheet, activities: list[dict], measure_count: int, list_ranges: dict[str, str]) -> None:
    sheet.append([c.header for c in fmt.COLUMNS])
    _style_header(sheet, len(fmt.COLUMNS))
    for activity in activities:
        row = []
        for column in fmt.COLUMNS:
            value = activity.get(column.field)
            if column.field == "status" and isinstance(value, str):
                value = value.capitalize()
            row.append(value)
        sheet.append(row)
    for index, column in enumerate(fmt.COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    last = len(activities) + 1 + EMPTY_ROWS
    letters = {c.field: get_column_letter(i) for i, c in enumerate(fmt.COLUMNS, start=1)}

    def dropdown(field: str, source: str, strict: bool, prompt: str) -> None:
        # A list pointing at a range, not an inline list, which Excel caps at 255 characters.
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        validation.showErrorMessage = strict
        validation.errorTitle = fmt.COLUMN_BY_FIELD[field].header
        validation.error = prompt
        validation.promptTitle = fmt.COLUMN_BY_FIELD[field].header
        validation.prompt = prompt
        validation.showInputMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letters[field]}2:{letters[field]}{last}")

    dropdown("status", list_ranges["status"], True, "Planned, Ongoing, Suspended, Completed or Cancelled")
    dropdown("funding_source", list_ranges["funding"], True, "Choose a funding source from the list")
    # Typed text must stay possible: a row may name several measures ("2.1.6; 3.1.2(a)").
    dropdown(
        "measure_ids",
        f"{fmt.MEASURES_SHEET}!$A$2:$A${measure_count + 1}",
        False,
        "Pick a measure or type several separated by ';'",
    )
    dropdown("partners", list_ranges["country"], False, "Pick a country or type several separated by ';'")


def _style_header(sheet, width: int) -> None:
    for index in range(1, width + 1):
        cell = sheet.cell(row=1, column=index)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)


@dataclass
class Prefill:
    """The activities a template starts with, and the return they come from (for the Cover)."""

    activities: list[dict]
    source: str  # e.g. "version 2 of the 2017 return", or "" when nothing was carried

    def __len__(self) -> int:
        return len(self.activities)


_PREFILL_COLUMNS = """
    SELECT a.activity_id, a.title, a.status, a.start_date, a.end_date, a.lead_agency, a.partners,
           a.funding_source, a.budget_usd, a.description, a.source_row,
           -- several sub-items of one measure share its link row, joined by ';'
           string_agg(replace(coalesce(m.sub_item, m.measure_id), ';', '; '), '; ' ORDER BY m.measure_id)
               AS measure_ids
    FROM activities a
    LEFT JOIN activity_measures m ON m.submission_id = a.submission_id AND m.activity_id = a.activity_id
    WHERE a.submission_id = $submission {unfinished}
    GROUP BY ALL
    ORDER BY a.source_row
"""


def prefill_activities(
    warehouse_file: str | os.PathLike | None, country: str, year: int, plan_id: str | None = None
) -> Prefill:
    """What a template for (plan, country, year) starts with (plan None: the default plan).

    A year that already has a current version starts from that version, every activity and every column as
    stored, so a correction starts from what the monitor holds. Any other year starts from the unfinished
    activities (not completed or cancelled) of the country's latest earlier current return.
    """
    with warehouse.read_connection(warehouse_file) as con:
        plan_id = plan_timeframe(con, plan_id).plan_id
        found = con.execute(
            "SELECT submission_id, reporting_year, version FROM current_submissions "
            "WHERE plan_id = ? AND country = ? AND reporting_year <= ? ORDER BY reporting_year DESC LIMIT 1",
            [plan_id, country, year],
        ).fetchone()
        if found is None:
            return Prefill([], "")
        submission_id, source_year, version = found
        same_year = source_year == year
        unfinished = "" if same_year else "AND a.status NOT IN ('completed', 'cancelled')"
        cursor = con.execute(_PREFILL_COLUMNS.format(unfinished=unfinished), {"submission": submission_id})
        names = [d[0] for d in cursor.description]
        activities = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if same_year:
        return Prefill(activities, f"version {version} of the {year} return")
    return Prefill(activities, f"the unfinished activities of the {source_year} return (version {version})")


def template_catalogue(warehouse_file: str | os.PathLike | None = None, plan_id: str | None = None) -> Catalogue:
    """The catalogue the warehouse checks the plan's returns against (plan None: the default plan), or the seed
    plan text's when there is no warehouse yet."""
    from etl.plan.catalogue import load_catalogue
    from etl.returns.load import read_catalogue

    if not warehouse.warehouse_path(warehouse_file).exists():
        return load_catalogue()
    with warehouse.read_connection(warehouse_file) as con:
        return read_catalogue(con, plan_timeframe(con, plan_id).plan_id)


def write_return_template(
    path: str | os.PathLike,
    country: str,
    year: int,
    warehouse_file: str | os.PathLike | None = None,
    prefill: bool = False,
    plan_id: str | None = None,
) -> tuple[Path, Prefill]:
    """Write the return workbook for (country, year) on the warehouse's catalogue, started from what
    prefill_activities finds when `prefill`; the path written and the activities carried (none without `prefill`)."""
    filled = prefill_activities(warehouse_file, country, year, plan_id) if prefill else Prefill([], "")
    catalogue = template_catalogue(warehouse_file, plan_id)
    written = write_template(path, country, year, catalogue, filled.activities, prefilled_from=filled.source)
    return written, filled
