"""Parsing one large worksheet as two halves side by side: python-calamine lets go of the interpreter while it parses.

calamine parses a sheet on one core, and a 100 000-row return spends most of its reading time there while the
second core waits. The size pre-scan reads every sheet's XML before calamine may touch it; for a large activity
sheet it hands each piece it has checked to SheetHalves, which cuts the sheet between two rows near its middle.
Each half goes into an uncompressed copy of the workbook, in an unnamed temporary file, with the parts that decide
how calamine reads dates and text (workbook, styles, shared strings). The first half is parsed as soon as the scan
has checked all of it, while the scan reads on through the second; the second is parsed once the scan has vouched
for the whole sheet. Cells keep their Excel positions, as every cell of a sheet the scan vouches for names its own.
Anything unexpected gives None, and the caller parses the whole file as usual.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

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


class SheetHalves:
    """A large sheet cut into two workbooks as the size pre-scan reads it.

    The scan calls checked() with each piece of the sheet's XML, in order, once every tag that opens in the piece
    before its last "<" has passed the scan's checks (the cut always falls before that "<"), and parse() once it
    has vouched for the whole sheet. A scan that stops early simply never calls parse().
    """

    def __init__(self, archive: zipfile.ZipFile, part: str, sheet_name: str):
        self.part, self.sheet_name = part, sheet_name
        self.size = archive.getinfo(part).file_size
        listed = [i for i in archive.infolist() if _PACKAGE_PARTS.match(i.filename)]
        self.failed = sum(i.file_size for i in listed) > MAX_PACKAGE_PARTS_BYTES
        self.parts: dict[str, bytes] = {}
        if not self.failed:
            try:
                self.parts = {i.filename: archive.read(i) for i in listed}
            except Exception:  # a damaged part: calamine's own reading of the whole file says what is wrong
                self.failed = True
        self.start = b""  # the sheet's XML up to its <sheetData>, once found
        self.root = b""  # the sheet's root element, which the first half closes
        self.first: _PackageWriter | None = None
        self.second: _PackageWriter | None = None
        self.written = 0
        self.first_parsed: Future | None = None

    def checked(self, piece: bytes) -> None:
        if self.failed:
            return
        try:
            self._write(piece)
        except Exception:  # e.g. memory for the copies: the whole file is parsed instead
            self.failed = True

    def _write(self, piece: bytes) -> None:
        if self.second is not None:
            self.second.write(piece)
            return
        if self.first is None:  # the sheet's opening XML may reach over several pieces
            self.start += piece
            head = _HEAD.search(self.start)
            if head is None:
                self.failed = len(self.start) > MAX_HEAD_BYTES
                return
            piece, self.start, self.root = self.start[head.end() :], self.start[: head.end()], head["root"]
            self.first = _PackageWriter(self.parts, self.part)
            self.first.write(self.start)
            self.written = len(self.start)
        middle = self.size // 2 - self.written  # where in this piece the middle of the sheet falls
        boundary = _ROW_BOUNDARY.search(piece, max(middle, 0)) if middle < len(piece) else None
        if boundary is None:
            self.first.write(piece)
            self.written += len(piece)
            return
        self.first.write(piece[: boundary.end()])
        self.first.write(b"</sheetData></" + self.root + b">")
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-half")
        self.first_parsed = pool.submit(_parse, self.first.close(), self.sheet_name, from_a1=True)
        pool.shutdown(wait=False)  # its thread ends with the parse
        self.second = _PackageWriter(self.parts, self.part)
        self.second.write(self.start)
        self.second.write(piece[boundary.end() :])

    def parse(self, sheet_name: str) -> ParsedHalves | None:
        """The sheet's rows, from both halves; None when the sheet could not be cut, is not `sheet_name` to
        calamine, or a half fails to parse."""
        if self.failed or self.second is None or sheet_name != self.sheet_name:
            return None
        try:
            second_rows, merged, (start_row, start_column) = _parse(self.second.close(), sheet_name, from_a1=False)
            first_rows, _, _ = self.first_parsed.result()
        except Exception:  # the whole file's parse says what is wrong, in the caller's words
            return None
        # The second half starts at its first cell. A row written out of order (below the cut in the first half,
        # or above it in the second) would overlap the first half, and a second half without column A would need
        # shifting: the whole file is parsed instead.
        if start_row < len(first_rows) or start_column != 0:
            return None
        width = len(first_rows[0]) if first_rows else 0
        between = [[""] * width for _ in range(start_row - len(first_rows))]
        return ParsedHalves(first_rows + between + second_rows, merged)


class _PackageWriter:
    """An uncompressed workbook of the package parts in a temporary file, its sheet part written piece by piece."""

    def __init__(self, parts: dict[str, bytes], part: str):
        # A file, not a buffer in memory: calamine reads a file by its path as it parses, where from a buffer it
        # first copies all of it twice (for a 100 000-row return, about 0.08 s of CPU and 45 MiB of memory more).
        # Unnamed, so that not even a crash leaves it behind.
        self.file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by _parse)
        self.package = zipfile.ZipFile(self.file, "w", zipfile.ZIP_STORED)
        for name, data in parts.items():
            self.package.writestr(name, data)
        self.sheet = self.package.open(part, "w", force_zip64=True)

    def write(self, data: bytes) -> None:
        self.sheet.write(data)

    def close(self) -> BinaryIO:
        """The finished workbook's file, open; whoever parses it closes it."""
        self.sheet.close()
        self.package.close()
        self.file.flush()
        return self.file


def _parse(package: BinaryIO, sheet_name: str, from_a1: bool) -> tuple[list[list], list, tuple[int, int]]:
    """(rows, merged ranges, (row, column) of the first cell) of the sheet in a package; the rows from A1, or
    from the first cell. The merged ranges come from the second half, which ends as the sheet does."""
    # The unnamed file opened again through the process's file descriptors (/proc on Linux, /dev/fd elsewhere).
    descriptors = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    with package, CalamineWorkbook.from_path(f"{descriptors}/{package.fileno()}") as workbook:
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = sheet.to_python(skip_empty_area=not from_a1)
        return rows, sheet.merged_cell_ranges or [], sheet.start or (0, 0)
