"""An xlsx's sheets sized before calamine lays them out: the quick pass, and the exact one where it cannot vouch."""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from etl.returns import layout as fmt
from etl.returns.guard.ooxml import sheet_names_by_part
from etl.returns.guard.outcome import Refused, SheetScan
from etl.returns.guard.sheet_limits import MAX_SHEET_CELLS, MAX_SHEET_ROWS, refuse_oversized
from etl.returns.guard.xlsx_cells import placed_extent, tag_aligned_pieces
from etl.returns.issue_codes import make_issue
from etl.returns.sheet_halves import SheetHalves, worth_splitting

# calamine (through quick-xml) places a cell by its r="" attribute wherever that sits in the tag (the last one if
# repeated, letters in either case, either quote), else one column right of the previous cell in its row; a row's
# r="" sets the row and each </row> moves to the next; tags count by local name, so <x:c> is a cell too.
# The quick pass proves a sheet ordinary: every cell tag is <c r="<one letter><up to seven digits>"> with at most
# s="" and t="" after it, as Excel, LibreOffice and openpyxl write, and no cell tag has a prefix. No such cell is
# placed by counting or lies right of Z, so only six- or seven-digit rows and the letters need reading. Anything
# else takes the exact pass. Each piece of the sheet is checked by searches that run in C, none per cell. Most pieces
# need two: one finds no prefixed cell, the other no cell but listed ones within the widest column so far, above row
# 100 000 and not of type e. Where it finds one, the full searches read the piece from that cell on: the first
# unusual cell, the deep rows before it, error cells, and any cell right of the widest column so far.
# A cell of type e holds a spreadsheet error (#REF! ...), which calamine reads as blank: the quick pass notes it for
# the reader.
_CELL_REST = rb'(?> t="{t}">| s="[0-9]*+"(?: t="{t}")?/?>|/?>|(?: (?:s|cm|vm|ph)="[0-9a-zA-Z]*+"| t="{t}")++/?>)'
_LISTED_CELL_REST = _CELL_REST.replace(b"{t}", rb"[a-zA-Z]*+")
_UNUSUAL_CELL = re.compile(rb'<c(?! r="[A-Z][0-9]{1,7}+"' + _LISTED_CELL_REST + rb")[\s/>]")
# The row of a listed cell at or below row 100 000: six or seven digits once leading zeros are dropped.
_DEEP_ROW = re.compile(rb'<c r="[A-Z](?=[0-9]{1,7}")0*+([1-9][0-9]{5,6})"')
# A listed cell's attributes hold no ">" and their values no quote: t="e" before the ">" is the cell's type.
_ERROR_VALUE_CELL = re.compile(rb'<c r="[A-Z][0-9]{1,7}"[^>]* t="e"')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# _CELL_RIGHT_OF[n]: a listed cell in a column right of the n-th letter (n = 0: any column).
_CELL_RIGHT_OF = [re.compile(rb'<c r="([' + bytes([65 + n]) + rb"-Z])") for n in range(26)]


@functools.cache
def _notable_cell(widest: int) -> re.Pattern[bytes]:
    """A cell the full searches would act on, or more: any but a listed cell in a column up to the `widest`-th
    letter, with a row of at most five digits and a type other than e."""
    plain_rest = _CELL_REST.replace(b"{t}", rb'(?!e")[a-zA-Z]*+')
    return re.compile(rb'<c(?! r="[A-' + bytes([64 + widest]) + rb'][0-9]{1,5}+"' + plain_rest + rb")[\s/>]")


