"""The implementation schedule (Work Plan item 6.3): a workbook taken through reading, checking, feedback and
loading as a new version, and the current schedule read back; no user interface here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import warehouse
from etl.plan.plans import plan_timeframe
from etl.returns import load
from etl.returns.ingest import display_name
from etl.returns.issue_codes import Issue, IssueCounts
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import read_return
from etl.schedule.check import CheckedSchedule, ScheduleEntry, check_schedule
from etl.schedule.layout import ONE_OFF, SCHEDULE_LAYOUT

ACCEPTED, REJECTED, UNCHANGED = load.ACCEPTED, load.REJECTED, load.UNCHANGED
# The columns of `aptmon schedule show` and of the exports' `schedule` table, in order.
SHOW_COLUMNS = (
    "measure_id", "pillar", "section_id", "kind", "start_year", "due_year", "lead_countries", "note", "is_default",
    "schedule_version",
)  # fmt: skip


@dataclass
class ScheduleResult(IssueCounts):
    """What loading (or checking) one schedule workbook did: the `aptmon schedule load --json` object."""

    file: str
    status: str
    version: int | None
    measures: int  # the measures the file lists
    issues: list[Issue] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # measures whose schedule differs from the previous version
    previous_version: int | None = None
    load_id: int | None = None
    report_path: str | None = None
    dry_run: bool = False

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "version": self.version,
            "measures": self.measures,
            "errors": self.errors,
            "warnings": self.warnings,
            "changes": {"previous_version": self.previous_version, "changed": self.changed},
            "issues": [i.to_dict() for i in self.issues],
            "dry_run": self.dry_run,
            "report": self.report_path,
        }


def load_schedule_file(
    path: str | os.PathLike,
    *,
    warehouse_file: str | os.PathLike | None = None,
    dry_run: bool = False,
    loaded_by: str = "cli",
    report_dir: str | os.PathLike | None = None,
    original_name: str | None = None,
    is_example: bool = False,
    plan_id: str | None = None,
) -> ScheduleResult:
    """Read, check and (unless dry_run) load a schedule workbook as the plan's new schedule version (plan None: the
    default plan, docs/cli.md).

    The same reader and findings as a return (etl.returns.read, etl.returns.issue_codes); any error rejects the
    whole file, which changes nothing (it is not recorded either). A rejected xlsx comes back annotated in
    `report_dir`, as a return does. A file that says what the current version says is recorded as unchanged.
    Raises warehouse.WarehouseError when the warehouse cannot be used.
    """
    path = Path(path)
    file_name = display_name(original_name or path.name) or "unnamed file"
    raw = read_return(path, file_name, SCHEDULE_LAYOUT)
    with warehouse.read_connection(warehouse_file) as con:
        plan_id = plan_timeframe(con, plan_id).plan_id
        lookup = MeasureLookup(load.read_catalogue(con, plan_id))
    checked = check_schedule(raw, lookup)
    result = ScheduleResult(file_name, REJECTED, None, len(checked.entries), checked.issues, dry_run=dry_run)
    if not checked.accepted:
        result.measures = 0
        if report_dir is not None:
            from etl.returns.feedback import write_feedback  # openpyxl is only needed for a rejected file

            result.report_path = str(write_feedback(path, raw.file_format, checked.issues, Path(report_dir), file_name))
        return result
    if dry_run:
        with warehouse.read_connection(warehouse_file) as con:
            _plan(con, checked, result, plan_id)
        return result
    with warehouse.write_connection(warehouse_file) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _plan(con, checked, result, plan_id)
            _record(con, checked, result, raw.sha256, loaded_by, is_example, plan_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return result


def _plan(con: duckdb.DuckDBPyConnection, checked: CheckedSchedule, result: ScheduleResult, plan_id: str) -> None:
    """Fill in what loading would do: accepted as a new version, or unchanged, and which measures change."""
    current = con.execute("SELECT load_id, version FROM current_schedule WHERE plan_id = ?", [plan_id]).fetchone()
    years = con.execute("SELECT start_year, end_year FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
    before = _effective(_entries(con, current[0]) if current else [], *years)
    after = _effective(checked.entries, *years)
    result.previous_version = current[1] if current else None
    changed = {m for m in before.keys() | after.keys() if before.get(m) != after.get(m)}
    result.changed = sorted(changed, key=_measure_order)
    if not result.changed:  # with no version loaded yet, against the default schedule (version 0)
        result.status, result.version = UNCHANGED, current[1] if current else 0
        return
    (latest,) = con.execute(
        "SELECT coalesce(max(version), 0) FROM schedule_loads WHERE plan_id = ?", [plan_id]
    ).fetchone()
    result.status, result.version = ACCEPTED, latest + 1


def _record(
    con: duckdb.DuckDBPyConnection,
    checked: CheckedSchedule,
    result: ScheduleResult,
    sha256: str,
    loaded_by: str,
    is_example: bool,
    plan_id: str,
) -> None:
    (load_id,) = con.execute("SELECT nextval('schedule_load_seq')").fetchone()
    con.execute(
        "INSERT INTO schedule_loads (load_id, plan_id, version, file_name, sha256, loaded_by, loaded_at, status, "
        "measures_listed, warnings, is_example) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id, plan_id, result.version, result.file, sha256, loaded_by,
            datetime.now(UTC).replace(tzinfo=None), result.status, result.measures, result.warnings, is_example,
        ],
    )  # fmt: skip
    result.load_id = load_id
    if result.status == ACCEPTED and checked.entries:
        con.executemany(
            "INSERT INTO schedule_entries (load_id, plan_id, measure_id, kind, start_year, due_year, lead_countries, "
            "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [load_id, plan_id, e.measure_id, e.kind, e.start_year, e.due_year,
                 list(e.lead_countries) if e.lead_countries else None, e.note]
                for e in checked.entries
            ],
        )  # fmt: skip


def _entries(con: duckdb.DuckDBPyConnection, load_id: int) -> list[ScheduleEntry]:
    rows = con.execute(
        "SELECT measure_id, kind, start_year, due_year, lead_countries, note FROM schedule_entries WHERE load_id = ?",
        [load_id],
    ).fetchall()
    return [ScheduleEntry(m, k, s, d, tuple(leads) if leads else None, note) for m, k, s, d, leads, note in rows]


def _effective(entries: list[ScheduleEntry], first: int, last: int) -> dict[str, tuple]:
    """measure -> (kind, start, due, leads, note) with blanks taken as their default (the plan's years first to
    last); a measure whose schedule is the default drops out, so a schedule that spells out the defaults says the
    same as one that leaves them blank."""
    default = (ONE_OFF, first, last, (), None)
    effective = {}
    for e in entries:
        values = (
            e.kind or ONE_OFF,
            e.start_year if e.start_year is not None else first,
            e.due_year if e.due_year is not None else last,
            e.lead_countries or (),
            e.note,
        )
        if values != default:
            effective[e.measure_id] = values
    return effective


def _measure_order(measure_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in measure_id.split("."))


def current_schedule(con: duckdb.DuckDBPyConnection, plan_id: str | None = None) -> pd.DataFrame:
    """Every measure of the plan (None: the default plan) with its effective schedule and whether that is the
    default (SHOW_COLUMNS)."""
    plan_id = plan_timeframe(con, plan_id).plan_id
    return con.execute(
        f"SELECT {', '.join(SHOW_COLUMNS)} FROM measure_schedule WHERE plan_id = ? ORDER BY ordinal", [plan_id]
    ).df()


@dataclass(frozen=True)
class ScheduleVersion:
    """Which schedule the metrics judge against: a loaded version, or the default (version 0)."""

    version: int
    file_name: str | None = None
    sha256: str | None = None
    loaded_by: str | None = None
    loaded_at: datetime | None = None
    is_example: bool = False
    measures_set: int = 0  # measures whose schedule is not the default

    @property
    def label(self) -> str:
        """One line for headers, banners and the report."""
        if self.version == 0:
            return "default schedule (none loaded: every measure one-off, due by the end of the plan)"
        example = " (an example, not the Secretariat's schedule)" if self.is_example else ""
        return (
            f"version {self.version}{example}, {self.measures_set} measures scheduled, from {self.file_name}, "
            f"loaded {self.loaded_at:%Y-%m-%d %H:%M} UTC by {self.loaded_by}, SHA-256 {self.sha256[:12]}"
        )


def schedule_version(con: duckdb.DuckDBPyConnection, plan_id: str | None = None) -> ScheduleVersion:
    """The current schedule version of the plan (None: the default plan), as the metric views use it."""
    plan_id = plan_timeframe(con, plan_id).plan_id
    row = con.execute(
        "SELECT version, file_name, sha256, loaded_by, loaded_at, is_example, "
        "(SELECT count(*) FROM measure_schedule WHERE plan_id = ? AND NOT is_default) "
        "FROM current_schedule WHERE plan_id = ?",
        [plan_id, plan_id],
    ).fetchone()
    return ScheduleVersion(*row) if row else ScheduleVersion(0)
