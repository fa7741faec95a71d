"""What a crash mid-upload leaves: stored returns with no row in the upload log, cleared at the server's next start."""

from __future__ import annotations

import os
import re
from pathlib import Path

from etl.paths import STORED_RETURN_DEPTH, relative_stored_path, returns_dir
from etl.warehouse.connection import read_connection, write_connection

# The names etl.returns.ingest gives stored returns (<UTC stamp>-<sha256 prefix>-<random>.<format>): only such a
# file is ever removed, never one an admin put there (the demo's workbooks, notes).
_STORED_NAME = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{12}-[0-9a-f]{6}\.[a-z0-9]{1,5}$")


def remove_orphan_returns(path: str | os.PathLike | None = None) -> list[str]:
    """Remove every stored return that no upload in the log names; the removed paths (relative to the returns folder).

    A return is stored under the writer's lock and removed again when its load fails, so a file without its row is
    what a process killed mid-submit left. The candidates are found without a lock and checked again under the
    writer's, where no upload is half done.
    """
    with read_connection(path) as con:
        if not _orphans(con):
            return []
    with write_connection(path) as con:
        orphans = _orphans(con)
        for orphan in orphans:
            (returns_dir() / orphan).unlink(missing_ok=True)
    return orphans


def _orphans(con) -> list[str]:
    rows = con.execute("SELECT stored_path FROM submissions WHERE stored_path IS NOT NULL").fetchall()
    named = {stored for (stored,) in rows}
    if any(Path(stored).is_absolute() for stored in named):
        return []  # a log not yet upgraded to relative paths (etl.warehouse.upgrade): nothing can be told apart
    return [relative for relative in _stored_files() if relative not in named]


def _stored_files() -> list[str]:
    root = returns_dir()
    if not root.is_dir():
        return []
    files = root.glob("/".join("*" for _ in range(STORED_RETURN_DEPTH)))
    return sorted(relative_stored_path(p) for p in files if _STORED_NAME.match(p.name) and p.is_file())
