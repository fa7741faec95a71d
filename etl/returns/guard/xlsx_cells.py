"""Proving a return file harmless before anything parses it: its format by content, and every size calamine would
lay its sheets out over (zip bombs, far cells, repeated rows), checked on the raw bytes."""

from __future__ import annotations

import functools
import html
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import olefile

from etl.returns import layout as fmt
from etl.returns.issue_codes import Issue, make_issue
from etl.returns.sheet_halves import SheetHalves, worth_splitting

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
# A real return unpacks to a few MiB; the benchmark's 100 000 rows to well under 100 MiB.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_COMPRESSION_RATIO = 200  # xlsx sheets compress 5-50x; zip bombs 1000x and more
RATIO_CHECK_FLOOR = 4 * 1024 * 1024  # small entries (styles, blank sheets) may compress as well as they like
# calamine allocates every sheet densely (rows x columns) before Python sees it: two cells at A1 and XFD1048576
# would ask for 512 GiB and abort the process. A return's sheet stays far below these limits.
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 256
MAX_SHEET_CELLS = 4_000_000
# calamine (through quick-xml) places a cell by its r="" attribute wherever that sits in the tag (the last one if
# repeated, letters in either case, either quote), else one column right of the previous cell in its row; a row's
# r="" sets the row and each </row> moves to the next; tags count by local name, so <x:c> is a cell too.
# The quick pass proves a sheet ordinary: every cell tag is <c r="<one letter><digits>"> with at most s="" and t=""
# after it, as Excel, LibreOffice and openpyxl write, and no cell tag has a prefix. No such cell is placed by
# counting or lies right of Z, so only six- or seven-digit rows need reading. Anything else takes the exact pass.
# A cell of type e holds a spreadsheet error (#REF! ...), which calamine reads as blank: the quick pass takes such
# a cell as it takes a deep one, noting the error for the reader (no extra search of the sheet).
_CELL_REST = rb'(?> t="{t}">| s="[0-9]*+"(?: t="{t}")?/?>|/?>|(?: (?:s|cm|vm|ph)="[0-9a-zA-Z]*+"| t="{t}")++/?>)'
_ORDINARY_CELL_REST = _CELL_REST.replace(b"{t}", rb'(?!e")[a-zA-Z]*+')
_LISTED_CELL_REST = _CELL_REST.replace(b"{t}", rb"[a-zA-Z]*+")
_UNUSUAL_OR_DEEP_CELL = re.compile(rb'<c(?! r="[A-Z][0-9]{1,5}+"' + _ORDINARY_CELL_REST + rb")[\s/>]")
_DEEP_OR_ERROR_CELL = re.compile(rb'<c r="[A-Z]([0-9]{1,7})"' + _LISTED_CELL_REST)
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# calamine reads cells from any sheet the workbook lists, worksheet, chart sheet or dialog sheet alike, and finds
# its part whatever the letter case of the part's name.
# The workbook part is where the package's relationships say (xl/workbook.xml as most writers put it, but the
# format allows any name), and its sheets are where the workbook's relationships say.
_SHEET_FOLDERS = ("worksheets/", "chartsheets/", "dialogsheets/", "macrosheets/")
_OFFICE_DOCUMENT = "/officeDocument"
_MACRO_SHEET_TYPES = ("/xlMacrosheet", "/xlIntlMacrosheet")
# A package part that cannot be read here (missing, damaged, encrypted or compressed in a way zipfile lacks) is
# left for calamine to report on.
_UNREADABLE_PART = (KeyError, OSError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
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
# BIFF8 record types: beginning and end of a substream, a sheet's name, and the records that hold a cell value
# (NUMBER, RK, MULRK, LABELSST, LABEL, RSTRING, FORMULA, BOOLERR; formatted blanks cost calamine nothing).
_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_MULRK = 0x0809, 0x000A, 0x0085, 0x00BD
_BIFF_VALUE_CELLS = frozenset({0x0203, 0x027E, 0x00BD, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205})
_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="(\d{1,9})"')
_ODS_COLUMNS = re.compile(rb'table:number-columns-repeated="(\d{1,9})"')
# Spreadsheet errors, which calamine reads as blank: BIFF's BOOLERR and FORMULA records with an error code, and
# ODS cells LibreOffice marks as holding an error (the text shown follows as the cell's paragraph).
_BIFF_FORMULA, _BIFF_BOOLERR, _BIFF_FILEPASS = 0x0006, 0x0205, 0x002F
_BIFF_ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                     0x2A: "#N/A"}  # fmt: skip
_ODS_ERROR = b'calcext:value-type="error"'
_ODS_TEXT = re.compile(rb"\s*<text:p[^>]*>([^<]{1,64})</text:p>")
_MAX_ERROR_CELLS = 10_000  # each is reported; a sheet of errors needs no more to be rejected

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OTHER_CONTENT = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)


