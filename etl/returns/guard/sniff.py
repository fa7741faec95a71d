"""A file's format told by its content: zip and OLE signatures, Excel's bare BIFF2-4 files, other common content."""

from __future__ import annotations

import struct
from pathlib import Path

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_CONTENT = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)


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


def describe_content(path: Path, head: bytes) -> str:
    """What a file that is no workbook holds, as a refusal says it ("it is a PNG image")."""
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
