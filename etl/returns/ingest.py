"""Taking one uploaded return file through reading, checking, feedback and loading; no user interface here."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from etl import private_files, warehouse
from etl.paths import relative_stored_path, returns_dir
from etl.plan.plans import PlanTimeframe, plan_timeframe, plan_timeframes
from etl.returns import load
from etl.returns.carried_dates import without_carried_date_warnings
from etl.returns.gc_pause import cycle_collection_paused
from etl.returns.issue_codes import Issue, IssueCounts, showable
from etl.returns.measure_lookup import MeasureLookup
from etl.returns.plan_choice import choose_plan
from etl.returns.read import RawReturn, read_return
from etl.returns.validate import ValidatedReturn, validate_return
from etl.warehouse.errors import is_disk_full

# The warehouse's plans, and its default plan (plan_timeframe): the one a return is checked against when it cannot
# tell its own.
KnownPlans = tuple[list[PlanTimeframe], PlanTimeframe]


@dataclass
class IngestResult(IssueCounts):
    file: str
    country: str | None
    year: int | None
    status: str
    version: int | None
    activities: int
    issues: list[Issue] = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    submission_id: int | None = None
    stored_path: str | None = None
    report_path: str | None = None
    dry_run: bool = False
    plan_id: str | None = None  # the plan the return reports on

    def to_json(self) -> dict:
        """The result object of `aptmon ingest --json`."""
        return {
            "file": self.file,
            "plan_id": self.plan_id,
            "country": self.country,
            "year": self.year,
            "status": self.status,
            "version": self.version,
            "activities": self.activities,
            "errors": self.errors,
            "warnings": self.warnings,
            "changes": self.changes,
            "issues": [i.to_dict() for i in self.issues],
            "dry_run": self.dry_run,
            "submission_id": self.submission_id,
            "report": self.report_path,
        }


@contextmanager
def disk_full_refused() -> Iterator[None]:
    """A full disk met anywhere in the work becomes warehouse.DiskFull: one clear message. What was half written is
    undone where it was written (the stored copy, the transaction)."""
    try:
        yield
    except warehouse.DiskFull:
        raise
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        raise warehouse.DiskFull("the return") from exc


@cycle_collection_paused()
@disk_full_refused()
def ingest_file(
    path: str | os.PathLike,
    *,
    warehouse_file: str | os.PathLike | None = None,
    country: str | None = None,
    year: int | str | None = None,
    plan: str | None = None,
    dry_run: bool = False,
    received_on: date | None = None,
    submitted_by: str = "cli",
    report_dir: str | os.PathLike | None = None,
    original_name: str | None = None,
    store: bool = True,
    is_synthetic: bool | None = None,
    catalogue: MeasureLookup | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    raw: RawReturn | None = None,
    confirm_changes: load.ConfirmChanges = False,
    held_submission: int | None = None,
    plans: KnownPlans | None = None,
) -> IngestResult:
    """Read, check and (unless dry_run) load one return; a rejected return changes nothing but the upload log.

    `original_name` is the analyst's file name (the dashboard stores uploads under temporary names);
    `store` keeps a copy of the file under returns_dir(); `report_dir` receives the annotated feedback
    workbook of a rejected return. `catalogue` saves re-reading the warehouse's catalogue for each file of
    a batch; `connection`, an open warehouse.write_connection the caller holds, loads a batch of files
    under one lock (each file still its own transaction). `raw` is the file as read_return already read it
    (the command line reads the next file while this one loads). A return that would undo part of the country's
    record (etl.returns.regressions) comes back `held`, recorded but not loaded, unless `confirm_changes` is True or
    names every change it makes (etl.returns.regressions.change_keys). `held_submission`, the id of this file's
    held upload, confirms that upload in place instead of recording a new one (load.confirm_held); the file was
    stored when it was held. `plans`, the warehouse's plans as a batch read them once (plans_and_catalogue), spare
    opening a connection to read them for each file.
    Raises warehouse.WarehouseError when the warehouse cannot be used.
    """
    path = Path(path)
    file_name = display_name(original_name or path.name) or "unnamed file"
    if raw is None:
        raw = read_return(path, file_name)
    chosen, plan_findings = choose_plan(raw, *plans, plan, year) if plans else (None, [])
    if chosen is None or catalogue is None or catalogue.plan_id != chosen.plan_id:
        with _connection(connection, warehouse.read_connection, warehouse_file) as con:
            if chosen is None:
                chosen, plan_findings = choose_plan(raw, *_known_plans(con), plan, year)
            if catalogue is None or catalogue.plan_id != chosen.plan_id:
                catalogue = MeasureLookup(load.read_catalogue(con, chosen.plan_id))
    validated = validate_return(raw, catalogue, country=country, year=year, plan_findings=plan_findings)
    synthetic = validated.is_synthetic if is_synthetic is None else is_synthetic

    if dry_run:
        with _connection(connection, warehouse.read_connection, warehouse_file) as con:
            validated = without_carried_date_warnings(con, validated, raw)
            outcome = load.preview(con, validated, confirm_changes)
        stored = None
    else:
        with _connection(connection, warehouse.write_connection, warehouse_file) as con:
            # The copy is made under the writer's lock and removed if the load fails, so a stored file without its
            # row is the debris of a crash alone, which the server's next start clears (etl.warehouse.debris).
            # Confirming a held upload stores nothing new: the held row keeps the copy it was stored with.
            keep = store and held_submission is None
            kept = _store(path, raw.file_format, validated, raw.sha256) if keep else None
            stored = str(kept) if kept is not None else None
            upload = load.Upload(
                file_name, raw.sha256, raw.file_format, relative_stored_path(kept) if kept else None,
                submitted_by, received_on,
            )  # fmt: skip
            validated = without_carried_date_warnings(con, validated, raw)
            try:
                outcome = load.load_return(
                    con,
                    validated,
                    upload,
                    is_synthetic=synthetic,
                    confirm_changes=confirm_changes,
                    held_submission=held_submission,
                )
            except BaseException:
                if kept is not None:
                    kept.unlink(missing_ok=True)
                raise
    report_path = None
    if not validated.accepted and report_dir is not None:
        from etl.returns.feedback import write_feedback  # openpyxl is only needed for a rejected return

        # After the record was read (above): the workbook marks the findings the result lists, without the dates
        # the record already holds. Outside the writer's lock, as before.
        report_path = str(write_feedback(path, raw.file_format, validated.issues, Path(report_dir), file_name))
    activities = validated.activities.num_rows if outcome.status != load.REJECTED else 0
    return IngestResult(
        file=file_name,
        country=validated.country,
        year=validated.year,
        status=outcome.status,
        version=outcome.version,
        activities=activities,
        issues=[*outcome.regressions, *validated.issues],  # what it would undo first
        changes=outcome.changes,
        submission_id=outcome.submission_id,
        stored_path=stored,
        report_path=report_path,
        dry_run=dry_run,
        plan_id=validated.plan_id,
    )


def display_name(name: str) -> str:
    """The analyst's file name as a label: its last part after / or \\, without unshowable characters (control
    characters, bidirectional overrides that can make "exe.xlsx" read as another name)."""
    return showable(re.split(r"[\\/]", name)[-1], breaks="").strip()


@contextmanager
def _connection(given, opener, warehouse_file) -> Iterator[duckdb.DuckDBPyConnection]:
    """The caller's connection when it holds one, else a short-lived one of our own."""
    if given is not None:
        yield given
    else:
        with opener(warehouse_file) as con:
            yield con


