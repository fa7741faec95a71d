"""Where the project keeps its files: the project root, the default warehouse, returns and instance folders."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse" / "aptmon.duckdb"
DEFAULT_RETURNS_DIR = PROJECT_ROOT / "data" / "raw" / "returns"
SEED_PLAN_FILE = PROJECT_ROOT / "data" / "raw" / "workplan" / "apt-cooperation-work-plan-2013-2017.txt"


def returns_dir() -> Path:
    """Where uploaded files are kept: $APTMON_RETURNS_DIR, else data/raw/returns."""
    return Path(os.environ.get("APTMON_RETURNS_DIR") or DEFAULT_RETURNS_DIR)


# How a stored return sits under returns_dir(): <country>/<year>/<generated name> (etl/returns/ingest.py).
STORED_RETURN_DEPTH = 3


def stored_return_path(stored_path: str) -> Path:
    """The file a submissions.stored_path names: relative to returns_dir() (a warehouse of an earlier release held
    absolute paths; `aptmon init` makes them relative, so the data can move or be restored elsewhere)."""
    path = Path(stored_path)
    return path if path.is_absolute() else returns_dir() / path


def relative_stored_path(path: Path) -> str:
    """What submissions.stored_path records for a file kept under returns_dir(): its path from there, with /."""
    return path.resolve().relative_to(returns_dir().resolve()).as_posix()


def instance_dir() -> Path:
    """Where per-deployment secrets live: $APTMON_INSTANCE_DIR, else instance/ in the project (git-ignored)."""
    return Path(os.environ.get("APTMON_INSTANCE_DIR") or PROJECT_ROOT / "instance")
