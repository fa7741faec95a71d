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


def instance_dir() -> Path:
    """Where per-deployment secrets live: $APTMON_INSTANCE_DIR, else instance/ in the project (git-ignored)."""
    return Path(os.environ.get("APTMON_INSTANCE_DIR") or PROJECT_ROOT / "instance")
