"""What the warehouse holds as a whole: whether a plan has returns, whether any is demo data, the latest year."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def data_state(*, plan_id: str | None = None) -> dict:
    """Whether the plan has any return loaded, whether any return in the warehouse is synthetic demo data, and the
    plan's latest reported year (its last year before any return arrives)."""
    plan = plans.timeframe(plan_id)
    row = connection.query(
        "SELECT count(*) FILTER (WHERE status = 'accepted' AND plan_id = ?) AS accepted, "
        "coalesce(bool_or(is_synthetic), false) AS synthetic, "
        "max(reporting_year) FILTER (WHERE status = 'accepted' AND plan_id = ?) AS latest_year FROM submissions",
        [plan.plan_id, plan.plan_id],
    ).iloc[0]
    latest = row.latest_year
    return {
        "has_returns": int(row.accepted) > 0,
        "synthetic": bool(row.synthetic),
        "latest_year": int(latest) if pd.notna(latest) else plan.last_year,
    }
