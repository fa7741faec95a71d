"""An xlsx sheet's XML read for where calamine places its cells: lexed tag by tag, or bounded without lexing."""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from operator import itemgetter

from etl.returns.guard.ooxml import inflated
from etl.returns.guard.outcome import Refused
from etl.returns.guard.sheet_limits import MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS
from etl.returns.issue_codes import make_issue

# The exact pass lexes tags as quick-xml does (a quoted attribute value may hold < or >). A cell holding only
# plain values, formulas or an inline string is one token; any other cell is followed tag by tag. A comment,
# CDATA section or DOCTYPE (<!), or a cell whose content does not nest, sends the sheet to the coarse bound.
# Unlike quick-xml, a "<" outside quotes ends the tag here: such a tag is left unlexed (the coarse bound), and no
# attempt to lex a tag reads past the next "<" (no quadratic time on a sheet of unclosed tags).
QUOTED_ATTRIBUTES = rb"""(?:[^<>"']|"[^"]*"|'[^']*')*"""
_PREFIX = rb"(?:[\w.-]+:)?"


def _plain_cell_content(tag: str) -> bytes:
    """Values, formulas and plain inline strings, each closed by its own name (calamine skips to that name)."""
    v, f, i, t = (f"{name}{tag}".encode() for name in "vfit")
    return b"".join((
        rb"(?:<(?P<", v, rb">", _PREFIX, rb")v>[^<]*</(?P=", v, rb")v>",
        rb"|<(?P<", f, rb">", _PREFIX, rb")f\b[^<>]*(?:/>|>[^<]*</(?P=", f, rb")f>)",
        rb"|<(?P<", i, rb">", _PREFIX, rb")is><(?P<", t, rb">", _PREFIX, rb")t\b[^<>]*>[^<]*</(?P=", t, rb")t>",
        rb"</(?P=", i, rb")is>)*",
    ))  # fmt: skip


# Tokens, most specific first: a whole row of plain cells that each open with r="" and carry no other r (placed
# by their references alone); a whole plain cell; a processing instruction; <! (not lexed); any other tag.
_ROW_OF_PLACED_CELLS = b"".join((
    rb"(?P<rp>", _PREFIX, rb""")row(?P<row>(?:[^<>"'/]|"[^"]*"|'[^']*')*)>""",
    rb"(?P<cells>(?:<(?P<rcp>", _PREFIX, rb""")c r="[A-Za-z]+[0-9]+"(?: (?!r[\s=])[^\s=<>"']+="[^"<>]*")*""",
    rb"(?:/>|>", _plain_cell_content("r"), rb"</(?P=rcp)c>))*)</(?P=rp)row>",
))  # fmt: skip
_PLAIN_CELL = b"".join((
    rb"(?P<cp>", _PREFIX, rb")c(?=[\s/>])(?P<cell>", QUOTED_ATTRIBUTES, rb")",
    rb"(?:(?<=/)>|>", _plain_cell_content("c"), rb"</(?P=cp)c>)",
))  # fmt: skip
_XML_TOKEN = re.compile(b"".join((
    rb"<(?:", _ROW_OF_PLACED_CELLS, rb"|", _PLAIN_CELL, rb"|\?[^<>]*\?>|(?P<bang>!)",
    rb"|(?P<end>/?)(?P<name>[^\s/>!?][^\s/>]*)(?P<attributes>", QUOTED_ATTRIBUTES, rb")>)",
)))  # fmt: skip
# Within such a row every cell reference reads as c r="..." (a match inside a value only adds to the bound).
_ROW_CELL_REFERENCES = re.compile(rb'c r="([A-Za-z]+)([0-9]+)"')
_LEADING_ROW_NUMBER = re.compile(rb' r="([0-9]+)"')
_ATTRIBUTE = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Za-z]*)([0-9]+)")
MAX_TAG_BYTES = 16 << 20
# The coarse bound needs no lexing: any r="" anywhere, plus one row per row tag and one column per cell tag.
_ANY_R_ATTRIBUTE = re.compile(rb"""(?<![^\s"'])r\s*=\s*["']([A-Za-z]*)([0-9]+)""")
_ROW_OR_CELL_TAG = re.compile(rb"<(?:(?:[^\s/>:<]*:)?(c)|/?(?:[^\s/>:<]*:)?row)(?=[\s/>])")


def tag_aligned_pieces(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, checked: Callable[[bytes], None] | None = None
) -> Iterator[tuple[bytes, int, int]]:
    """The part in pieces of about 1 MiB as (data, start, end): data[start:end] holds whole tags, and every tag
    opens in exactly one piece. A tag cut by the end of a piece is read whole in a small piece of its own (the
    big pieces are never copied to join them: a sixth of the quick pass's time on 60 MiB of sheet).

    `checked`, when given, receives the part as inflated, piece by piece in order, once the caller has asked for
    what follows a piece: by then every tag that opens in it before its last "<" has passed the caller's checks.
    """
    tail = b""  # an unfinished tag (and the text after it) at the end of the piece before
    for chunk in inflated(archive, entry):
        first = chunk.find(b"<")
        if first < 0:  # no tag opens here
            tail += chunk
            _refuse_long_tag(entry, tail)
            if checked is not None:
                checked(chunk)
            continue
        if tail:
            yield tail + chunk[:first], 0, len(tail) + first
        last = chunk.rfind(b"<")
        yield chunk, first, last
        if checked is not None:
            checked(chunk)
        tail = chunk[last:]
    if tail:
        yield tail, 0, len(tail)


def _refuse_long_tag(entry: zipfile.ZipInfo, data: bytes) -> None:
    """Refuse a tag (or text) longer than any sheet needs: no bound can be read across it piece by piece."""
    if len(data) > MAX_TAG_BYTES:
        detail = f"a single tag or text of more than {MAX_TAG_BYTES >> 20} MiB in {entry.filename}"
        raise Refused(make_issue("file-too-large", detail=detail))


