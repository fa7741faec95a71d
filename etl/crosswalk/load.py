"""Loading a crosswalk workbook: read and check it like any workbook, then keep it as its plan pair's new version."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from etl import warehouse
from etl.crosswalk.check import check_crosswalk, read_plans
from etl.crosswalk.layout import CROSSWALK_LAYOUT
from etl.plan.plans import plan_timeframes
from etl.returns import load
from etl.returns.ingest import display_name
from etl.returns.issue_codes import Issue, IssueCounts
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.read import read_return

ACCEPTED, REJECTED = "accepted", "rejected"


@dataclass
class CrosswalkResult(IssueCounts):
    """What loading (or checking) one crosswalk workbook did: the `aptmon plan crosswalk load --json` object."""

    file: str
    status: str
    from_plan: str | None
    to_plan: str | None
    version: int | None
    measures: int  # the later plan's measures the file lists
    links: int
    issues: list[Issue] = field(default_factory=list)
    load_id: int | None = None
    report_path: str | None = None
    dry_run: bool = False

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "from_plan": self.from_plan,
            "to_plan": self.to_plan,
            "version": self.version,
            "measures": self.measures,
            "links": self.links,
            "errors": self.errors,
            "warnings": self.warnings,
            "issues": [i.to_dict() for i in self.issues],
            "dry_run": self.dry_run,
            "report": self.report_path,
        }


def load_crosswalk_file(
    path: str | os.PathLike,
    *,
    warehouse_file: str | os.PathLike | None = None,
    dry_run: bool = False,
    loaded_by: str = "cli",
    report_dir: str | os.PathLike | None = None,
    original_name: str | None = None,
) -> CrosswalkResult:
    """Read, check and (unless dry_run) load a crosswalk as the next version of its (from, to) plan pair.

    The same reader and findings as a return; any error rejects the whole file, which changes nothing. A rejected
    xlsx comes back annotated in `report_dir`. Every accepted load is kept; the views use the newest."""
    path = Path(path)
    file_name = display_name(original_name or path.name) or "unnamed file"
    raw = read_return(path, file_name, CROSSWALK_LAYOUT)
    with warehouse.read_connection(warehouse_file) as con:
        plans = {plan.plan_id.lower(): plan for plan in plan_timeframes(con)}
        earlier, later, plan_issues = read_plans(raw, plans)
        lookups = [MeasureLookup(load.read_catalogue(con, p.plan_id)) if p else None for p in (earlier, later)]
    checked = check_crosswalk(raw, *lookups, plan_issues)
    result = CrosswalkResult(
        file_name, REJECTED, checked.from_plan, checked.to_plan, None, checked.measures, len(checked.links),
        checked.issues, dry_run=dry_run,
    )  # fmt: skip
    if not checked.accepted:
        result.links = 0
        if report_dir is not None:
            from etl.returns.feedback import write_feedback  # openpyxl is only needed for a rejected file

            result.report_path = str(write_feedback(path, raw.file_format, checked.issues, Path(report_dir), file_name))
        return result
    opener = warehouse.read_connection if dry_run else warehouse.write_connection
    with opener(warehouse_file) as con:
        if not dry_run:
            con.execute("BEGIN TRANSACTION")
        try:
            (latest,) = con.execute(
                "SELECT coalesce(max(version), 0) FROM crosswalk_loads WHERE from_plan_id = ? AND to_plan_id = ?",
                [checked.from_plan, checked.to_plan],
            ).fetchone()
            result.status, result.version = ACCEPTED, latest + 1
            if not dry_run:
                result.load_id = _record(con, checked, result.version, file_name, raw.sha256, loaded_by)
                con.execute("COMMIT")
        except BaseException:
            if not dry_run:
                con.execute("ROLLBACK")
            raise
    return result


def _record(con, checked, version: int, file_name: str, sha256: str, loaded_by: str) -> int:
    (load_id,) = con.execute(
        "INSERT INTO crosswalk_loads (from_plan_id, to_plan_id, version, source_file, source_sha256, loaded_at, "
        "loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING load_id",
        [checked.from_plan, checked.to_plan, version, file_name, sha256, datetime.now(UTC).replace(tzinfo=None),
         loaded_by],
    ).fetchone()  # fmt: skip
    if checked.links:
        con.executemany(
            "INSERT INTO crosswalk_links (load_id, from_plan_id, from_measure_id, to_plan_id, to_measure_id, relation)"
            " VALUES (?, ?, ?, ?, ?, 'continues')",
            [(load_id, checked.from_plan, link.from_measure_id, checked.to_plan, link.to_measure_id)
             for link in checked.links],
        )  # fmt: skip
    return load_id
