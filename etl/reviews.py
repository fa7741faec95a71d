"""The CPR Plus Three meetings that review the plan (item 6.5): recorded by an admin, read by the review page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

from etl import warehouse
from etl.errors import AptmonError
from etl.plan.plans import plan_timeframe


class ReviewError(AptmonError, ValueError):
    """A meeting cannot be recorded as asked; the message says why."""


@dataclass(frozen=True)
class Meeting:
    meeting_on: date
    title: str
    recorded_by: str


def add_meeting(
    meeting_on: date,
    title: str,
    recorded_by: str,
    warehouse_file: str | os.PathLike | None = None,
    plan_id: str | None = None,
) -> Meeting:
    """Record a meeting reviewing a plan (None: the default plan, docs/cli.md); a date already recorded is refused
    (remove it first to change it)."""
    title = " ".join((title or "").split()) or f"CPR Plus Three meeting of {meeting_on:%d %B %Y}"
    if meeting_on > date.today():
        raise ReviewError(f"{meeting_on:%Y-%m-%d} is in the future; record a meeting once it has taken place.")
    with warehouse.write_connection(warehouse_file) as con:
        plan = plan_timeframe(con, plan_id)
        if meeting_on.year < plan.first_year:
            raise ReviewError(
                f"{meeting_on:%Y-%m-%d} is before the plan began ({plan.first_year}); give the meeting's date."
            )
        if con.execute("SELECT count(*) FROM review_meetings WHERE meeting_on = ?", [meeting_on]).fetchone()[0]:
            raise ReviewError(f"A meeting on {meeting_on:%Y-%m-%d} is already recorded.")
        con.execute(
            "INSERT INTO review_meetings (meeting_on, title, recorded_by, recorded_at, plan_id) VALUES (?, ?, ?, ?, ?)",
            [meeting_on, title, recorded_by, datetime.now(), plan.plan_id],
        )
    return Meeting(meeting_on, title, recorded_by)


def remove_meeting(meeting_on: date, warehouse_file: str | os.PathLike | None = None) -> None:
    with warehouse.write_connection(warehouse_file) as con:
        gone = con.execute("DELETE FROM review_meetings WHERE meeting_on = ? RETURNING 1", [meeting_on]).fetchall()
    if not gone:
        raise ReviewError(f"No meeting on {meeting_on:%Y-%m-%d} is recorded.")


def list_meetings(warehouse_file: str | os.PathLike | None = None, plan_id: str | None = None) -> list[Meeting]:
    """Every recorded meeting of a plan (None: every meeting), the latest first; a meeting recorded before there were
    several plans shows for each."""
    with warehouse.read_connection(warehouse_file) as con:
        rows = con.execute(
            "SELECT meeting_on, title, recorded_by FROM review_meetings "
            "WHERE $plan IS NULL OR plan_id IS NULL OR plan_id = $plan ORDER BY meeting_on DESC",
            {"plan": plan_id},
        ).fetchall()
    return [Meeting(*row) for row in rows]
