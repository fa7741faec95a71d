"""Parsing one large worksheet as two halves side by side: python-calamine lets go of the interpreter while it parses.

calamine parses a sheet on one core, and a 100 000-row return spends most of its reading time there while the
second core waits. When the size pre-scan has proved a sheet ordinary (every cell carries its own one-letter
reference), the sheet can be cut between two rows. Each half goes into a small uncompressed copy of the workbook,
with the parts that decide how calamine reads dates and text (workbook, styles, shared strings), and the first
copy is parsed while the second is still being written, then both at once. Cells keep their Excel positions, as
every cell names its own. Anything unexpected gives None, and the caller parses the whole file as usual.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain

from python_calamine import CalamineWorkbook

MIN_SPLIT_BYTES = 16 << 20  # below this the copies cost more than the second core saves
MAX_HEAD_BYTES = 1 << 20  # the sheet's XML before its rows (views, column widths) is a few KiB
MAX_PACKAGE_PARTS_BYTES = 64 << 20  # each half holds its own copy of the shared strings: never of a huge one
# The workbook parts calamine reads before a sheet: the package's content types and relationships, the workbook
# (sheet list, date system), styles (which numbers are dates) and shared strings.
_PACKAGE_PARTS = re.compile(r"^(\[Content_Types\]\.xml|_rels/\.rels|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|"
                            r"xl/styles\.xml|xl/sharedStrings\.xml)$", re.IGNORECASE)  # fmt: skip
_HEAD = re.compile(rb"<(?P<root>(?:[\w.-]+:)?worksheet)[\s>].*?<sheetData\s*>", re.S)
_ROW_BOUNDARY = re.compile(rb"</row>\s*(?=<row[\s>])")


@dataclass
class ParsedHalves:
    rows: list[list]  # from Excel row 1 and column A, as to_python(skip_empty_area=False) gives them
    merged: list


def worth_splitting(uncompressed_bytes: int) -> bool:
    return uncompressed_bytes >= MIN_SPLIT_BYTES and (os.cpu_count() or 1) > 1


def parse_in_halves(
    archive: zipfile.ZipFile, sheet_name: str, part: str, inflated: Iterator[bytes]
) -> ParsedHalves | None:
    """The rows of the sheet in `part` of the workbook, parsed as two halves at once from `inflated` (the part's XML
    piece by piece); None when the sheet cannot be cut or a half fails to parse."""
    try:
        listed = [i for i in archive.infolist() if _PACKAGE_PARTS.match(i.filename)]
        if sum(i.file_size for i in listed) > MAX_PACKAGE_PARTS_BYTES:
            return None
        parts = {i.filename: archive.read(i) for i in listed}
        size = archive.getinfo(part).file_size
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-half") as pool:
            first = second = None
            for package in _half_packages(inflated, size, parts, part):
                if first is None:
                    first = pool.submit(_parse, package, sheet_name, from_a1=True)
                else:
                    second = _parse(package, sheet_name, from_a1=False)
            if first is None or second is None:
                return None
            first_rows, _, _ = first.result()
            second_rows, merged, (start_row, start_column) = second
    except Exception:  # the whole file's parse says what is wrong, in the caller's words
        return None
    # The second half starts at its first cell. A row written out of order (below the cut in the first half, or
    # above it in the second) would overlap the first half, and a second half without column A would need
    # shifting: the whole file is parsed instead.
    if start_row < len(first_rows) or start_column != 0:
        return None
    width = len(first_rows[0]) if first_rows else 0
    between = [[""] * width for _ in range(start_row - len(first_rows))]
    return ParsedHalves(first_rows + between + second_rows, merged)


def _half_packages(inflated: Iterator[bytes], size: int, parts: dict[str, bytes], part: str) -> Iterator[io.BytesIO]:
    """The two workbooks, the first as soon as it is complete. The first half closes its rows with the sheet's
    root element (its merged cells and other trailing parts are read from the second half, which ends as the
    sheet does); the second half opens with the sheet's own XML before its rows."""
    data, head = b"", None
    for chunk in inflated:  # the head: from the start of the sheet to its <sheetData>
        data += chunk
        head = _HEAD.search(data)
        if head or len(data) > MAX_HEAD_BYTES:
            break
    if not head:
        return
    first = _PackageWriter(parts, part)
    first.write(data[: head.end()])
    written = head.end()
    rows = chain([data[head.end() :]], inflated)
    for chunk in rows:
        middle = size // 2 - written  # where the cut would fall in this piece
        boundary = _ROW_BOUNDARY.search(chunk, max(middle, 0)) if middle < len(chunk) else None
        if boundary is None:
            first.write(chunk)
            written += len(chunk)
            continue
        first.write(chunk[: boundary.end()])
        first.write(b"</sheetData></" + head["root"] + b">")
        yield first.close()
        rest = chunk[boundary.end() :]
        break
    else:
        return
    second = _PackageWriter(parts, part)
    second.write(data[: head.end()])
    second.write(rest)
    for chunk in rows:
        second.write(chunk)
    yield second.close()


class _PackageWriter:
    """An uncompressed workbook of the package parts, its sheet part written piece by piece."""

    def __init__(self, parts: dict[str, bytes], part: str):
        self.buffer = io.BytesIO()
        self.package = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_STORED)
        for name, data in parts.items():
            self.package.writestr(name, data)
        self.sheet = self.package.open(part, "w", force_zip64=True)

    def write(self, data: bytes) -> None:
        self.sheet.write(data)

    def close(self) -> io.BytesIO:
        self.sheet.close()
        self.package.close()
        self.buffer.seek(0)
        return self.buffer


def _parse(package: io.BytesIO, sheet_name: str, from_a1: bool) -> tuple[list[list], list, tuple[int, int]]:
    """(rows, merged ranges, (row, column) of the first cell) of the sheet in a package; the rows from A1, or
    from the first cell."""
    with CalamineWorkbook.from_filelike(package) as workbook:
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = sheet.to_python(skip_empty_area=not from_a1)
        return rows, sheet.merged_cell_ranges or [], sheet.start or (0, 0)
