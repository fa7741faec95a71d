"""The funding page's reads: budgets by source for each pillar and country scope."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection


def funding(year: int) -> pd.DataFrame:
    """The funding view for one as-of year: every pillar (and 'ALL') and country scope, with its budgets by source."""
    return connection.query("SELECT * FROM funding WHERE as_of_year = ?", [year])