class Refused(Exception):
    """The file cannot be read at all; carries the one issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class SheetScan:
    """What the size pre-scan of an xlsx learnt on its way through the sheet XML, besides the sizes."""

    error_value_parts: frozenset[str] = frozenset()  # calamine reads error cells as blank: etl.returns.read reads them
    halves: SheetHalves | None = None  # a large activity sheet the quick pass vouched for, cut in two
    # .xls and .ods: sheet name -> {(row, column): error text}, one-based, found on the way through the records
    error_values: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)


def check_file(path: Path, file_name: str) -> tuple[str, SheetScan]:
    """The format by content, checked against the extension, and the sizes of what calamine would lay out; raises
    Refused, with the issue that says why, for what is not a readable spreadsheet or could exhaust the process."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Refused(make_issue("unsupported-format", value=suffix or file_name))
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        return _zip_format(path, suffix)
    if head.startswith(_OLE_MAGIC):
        return _ole_format(path)
    if suffix == ".csv":
        return "csv", SheetScan()
    if (old := old_excel_format(head)) is not None:
        raise Refused(make_issue("old-excel-format", detail=old))
    if not head:
        raise Refused(make_issue("empty-workbook"))
    raise Refused(make_issue("not-a-spreadsheet", detail=_describe(path, head)))


def old_excel_format(head: bytes) -> str | None:
    """Which Excel of before 1997 wrote a bare BIFF2, 3 or 4 file (no OLE container), from its first record."""
    if len(head) < 8:
        return None
    kind, size, _version, sheet_type = struct.unpack_from("<HHHH", head)
    if kind == 0x0009 and size in (4, 6):
        return "Excel 2.x"
    if kind == 0x0209 and size == 6:
        return "Excel 3.0"
    if kind == 0x0409 and size == 6:
        return "Excel 4.0 workbook" if sheet_type == 0x0100 else "Excel 4.0"
    return None


def _describe(path: Path, head: bytes) -> str:
    for magic, what in _OTHER_CONTENT:
        if head.startswith(magic):
            return f"it is {what}"
    with open(path, "rb") as handle:
        sample = handle.read(4096)
    try:
        sample.decode("utf-8")
        return "it is plain text"
    except UnicodeDecodeError:
        return "its content is not a workbook"


def _zip_format(path: Path, suffix: str) -> tuple[str, SheetScan]:
    """An xlsx/xlsm/ods is a zip: inspect its directory, before any parsing, for size and ratio limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(make_issue("corrupt-file", detail=f"the zip container is damaged: {exc}")) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused(make_issue("file-too-large", detail=f"{len(entries)} parts (at most {MAX_ZIP_ENTRIES})"))
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise Refused(
            make_issue("file-too-large", detail=f"{total >> 20:,} MiB (at most {MAX_UNCOMPRESSED_BYTES >> 20} MiB)")
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_FLOOR and ratio > MAX_COMPRESSION_RATIO:
            raise Refused(
                make_issue(
                    "file-too-large",
                    detail=f"{entry.file_size / 2**20:,.0f} MiB from {entry.compress_size / 2**10:,.0f} KiB "
                    f"in {entry.filename} (a ratio of {ratio:,.0f}:1, at most {MAX_COMPRESSION_RATIO}:1)",
                )
            )
    workbook_part = _workbook_part(path, names)
    if workbook_part in names:
        if workbook_part.lower().endswith(".bin"):
            raise Refused(make_issue("unsupported-format", value=".xlsb"))
        relations = _workbook_relations(path, workbook_part)
        if macro_sheets := [target for kind, target in relations if kind.endswith(_MACRO_SHEET_TYPES)]:
            with zipfile.ZipFile(path) as archive:
                named = sheet_names_by_part(archive).get(macro_sheets[0], macro_sheets[0])
            raise Refused(make_issue("unsupported-content", detail=f"an Excel 4.0 macro sheet ({named})"))
        # Every part a sheet could be read from: the workbook's sheet targets, and any sheet folder (by any case).
        targets = {target.lower() for kind, target in relations if kind.endswith("sheet")}
        sheets = [e for e in entries if e.filename.lower() in targets or _in_sheet_folder(e.filename.lower())]
        return ("xlsm" if suffix == ".xlsm" else "xlsx"), _check_sheet_extents(path, sheets)
    if "content.xml" in names and "mimetype" in names:
        return "ods", SheetScan(error_values=_check_ods_extents(path))
    if "word/document.xml" in names:
        raise Refused(make_issue("not-a-spreadsheet", detail="it is a Word document"))
    if "[Content_Types].xml" in names or "mimetype" in names:
        raise Refused(make_issue("corrupt-file", detail="the workbook part is missing"))
    raise Refused(make_issue("not-a-spreadsheet", detail="it is a zip archive"))


def _in_sheet_folder(name: str) -> bool:
    return any(f"/{folder}" in f"/{name}" for folder in _SHEET_FOLDERS)


def _workbook_part(path: Path, names: set[str]) -> str:
    """The workbook part's name, from the package relationships (_rels/.rels); xl/workbook.xml without them."""
    for kind, target in _relations(path, "_rels/.rels", ""):
        if kind.endswith(_OFFICE_DOCUMENT) and target in names:
            return target
    return "xl/workbook.bin" if "xl/workbook.bin" in names and "xl/workbook.xml" not in names else "xl/workbook.xml"


