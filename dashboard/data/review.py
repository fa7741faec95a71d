"""The review between two dates (item 6.5): the meetings, the default dates, and what changed between them."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import connection, plans


def review_meetings(*, plan_id: str | None = None) -> pd.DataFrame:
    """The CPR Plus Three review meetings an admin recorded for a plan, the latest first; a meeting recorded before
    there were several plans shows for each."""
    return connection.query(
        "SELECT meeting_on, title FROM review_meetings WHERE plan_id IS NULL OR plan_id = ? ORDER BY meeting_on DESC",
        [plans.resolve(plan_id)],
    )


def review_default_dates(*, plan_id: str | None = None) -> tuple[date, date] | None:
    """The two dates a review of a plan compares by default: its last two meetings; with one meeting, it and the
    plan's latest upload; with none, the last two days an accepted return for the plan arrived. None before two such
    dates exist."""
    plan_id = plans.resolve(plan_id)
    frame = connection.query(
        "WITH meetings AS (SELECT meeting_on AS day FROM review_meetings WHERE plan_id IS NULL OR plan_id = ? "
        "ORDER BY day DESC LIMIT 2), "
        "uploads AS (SELECT DISTINCT received_on AS day FROM submissions WHERE status = 'accepted' AND plan_id = ? "
        "ORDER BY day DESC LIMIT 2) "
        "SELECT (SELECT list(day ORDER BY day DESC) FROM meetings) AS meetings, "
        "(SELECT list(day ORDER BY day DESC) FROM uploads) AS uploads",
        [plan_id, plan_id],
    ).iloc[0]
    meetings = list(frame.meetings) if pd.api.types.is_list_like(frame.meetings) else []
    uploads = list(frame.uploads) if pd.api.types.is_list_like(frame.uploads) else []
    if len(meetings) >= 2:
        chosen = (meetings[1], meetings[0])
    elif meetings and uploads and uploads[0] > meetings[0]:
        chosen = (meetings[0], uploads[0])
    elif len(uploads) >= 2:
        chosen = (uploads[1], uploads[0])
    else:
        return None
    return tuple(pd.Timestamp(day).date() for day in chosen)


def review_returns(from_date: date, to_date: date, *, plan_id: str | None = None) -> pd.DataFrame:
    """A plan's returns accepted after from_date and on or before to_date: first arrivals and new versions."""
    return connection.query("SELECT * FROM review_returns(?, ?, ?)", [plans.resolve(plan_id), from_date, to_date])


def review_activities(from_date: date, to_date: date, *, plan_id: str | None = None) -> pd.DataFrame:
    """A plan's activities added, completed, or whose status went back between the two dates."""
    return connection.query("SELECT * FROM review_activities(?, ?, ?)", [plans.resolve(plan_id), from_date, to_date])


def review_measures(from_date: date, to_date: date, *, plan_id: str | None = None) -> pd.DataFrame:
    """A plan's measures newly delivered or newly overdue, all 13 countries, between the years the dates speak for."""
    return connection.query(
        "SELECT * FROM review_measures(?, ?, ?, progress := ?)",
        [plans.resolve(plan_id), from_date, to_date, connection.metric_relation("measure_progress")],
    )


def review_years(from_date: date, to_date: date, *, plan_id: str | None = None) -> tuple[int | None, int | None]:
    """The as-of years of a plan the two dates speak for (the latest year whose returns were due by then)."""
    plan_id = plans.resolve(plan_id)
    row = connection.query(
        "SELECT review_as_of_year(?, ?) AS before, review_as_of_year(?, ?) AS now",
        [plan_id, from_date, plan_id, to_date],
    ).iloc[0]
    return (None if pd.isna(row.before) else int(row.before), None if pd.isna(row.now) else int(row.now))
