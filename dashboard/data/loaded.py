"""What the warehouse holds as a whole: whether any return is loaded, whether it is demo data, the latest year."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection
from etl.plan.definitions import PLAN_LAST_YEAR


def data_state() -> dict:
    """Whether any return is loaded, whether any of it is synthetic demo data, and the latest reported year."""
    row = connection.query(
        "SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted, "
        "coalesce(bool_or(is_synthetic), false) AS synthetic, "
        "max(reporting_year) FILTER (WHERE status = 'accepted') AS latest_year FROM submissions"
    ).iloc[0]
    latest = row.latest_year
    return {
        "has_returns": int(row.accepted) > 0,
        "synthetic": bool(row.synthetic),
        "latest_year": int(latest) if pd.notna(latest) else PLAN_LAST_YEAR,
    }
