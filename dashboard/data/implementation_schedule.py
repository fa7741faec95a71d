"""The implementation schedule (item 6.3) as the metrics judge against it: each measure's schedule and its version."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def schedule(*, plan_id: str | None = None) -> pd.DataFrame:
    """Every measure of a plan with its effective schedule (kind, start and due year, leads, note, whether it is the
    default)."""
    return connection.query(
        "SELECT ms.measure_id, ms.pillar, ms.section_id, ms.kind, ms.start_year, ms.due_year, ms.lead_countries, "
        "ms.note, ms.is_default, ms.schedule_version, m.text FROM measure_schedule ms "
        "JOIN measures m ON m.plan_id = ms.plan_id AND m.measure_id = ms.measure_id WHERE ms.plan_id = ? "
        "ORDER BY ms.ordinal",
        [plans.resolve(plan_id)],
    )


def schedule_version(*, plan_id: str | None = None):
    """The schedule a plan's metrics judge against (etl.schedule.load.ScheduleVersion): a loaded version, or the
    default."""
    from etl.schedule.load import ScheduleVersion

    frame = connection.query(
        "SELECT version, file_name, sha256, loaded_by, loaded_at, is_example, "
        "(SELECT count(*) FROM measure_schedule m WHERE m.plan_id = c.plan_id AND NOT is_default) AS measures_set "
        "FROM current_schedule c WHERE plan_id = ?",
        [plans.resolve(plan_id)],
    )
    if frame.empty:
        return ScheduleVersion(0)
    row = frame.iloc[0]
    return ScheduleVersion(
        int(row.version), row.file_name, row.sha256, row.loaded_by, row.loaded_at.to_pydatetime(),
        bool(row.is_example), int(row.measures_set),
    )  # fmt: skip
