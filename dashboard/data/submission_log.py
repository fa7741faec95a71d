"""The submissions log: every upload, its versions, issues and file (callers check the user's country)."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def submissions(country: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """Every upload, newest first: who sent which file when for which plan, its outcome, version and hash; one
    country or all."""
    sql = (
        "SELECT s.submission_id, s.plan_id, s.country, s.reporting_year, s.version, s.status, v.version_state, "
        "s.file_name, s.submitted_by, s.submitted_at, s.received_on, s.activities, s.errors, s.warnings, s.sha256, "
        "s.superseded_by, s.is_synthetic, s.stored_path IS NOT NULL AS has_file "
        "FROM submissions s JOIN submission_states v USING (submission_id)"
    )
    params: list = []
    if country is not None:
        sql += " WHERE s.country = ?"
        params.append(country)
    sql += " ORDER BY s.submitted_at DESC, s.submission_id DESC LIMIT ?"
    params.append(limit)
    return connection.query(sql, params)


def country_versions(country: str, year: int, limit: int = 200, *, plan_id: str | None = None) -> pd.DataFrame:
    """One country's uploads for a plan's reporting years up to `year`, with the state of each version, newest
    first."""
    return connection.query(
        "SELECT s.reporting_year, s.version, v.version_state, s.file_name, s.submitted_at FROM submissions s "
        "JOIN submission_states v USING (submission_id) WHERE s.country = ? AND s.reporting_year <= ? "
        "AND s.plan_id = ? ORDER BY s.reporting_year DESC, s.submitted_at DESC, s.submission_id DESC LIMIT ?",
        [country, year, plans.resolve(plan_id), limit],
    )


def submission_issues(submission_id: int) -> pd.DataFrame:
    """The errors and warnings found in one upload, in sheet and row order."""
    return connection.query(
        'SELECT severity, code, sheet, "row", "column", value, message FROM issues WHERE submission_id = ? '
        'ORDER BY severity, sheet, "row"',
        [submission_id],
    )


def submission_file(submission_id: int) -> dict | None:
    """Where one upload's file is kept, with its country and the name it was sent under."""
    frame = connection.query(
        "SELECT country, file_name, stored_path FROM submissions WHERE submission_id = ?", [int(submission_id)]
    )
    if frame.empty:
        return None
    row = frame.iloc[0]
    country = row.country if pd.notna(row.country) else None
    return {"country": country, "file_name": row.file_name, "stored_path": row.stored_path}
