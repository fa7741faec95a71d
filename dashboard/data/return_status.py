"""Whether countries reported: the reporting metric, each return's state, the errors that rejected uploads."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def reporting(year: int, *, plan_id: str | None = None) -> pd.DataFrame:
    """metrics_reporting of one plan for one as-of year: each country and 'ALL'."""
    return connection.metric("metrics_reporting", plan_id=plans.resolve(plan_id), as_of_year=year)


def return_matrix(year: int, *, plan_id: str | None = None) -> pd.DataFrame:
    """Each country's return for each of a plan's reporting years up to the as-of year: its state (one with nothing
    received whose deadline has not passed today is 'not yet due', the rule of metrics_reporting), due date, versions,
    rejections."""
    return connection.query(
        "SELECT * FROM return_status_as_of(?) WHERE plan_id = ? ORDER BY country_ordinal, reporting_year",
        [year, plans.resolve(plan_id)],
    )


def rejected_issues(
    year: int, country: str = connection.ALL, limit: int = connection.LISTING_LIMIT, *, plan_id: str | None = None
) -> pd.DataFrame:
    """The errors that rejected uploads for a plan's reporting years up to the as-of year, newest upload first."""
    sql = (
        'SELECT s.country, s.reporting_year, s.file_name, s.submitted_at, i.sheet, i."row", i."column", '
        "i.value, i.code, i.message FROM issues i JOIN submissions s USING (submission_id) "
        "WHERE s.status = 'rejected' AND i.severity = 'error' AND (s.reporting_year IS NULL OR s.reporting_year <= ?)"
        # An upload refused before its plan was known (no plan id) shows under every plan.
        " AND (s.plan_id IS NULL OR s.plan_id = ?)"
    )
    params: list = [year, plans.resolve(plan_id)]
    if country != connection.ALL:
        sql += " AND s.country = ?"
        params.append(country)
    sql += ' ORDER BY s.submitted_at DESC, i.sheet, i."row" LIMIT ?'
    params.append(limit)
    return connection.query(sql, params)


def rejected_issue_counts(
    year: int, country: str = connection.ALL, except_country: str | None = None, *, plan_id: str | None = None
) -> pd.DataFrame:
    """How many errors of each code a plan's rejected uploads had, by country and reporting year: no file, cell or
    value."""
    sql = (
        "SELECT s.country, s.reporting_year, i.code, count(*) AS errors, count(DISTINCT s.submission_id) AS uploads "
        "FROM issues i JOIN submissions s USING (submission_id) "
        "WHERE s.status = 'rejected' AND i.severity = 'error' AND (s.reporting_year IS NULL OR s.reporting_year <= ?)"
        " AND (s.plan_id IS NULL OR s.plan_id = ?)"
    )
    params: list = [year, plans.resolve(plan_id)]
    if country != connection.ALL:
        sql += " AND s.country = ?"
        params.append(country)
    if except_country is not None:
        sql += " AND s.country IS DISTINCT FROM ?"
        params.append(except_country)
    sql += " GROUP BY ALL ORDER BY s.country, s.reporting_year DESC, errors DESC, i.code"
    return connection.query(sql, params)
