"""A minimal xlsx writer that streams sheet XML straight into the zip, for workbooks no office suite would write."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from etl.returns.cell_references import column_letter

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

Row = list[object]


def cell_xml(value: object, ref: str) -> str:
    """One cell: numbers as numbers, text as inline strings (never a formula), raw XML passed through."""
    if value is None:
        return ""
    if isinstance(value, RawXml):
        return f'<c r="{ref}"{value.attributes}>{value.xml}</c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


class RawXml:
    """Cell content written as given, e.g. a formula with its cached value or an entity reference."""

    def __init__(self, xml: str, attributes: str = ""):
        self.xml = xml
        self.attributes = attributes


def rows_xml(rows: Iterable[Row], first_row: int = 1) -> Iterator[str]:
    for number, row in enumerate(rows, start=first_row):
        cells = "".join(cell_xml(v, f"{column_letter(i)}{number}") for i, v in enumerate(row))
        yield f'<row r="{number}">{cells}</row>'


def sheet_xml_chunks(
    rows: Iterable[Row] | Iterable[str], *, doctype: str = "", merged: list[str] = (), raw_rows: bool = False
) -> Iterator[str]:
    """The worksheet part in chunks; `raw_rows` takes ready-made <row> strings (for very long sheets)."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}<worksheet xmlns="{MAIN_NS}"><sheetData>'
    yield from rows if raw_rows else rows_xml(rows)
    yield "</sheetData>"
    if merged:
        yield f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged)
        yield "</mergeCells>"
    yield "</worksheet>"


def write_workbook(
    path: Path,
    sheets: list[tuple[str, Iterable[str]]],
    *,
    shared_strings: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Write an xlsx whose sheets are (name, XML chunks); each sheet's XML is streamed, never held whole."""
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=6) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
            for i in range(1, len(sheets) + 1)
        )
        if shared_strings is not None:
            overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
        archive.writestr("_rels/.rels", ROOT_RELS)
        entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL_BASE}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        if shared_strings is not None:
            rels += (
                f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_BASE}/sharedStrings" Target="sharedStrings.xml"/>'
            )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        for i, (_, chunks) in enumerate(sheets, 1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as part:
                buffer: list[str] = []
                size = 0
                for chunk in chunks:
                    buffer.append(chunk)
                    size += len(chunk)
                    if size > 1 << 20:
                        part.write("".join(buffer).encode("utf-8"))
                        buffer, size = [], 0
                part.write("".join(buffer).encode("utf-8"))
    return path
