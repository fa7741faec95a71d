"""The measures pages' reads: each measure's progress in a scope, by country, and the activities under it."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plan


def measure_progress(year: int, country: str = connection.ALL) -> pd.DataFrame:
    """measure_progress for one as-of year and scope, beside each measure's text and section title, in plan order."""
    progress = connection.metric("measure_progress", as_of_year=year, country=country).drop(
        columns=["pillar", "section_id"]
    )
    return plan.measures().merge(progress, on="measure_id", how="left")


def measure_by_country(year: int, measure_id: str) -> pd.DataFrame:
    """measure_progress of one measure for one as-of year, each country and 'ALL'."""
    return connection.metric("measure_progress", as_of_year=year, measure_id=measure_id)


def measure_activities(year: int, measure_id: str, limit: int = connection.LISTING_LIMIT) -> pd.DataFrame:
    """The activities linked to a measure as of a year: status history and where each was reported."""
    path = connection.warehouse_file()
    if connection.measure_links_current(path, connection.warehouse_version(path)):
        # The same rows as activity_listing, found through the measure's snapshot rows instead of every link.
        return connection.query("SELECT * FROM measure_activity_listing(?, ?, ?)", [year, measure_id, limit])
    return connection.query("SELECT * FROM activity_listing(?, NULL, ?, ?)", [year, measure_id, limit])
