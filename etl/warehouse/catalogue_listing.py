"""The catalogue as a listing: every measure and sub-item with its pillar and section, in the plan's order."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def catalogue_listing(con: duckdb.DuckDBPyConnection, plan_id: str | None = None) -> pd.DataFrame:
    """One plan's measures and sub-items (every plan's with plan_id None) in order, each sub-item right after its
    measure, one row each."""
    return con.execute(
        "SELECT plan_id, level, id, measure_id, pillar, pillar_title, section_id, section_title, text "
        "FROM catalogue WHERE $plan IS NULL OR plan_id = $plan ORDER BY plan_id, measure_ordinal, letter",
        {"plan": plan_id},
    ).df()
