"""The example implementation schedule `aptmon demo` loads: recurring, early-due and led measures, as an example."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from etl.returns.template import HEADER_FILL, HEADER_FONT
from etl.schedule.layout import COLUMNS, SCHEDULE_SHEET
from etl.schedule.load import ScheduleResult, load_schedule_file

EXAMPLE_FILE_NAME = "schedule-example.xlsx"
EXAMPLE_TITLE = "Example schedule for the demonstration: not the ASEAN Secretariat's schedule"
LOADED_BY = "demo"

# (measure, kind, start, due, leads, note). Chosen from the measures' own words ("annually", "study", "establish")
# and, for the leads, so that the synthetic returns show every status: a lead country with no activity under its
# measure, measures that start late (not yet due), one-off measures due early (overdue).
EXAMPLE_SCHEDULE: tuple[tuple[str, str, int | None, int | None, str | None, str], ...] = (
    ("1.1.2", "recurring", 2013, None, None, "The APT Summit is held every year with the ASEAN Summit."),
    ("2.9.6", "recurring", 2013, None, None, "Regular Joint Consultations of the SME agencies."),
    ("4.7.9", "recurring", 2014, None, None, "Youth exchanges every year from 2014."),
    ("5.1", "recurring", 2013, None, None, "Support for the MPAC, reported every year."),
    ("6.5", "recurring", 2014, None, None, "The Work Plan is reviewed every year."),
    ("6.3", "one-off", 2013, 2014, None, "The schedule itself, by the end of 2014."),
    ("6.4", "one-off", 2013, 2015, None, "The monitoring and evaluation system."),
    ("2.1.2", "one-off", 2013, 2015, "IDN", "The RCEP process, by the end of 2015."),
    ("2.1.13", "one-off", 2013, 2015, "JPN", "Studies on an East Asia Investment Area."),
    ("4.3.2", "one-off", 2014, 2015, "THA", "Benchmarks and monitoring of the MDGs."),
    ("5.4", "one-off", 2014, 2016, "KOR; CHN", "A study of infrastructure financing."),
    ("5.5", "one-off", 2015, 2016, "JPN", "Study groups set up by the Ministers."),
    ("3.1.4", "one-off", 2016, 2017, "THA", "3R cooperation, from 2016."),
    ("4.9.6", "one-off", 2016, 2017, "MYS", "ASEAN and East Asian Studies, from 2016."),
)


def write_example_schedule(path: str | os.PathLike) -> Path:
    """The example as a schedule workbook, as the Secretariat would fill one: a title row, then the table."""
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SCHEDULE_SHEET
    sheet.append([EXAMPLE_TITLE])
    sheet["A1"].font = Font(bold=True, color="C00000")
    sheet.append([column.header for column in COLUMNS if column.field != "measure_text"])
    for cell in sheet[2]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for measure_id, kind, start, due, leads, note in EXAMPLE_SCHEDULE:
        sheet.append([measure_id, kind, start, due, leads, note])
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def load_example_schedule(folder: Path, warehouse_file: str | os.PathLike | None = None) -> ScheduleResult:
    """Write the example workbook into `folder` and load it as the plan's schedule, marked as an example."""
    path = write_example_schedule(folder / EXAMPLE_FILE_NAME)
    return load_schedule_file(path, warehouse_file=warehouse_file, loaded_by=LOADED_BY, is_example=True)
