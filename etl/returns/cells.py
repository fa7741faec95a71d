"""Reading one spreadsheet cell as what it should hold: text, a year, a date, an amount; and the error values."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2030, 12, 31)
# Excel's error values, and LibreOffice's numbered ones (Err:501 to Err:539) as an .ods shows them.
CELL_ERRORS = frozenset(
    {"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
    | {f"Err:{code}" for code in range(501, 540)}
)

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_YEAR = re.compile(r"\d{4}")
_EXCEL_EPOCH = date(1899, 12, 30)

# What parse_amount gives for a cell that is not an amount >= 0 (None already means a blank cell).
INVALID_AMOUNT = object()


def is_blank(value: object) -> bool:
    """Whether a cell is empty: None, or text of spaces alone."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str | None:
    """A cell as text: whole numbers without '.0', dates as ISO, blanks as None."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def column_texts(values: list) -> list[str | None]:
    """A column as cell_text gives each cell, with the loops in C when every cell is already text (the usual case)."""
    try:
        stripped = list(map(str.strip, values))
    except TypeError:  # a number, a date or a formula's error among the cells
        return [cell_text(v) if v.__class__ is not str else (v.strip() or None) for v in values]
    return [text or None for text in stripped] if "" in stripped else stripped


def cell_year(value: object) -> int | None:
    """A cell as a year: a whole number, a date's year, or four digits of text; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime | date):
        return value.year
    text = str(value).strip()
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def day_month_order(values) -> str | None:
    """How a column writes its day/month/year text dates, when its dates settle it: 'day' when one has a first
    number over 12 (13/07/2017), 'month' when one has a second number over 12 (07/13/2017) and none the first;
    None when every one could be read either way (01/07/2017), or the column has none."""
    firsts, seconds = False, False
    for value in values:
        if isinstance(value, str) and (match := _DMY_DATE.fullmatch(value.strip())):
            firsts = firsts or int(match.group(1)) > 12
            seconds = seconds or int(match.group(2)) > 12
    if firsts:
        return "day"
    return "month" if seconds else None


def ambiguous_readings(value: object) -> tuple[date, date] | None:
    """(day first, month first) for text such as 01/07/2017 that reads as two different valid dates; else None."""
    if not isinstance(value, str) or not (match := _DMY_DATE.fullmatch(value.strip())):
        return None
    first, second, year = (int(part) for part in match.groups())
    if first == second or first > 12 or second > 12 or first == 0 or second == 0:
        return None
    return date(year, second, first), date(year, first, second)


def parse_date(value: object, month_first: bool = False) -> tuple[date | None, str | None, str | None]:
    """(date, issue code or None, detail) for one date cell; day/month/year text is read month first when
    `month_first` (its column's other dates say so: day_month_order)."""
    when: date | None = None
    year_only = False
    if isinstance(value, datetime):
        when = value.date()
    elif isinstance(value, date):
        when = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1000 <= value <= 9999:
            when, year_only = date(int(value), 1, 1), True
        elif 20_000 <= value <= 80_000:  # an Excel date serial in a cell without a date format
            when = _EXCEL_EPOCH + timedelta(days=int(value))
    else:
        text = str(value).strip()
        try:
            if match := _ISO_DATE.fullmatch(text):
                when = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            elif match := _DMY_DATE.fullmatch(text):
                day, month = (match.group(2), match.group(1)) if month_first else (match.group(1), match.group(2))
                when = date(int(match.group(3)), int(month), int(day))
            elif _YEAR.fullmatch(text):
                when, year_only = date(int(text), 1, 1), True
        except ValueError:
            when = None
    if when is None:
        return None, "invalid-date", None
    if not EARLIEST_DATE <= when <= LATEST_DATE:
        return when, "date-out-of-range", None
    if year_only:
        return when, "year-only-date", when.isoformat()
    return when, None, None


def parse_amount(value: object) -> float | None | object:
    """A budget cell as a number of dollars, None when blank, INVALID_AMOUNT when not an amount >= 0."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = float(value)
    else:
        text = re.sub(r"(?i)usd|us\$|\$|,|\s", "", str(value))
        if not text:
            return None
        try:
            amount = float(text)
        except ValueError:
            return INVALID_AMOUNT
    return INVALID_AMOUNT if amount != amount or amount < 0 else amount
