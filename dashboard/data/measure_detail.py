"""The measures pages' reads: each measure's progress in a scope, by country, and the activities under it."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plan, plans


def measure_progress(year: int, country: str = connection.ALL, *, plan_id: str | None = None) -> pd.DataFrame:
    """measure_progress for one plan, as-of year and scope, beside each measure's text and section title, in plan
    order."""
    plan_id = plans.resolve(plan_id)
    progress = connection.metric("measure_progress", plan_id=plan_id, as_of_year=year, country=country).drop(
        columns=["pillar", "section_id"]
    )
    return plan.measures(plan_id=plan_id).merge(progress, on="measure_id", how="left")


def measure_by_country(year: int, measure_id: str, *, plan_id: str | None = None) -> pd.DataFrame:
    """measure_progress of one measure of a plan for one as-of year, each country and 'ALL'."""
    return connection.metric("measure_progress", plan_id=plans.resolve(plan_id), as_of_year=year, measure_id=measure_id)


def measure_activities(
    year: int, measure_id: str, limit: int = connection.LISTING_LIMIT, *, plan_id: str | None = None
) -> pd.DataFrame:
    """The activities linked to a plan's measure as of a year: status history and where each was reported."""
    # Two plans may share a measure id: the macros keep the chosen plan's rows (before the limit).
    plan_id = plans.resolve(plan_id)
    path = connection.warehouse_file()
    if connection.measure_links_current(path, connection.warehouse_version(path)):
        # The same rows as activity_listing, found through the measure's snapshot rows instead of every link.
        return connection.query(
            "SELECT * FROM measure_activity_listing(?, ?, ?, ?)", [plan_id, year, measure_id, limit]
        )
    return connection.query("SELECT * FROM activity_listing(?, ?, NULL, ?, ?)", [plan_id, year, measure_id, limit])
