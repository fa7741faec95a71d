"""Test-only builders that write returns straight into the warehouse tables, bypassing the reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import warehouse
from etl.plan.plans import SEED_PLAN


def add_return(
    warehouse_file: Path,
    country: str,
    year: int,
    activities: list[tuple[str, str, list[str]]],
    *,
    status: str = "accepted",
    received_on: date | None = None,
    sha256: str | None = None,
    plan_id: str = SEED_PLAN.plan_id,
) -> int:
    """Record one upload of (country, year) under a plan (the seed plan unless given) with activities
    (activity_id, status, measure ids); its id.

    An accepted upload supersedes the previous current version, as a real upload does.
    """
    received_on = received_on or date(year + 1, 2, 1)
    with warehouse.write_connection(warehouse_file) as con:
        version = con.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM submissions WHERE plan_id = ? AND country = ? "
            "AND reporting_year = ?",
            [plan_id, country, year],
        ).fetchone()[0]
        submission_id = con.execute(
            "INSERT INTO submissions (plan_id, country, reporting_year, version, file_name, sha256, submitted_by,"
            " submitted_at, received_on, status, activities) VALUES (?, ?, ?, ?, ?, ?, 'test', now(), ?, ?, ?)"
            " RETURNING submission_id",
            [
                plan_id,
                country,
                year,
                version,
                f"{country}-{year}-v{version}.xlsx",
                sha256 or f"{country}{year}v{version}",
                received_on,
                status,
                len(activities),
            ],
        ).fetchone()[0]
        if status == "accepted":
            con.execute(
                "UPDATE submissions SET superseded_by = ? WHERE plan_id = ? AND country = ? AND reporting_year = ?"
                " AND status = 'accepted' AND superseded_by IS NULL AND submission_id <> ?",
                [submission_id, plan_id, country, year, submission_id],
            )
        # Activities are stored whatever the outcome, so a test proves that the views (not the loader) ignore them.
        for row, (activity_id, activity_status, measure_ids) in enumerate(activities, start=2):
            con.execute(
                "INSERT INTO activities (submission_id, plan_id, country, reporting_year, activity_id, title,"
                " status, source_sheet, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, 'Activities', ?)",
                [submission_id, plan_id, country, year, activity_id, f"Activity {activity_id}",
                 activity_status, row],
            )  # fmt: skip
            for measure_id in measure_ids:
                measure, _, letter = measure_id.partition("(")
                con.execute(
                    "INSERT INTO activity_measures VALUES (?, ?, ?, ?, ?, ?)",
                    [submission_id, plan_id, country, activity_id, measure, measure_id if letter else None],
                )
    return submission_id
