"""Damaging a warehouse file as issue 28 found it: 256 KiB of its data overwritten, or the file cut in half."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# DuckDB's file: three 4 KiB headers, then blocks of 256 KiB (each starting with its checksum).
_HEADERS = 3 * 4096
_BLOCK = 256 * 1024


def damage_warehouse(db: Path, how: str) -> None:
    """ "overwritten": the middle block of the activities table's data (every page reads it) overwritten with 256 KiB
    of other bytes; "truncated": the file cut to half its size."""
    size = db.stat().st_size
    if how == "truncated":
        os.truncate(db, size // 2)
        return
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT block_id FROM pragma_storage_info('activities') WHERE block_id >= 0")
        blocks = sorted(block for (block,) in rows.fetchall())
    finally:
        con.close()
    with open(db, "r+b") as handle:
        handle.seek(_HEADERS + blocks[len(blocks) // 2] * _BLOCK)
        handle.write(bytes(range(256)) * 1024)
