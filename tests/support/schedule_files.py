"""Schedule workbooks for tests, written by openpyxl as the Secretariat's Excel would save them."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from etl.schedule.layout import COLUMN_BY_FIELD, SCHEDULE_SHEET

FIELDS = ("measure_id", "kind", "start_year", "due_year", "lead_countries", "note")


def write_schedule(path: Path, rows: list[dict], header: list[str] | None = None, sheet: str = SCHEDULE_SHEET) -> Path:
    """A workbook with one sheet: the header (the template's names by default), then one row per dict."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    header = header or [COLUMN_BY_FIELD[name].header for name in FIELDS]
    ws.append(header)
    for row in rows:
        ws.append([row.get(name) for name in FIELDS])
    workbook.save(path)
    return path