def placed_extent(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int, bool]:
    """(rows, columns, True) calamine's cells span, found by placing every cell as calamine does."""
    rows = columns = 0
    row_index = column_index = 0  # zero-based, where the next cell without r="" goes
    in_sheet_data = False
    open_in_cell: list[bytes] | None = None  # element names open inside the current cell; None between cells
    tail = b""
    chunks = inflated(archive, entry)
    while True:
        chunk = next(chunks, b"")
        data = tail + chunk
        end = 0
        for match in _XML_TOKEN.finditer(data):
            if match.start() != end and data.find(b"<", end, match.start()) >= 0:
                break  # a tag that does not close in this piece: read on
            end = match.end()
            row_attributes = match.group("row")
            if row_attributes is not None:  # a whole row of cells placed by their references
                if not in_sheet_data:
                    continue
                if open_in_cell is not None:
                    return _coarse_extent(archive, entry)
                if number := _LEADING_ROW_NUMBER.match(row_attributes):
                    row_index = int(number.group(1)) - 1
                elif (row := cell_reference(row_attributes, first=True)) is not None:
                    row_index = row[1] - 1
                if references := _ROW_CELL_REFERENCES.findall(match.group("cells")):
                    rows = max(rows, *map(int, map(itemgetter(1), references)))
                    columns = max(columns, *map(_column_of, map(itemgetter(0), references)))
                row_index += 1
                column_index = 0
                continue
            cell_attributes = match.group("cell")
            if cell_attributes is not None:  # a whole cell with plain content, or an empty <c .../>
                if not in_sheet_data:
                    continue
                if open_in_cell is not None:
                    return _coarse_extent(archive, entry)
                rows, columns, column_index = _place_cell(cell_attributes, rows, columns, row_index, column_index)
                column_index += 1
                continue
            if match.group("bang"):
                return _coarse_extent(archive, entry)
            name = match.group("name")
            if name is None:  # a processing instruction
                continue
            local = name.partition(b":")[2] or name
            closing = bool(match.group("end"))
            attributes = match.group("attributes")
            empty = attributes.endswith(b"/")
            if open_in_cell is not None:
                # Inside a cell calamine skips to the cell's own </c>: fine while the content nests properly.
                if closing and not open_in_cell and local == b"c":
                    open_in_cell = None
                    column_index += 1
                elif closing and open_in_cell and open_in_cell[-1] == name:
                    open_in_cell.pop()
                elif closing or local in (b"c", b"row"):
                    return _coarse_extent(archive, entry)
                elif not empty:
                    open_in_cell.append(name)
                continue
            if not in_sheet_data:
                in_sheet_data = local == b"sheetData" and not closing and not empty
                continue
            if local == b"sheetData" and closing:
                return rows, columns, True  # calamine stops reading here
            if local == b"row":
                if not closing:
                    row = cell_reference(attributes, first=True)
                    if row is not None:
                        row_index = row[1] - 1
                if closing or empty:
                    row_index += 1
                    column_index = 0
            elif local == b"c" and not closing:
                rows, columns, column_index = _place_cell(attributes, rows, columns, row_index, column_index)
                if empty:
                    column_index += 1
                else:
                    open_in_cell = []
        if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS or rows * columns > MAX_SHEET_CELLS:
            return rows, columns, True  # refused already: no need to read on
        lt = data.find(b"<", end)
        tail = data[lt:] if lt >= 0 else b""
        if not chunk or len(tail) > MAX_TAG_BYTES:
            # No </sheetData> (calamine fails at the end) or a "<" that never closes: bound without lexing.
            return _coarse_extent(archive, entry)


def _place_cell(attributes: bytes, rows: int, columns: int, row_index: int, column_index: int) -> tuple[int, int, int]:
    """(rows, columns, column_index) once a cell with these attributes is placed."""
    reference = cell_reference(attributes, first=False)
    if reference is None:
        return max(rows, row_index + 1), max(columns, column_index + 1), column_index
    column, row = reference
    return max(rows, row), max(columns, column), column - 1


def cell_reference(attributes: bytes, first: bool) -> tuple[int, int] | None:
    """(column, row) of a tag's r="" attribute, one-based (column 0 when it has no letters); None without one.

    A row takes its first r="", a cell its last (as calamine reads them). A value calamine cannot read (empty,
    no digits, row 0) is skipped: calamine stops at it with an error before laying anything out.
    """
    found = None
    for key, double, single in _ATTRIBUTE.findall(attributes):
        if key == b"r":
            found = _REFERENCE.fullmatch(double or single)
            if first:
                break
    if found is None or int(found.group(2)) == 0:
        return None
    return _column_of(found.group(1)), int(found.group(2))


def _coarse_extent(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int, bool]:
    """(rows, columns, True) bounding any placement: the furthest r="" plus one step per row tag and per cell tag."""
    rows = columns = row_tags = cell_tags = 0
    for data, start, end in tag_aligned_pieces(archive, entry):
        for letters, digits in _ANY_R_ATTRIBUTE.findall(data, start, end):
            rows = max(rows, int(digits))
            columns = max(columns, _column_of(letters))
        for tag in _ROW_OR_CELL_TAG.findall(data, start, end):
            if tag == b"c":
                cell_tags += 1
            else:
                row_tags += 1
    return rows + row_tags + 1, columns + cell_tags + 1, True


@functools.lru_cache(maxsize=4096)
def _column_of(letters: bytes) -> int:
    """The one-based column of reference letters in either case (calamine reads "xfd" as XFD)."""
    return _column_number(letters.upper())


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