def _workbook_relations(path: Path, workbook_part: str) -> list[tuple[str, str]]:
    """(type, part) of each relationship of the workbook: its sheets, styles, shared strings."""
    folder, _, name = workbook_part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    return _relations(path, rels, folder)


def _relations(path: Path, rels_part: str, base: str) -> list[tuple[str, str]]:
    """(type, target part) of each relationship in a .rels part, targets resolved against the folder `base`; read
    with plain patterns (an XML parser here would expand entities), at most 1 MiB of it."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(rels_part) as part:
            rels = part.read(1 << 20)
    except _UNREADABLE_PART:
        return []
    found = []
    for element in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        attributes = dict(re.findall(rb'(\w+)="([^"]*)"', element))
        if attributes.get(b"TargetMode") == b"External":
            continue
        target = html.unescape(attributes.get(b"Target", b"").decode("utf-8", "replace"))
        found.append((attributes.get(b"Type", b"").decode("utf-8", "replace"), _resolved(base, target)))
    return found


def _resolved(base: str, target: str) -> str:
    """A relationship's target as a part name: absolute ("/xl/...") or relative to the folder `base`."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in base.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def refuse_oversized(sheet: str | None, rows: int, columns: int, where: str) -> None:
    """Refuse a sheet whose values span more rows, columns or cells than a return can hold, saying which."""
    if rows > MAX_SHEET_ROWS:
        detail = f"more than {MAX_SHEET_ROWS:,} rows {where} (values down to row {rows:,})"
    elif columns > MAX_SHEET_COLUMNS:
        detail = f"{columns:,} columns {where} (at most {MAX_SHEET_COLUMNS} columns)"
    elif rows * columns > MAX_SHEET_CELLS:
        detail = f"{rows:,} rows by {columns:,} columns {where} (at most {MAX_SHEET_CELLS:,} cells)"
    else:
        return
    raise Refused(make_issue("file-too-large", sheet=sheet, detail=detail))


def _check_sheet_extents(path: Path, sheets: list[zipfile.ZipInfo]) -> SheetScan:
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
                rows, columns, exact = _sheet_extent(
                    archive, entry, exact=False, errors_seen=may_hold_errors, checked=halves and halves.checked
                )
                if exact:
                    may_hold_errors.add(entry.filename)
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