def check_sheet_extents(path: Path, sheets: list[zipfile.ZipInfo]) -> SheetScan:
    """Refuse a worksheet whose cells span more rows, columns or cells than a return can hold, before calamine.

    Returns the parts that may hold spreadsheet errors (those the quick pass saw one in, and those it could not
    vouch for: the exact pass does not look for them), and a large activity sheet the quick pass vouched for, cut
    in two on the way for parsing in halves at once (etl.returns.sheet_halves).
    """
    may_hold_errors: set[str] = set()
    vouched_halves = None
    with zipfile.ZipFile(path) as archive:
        names = sheet_names_by_part(archive)
        names_any_case = {part.lower(): name for part, name in names.items()}
        for entry in sheets:
            sheet = names.get(entry.filename) or names_any_case.get(entry.filename.lower())
            is_activities = sheet is not None and fmt.header_key(sheet) == fmt.header_key(fmt.ACTIVITIES_SHEET)
            halves = (
                SheetHalves(archive, entry.filename, sheet)
                if is_activities and worth_splitting(entry.file_size)
                else None
            )
            try:
                rows, columns, exact, widest = _quick_extent(
                    archive, entry, errors_seen=may_hold_errors, checked=halves and halves.checked
                )
                if exact:
                    may_hold_errors.add(entry.filename)
                else:  # every cell names its own one-letter column: the widest of them bounds the sheet's width
                    columns = widest
                if not exact and rows * columns > MAX_SHEET_CELLS and rows <= MAX_SHEET_ROWS:
                    rows, columns, exact = _sheet_extent(archive, entry, exact=True)
            except (zlib.error, zipfile.BadZipFile, OSError, EOFError) as exc:
                raise Refused(
                    make_issue("corrupt-file", detail=f"the zip container is damaged in {entry.filename}: {exc}")
                ) from exc
            refuse_oversized(sheet, rows, columns, f"on sheet {sheet}" if sheet else f"in {entry.filename}")
            if halves is not None and not exact and vouched_halves is None:
                vouched_halves = halves
    return SheetScan(frozenset(may_hold_errors), vouched_halves)


def _sheet_extent(
    archive: zipfile.ZipFile,
    entry: zipfile.ZipInfo,
    exact: bool,
    errors_seen: set[str] | None = None,
    checked: Callable[[bytes], None] | None = None,
) -> tuple[int, int, bool]:
    """(rows, columns, exact): a bound on the rows and columns calamine will lay the sheet's cells out over.

    The quick pass bounds an ordinary sheet by 99 999 rows (or its deepest six- or seven-digit row) and 26
    columns; the exact pass (taken for any sheet the quick pass cannot vouch for) follows calamine's placement.
    See _quick_extent for `errors_seen` and `checked`.
    """
    if exact:
        return placed_extent(archive, entry)
    rows, columns, exact, _ = _quick_extent(archive, entry, errors_seen, checked)
    return rows, columns, exact


def _quick_extent(
    archive: zipfile.ZipFile,
    entry: zipfile.ZipInfo,
    errors_seen: set[str] | None = None,
    checked: Callable[[bytes], None] | None = None,
) -> tuple[int, int, bool, int]:
    """_sheet_extent's quick pass, with the widest column a cell names when it vouches for the sheet (26 else).

    Adds the part to `errors_seen` when one of its cells holds a spreadsheet error, and hands each piece of the part
    to `checked` once it has checked the tags that open in it (see tag_aligned_pieces). One scan: a sheet it
    cannot vouch for is placed exactly from the start, and one with a row past the cap is refused at once.
    """
    rows = widest = 0
    for data, start, end in tag_aligned_pieces(archive, entry, checked):
        if _PREFIXED_CELL.search(data, start, end):
            return (*placed_extent(archive, entry), 26)
        if widest:
            notable = _notable_cell(widest).search(data, start, end)
            if notable is None:
                continue
            start = notable.start()  # the searches below pass over every cell before it
        unusual = _UNUSUAL_CELL.search(data, start, end)
        listed_end = end if unusual is None else unusual.start()  # cells before the first unusual one are listed
        if deep_rows := _DEEP_ROW.findall(data, start, listed_end):
            # Six-digit rows compare as their text does, no int per cell (seven digits are past the cap, and rare).
            deepest = int(max(deep_rows)) if max(map(len, deep_rows)) == 6 else max(map(int, deep_rows))
            rows = max(rows, deepest)
            if rows > MAX_SHEET_ROWS:  # refused whatever the width, at the first cell past the cap
                return next(row for row in map(int, deep_rows) if row > MAX_SHEET_ROWS), 26, False, 26
        if unusual is not None:
            return (*placed_extent(archive, entry), 26)
        if (
            errors_seen is not None
            and data.find(b' t="e"', start, end) >= 0
            and _ERROR_VALUE_CELL.search(data, start, end)
        ):
            errors_seen.add(entry.filename)
        while widest < 26 and (wider := _CELL_RIGHT_OF[widest].search(data, start, end)):
            widest = wider.group(1)[0] - 64
    return max(rows, 99_999), 26, False, widest
