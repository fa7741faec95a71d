"""The catalogue as a listing: every measure and sub-item with its pillar and section, in the plan's order."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def catalogue_listing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every plan's measures and sub-items in order (each sub-item right after its measure), one row each."""
    return con.execute(
        "SELECT plan_id, level, id, measure_id, pillar, pillar_title, section_id, section_title, text "
        "FROM catalogue ORDER BY plan_id, measure_ordinal, letter"
    ).df()
