"""Continuity between plans as readers see it: the carried-over measures of a plan and a measure's links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.warehouse.metrics import snapshots_current
from etl.warehouse.snapshots import SNAPSHOT_SUFFIX

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_HAS_SNAPSHOT = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'carried_over" + SNAPSHOT_SUFFIX + "'"


def carried_over(con: duckdb.DuckDBPyConnection, plan_id: str, as_of_year: int) -> pd.DataFrame:
    """The measures of plan_id's predecessors not delivered in them, and what became of each as of the year.

    Read from the view's snapshot while it is current (it computes measure_progress of two plans otherwise)."""
    source = "carried_over"
    if con.execute(_HAS_SNAPSHOT).fetchone()[0] and snapshots_current(con):
        source += SNAPSHOT_SUFFIX
    return con.execute(f"SELECT * FROM {source} WHERE plan_id = ? AND as_of_year = ?", [plan_id, as_of_year]).df()


def measure_continuity(con: duckdb.DuckDBPyConnection, plan_id: str, measure_id: str) -> pd.DataFrame:
    """The measures one measure continues (direction 'continues') and is continued by ('continued by'), each with
    its plan, text and the plan's years."""
    return con.execute(
        """
        SELECT 'continues' AS direction, c.from_plan_id AS plan_id, c.from_measure_id AS measure_id,
               m.text, p.title AS plan_title, p.start_year, p.end_year
        FROM measure_continuity c
        JOIN measures m ON m.plan_id = c.from_plan_id AND m.measure_id = c.from_measure_id
        JOIN plans p ON p.plan_id = c.from_plan_id
        WHERE c.to_plan_id = $plan AND c.to_measure_id = $measure
        UNION ALL
        SELECT 'continued by', c.to_plan_id, c.to_measure_id, m.text, p.title, p.start_year, p.end_year
        FROM measure_continuity c
        JOIN measures m ON m.plan_id = c.to_plan_id AND m.measure_id = c.to_measure_id
        JOIN plans p ON p.plan_id = c.to_plan_id
        WHERE c.from_plan_id = $plan AND c.from_measure_id = $measure
        ORDER BY 1 DESC, start_year, plan_id, measure_id
        """,
        {"plan": plan_id, "measure": measure_id},
    ).df()


def activity_history(con: duckdb.DuckDBPyConnection, country: str, activity_id: str) -> pd.DataFrame:
    """One activity's history across plans (view activity_history): each plan and year that listed it, the status and
    measures it gave, the earliest first."""
    return con.execute(
        "SELECT * FROM activity_history WHERE country = ? AND activity_id = ?", [country, activity_id]
    ).df()
