"""The country page's reads: a country's reporting over two years and the activities it reported."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def reporting_for(country: str, years: list[int], *, plan_id: str | None = None) -> pd.DataFrame:
    """metrics_reporting of one plan for one scope over the given as-of years (a year and the one before)."""
    return connection.metric(
        "metrics_reporting",
        order_by="as_of_year",
        plan_id=plans.resolve(plan_id),
        country=country,
        as_of_year=list(years),
    )


def country_activities(
    year: int, country: str, limit: int = connection.LISTING_LIMIT, *, plan_id: str | None = None
) -> pd.DataFrame:
    """One country's activities under a plan as of a year, with their measures, status history and provenance."""
    return connection.query(
        "SELECT * FROM activity_listing(?, ?, ?, NULL, ?)",
        [plans.resolve(plan_id), year, country, limit],
    )
