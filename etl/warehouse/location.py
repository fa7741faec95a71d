"""Where the warehouse lives: the file asked for, else $APTMON_WAREHOUSE, else the default under data/."""

from __future__ import annotations

import os
from pathlib import Path

from etl.paths import DEFAULT_WAREHOUSE


def warehouse_path(path: str | os.PathLike | None = None) -> Path:
    """The warehouse file: the argument, else $APTMON_WAREHOUSE, else data/warehouse/aptmon.duckdb."""
    return Path(path or os.environ.get("APTMON_WAREHOUSE") or DEFAULT_WAREHOUSE)
