"""Dates a return carries from the record: a date outside the plan's years is reported when it enters, not again."""

from __future__ import annotations

import dataclasses

import duckdb

from etl.returns.validate import ValidatedReturn

OUTSIDE_PLAN = "date-outside-plan"


def without_carried_date_warnings(con: duckdb.DuckDBPyConnection, validated: ValidatedReturn) -> ValidatedReturn:
    """The return without its date-outside-plan warnings for dates the record already holds for the same activity.

    A prefilled template carries each activity's dates as the country's current returns give them, and a start
    before the plan (a programme older than it) was reported when it first arrived; saying it again on every
    upload of the same activity buries the findings that are new. A date that changed, or a new activity's, is
    still reported.
    """
    flagged = [issue for issue in validated.issues if issue.code == OUTSIDE_PLAN]
    if not flagged or validated.country is None or validated.activities.num_rows == 0:
        return validated
    rows = dict(zip(validated.activities.column("source_row"), validated.activities.column("activity_id"),
                    strict=True))  # fmt: skip
    wanted = sorted({rows[issue.row] for issue in flagged if issue.row in rows})
    if not wanted:
        return validated
    known = con.execute(
        "SELECT DISTINCT a.activity_id, strftime(d, '%Y-%m-%d') FROM activities a "
        "JOIN current_submissions s USING (submission_id), unnest([a.start_date, a.end_date]) AS t(d) "
        "WHERE s.country = ? AND a.activity_id IN (SELECT unnest(?::VARCHAR[])) AND d IS NOT NULL",
        [validated.country, wanted],
    ).fetchall()
    carried = set(known)
    kept = [
        issue
        for issue in validated.issues
        if issue.code != OUTSIDE_PLAN or (rows.get(issue.row), issue.value) not in carried
    ]
    if len(kept) == len(validated.issues):
        return validated
    return dataclasses.replace(validated, issues=kept)
