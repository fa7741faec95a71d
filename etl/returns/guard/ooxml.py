"""Navigating an OOXML package on the raw zip: its relationships, workbook and sheet parts, a part's inflated bytes."""

from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

# calamine reads cells from any sheet the workbook lists, worksheet, chart sheet or dialog sheet alike, and finds
# its part whatever the letter case of the part's name.
# The workbook part is where the package's relationships say (xl/workbook.xml as most writers put it, but the
# format allows any name), and its sheets are where the workbook's relationships say.
_SHEET_FOLDERS = ("worksheets/", "chartsheets/", "dialogsheets/", "macrosheets/")
_OFFICE_DOCUMENT = "/officeDocument"
MACRO_SHEET_TYPES = ("/xlMacrosheet", "/xlIntlMacrosheet")
# A package part that cannot be read here (missing, damaged, encrypted or compressed in a way zipfile lacks) is
# left for calamine to report on.
_UNREADABLE_PART = (KeyError, OSError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def in_sheet_folder(name: str) -> bool:
    """Whether a part's name puts it in a sheet folder, at any depth of the package."""
    return any(f"/{folder}" in f"/{name}" for folder in _SHEET_FOLDERS)


def workbook_part_name(path: Path, names: set[str]) -> str:
    """The workbook part's name, from the package relationships (_rels/.rels); xl/workbook.xml without them."""
    for kind, target in _relations(path, "_rels/.rels", ""):
        if kind.endswith(_OFFICE_DOCUMENT) and target in names:
            return target
    return "xl/workbook.bin" if "xl/workbook.bin" in names and "xl/workbook.xml" not in names else "xl/workbook.xml"


def workbook_relations(path: Path, workbook_part: str) -> list[tuple[str, str]]:
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


def sheet_names_by_part(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, read with plain patterns (an XML parser here would expand entities)."""
    path = Path(archive.filename) if archive.filename else None
    if path is None:
        return {}
    workbook_part = workbook_part_name(path, set(archive.namelist()))
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


def inflated(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
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
