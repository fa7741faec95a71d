"""Reading a return file (xlsx, xlsm, xls, ods, csv) into raw cell values that keep their sheet, row and column.

Nothing parses a file before etl.returns.guard has proved it harmless.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import compress, count, islice, repeat
from operator import itemgetter
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from etl.returns import layout as fmt
from etl.returns.cell_references import column_letter
from etl.returns.guard.check import check_file
from etl.returns.guard.ooxml import sheet_names_by_part
from etl.returns.guard.outcome import Refused
from etl.returns.guard.sheet_limits import MAX_SHEET_ROWS, refuse_oversized
from etl.returns.guard.xlsx_cells import QUOTED_ATTRIBUTES, cell_reference
from etl.returns.issue_codes import Issue, make_issue
from etl.returns.sheet_halves import SheetHalves
from etl.returns.table_layout import TableLayout

HEADER_SEARCH_ROWS = 30
COVER_ROWS = 40  # the Cover labels sit at the top; a sheet below them is never read

# A cell whose type is e (an error a formula left, e.g. #REF!) with what it holds, not self-closing.
_ERROR_CELL = re.compile(
    rb"<c\b(" + QUOTED_ATTRIBUTES + rb"""\bt\s*=\s*["']e["']""" + QUOTED_ATTRIBUTES + rb")(?<!/)>(.*?)</c>", re.S
)
_CACHED_VALUE = re.compile(rb"<v>([^<]{1,64})</v>")


@dataclass
class CellRef:
    """A labelled value on the Cover sheet and where it sits."""

    value: object
    row: int
    column_index: int


@dataclass
class TableColumn:
    field: str  # the return column it is, or "" for an extra column
    header: str  # the header as typed
    index: int  # 1-based column index in the sheet


@dataclass
class RawTable:
    """The activity table: one list of raw values per column, aligned with the Excel row numbers."""

    sheet: str
    header_row: int
    columns: dict[str, TableColumn]
    rows: list[int]
    values: dict[str, list]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class RawReturn:
    path: Path
    file_name: str
    file_format: str | None
    sha256: str
    cover_sheet: str | None = None
    cover: dict[str, CellRef] = field(default_factory=dict)
    table: RawTable | None = None
    issues: list[Issue] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_return(path: str | Path, file_name: str | None = None, layout: TableLayout = fmt.RETURN_LAYOUT) -> RawReturn:
    """Read a return file; problems that stop reading come back as one error issue, never as an exception.

    `file_name` is the name the analyst gave the file (its extension decides the expected format);
    it defaults to the path's own name. `layout` says which sheet and header to read: a return's by default,
    the implementation schedule's for a schedule workbook (etl.schedule.layout).
    """
    return inspect_return(path, file_name, layout).read()


@dataclass
class InspectedReturn:
    """A return file whose format and size are checked: the first half of reading it."""

    raw: RawReturn
    refused: bool
    layout: TableLayout = fmt.RETURN_LAYOUT
    error_value_parts: frozenset[str] = frozenset()  # sheet parts that may hold spreadsheet errors (#REF! ...)
    halves: SheetHalves | None = None  # a large activity sheet, cut in two by the size pre-scan
    # .xls and .ods: the spreadsheet errors of each sheet, found by the pre-scan
    error_values: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)

    def read(self) -> RawReturn:
        """The second half: parse the file. calamine lets go of the interpreter meanwhile, so a caller may run
        this on a thread and do other work; a refused file comes back as it is, with the issue that says why."""
        raw = self.raw
        if self.refused:
            return raw
        try:
            if raw.file_format == "csv":
                _read_csv(raw.path, raw, self.layout)
            else:
                halves = self.halves if self.layout.sheet == fmt.ACTIVITIES_SHEET else None
                _read_workbook(raw.path, raw, self.layout, self.error_value_parts, halves, self.error_values)
        except Refused as refused:
            raw.table = None
            raw.issues.append(refused.issue)
        return raw


