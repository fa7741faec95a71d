"""The hostile corpus: bad, damaged and malicious return files, each built here with the outcome it must get."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from support.hostile.xlsx_parts import RawXml, rows_xml, sheet_xml_chunks, write_workbook
from support.return_files import GOOD_ROWS, HEADER, convert_with_libreoffice, write_csv, write_xlsx

COVER = [["Country", "Cambodia"], ["Reporting year", 2015], ["Prepared by", "Test Officer"]]
# The baseline return already in the warehouse: Cambodia 2015 with GOOD_ROWS.
BASELINE_ROWS = [[v.isoformat() if isinstance(v, date) else v for v in row] for row in GOOD_ROWS]
EXCEL_MAX_ROWS = 1_048_576


@dataclass
class Case:
    """One hostile input and what the monitor must make of it."""

    name: str
    make: Callable[[Callable[[str], Path]], Path]  # writes the file, given folder.joinpath
    code: str | None  # the issue code that must be recorded (None: no issue expected)
    status: str = "rejected"  # "rejected", or "unchanged" for a tolerated input whose content is the baseline's
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    args: list[str] = field(default_factory=list)  # extra `aptmon ingest` options
    shows: str | None = None  # text the message must contain
    path: Path | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "rejected" else 0

    def build(self, folder: Path) -> Path:
        """Write the file into `folder` (once) and return its path."""
        if self.path is None:
            folder.mkdir(parents=True, exist_ok=True)
            self.path = self.make(folder.joinpath)
        return self.path


def _sheets(cover: list | None, activities: list | None, **sheet_options) -> list[tuple[str, object]]:
    sheets = []
    if cover is not None:
        sheets.append(("Cover", sheet_xml_chunks(cover)))
    if activities is not None:
        sheets.append(("Activities", sheet_xml_chunks(activities, **sheet_options)))
    return sheets


def baseline_xlsx(f) -> Path:
    """The baseline return as an xlsx (the file the warehouse template already holds)."""
    path = f("good.xlsx")
    return path if path.exists() else write_workbook(path, _sheets(COVER, [HEADER, *BASELINE_ROWS]))


def _legacy_xls(f) -> bytes:
    """The baseline return saved by LibreOffice as a legacy .xls (BIFF8)."""
    xls = convert_with_libreoffice(baseline_xlsx(f), "xls", f("libreoffice"))
    return xls.read_bytes()


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def _encrypted(source: Path, target: Path) -> Path:
    import msoffcrypto.format.ooxml

    encryptor = msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(source.read_bytes()))
    with open(target, "wb") as out:
        encryptor.encrypt("secret-password", out)
    return target


def _zip_bomb(path: Path) -> Path:
    """60 MiB of blank cells that compress to a few dozen KiB: refused from the zip directory alone."""
    blank_row = "<row>" + '<c t="inlineStr"><is><t> </t></is></c>' * 64 + "</row>"
    rows = (blank_row for _ in range(60 * 2**20 // len(blank_row)))
    return write_workbook(path, _sheets(COVER, None) + [("Activities", sheet_xml_chunks(rows, raw_rows=True))])


def _too_many_parts(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(10_001):
            archive.writestr(f"xl/media/p{i}.xml", "")
    return path


def _entity_expansion(path: Path, where: str) -> Path:
    """'Billion laughs': nested entities that would expand to gigabytes if a parser expanded them."""
    doctype = '<!DOCTYPE lolz [<!ENTITY lol "lolololololololololol">'
    for level in range(1, 10):
        doctype += f'<!ENTITY lol{level} "' + f"&lol{'' if level == 1 else level - 1};" * 10 + '">'
    doctype += "]>\n"
    return _entity_workbook(path, where, doctype, "&lol9;")


def _external_entity(path: Path, where: str) -> Path:
    """XXE: an external entity naming /etc/passwd; its content must never reach the warehouse."""
    doctype = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    return _entity_workbook(path, where, doctype, "&xxe;")


def _entity_workbook(path: Path, where: str, doctype: str, reference: str) -> Path:
    row = ["KHM-001", "2.1.6", "Customs training", "Planned"]
    if where == "sheet":
        cell = RawXml(f"<is><t>{reference}</t></is>", ' t="inlineStr"')
        activities = sheet_xml_chunks([HEADER, [*row[:2], cell, row[3]]], doctype=doctype)
        return write_workbook(path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", activities)])
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{reference}</t></si></sst>"
    )
    activities = sheet_xml_chunks([HEADER, [*row[:2], RawXml("<v>0</v>", ' t="s"'), row[3]]])
    return write_workbook(
        path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", activities)], shared_strings=strings
    )


def _full_height_sheet(path: Path) -> Path:
    """A sheet filled to Excel's last row (1 048 576), each row holding one stray value: streamed, cheap."""
    rows = (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, EXCEL_MAX_ROWS + 1))
    sheet = sheet_xml_chunks(_concat(rows_xml([HEADER]), rows), raw_rows=True)
    return write_workbook(path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", sheet)])


def _blank_rows_xlsx(path: Path, text: str = "") -> Path:
    """The baseline return followed by 100 000 rows of blank cells (empty text, as left by clearing a range)."""
    data = list(rows_xml([HEADER, *BASELINE_ROWS]))
    first_blank = len(data) + 1
    blank = (
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
        f'<c r="K{n}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c></row>'
        for n in range(first_blank, first_blank + 100_000)
    )
    sheet = sheet_xml_chunks(_concat(data, blank), raw_rows=True)
    return write_workbook(path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", sheet)])


def _junk_rows(path: Path) -> Path:
    """199 998 rows of one stray value each, up to the row limit: every row is an error, twice over."""
    rows = (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(2, 200_000))
    sheet = sheet_xml_chunks(_concat(rows_xml([HEADER]), rows), raw_rows=True)
    return write_workbook(path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", sheet)])


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Activities">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)


def _ods_repeated(path: Path, rows: int, columns: int) -> Path:
    """An .ods of a few hundred bytes whose one repeated row of repeated cells holds `rows` x `columns` values."""
    header = "".join(f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
                     for h in HEADER)  # fmt: skip
    body = (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated='
        f'"{columns}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    content = ODS_CONTENT.format(rows=f"<table:table-row>{header}</table:table-row>{body}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return path


def _concat(*parts):
    for part in parts:
        yield from part


def _formulas(path: Path) -> Path:
    """Formulas whose cached values are spreadsheet errors, as a broken copy-paste leaves them."""
    broken = RawXml("<f>VLOOKUP(B9,Lists!A:A,2,0)</f><v>#REF!</v>", ' t="e"')
    rows = [HEADER, ["KHM-001", "2.1.6", "Customs training", "Planned"], ["KHM-002", broken, "Study", "Planned"]]
    return write_workbook(path, _sheets(COVER, rows))


def _cached_formulas(path: Path) -> Path:
    """The baseline return with its titles and an id computed by formulas, as Excel saves them (value cached)."""
    rows = [list(r) for r in BASELINE_ROWS]
    rows[0][2] = RawXml('<f>"Customs "&amp;"training"</f><v>Customs training</v>', ' t="str"')
    rows[1][0] = RawXml('<f>"KHM-"&amp;TEXT(2,"000")</f><v>KHM-002</v>', ' t="str"')
    return write_workbook(path, _sheets(COVER, [HEADER, *rows]))


def _sparse_corners(path: Path) -> Path:
    """Two cells in opposite corners of the sheet: a dense reader would allocate 17 billion cells."""
    rows = [*rows_xml([HEADER]), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>']
    return write_workbook(
        path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", sheet_xml_chunks(rows, raw_rows=True))]
    )


def _far_cell_bomb(path: Path, far_rows: list[str]) -> Path:
    """The header, then raw rows that put a cell far away in a way a careless pre-scan misses (calamine would lay
    out a billion-cell sheet and abort the process)."""
    rows = [*rows_xml([HEADER]), *far_rows]
    return write_workbook(
        path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", sheet_xml_chunks(rows, raw_rows=True))]
    )


def _moved_far_cell(path: Path, part: str, target: str) -> Path:
    """The far-corner cell in an Activities part calamine still finds: a dialog sheet, or a name in capitals."""
    far_row = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with zipfile.ZipFile(_far_cell_bomb(path.with_suffix(".source.xlsx"), [far_row])) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[part] = parts.pop("xl/worksheets/sheet2.xml")
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace('"worksheets/sheet2.xml"', f'"{target}"').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


# The main namespace under a prefix, as the .NET OpenXML SDK writes it; calamine matches tags by local name.
_PREFIXED_FAR_ROW = (
    '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
    '<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
)


def _xls_corners(f) -> Path:
    """A legacy .xls (saved by LibreOffice) of a few KB with values at A1 and IV65536, the corners of its grid."""
    rows = [*rows_xml([HEADER]), '<row r="65536"><c r="IV65536"><v>1</v></c></row>']
    source = write_workbook(f("corners-source.xlsx"), _sheets(COVER, rows, raw_rows=True))
    return convert_with_libreoffice(source, "xls", f("libreoffice"))


def _merged(path: Path) -> Path:
    """Two activities sharing one merged Measure IDs cell: the second row reads blank there."""
    rows = [
        HEADER,
        ["KHM-001", "2.1.6", "Customs training", "Planned"],
        ["KHM-002", None, "Customs follow-up", "Planned"],
    ]
    return write_workbook(path, _sheets(COVER, rows, merged=["B2:B3"]))


def _two_hundred_sheets(path: Path) -> Path:
    sheets = [(f"Notes {i}", sheet_xml_chunks([["note", i]])) for i in range(1, 201)]
    return write_workbook(path, sheets)


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return path


def _bad_utf8_strings(path: Path) -> Path:
    """Shared strings that claim UTF-8 but hold Latin-1 bytes."""
    strings = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>Caf\xe9 \xff\xfe training</t></si></sst>"
    )
    activities = sheet_xml_chunks([HEADER, ["KHM-001", "2.1.6", RawXml("<v>0</v>", ' t="s"'), "Planned"]])
    write_workbook(path, [("Cover", sheet_xml_chunks(COVER)), ("Activities", activities)], shared_strings="")
    # Swap in the raw bytes (zipfile.writestr would encode a str as UTF-8).
    return _replace_part(path, "xl/sharedStrings.xml", strings)


def _replace_part(path: Path, name: str, data: bytes) -> Path:
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, data if item.filename == name else old.read(item.filename))
    return path


LONG_TEXT = "Long measure list " + "x" * 10_000
RTL_STATUS = "\u202eقيد التنفيذ\u202c"  # Arabic "in progress" wrapped in a right-to-left override
RTL_TITLE = "تدريب الجمارك - אימון מכס"


CSV_FLAGS = ["--country", "KHM", "--year", "2015"]
LETTER = b"Dear colleague,\nplease find our activities below.\n"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
CASES: list[Case] = [
    # Not a spreadsheet at all
    Case("renamed text", lambda f: _write(f("notes.xlsx"), LETTER), "not-a-spreadsheet", shows="plain text"),
    Case("renamed PNG", lambda f: _write(f("photo.xlsx"), _png()), "not-a-spreadsheet", shows="PNG"),
    Case("PDF renamed .xls", lambda f: _write(f("scan.xls"), PDF), "not-a-spreadsheet", shows="PDF"),
    Case("Word document renamed", lambda f: _docx(f("letter.xlsx")), "not-a-spreadsheet", shows="Word"),
    Case("text with a .txt name", lambda f: _write(f("acts.txt"), b"KHM-001,2.1.6\n"), "unsupported-format"),
    # Damaged containers and workbooks
    Case("corrupt zip", lambda f: _write(f("corrupt.xlsx"), b"PK\x03\x04" + bytes(range(256)) * 8), "corrupt-file"),
    Case("truncated xlsx", lambda f: _write(f("truncated.xlsx"), baseline_xlsx(f).read_bytes()[:900]), "corrupt-file"),
    Case("zero-byte file", lambda f: _write(f("empty.xlsx"), b""), "empty-workbook"),
    Case("empty workbook", lambda f: _empty_workbook(f("blank.xlsx")), "empty-workbook"),
    Case("password-protected", lambda f: _encrypted(baseline_xlsx(f), f("protected.xlsx")), "password-protected"),
    Case("invalid UTF-8 inside the workbook", lambda f: _bad_utf8_strings(f("bad-bytes.xlsx")), "corrupt-file"),
    # Resource exhaustion: refused from the zip directory or a streamed pre-scan, before any parsing
    Case("zip bomb", lambda f: _zip_bomb(f("bomb.xlsx")), "file-too-large", shows="ratio"),
    Case("10 001 zip parts", lambda f: _too_many_parts(f("parts.xlsx")), "file-too-large", shows="10003 parts"),
    Case("1 048 576 rows", lambda f: _full_height_sheet(f("full-height.xlsx")), "file-too-large",
         sheet="Activities", shows="more than 200,000 rows"),
    Case("two cells at A1 and XFD1048576", lambda f: _sparse_corners(f("corners.xlsx")), "file-too-large",
         sheet="Activities", shows="row 1,048,576"),
    Case("last row: 100 cells placed by counting", lambda f: _far_cell_bomb(f("row-bomb.xlsx"),
         ['<row r="1048576">' + "<c><v>1</v></c>" * 100 + "</row>"]), "file-too-large", sheet="Activities",
         shows="row 1,048,576"),
    Case("XFD1048576 with r after s", lambda f: _far_cell_bomb(f("r-second.xlsx"),
         ['<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>']), "file-too-large", sheet="Activities",
         shows="row 1,048,576"),
    Case("XFD1048576 under a namespace prefix", lambda f: _far_cell_bomb(f("prefixed.xlsx"), [_PREFIXED_FAR_ROW]),
         "file-too-large", sheet="Activities", shows="row 1,048,576"),
    Case("xfd1048576 in single quotes, lower case", lambda f: _far_cell_bomb(f("lower-case.xlsx"),
         ["<row r='1048576'><c r='xfd1048576'><v>1</v></c></row>"]), "file-too-large", sheet="Activities",
         shows="row 1,048,576"),
    Case("XFD1048576 as a repeated r", lambda f: _far_cell_bomb(f("repeated-r.xlsx"),
         ['<row r="1048576"><c r="A1" r="XFD1048576"><v>1</v></c></row>']), "file-too-large", sheet="Activities",
         shows="row 1,048,576"),
    Case("XFD1048576 in a dialog sheet", lambda f: _moved_far_cell(f("dialog.xlsx"), "xl/dialogsheets/sheet2.xml",
         "dialogsheets/sheet2.xml"), "file-too-large", sheet="Activities", shows="row 1,048,576"),
    Case("XFD1048576 in a part named in capitals", lambda f: _moved_far_cell(f("capitals.xlsx"),
         "XL/WORKSHEETS/SHEET2.XML", "worksheets/sheet2.xml"), "file-too-large", sheet="Activities",
         shows="row 1,048,576"),
    Case("xls: values at A1 and IV65536", _xls_corners, "file-too-large", sheet="Activities",
         shows="65,536 rows by 256 columns"),
    Case("ods: a million repeated rows of 90 values", lambda f: _ods_repeated(f("repeated.ods"), 1_000_000, 90),
         "file-too-large", sheet="Activities", shows="more than 200,000 rows"),
    Case("ods: one row repeated across 16 384 columns", lambda f: _ods_repeated(f("wide.ods"), 10, 16_384),
         "file-too-large", sheet="Activities", shows="16,384 columns"),
    Case("billion laughs in sheet XML", lambda f: _entity_expansion(f("laughs-sheet.xlsx"), "sheet"),
         "corrupt-file", shows="entity"),
    Case("billion laughs in sharedStrings", lambda f: _entity_expansion(f("laughs-strings.xlsx"), "strings"),
         "corrupt-file", shows="entity"),
    Case("XXE in sheet XML", lambda f: _external_entity(f("xxe-sheet.xlsx"), "sheet"), "corrupt-file"),
    Case("XXE in sharedStrings", lambda f: _external_entity(f("xxe-strings.xlsx"), "strings"), "corrupt-file"),
    Case("199 998 rows of junk", lambda f: _junk_rows(f("junk-rows.xlsx")), "more-issues",
         shows="beyond the 1,000 listed"),
    Case("200 sheets", lambda f: _two_hundred_sheets(f("many-sheets.xlsx")), "missing-sheet", shows="190 more"),
    # Encodings and text
    Case("CSV in Windows-1252", lambda f: write_csv(f("latin.csv"), [["C1", "2.1.6", "Café", "Ongoing"]],
         encoding="cp1252"), "wrong-encoding", args=CSV_FLAGS, shows="line 2"),
    Case("CSV in UTF-16", lambda f: write_csv(f("utf16.csv"), [["C1", "2.1.6", "Training", "Planned"]],
         encoding="utf-16"), "wrong-encoding", args=CSV_FLAGS, shows="UTF-16"),
    Case("10 000-character cell", lambda f: write_xlsx(f("long-cell.xlsx"), [["KHM-001", LONG_TEXT, "T", "Planned"]]),
         "unknown-measure", sheet="Activities", row=2, column="Measure IDs", shows="10,018 characters"),
    # The Arabic is quoted as typed; the override around it, which could reorder the message, is not.
    Case("right-to-left text", lambda f: write_xlsx(f("rtl.xlsx"), [["KHM-001", "2.1.6", RTL_TITLE, RTL_STATUS]]),
         "unknown-status", sheet="Activities", row=2, column="Status", shows=f'"{RTL_STATUS[1:-1]}"'),
    # The layout of the return
    Case("no Activities sheet", lambda f: write_workbook(f("no-activities.xlsx"), [
         ("Cover", sheet_xml_chunks(COVER)), ("Data", sheet_xml_chunks([HEADER, BASELINE_ROWS[0]]))]),
         "missing-sheet", shows="Cover, Data"),
    Case("header without Status", lambda f: write_xlsx(f("no-status.xlsx"), [r[:3] for r in GOOD_ROWS],
         header=HEADER[:3]), "missing-column", sheet="Activities", row=1, column="Status"),
    Case("header only", lambda f: write_xlsx(f("header-only.xlsx"), []), "no-activities", sheet="Activities", row=2),
    Case("formula errors", lambda f: _formulas(f("formulas.xlsx")), "cell-error", sheet="Activities", row=3,
         column="Measure IDs", shows="#REF!"),
    Case("merged cells", lambda f: _merged(f("merged.xlsx")), "missing-value", sheet="Activities", row=3,
         column="Measure IDs"),
    Case("duplicate activity ids", lambda f: write_xlsx(f("duplicates.xlsx"), [GOOD_ROWS[0], GOOD_ROWS[0]]),
         "duplicate-activity", sheet="Activities", row=3, column="Activity ID"),
    # What the return says
    Case("cover claiming another country", lambda f: write_xlsx(f("japan-cover.xlsx"), country="Japan"),
         "country-mismatch", sheet="Cover", row=1, column="Country", args=["--country", "KHM"]),
    Case("unknown country on the cover", lambda f: write_xlsx(f("atlantis.xlsx"), country="Atlantis"),
         "unknown-country", sheet="Cover", row=1, column="Country", shows="Atlantis"),
    Case("reporting year 2020", lambda f: write_xlsx(f("year-2020.xlsx"), year=2020), "year-outside-plan",
         sheet="Cover", row=2, column="Reporting year"),
    Case("start date in 1900", lambda f: write_xlsx(f("date-1900.xlsx"), [["KHM-001", "2.1.6", "T", "Ongoing",
         date(1900, 1, 1)]]), "date-out-of-range", sheet="Activities", row=2, column="Start date"),
    Case("end date in 2099", lambda f: write_xlsx(f("date-2099.xlsx"), [["KHM-001", "2.1.6", "T", "Completed",
         date(2015, 1, 1), date(2099, 12, 31)]]), "date-out-of-range", sheet="Activities", row=2, column="End date"),
    # Tolerated: read as a person would, the content is the baseline's, so the upload is recorded as unchanged
    Case("second upload of the same file", lambda f: baseline_xlsx(f), None, status="unchanged"),
    Case("100 000 blank rows after the data", lambda f: _blank_rows_xlsx(f("blank-rows.xlsx")), None,
         status="unchanged"),
    Case("100 000 rows of spaces after the data", lambda f: _blank_rows_xlsx(f("space-rows.xlsx"), "  "), None,
         status="unchanged"),
    Case("100 000 blank CSV rows", lambda f: _blank_rows_csv(f("blank-rows.csv")), None, status="unchanged",
         args=CSV_FLAGS),
    Case("formulas with cached values", lambda f: _cached_formulas(f("formulas-ok.xlsx")), None, status="unchanged"),
    Case(".xls renamed .xlsx", lambda f: _write(f("legacy.xlsx"), _legacy_xls(f)), None, status="unchanged"),
]  # fmt: skip


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _empty_workbook(path: Path) -> Path:
    Workbook().save(path)
    return path


def _blank_rows_csv(path: Path) -> Path:
    write_csv(path, BASELINE_ROWS)
    with open(path, "a", encoding="utf-8") as out:
        out.write(",,,,,,,,,,\n" * 100_000)
    return path
