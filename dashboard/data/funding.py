"""The funding page's reads: budgets by source for each pillar and country scope."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def funding(year: int, *, plan_id: str | None = None) -> pd.DataFrame:
    """The funding view for one plan and as-of year: every pillar (and 'ALL') and country scope, with its budgets by
    source."""
    return connection.query(
        "SELECT * FROM funding WHERE plan_id = ? AND as_of_year = ?", [plans.resolve(plan_id), year]
    )