def inspect_return(
    path: str | Path, file_name: str | None = None, layout: TableLayout = fmt.RETURN_LAYOUT
) -> InspectedReturn:
    """The first half of read_return: the file's hash, its format by content, and the size limits checked."""
    path = Path(path)
    file_name = file_name or path.name
    raw = RawReturn(path, file_name, None, file_sha256(path))
    try:
        raw.file_format, scan = check_file(path, file_name)
    except Refused as refused:
        issue = refused.issue
        if issue.code == "empty-workbook":  # an empty file is told which template to fill in
            issue = make_issue("empty-workbook", sheet=issue.sheet, **layout.words)
        raw.issues.append(issue)
        return InspectedReturn(raw, refused=True, layout=layout)
    return InspectedReturn(raw, False, layout, scan.error_value_parts, scan.halves, scan.error_values)


def _read_workbook(
    path: Path,
    result: RawReturn,
    layout: TableLayout,
    error_value_parts: frozenset[str] = frozenset(),
    halves: SheetHalves | None = None,
    error_values: dict[str, dict[tuple[int, int], str]] | None = None,
) -> None:
    try:
        if path.suffix.lower() == f".{result.file_format}":
            workbook = CalamineWorkbook.from_path(str(path))
        else:  # e.g. an .xls saved under an .xlsx name: calamine picks the reader by extension, so go by content
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    except PasswordError as exc:
        raise Refused(make_issue("password-protected")) from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise Refused(_unreadable(exc)) from exc
    with workbook:
        sheets = {fmt.header_key(name): name for name in workbook.sheet_names}
        try:
            cover_name = sheets.get(fmt.header_key(layout.cover_sheet)) if layout.cover_sheet else None
            if cover_name is not None:
                result.cover_sheet = cover_name
                cover = _loaded_sheet(workbook, cover_name)
                result.cover = _read_cover(cover.to_python(skip_empty_area=False, nrows=COVER_ROWS), layout)
            activities_name = sheets.get(fmt.header_key(layout.sheet))
            if activities_name is None:
                if not any(workbook.get_sheet_by_name(n).height for n in workbook.sheet_names):
                    raise Refused(make_issue("empty-workbook", **layout.words))
                raise Refused(make_issue("missing-sheet", detail=_name_list(workbook.sheet_names), **layout.words))
            parsed = halves.parse(activities_name) if halves is not None else None
            if parsed is not None:
                rows, merged = parsed.rows, parsed.merged
            else:
                sheet = _loaded_sheet(workbook, activities_name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            if error_value_parts:
                _restore_error_values(rows, _error_values(path, activities_name, error_value_parts))
            if error_values and activities_name in error_values:  # .xls, .ods: found by the pre-scan
                _restore_error_values(rows, error_values[activities_name])
        except Refused:
            raise
        except PasswordError as exc:
            raise Refused(make_issue("password-protected")) from exc
        except Exception as exc:  # calamine raises several types for damaged parts
            raise Refused(_unreadable(exc)) from exc
    if not rows and not result.cover:
        raise Refused(make_issue("empty-workbook", **layout.words))
    result.table = _table(activities_name, rows, result.issues, layout)
    _warn_merged(result.table, merged, result.issues)


def _error_values(path: Path, sheet_name: str, parts: frozenset[str]) -> dict[tuple[int, int], str]:
    """(row, column) -> the spreadsheet error (#REF!, #N/A ...) a formula left in a cell of the sheet, when its part
    is one of `parts` (see etl.returns.guard.outcome.SheetScan), read from the sheet XML.

    calamine gives such a cell as blank, which would make the message "a value is required" (or, in an optional
    column, say nothing) where the analyst sees #REF!.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            named = {part.lower() for part, name in sheet_names_by_part(archive).items() if name == sheet_name}
            part = next((p for p in parts if p.lower() in named), None)
            if part is None:
                return {}
            xml = archive.read(part)
    except (KeyError, OSError, EOFError, zipfile.BadZipFile, zlib.error):
        return {}  # calamine has read the sheet; the blanks stay blanks
    return _error_cells(xml) if _holds_error_value(xml) else {}


def _holds_error_value(data: bytes) -> bool:
    return b't="e"' in data or b"t='e'" in data


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    cells = {}
    for attributes, content in _ERROR_CELL.findall(xml):
        reference = cell_reference(attributes, first=False)  # where calamine put the cell it read as blank
        value = _CACHED_VALUE.search(content)
        if reference and reference[0] and value:
            column, row = reference
            cells[row, column] = html.unescape(value.group(1).decode("utf-8", "replace"))
    return cells


def _restore_error_values(rows: list[list], errors: dict[tuple[int, int], str]) -> None:
    """Put each error back in the blank cell calamine gave for it (rows start at Excel row 1, column A)."""
    for (row, column), text in errors.items():
        if row <= len(rows) and column <= len(rows[row - 1]) and rows[row - 1][column - 1] == "":
            rows[row - 1][column - 1] = text


def _name_list(names: list[str], shown: int = 10) -> str:
    """Sheet names for a message: the first few, then how many more (a workbook may have hundreds)."""
    listed = ", ".join(names[:shown]) or "none"
    return f"{listed} and {len(names) - shown} more" if len(names) > shown else listed


def _loaded_sheet(workbook: CalamineWorkbook, name: str):
    """A sheet as calamine loaded it, refused before it becomes Python lists if it spans too many cells.

    The last line of defence, for formats with no pre-scan: a 6 KB .xls with cells at A1 and IV65536 is
    16.7 million cells, over a gigabyte as Python lists.
    """
    sheet = workbook.get_sheet_by_name(name)
    refuse_oversized(name, sheet.total_height, sheet.total_width, f"on sheet {name}")
    return sheet


_CODEPAGE = re.compile(r"codepage\s+(\w+)\s+not found", re.IGNORECASE)


def _unreadable(exc: Exception) -> Issue:
    """Why calamine could not read the file: a damaged file, or one in a form it does not support (saving it
    again in the same program would not help)."""
    if found := _CODEPAGE.search(str(exc)):
        detail = f"text in codepage {found.group(1)} (a character set the reader does not know)"
        return make_issue("unsupported-content", detail=detail)
    return make_issue("corrupt-file", detail=_short(exc))


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:160]


def _read_cover(rows: list[list], layout: TableLayout) -> dict[str, CellRef]:
    cover: dict[str, CellRef] = {}
    for number, row in enumerate(rows[:COVER_ROWS], start=1):
        if len(row) < 2 or not isinstance(row[0], str):
            continue
        key = layout.cover_lookup.get(fmt.header_key(row[0]))
        if key and key not in cover:
            cover[key] = CellRef(row[1], number, 2)
    return cover


def _read_csv(path: Path, result: RawReturn, layout: TableLayout) -> None:
    data = path.read_bytes()
    if not data.strip():
        raise Refused(make_issue("empty-workbook", **layout.words))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise Refused(make_issue("wrong-encoding", detail="it is UTF-16 (Unicode) text"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Refused(
            make_issue("wrong-encoding", detail=f"byte 0x{data[exc.start]:02x} on line {line} is not UTF-8")
        ) from exc
    # The header line decides the separator: Excel writes ';' where the decimal mark is a comma.
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # The same row and cell limits as a workbook's sheet, applied while reading: a file of millions of short lines
    # is refused after MAX_SHEET_ROWS of them, not parsed whole into lists first.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [list(r) for r in islice(reader, MAX_SHEET_ROWS + 1)]
    if len(rows) > MAX_SHEET_ROWS:
        detail = f"more than {MAX_SHEET_ROWS:,} rows"
        raise Refused(make_issue("file-too-large", sheet=layout.sheet, detail=detail))
    refuse_oversized(layout.sheet, len(rows), max(map(len, rows), default=0), "in the file")
    result.table = _table(layout.sheet, rows, result.issues, layout)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _has_value(row: list) -> bool:
    # Same rule as _is_blank, as a plain loop: it returns at the first real value (usually the first cell),
    # which keeps it cheap on 100 000 rows; any() in C first passes over a row of '' (blank rows may be many).
    if not any(row):
        return False
    for value in row:
        if value.__class__ is str:
            if value and not value.isspace():
                return True
        elif value is not None:
            return True
    return False


def _find_header(rows: list[list], lookup: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    """The first row near the top whose cells name the most of the layout's columns (at least two different ones)."""
    best: tuple[int, dict[int, str]] | None = None
    best_fields = 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matched = {
            i: lookup[key]
            for i, cell in enumerate(row)
            if isinstance(cell, str) and (key := fmt.header_key(cell)) in lookup
        }
        # Count the columns named, not the cells: "ID, ID" or "#NAME!, #NAME?" (both read as Name) is one column
        # said twice, not a header.
        fields = len(set(matched.values()))
        if fields >= 2 and fields > best_fields:
            best, best_fields = (index, matched), fields
    return best


def _table(sheet: str, rows: list[list], issues: list[Issue], layout: TableLayout) -> RawTable:
    if not any(any(not _is_blank(v) for v in row) for row in rows):
        raise Refused(make_issue("empty-workbook", sheet=sheet, **layout.words))
    found = _find_header(rows, layout.header_lookup)
    if found is None:
        raise Refused(make_issue("missing-header", sheet=sheet, detail=HEADER_SEARCH_ROWS, **layout.words))
    header_index, matched = found
    header_row = header_index + 1
    header = rows[header_index]
    columns: dict[str, TableColumn] = {}
    for i, cell in enumerate(header):
        if _is_blank(cell):
            continue
        text = str(cell).strip()
        name = matched.get(i)
        if name is None:
            issues.append(make_issue("extra-column", sheet=sheet, row=header_row, column=text, column_index=i + 1))
            continue
        if name in columns:
            issues.append(
                make_issue(
                    "duplicate-column",
                    sheet=sheet,
                    row=header_row,
                    column=text,
                    column_index=i + 1,
                    detail=column_letter(columns[name].index - 1),
                )
            )
            continue
        columns[name] = TableColumn(name, text, i + 1)
    found_names = ", ".join(c.header for c in columns.values())
    for name in layout.required:
        if name not in columns:
            issues.append(
                make_issue(
                    "missing-column",
                    sheet=sheet,
                    row=header_row,
                    column=layout.headers[name],
                    detail=found_names,
                )
            )

    # Keep every non-blank row after the header, with its Excel row number; blank rows (however many) go.
    # any() runs in C and drops rows of ''; a row whose cells hold only spaces is blank too (it looks blank in
    # Excel), and _has_value stops at the first real value, so it costs little on rows of data.
    body = rows[header_index + 1 :]
    filled = list(map(_has_value, body))
    numbers = list(compress(count(header_row + 1), filled))
    kept = list(compress(body, filled))
    widths = set(map(len, kept))
    width = max(widths, default=0)
    if len(widths) > 1:  # CSV rows may be ragged; workbook rows never are
        kept = [row + [""] * (width - len(row)) for row in kept]
    # Only the return's columns, cut from each row in one pass and turned into columns by zip, in C. A pass of
    # itemgetter per column reads every row list again, one column at a time: 0.12 s instead of 0.08 s of CPU on
    # 100 000 rows of 11 columns, the rows being scattered in memory.
    present = {name: column.index - 1 for name, column in columns.items() if column.index <= width}
    cut: dict[str, list] = {}
    if len(present) == 1:
        ((name, i),) = present.items()
        cut[name] = list(map(itemgetter(i), kept))
    elif present:
        rows_cut = zip(*map(itemgetter(*present.values()), kept), strict=True) if kept else repeat((), len(present))
        cut.update(zip(present, map(list, rows_cut), strict=True))
    values = {name: cut[name] if name in cut else [""] * len(kept) for name in columns}
    return RawTable(sheet, header_row, columns, numbers, values)


def _warn_merged(table: RawTable, merged: list, issues: list[Issue]) -> None:
    by_index = {c.index: c for c in table.columns.values()}
    for (top, left), (bottom, right) in merged:
        if bottom + 1 <= table.header_row:
            continue  # titles above the table may be merged freely
        column = by_index.get(left + 1)
        span = f"{column_letter(left)}{top + 1}:{column_letter(right)}{bottom + 1}"
        issues.append(
            make_issue(
                "merged-cells",
                sheet=table.sheet,
                row=top + 1,
                column=column.header if column else column_letter(left),
                column_index=left + 1,
                detail=span,
            )
        )
