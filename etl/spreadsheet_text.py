"""Text the product writes into a spreadsheet or CSV stays text: never a formula, whatever the list separator."""

from __future__ import annotations

import re

# A spreadsheet reads a cell that starts with one of these as a formula (CSV/formula injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell inside one CSV field: at its start, after a `;` or `,` (a spreadsheet whose
# list separator is the other one, as Excel's is in Indonesia or Viet Nam, splits the field there), after a tab, and
# after a line break (read with the other separator, the field's quotes no longer pair up, so a line break inside
# it ends a row). Spaces and an opening double quote before the trigger do not stop a spreadsheet reading a formula.
# The same expression is in dashboard/assets/dashAgGridFunctions.js.
_PART_STARTING_A_FORMULA = re.compile(r'(?:^|(?<=[;,\t\r\n]))(?=[ "]*[=+\-@\t\r])')
# openpyxl writes a string that is one of these as an error cell rather than text.
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def neutralise_csv(value: str) -> str:
    """A CSV field no spreadsheet runs as a formula: a `'` before every part of it that would start one.

    `=1+1` becomes `'=1+1`; `Seminar;=1+1;end` becomes `Seminar;'=1+1;end`, so that the part a `;`-separating
    spreadsheet makes a cell of is text too. Anything else comes back unchanged.
    """
    return _PART_STARTING_A_FORMULA.sub("'", value)


def neutralise_csv_value(value: object) -> object:
    """neutralise_csv for text; numbers, dates and blanks unchanged (for a data frame's cells)."""
    return neutralise_csv(value) if isinstance(value, str) else value


def starts_a_formula(value: str) -> bool:
    """Whether a spreadsheet would read this text, typed into a cell, as a formula."""
    return value.startswith(FORMULA_TRIGGERS)


def keep_cell_text(cell) -> None:
    """An openpyxl cell holding text stays a text cell: openpyxl makes `=...` a formula and `#N/A` an error.

    A cell that starts like a formula also gets Excel's quote prefix, so editing it in a spreadsheet keeps it text.
    """
    value = cell.value
    if not isinstance(value, str):
        return
    if cell.data_type in ("f", "e") or value in _ERROR_CODES:
        cell.data_type = "s"
    if starts_a_formula(value):
        cell.quotePrefix = True


def keep_sheet_text(sheet) -> None:
    """keep_cell_text for every cell of an openpyxl worksheet (call it after filling the sheet, before saving)."""
    for row in sheet.iter_rows():
        for cell in row:
            keep_cell_text(cell)
