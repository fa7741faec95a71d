"""Builders of the files real returns arrive as, beyond what openpyxl writes: LibreOffice conversions, an encrypted
.xls, bare BIFF records of Excel 2.x-4.0, packages laid out differently, macro sheets."""

from __future__ import annotations

import random
import shutil
import struct
import zipfile
from pathlib import Path

import olefile


def _records(stream: bytes) -> list[tuple[int, bytes]]:
    records, offset = [], 0
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        records.append((kind, stream[offset + 4 : offset + 4 + size]))
        offset += 4 + size
    return records


def _stream(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack("<HH", kind, len(body)) + body for kind, body in records)


def encrypt_xls(xls: Path, target: Path) -> Path:
    """An .xls as Excel's RC4 encryption leaves it: a FILEPASS record after the first BOF, and every record body
    after it ciphertext (here random bytes of the same length, which is all a reader sees without the key).

    The Workbook stream keeps its size (the records before BOUNDSHEET give up the room FILEPASS takes), so the
    OLE container is rewritten in place.
    """
    shutil.copyfile(xls, target)
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        records = _records(ole.openstream("Workbook").read())
        bof, rest = records[0], records[1:]
        # RC4 FILEPASS: encryption type 1, version 1.1, salt, verifier and its hash (16 bytes each).
        noise = random.Random(7)
        filepass = (0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(noise.randrange(256) for _ in range(48)))
        room = sum(4 + len(body) for kind, body in rest[:4])  # INTERFACEHDR, MMS, INTERFACEEND, WRITEACCESS
        filler = (0x005C, b" " * (room - (4 + len(filepass[1])) - 4))
        encrypted = [(kind, body if kind == 0x0809 else bytes(noise.randrange(256) for _ in body))
                     for kind, body in rest[4:]]  # fmt: skip
        stream = _stream([bof, filepass, filler, *encrypted])
        ole.write_stream("Workbook", stream)
    return target


def biff_worksheet(path: Path, version: int) -> Path:
    """A bare Excel 2.x (2), 3.0 (3) or 4.0 (4) worksheet: BOF, one LABEL and one NUMBER cell, EOF."""
    bof = {2: (0x0009, struct.pack("<HH", 0x0002, 0x0010)),
           3: (0x0209, struct.pack("<HHH", 0x0003, 0x0010, 0)),
           4: (0x0409, struct.pack("<HHH", 0x0004, 0x0010, 0))}[version]  # fmt: skip
    text = b"Activity ID"
    label = (0x0004 if version == 2 else 0x0204, struct.pack("<HH", 0, 0) + b"\x00\x00\x00"[: 3 if version == 2 else 2]
             + struct.pack("<B" if version == 2 else "<H", len(text)) + text)  # fmt: skip
    number = (0x0003 if version == 2 else 0x0203, struct.pack("<HH", 1, 0) + b"\x00" * (3 if version == 2 else 2)
              + struct.pack("<d", 2015.0))  # fmt: skip
    path.write_bytes(_stream([bof, label, number, (0x000A, b"")]))
    return path


def relocate_workbook(xlsx: Path, target: Path, folder: str = "book") -> Path:
    """The same package with every part under xl/ moved to `folder`/, found through _rels/.rels and
    [Content_Types].xml as the format allows (some writers name their parts so)."""
    with zipfile.ZipFile(xlsx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry)
            name = entry.filename
            if name.startswith("xl/"):
                name = f"{folder}/{name[3:]}"
            if name == "[Content_Types].xml" or name.endswith(".rels"):
                data = data.replace(b"/xl/", f"/{folder}/".encode()).replace(b'"xl/', f'"{folder}/'.encode())
            out.writestr(name, data)
    return target


def add_macro_sheet(xlsx: Path, target: Path) -> Path:
    """The workbook with an Excel 4.0 macro sheet added before its worksheets, as Excel saves one (.xlsm)."""
    with zipfile.ZipFile(xlsx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/'
                    b'vnd.ms-excel.macrosheet+xml"/></Types>',
                )
            elif entry.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdMacro" Type="http://schemas.microsoft.com/office/2006/relationships/'
                    b'xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>',
                )
            elif entry.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b'<sheets><sheet name="Macro1" sheetId="99" r:id="rIdMacro"/>')
            out.writestr(entry, data)
        out.writestr(
            "xl/macrosheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData><row r="1">'
            '<c r="A1"><f>HALT()</f></c></row></sheetData></xm:macrosheet>',
        )
    return target
