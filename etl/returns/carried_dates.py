"""Dates a return carries from the record: a date outside the plan's years is reported when it enters, not again."""

from __future__ import annotations

import dataclasses

import duckdb

from etl.returns.cells import column_texts
from etl.returns.read import RawReturn, RawTable
from etl.returns.validate import ValidatedReturn

OUTSIDE_PLAN = "date-outside-plan"


def without_carried_date_warnings(
    con: duckdb.DuckDBPyConnection, validated: ValidatedReturn, raw: RawReturn
) -> ValidatedReturn:
    """The return without its date-outside-plan warnings for dates the record already holds for the same activity.

    A prefilled template carries each activity's dates as the country's current returns give them, and a start
    before the plan (a programme older than it) was reported when it first arrived; saying it again on every
    upload of the same activity buries the findings that are new. A date that changed, or a new activity's, is
    still reported. A rejected return is treated alike: its carried dates are no news beside its errors.
    """
    flagged = [issue for issue in validated.issues if issue.code == OUTSIDE_PLAN]
    if not flagged or validated.country is None or raw.table is None:
        return validated
    rows = _activity_ids(raw.table, {issue.row for issue in flagged})
    wanted = sorted(set(rows.values()))
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


def _activity_ids(table: RawTable, wanted_rows: set[int | None]) -> dict[int, str]:
    """The activity id of each wanted Excel row, read as the checks read ids. From the table as read, not the checked
    rows: a rejected return keeps none (they are built for loading only), and its carried dates were warned about
    again, though the same rows accepted were not."""
    ids = table.values.get("activity_id")
    if ids is None:
        return {}
    positions = [i for i, row in enumerate(table.rows) if row in wanted_rows]
    texts = column_texts([ids[i] for i in positions])
    return {table.rows[i]: text for i, text in zip(positions, texts, strict=True) if text is not None}
