"""An .ods's sheets sized from the repeated rows and cells of content.xml, and its cells holding spreadsheet errors."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from etl.returns.guard.sheet_limits import refuse_oversized

_ODS_TAG = re.compile(
    rb"<(?P<closing>/?)table:(?P<tag>table-row|table-cell|covered-table-cell|table)(?=[\s/>])(?P<attributes>[^>]*)>"
)
# A plain row: one token for the row and its cells, when their tags hold no "<" and nothing between them opens or
# closes a table: tag. Its tags are exactly those _ODS_TAG would find one by one (a row, then cells and their
# ends), so the row is taken in one step, from counts made in C (a piece where something repeats or is an error
# goes tag by tag).
_PLAIN_CONTENT = rb"(?:[^<]++|</?table:table-cell(?=[\s/>])[^<>]*+>|<(?!/?table:))*+"
_ODS_TOKEN = re.compile(
    rb"(?P<plain><table:table-row(?=[\s/>])[^<>]*+>"
    + _PLAIN_CONTENT
    + rb"</table:table-row(?=[\s/>])[^<>]*+>)|"
    + _ODS_TAG.pattern
)
_CELL_OPEN = b"<table:table-cell"
_VALUED_CELL = re.compile(rb"<table:table-cell(?=[\s/>])[^<>]*?office:value-type")
_LAST_VALUED_CELL = re.compile(rb"(?s:.*)" + _VALUED_CELL.pattern)
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="(\d{1,9})"')
_ODS_COLUMNS = re.compile(rb'table:number-columns-repeated="(\d{1,9})"')
# Spreadsheet errors, which calamine reads as blank: cells LibreOffice marks as holding an error (the text shown
# follows as the cell's paragraph).
_ODS_ERROR = b'calcext:value-type="error"'
_ODS_TEXT = re.compile(rb"\s*<text:p[^>]*>([^<]{1,64})</text:p>")
_MAX_ERROR_CELLS = 10_000  # each is reported; a sheet of errors needs no more to be rejected


def check_ods_extents(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Refuse an .ods whose repeated rows or cells hold values over more than a return can hold; the error values
    (#REF! ...) of each sheet, which calamine reads as blank.

    One ODS row element can stand for a million rows (number-rows-repeated) and one cell for thousands of
    columns; calamine expands them into a dense sheet of up to 100 million cells (gigabytes) before we see it.
    """
    errors: dict[str, dict[tuple[int, int], str]] = {}
    for sheet, rows, columns, sheet_errors in _ods_extents(path):
        refuse_oversized(sheet, rows, columns, f"on sheet {sheet}")
        if sheet_errors:
            errors[sheet] = sheet_errors
    return errors


def _ods_extents(path: Path) -> Iterator[tuple[str, int, int, dict[tuple[int, int], str]]]:
    """(sheet, rows, columns, error cells) spanned by cells holding a value, streamed from content.xml in 1 MiB
    chunks."""
    name, row, column, rows, columns = "", 0, 0, 0, 0
    errors: dict[tuple[int, int], str] = {}
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as part:
        while chunk := part.read(1 << 20):
            data = tail + chunk
            cut = data.rfind(b"<")
            data, tail = data[:cut], data[cut:]
            tokens = _ODS_TOKEN if b"-repeated" not in data and _ODS_ERROR not in data else _ODS_TAG
            for match in tokens.finditer(data):
                if match.lastgroup == "plain":  # one row, its cells one column each
                    start, end = match.span()
                    row += 1
                    column = data.count(_CELL_OPEN, start, end)
                    if _VALUED_CELL.search(data, start, end):
                        rows = max(rows, row)
                        if column > columns:  # only a row wider than the sheet so far can widen it
                            last_valued = _LAST_VALUED_CELL.match(data, start, end)
                            columns = max(columns, data.count(_CELL_OPEN, start, last_valued.end()))
                    continue
                closing, tag, attributes = match.group("closing", "tag", "attributes")
                if tag == b"table":
                    if closing:
                        yield name, rows, columns, errors
                    else:
                        found = _ODS_NAME.search(attributes)
                        name = html.unescape(found.group(1).decode("utf-8", "replace")) if found else "?"
                        row = rows = columns = 0
                        errors = {}
                elif closing:
                    continue
                elif tag == b"table-row":
                    repeat = _ODS_ROWS.search(attributes)
                    row += int(repeat.group(1)) if repeat else 1  # the row just opened ends at `row`
                    column = 0
                else:  # a cell (or a cell covered by a merge)
                    repeat = _ODS_COLUMNS.search(attributes)
                    count = int(repeat.group(1)) if repeat else 1
                    column += count
                    if b"office:value-type" in attributes:  # a cell with a value; blank repeats cost nothing
                        rows, columns = max(rows, row), max(columns, column)
                    if _ODS_ERROR in attributes and len(errors) < _MAX_ERROR_CELLS:
                        text = _ODS_TEXT.match(data, match.end())
                        shown = html.unescape(text.group(1).decode("utf-8", "replace")) if text else "#VALUE!"
                        errors[row, column - count + 1] = shown