def _known_plans(con: duckdb.DuckDBPyConnection) -> KnownPlans:
    return plan_timeframes(con), plan_timeframe(con)


def plans_and_catalogue(warehouse_file: str | os.PathLike | None = None) -> tuple[KnownPlans, MeasureLookup]:
    """The warehouse's plans and the default plan's catalogue, read in one connection: what a batch checks its
    returns against."""
    with warehouse.read_connection(warehouse_file) as con:
        plans = _known_plans(con)
        return plans, MeasureLookup(load.read_catalogue(con, plans[1].plan_id))


def _store(path: Path, file_format: str | None, validated: ValidatedReturn, sha256: str) -> Path:
    """Keep the file as received, under a generated name (never the analyst's own file name)."""
    # Other governments' returns: each folder on the way is readable by the service's account only.
    folder = private_files.private_dir(returns_dir(), validated.country or "unknown", str(validated.year or "unknown"))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    suffix = f".{file_format}" if file_format else ".bin"
    target = folder / f"{stamp}-{sha256[:12]}-{secrets.token_hex(3)}{suffix}"
    try:
        shutil.copyfile(path, target)
        private_files.make_private(target)
    except BaseException:
        target.unlink(missing_ok=True)  # a copy cut short (a full disk) is no copy
        raise
    return target
