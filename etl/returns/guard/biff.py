"""A legacy .xls through olefile: whether a password encrypts it, its sheets' sizes and error cells from BIFF8."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import olefile

from etl.returns.guard.sheet_limits import refuse_oversized

# BIFF8 record types: beginning and end of a substream, a sheet's name, and the records that hold a cell value
# (NUMBER, RK, MULRK, LABELSST, LABEL, RSTRING, FORMULA, BOOLERR; formatted blanks cost calamine nothing).
_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_MULRK = 0x0809, 0x000A, 0x0085, 0x00BD
_BIFF_VALUE_CELLS = frozenset({0x0203, 0x027E, 0x00BD, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205})
# Spreadsheet errors, which calamine reads as blank: BOOLERR and FORMULA records with an error code. FILEPASS
# marks a workbook encrypted with a password.
_BIFF_FORMULA, _BIFF_BOOLERR, _BIFF_FILEPASS = 0x0006, 0x0205, 0x002F
_BIFF_ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                     0x2A: "#N/A"}  # fmt: skip


def check_xls_extents(path: Path) -> dict[str, dict[tuple[int, int], str]]:
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


def xls_is_encrypted(path: Path) -> bool:
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
