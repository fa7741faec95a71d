"""The guard's entry: the format by content, checked against the extension, then the zip or OLE container's checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from etl.returns.guard.biff import check_xls_extents, xls_is_encrypted
from etl.returns.guard.ods import check_ods_extents
from etl.returns.guard.ooxml import (
    MACRO_SHEET_TYPES,
    in_sheet_folder,
    sheet_names_by_part,
    workbook_part_name,
    workbook_relations,
)
from etl.returns.guard.outcome import Refused, SheetScan
from etl.returns.guard.sniff import OLE_MAGIC, ZIP_MAGIC, describe_content, old_excel_format
from etl.returns.guard.xlsx import check_sheet_extents
from etl.returns.issue_codes import make_issue

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
# A real return unpacks to a few MiB; the benchmark's 100 000 rows to well under 100 MiB.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_COMPRESSION_RATIO = 200  # xlsx sheets compress 5-50x; zip bombs 1000x and more
RATIO_CHECK_FLOOR = 4 * 1024 * 1024  # small entries (styles, blank sheets) may compress as well as they like
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def check_file(path: Path, file_name: str) -> tuple[str, SheetScan]:
    """The format by content, checked against the extension, and the sizes of what calamine would lay out; raises
    Refused, with the issue that says why, for what is not a readable spreadsheet or could exhaust the process."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Refused(make_issue("unsupported-format", value=suffix or file_name))
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return _zip_format(path, suffix)
    if head.startswith(OLE_MAGIC):
        return _ole_format(path)
    if suffix == ".csv":
        return "csv", SheetScan()
    if (old := old_excel_format(head)) is not None:
        raise Refused(make_issue("old-excel-format", detail=old))
    if not head:
        raise Refused(make_issue("empty-workbook"))
    raise Refused(make_issue("not-a-spreadsheet", detail=describe_content(path, head)))


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
    workbook_part = workbook_part_name(path, names)
    if workbook_part in names:
        if workbook_part.lower().endswith(".bin"):
            raise Refused(make_issue("unsupported-format", value=".xlsb"))
        relations = workbook_relations(path, workbook_part)
        if macro_sheets := [target for kind, target in relations if kind.endswith(MACRO_SHEET_TYPES)]:
            with zipfile.ZipFile(path) as archive:
                named = sheet_names_by_part(archive).get(macro_sheets[0], macro_sheets[0])
            raise Refused(make_issue("unsupported-content", detail=f"an Excel 4.0 macro sheet ({named})"))
        # Every part a sheet could be read from: the workbook's sheet targets, and any sheet folder (by any case).
        targets = {target.lower() for kind, target in relations if kind.endswith("sheet")}
        sheets = [e for e in entries if e.filename.lower() in targets or in_sheet_folder(e.filename.lower())]
        return ("xlsm" if suffix == ".xlsm" else "xlsx"), check_sheet_extents(path, sheets)
    if "content.xml" in names and "mimetype" in names:
        return "ods", SheetScan(error_values=check_ods_extents(path))
    if "word/document.xml" in names:
        raise Refused(make_issue("not-a-spreadsheet", detail="it is a Word document"))
    if "[Content_Types].xml" in names or "mimetype" in names:
        raise Refused(make_issue("corrupt-file", detail="the workbook part is missing"))
    raise Refused(make_issue("not-a-spreadsheet", detail="it is a zip archive"))


def _ole_format(path: Path) -> tuple[str, SheetScan]:
    """An OLE compound file: an encrypted Office document (any format) or a legacy .xls."""
    data = path.read_bytes()
    if _ENCRYPTED_PACKAGE in data:
        raise Refused(make_issue("password-protected"))
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        if xls_is_encrypted(path):  # its records past the first are ciphertext: never read them
            raise Refused(make_issue("password-protected"))
        return "xls", SheetScan(error_values=check_xls_extents(path))
    raise Refused(make_issue("not-a-spreadsheet", detail="it is an older Office document but not a workbook"))