def sheet_names_by_part(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, read with plain patterns (an XML parser here would expand entities)."""
    path = Path(archive.filename) if archive.filename else None
    if path is None:
        return {}
    workbook_part = _workbook_part(path, set(archive.namelist()))
    try:
        workbook = archive.read(workbook_part)[: 1 << 20]
    except _UNREADABLE_PART:
        return {}
    folder = workbook_part.rpartition("/")[0]
    rels = f"{folder}/_rels/{workbook_part.rpartition('/')[2]}.rels" if folder else f"_rels/{workbook_part}.rels"
    targets = {}
    try:
        data = archive.read(rels)[: 1 << 20]
    except _UNREADABLE_PART:
        return {}
    for element in re.findall(rb"<Relationship\b([^>]*)>", data):
        attributes = dict(re.findall(rb'(\w+)="([^"]*)"', element))
        target = attributes.get(b"Target", b"").decode("utf-8", "replace")
        targets[attributes.get(b"Id")] = _resolved(folder, target)
    names = {}
    for element in re.findall(rb"<sheet\b([^>]*)>", workbook):
        attributes = dict(re.findall(rb'([\w:]+)="([^"]*)"', element))
        part = targets.get(attributes.get(b"r:id"))
        if part and b"name" in attributes:
            names[part] = html.unescape(attributes[b"name"].decode("utf-8", "replace"))
    return names


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
    The quick pass also adds the part to `errors_seen` when one of its cells holds a spreadsheet error, and hands
    each piece of the part to `checked` once it has checked the tags that open in it (see _tag_aligned_pieces).
    """
    if exact:
        return _placed_extent(archive, entry)
    rows = 0
    for data, start, end in _tag_aligned_pieces(archive, entry, checked):
        if _PREFIXED_CELL.search(data, start, end):
            return _placed_extent(archive, entry)
        for match in _UNUSUAL_OR_DEEP_CELL.finditer(data, start, end):
            cell = _DEEP_OR_ERROR_CELL.match(data, match.start(), end)
            if cell is None:
                return _placed_extent(archive, entry)
            if errors_seen is not None and b't="e"' in data[match.start() : cell.end()]:
                errors_seen.add(entry.filename)
            rows = max(rows, int(cell.group(1)))
            if rows > MAX_SHEET_ROWS:
                return rows, 26, False  # refused whatever the width
    return max(rows, 99_999), 26, False


def _tag_aligned_pieces(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, checked: Callable[[bytes], None] | None = None
) -> Iterator[tuple[bytes, int, int]]:
    """The part in pieces of about 1 MiB as (data, start, end): data[start:end] holds whole tags, and every tag
    opens in exactly one piece. A tag cut by the end of a piece is read whole in a small piece of its own (the
    big pieces are never copied to join them: a sixth of the quick pass's time on 60 MiB of sheet).

    `checked`, when given, receives the part as inflated, piece by piece in order, once the caller has asked for
    what follows a piece: by then every tag that opens in it before its last "<" has passed the caller's checks.
    """
    tail = b""  # an unfinished tag (and the text after it) at the end of the piece before
    for chunk in _inflated(archive, entry):
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


def _inflated(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in pieces of at most 1 MiB, inflated straight from the file.

    zipfile's own reader also checks the part's CRC, a sixth of the pre-scan's time; calamine checks it anyway.
    """
    if entry.compress_type != zipfile.ZIP_DEFLATED or entry.flag_bits & 1 or not archive.filename:
        with archive.open(entry) as part:
            while chunk := part.read(1 << 20):
                yield chunk
        return
    with open(archive.filename, "rb") as raw:
        raw.seek(entry.header_offset)
        header = raw.read(30)
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise zipfile.BadZipFile("bad local file header")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        raw.seek(entry.header_offset + 30 + name_length + extra_length)
        inflater = zlib.decompressobj(-15)
        left = entry.compress_size
        while left > 0 and (compressed := raw.read(min(1 << 17, left))):
            left -= len(compressed)
            while compressed:
                if chunk := inflater.decompress(compressed, 1 << 20):
                    yield chunk
                compressed = inflater.unconsumed_tail
        if rest := inflater.flush():
            yield rest


def _refuse_long_tag(entry: zipfile.ZipInfo, data: bytes) -> None:
    """Refuse a tag (or text) longer than any sheet needs: no bound can be read across it piece by piece."""
    if len(data) > MAX_TAG_BYTES:
        detail = f"a single tag or text of more than {MAX_TAG_BYTES >> 20} MiB in {entry.filename}"
        raise Refused(make_issue("file-too-large", detail=detail))


def _placed_extent(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int, bool]:
    """(rows, columns, True) calamine's cells span, found by placing every cell as calamine does."""
    rows = columns = 0
    row_index = column_index = 0  # zero-based, where the next cell without r="" goes
    in_sheet_data = False
    open_in_cell: list[bytes] | None = None  # element names open inside the current cell; None between cells
    tail = b""
    chunks = _inflated(archive, entry)
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
    for data, start, end in _tag_aligned_pieces(archive, entry):
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


def _check_ods_extents(path: Path) -> dict[str, dict[tuple[int, int], str]]:
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


def _check_xls_extents(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Refuse an .xls whose cells holding values reach past the sheet limits, from its BIFF cell records; the
    error values (#REF! ...) of each sheet, which calamine reads as blank.

    calamine lays an .xls sheet out densely: a 6 KB file with values at A1 and IV65536 takes over 1 GB.
    """
    errors: dict[str, dict[tuple[int, int], str]] = {}
    for sheet, rows, columns, sheet_errors in _xls_extents(path):
        refuse_oversized(sheet, rows, columns, f"on sheet {sheet}")
        if sheet_errors:
            errors[sheet] = sheet_errors
    return errors


def _xls_extents(path: Path) -> Iterator[tuple[str, int, int, dict[tuple[int, int], str]]]:
    """(sheet, rows, columns, error cells) spanned by the value records of each worksheet of a BIFF8 stream."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read()
    except (OSError, ValueError, olefile.OleFileError):
        return  # calamine will say what is wrong with the file
    names: list[str] = []
    substream, rows, columns = -1, 0, 0
    errors: dict[tuple[int, int], str] = {}
    offset, end = 0, len(stream)
    while offset + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, offset)
        body = offset + 4
        offset = body + size
        if kind == _BIFF_BOF:
            substream, rows, columns, errors = substream + 1, 0, 0, {}
        elif kind == _BIFF_EOF and substream > 0:
            yield (names[substream - 1] if substream - 1 < len(names) else f"sheet {substream}"), rows, columns, errors
        elif kind == _BIFF_BOUNDSHEET and size >= 8:
            length, flags = stream[body + 6], stream[body + 7]
            raw = stream[body + 8 : body + 8 + (2 * length if flags & 1 else length)]
            names.append(raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"))
        elif kind in _BIFF_VALUE_CELLS and size >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            if kind == _BIFF_MULRK and size >= 6:  # several RK values in one row: the last column ends the record
                column = struct.unpack_from("<H", stream, body + size - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            if (error := _biff_error(kind, stream[body : body + size])) is not None:
                errors[row + 1, column + 1] = error


def _xls_is_encrypted(path: Path) -> bool:
    """Whether the workbook's global records hold a FILEPASS record: the file is encrypted with a password.

    Record headers stay in the clear in an encrypted .xls; everything after FILEPASS (sheet names, cells) is
    ciphertext, which read as records would give binary junk for names and sizes.
    """
    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(name).read(1 << 16)  # FILEPASS follows the first BOF at once
    except (OSError, ValueError, olefile.OleFileError):
        return False  # calamine will say what is wrong with the file
    offset = 0
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        if kind == _BIFF_FILEPASS:
            return True
        if kind in (_BIFF_EOF, _BIFF_BOUNDSHEET) or (kind == _BIFF_BOF and offset > 0):
            return False  # the globals' first records are behind us
        offset += 4 + size
    return False


def _biff_error(kind: int, record: bytes) -> str | None:
    """The error a BOOLERR or FORMULA record holds (#REF! ...), else None."""
    if kind == _BIFF_BOOLERR and len(record) >= 8 and record[7] == 1:
        return _BIFF_ERROR_CODES.get(record[6], "#VALUE!")
    # A formula's cached result: bytes 6-13, an error when its last two are FFFF and its first is 2.
    if kind == _BIFF_FORMULA and len(record) >= 14 and record[12:14] == b"\xff\xff" and record[6] == 2:
        return _BIFF_ERROR_CODES.get(record[8], "#VALUE!")
    return None


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
            for match in _ODS_TAG.finditer(data):
                closing, tag, attributes = match.groups()
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


def _ole_format(path: Path) -> tuple[str, SheetScan]:
    """An OLE compound file: an encrypted Office document (any format) or a legacy .xls."""
    data = path.read_bytes()
    if _ENCRYPTED_PACKAGE in data:
        raise Refused(make_issue("password-protected"))
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        if _xls_is_encrypted(path):  # its records past the first are ciphertext: never read them
            raise Refused(make_issue("password-protected"))
        return "xls", SheetScan(error_values=_check_xls_extents(path))
    raise Refused(make_issue("not-a-spreadsheet", detail="it is an older Office document but not a workbook"))
