"""The only dashboard module that queries the warehouse: every number shown comes through here."""

from __future__ import annotations

import os

import pandas as pd

from etl import warehouse


def warehouse_file() -> str:
    """The warehouse the app serves, fixed by create_app through $APTMON_WAREHOUSE."""
    return str(warehouse.warehouse_path(os.environ.get("APTMON_WAREHOUSE")))


def query(sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one read-only query on a short-lived connection (safe across gunicorn workers)."""
    with warehouse.read_connection(warehouse_file()) as con:
        return con.execute(sql, params or []).df()


def catalogue() -> pd.DataFrame:
    """Every measure and sub-item, in plan order."""
    return query(
        "SELECT level, id, pillar, pillar_title, section_id, section_title, text "
        "FROM catalogue ORDER BY plan_id, measure_ordinal, letter"
    )
