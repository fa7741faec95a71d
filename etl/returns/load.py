"""Writing a checked return into the warehouse: one transaction per upload, versions, and the changes it brings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb

from etl.errors import AptmonError
from etl.plan import catalogue as cat
from etl.returns.issue_codes import Issue, IssueCounts
from etl.returns.regressions import confirms, find_regressions
from etl.returns.rows import ACTIVITY_COLUMNS, ISSUE_COLUMNS, MEASURE_COLUMNS, Rows
from etl.returns.validate import ValidatedReturn
from etl.warehouse.threads import one_thread

ACCEPTED, REJECTED, UNCHANGED = "accepted", "rejected", "unchanged"
# A return that would undo part of the country's record (etl.returns.regressions): recorded with its findings,
# not loaded, until it is uploaded again with the changes confirmed.
HELD = "held"


@dataclass
class Upload:
    """What is known about the uploaded file itself."""

    file_name: str
    sha256: str
    file_format: str | None
    stored_path: str | None
    submitted_by: str
    received_on: date | None = None
    submitted_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


@dataclass
class LoadOutcome:
    status: str
    submission_id: int | None
    version: int | None  # the version made, or the one a held return would make once confirmed
    changes: dict
    regressions: list[Issue] = field(default_factory=list)  # what it undoes in the record (confirmed or not)


def read_catalogue(con: duckdb.DuckDBPyConnection, plan_id: str) -> cat.Catalogue:
    """The catalogue as loaded in the warehouse, so a return is checked against exactly what metrics use."""
    title = con.execute("SELECT title, start_year, end_year FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
    if title is None:
        raise LookupError(f"The warehouse has no catalogue for plan {plan_id}; run `aptmon init`.")
    pillars = [
        cat.Pillar(*r)
        for r in con.execute(
            "SELECT pillar, roman, title FROM pillars WHERE plan_id = ? ORDER BY pillar", [plan_id]
        ).fetchall()
    ]
    sections = [
        cat.Section(*r)
        for r in con.execute(
            "SELECT section_id, pillar, title, ordinal, is_direct_group FROM sections WHERE plan_id = ?", [plan_id]
        ).fetchall()
    ]
    measures = {
        r[0]: cat.Measure(*r)
        for r in con.execute(
            "SELECT measure_id, pillar, section_id, ordinal, text FROM measures WHERE plan_id = ? ORDER BY ordinal",
            [plan_id],
        ).fetchall()
    }
    for sub_item_id, measure_id, letter, text in con.execute(
        "SELECT sub_item_id, measure_id, letter, text FROM sub_items WHERE plan_id = ? ORDER BY sub_item_id", [plan_id]
    ).fetchall():
        measures[measure_id].sub_items.append(cat.SubItem(sub_item_id, measure_id, letter, text))
    return cat.Catalogue(plan_id, title[0], pillars, sections, list(measures.values()), title[1], title[2])


# Where rows sit in the file, not what they say: a re-saved or re-sorted return is the same return.
_NOT_CONTENT = ("source_sheet", "source_row")
_ACTIVITY_CONTENT = ", ".join(f'"{c}"' for c in ACTIVITY_COLUMNS if c not in _NOT_CONTENT)
_LINK_CONTENT = ", ".join(f'"{c}"' for c in MEASURE_COLUMNS)


@dataclass
class Staged:
    """A checked return's rows, registered on a connection as typed SELECTs (see Rows.registered)."""

    activities: str
    measures: str


@contextmanager
def staged(con: duckdb.DuckDBPyConnection, validated: ValidatedReturn) -> Iterator[Staged]:
    """The return's rows, readable in SQL for as long as the block runs; the database itself is not touched."""
    with (
        validated.activities.registered(con, "new_activities") as activities,
        validated.measures.registered(con, "new_activity_measures") as measures,
    ):
        yield Staged(activities, measures)


def same_content(con: duckdb.DuckDBPyConnection, submission_id: int, validated: ValidatedReturn, rows: Staged) -> bool:
    """Whether the return says exactly what an earlier upload's rows say, in whatever order.

    The rows are compared in SQL, value for value, as multisets: with equal counts, nothing left over
    from one side means both hold the same rows. No digest, so nothing depends on how values are spelled.
    """
    counts = con.execute(
        "SELECT (SELECT count(*) FROM activities WHERE submission_id = $id), "
        "(SELECT count(*) FROM activity_measures WHERE submission_id = $id)",
        {"id": submission_id},
    ).fetchone()
    if counts != (validated.activities.num_rows, validated.measures.num_rows):
        return False
    (differs,) = con.execute(
        f"SELECT EXISTS (SELECT {_ACTIVITY_CONTENT} FROM ({rows.activities}) EXCEPT ALL "
        f"SELECT {_ACTIVITY_CONTENT} FROM activities WHERE submission_id = $id) "
        f"OR EXISTS (SELECT {_LINK_CONTENT} FROM ({rows.measures}) EXCEPT ALL "
        f"SELECT {_LINK_CONTENT} FROM activity_measures WHERE submission_id = $id)",
        {"id": submission_id},
    ).fetchone()
    return not differs


def current_version(
    con: duckdb.DuckDBPyConnection, country: str, year: int, plan_id: str | None
) -> tuple[int, int] | None:
    """(submission_id, version) of the current accepted return for (plan, country, year), if any."""
    return con.execute(
        "SELECT submission_id, version FROM submissions "
        "WHERE plan_id = ? AND country = ? AND reporting_year = ? AND status = 'accepted' AND superseded_by IS NULL "
        "ORDER BY version DESC LIMIT 1",
        [plan_id, country, year],
    ).fetchone()


def changes_since(con: duckdb.DuckDBPyConnection, previous: tuple | None, activities: Rows) -> dict:
    """Activities added, removed and with a changed status against the previous version."""
    if previous is None:  # a first version adds every activity (ids are unique in an accepted return)
        return {"previous_version": None, "added": sorted(activities.column("activity_id")), "removed": [],
                "status_changed": []}  # fmt: skip
    new = dict(zip(activities.column("activity_id"), activities.column("status"), strict=True))
    old = dict(
        con.execute("SELECT activity_id, status FROM activities WHERE submission_id = ?", [previous[0]]).fetchall()
    )
    return {
        "previous_version": previous[1],
        "added": sorted(new.keys() - old.keys()),
        "removed": sorted(old.keys() - new.keys()),
        "status_changed": [
            {"activity_id": key, "from": old[key], "to": new[key]}
            for key in sorted(new.keys() & old.keys())
            if old[key] != new[key]
        ],
    }


@dataclass
class LoadPlan:
    """What loading a checked return would do, found without writing anything."""

    status: str
    previous: tuple[int, int] | None  # the current version's (submission_id, version)
    regressions: list[Issue] = field(default_factory=list)


ConfirmChanges = bool | frozenset[tuple[str, str]]  # any change, or the (code, activity id) pairs confirmed


def plan_load(
    con: duckdb.DuckDBPyConnection, validated: ValidatedReturn, rows: Staged, confirm_changes: ConfirmChanges = False
) -> LoadPlan:
    """The status loading would give: rejected, unchanged, held (it undoes part of the record, and the changes are
    not all confirmed) or accepted."""
    if not validated.accepted:
        return LoadPlan(REJECTED, None)
    previous = current_version(con, validated.country, validated.year, validated.plan_id)
    if previous is not None and same_content(con, previous[0], validated, rows):
        return LoadPlan(UNCHANGED, previous)
    regressions = find_regressions(
        con, validated.country, validated.year, previous, rows.activities, rows.measures, validated.plan_id
    )
    held = regressions and not confirms(confirm_changes, regressions)
    return LoadPlan(HELD if held else ACCEPTED, previous, regressions)


def preview(
    con: duckdb.DuckDBPyConnection, validated: ValidatedReturn, confirm_changes: ConfirmChanges = False
) -> LoadOutcome:
    """The outcome loading would have (a dry run), on a read-only connection."""
    with staged(con, validated) as rows:
        plan = plan_load(con, validated, rows, confirm_changes)
    if plan.status == REJECTED:
        return LoadOutcome(plan.status, None, None, {})
    if plan.status == UNCHANGED:
        return LoadOutcome(plan.status, None, plan.previous[1], _no_changes(plan.previous))
    version = _next_version(con, validated)
    changes = changes_since(con, plan.previous, validated.activities)
    return LoadOutcome(plan.status, None, version, changes, plan.regressions)


def load_return(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedReturn,
    upload: Upload,
    *,
    is_synthetic: bool = False,
    plan_id: str | None = None,
    confirm_changes: ConfirmChanges = False,
    held_submission: int | None = None,
) -> LoadOutcome:
    """Record the upload and, when accepted, its activities, as one transaction: all of it or nothing.

    A return that would undo part of the record is held (recorded with its findings, nothing loaded) unless
    `confirm_changes`. With `held_submission` (the id of that held upload of the same file), confirming records no
    new upload: the held row itself becomes the version it makes, or unchanged when that version already exists
    (a second confirmation of the same change), keeping its own findings (see confirm_held).
    """
    plan_id = plan_id or validated.plan_id  # the plan whose catalogue checked it
    with staged(con, validated) as rows:
        con.execute("BEGIN TRANSACTION")
        try:
            if held_submission is not None:
                outcome = confirm_held(con, validated, rows, upload, held_submission, confirm_changes)
            else:
                outcome = _load(con, validated, rows, upload, is_synthetic, plan_id, confirm_changes)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return outcome


def _load(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedReturn,
    rows: Staged,
    upload: Upload,
    is_synthetic: bool,
    plan_id: str,
    confirm_changes: ConfirmChanges,
) -> LoadOutcome:
    plan = plan_load(con, validated, rows, confirm_changes)
    status, previous = plan.status, plan.previous
    submission_id = con.execute("SELECT nextval('submission_seq')").fetchone()[0]
    changes: dict = {}
    if status in (ACCEPTED, HELD):
        version = _next_version(con, validated)
        changes = changes_since(con, previous, validated.activities)
    elif status == UNCHANGED:
        version = previous[1]
        changes = _no_changes(previous)
    else:
        version = None
    activity_count = validated.activities.num_rows if status != REJECTED else 0
    # The row counts every finding it keeps, what the return would undo in the record too: the log's Warnings
    # column said 0 beside a held upload's three changes to confirm.
    findings = Findings([*validated.issues, *plan.regressions])
    con.execute(
        "INSERT INTO submissions (submission_id, plan_id, country, reporting_year, version, file_name, stored_path, "
        "file_format, sha256, submitted_by, submitted_at, received_on, status, activities, errors, warnings, "
        "is_synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            submission_id, plan_id, validated.country, validated.year, version, upload.file_name,
            upload.stored_path, upload.file_format, upload.sha256, upload.submitted_by, upload.submitted_at,
            upload.received_on or upload.submitted_at.date(), status, activity_count, findings.errors,
            findings.warnings, is_synthetic,
        ],
    )  # fmt: skip
    # Every upload keeps its own findings, an unchanged one too: opening its row in the log shows them.
    _insert_issues(con, submission_id, findings.issues)
    if status == UNCHANGED:
        return LoadOutcome(status, submission_id, version, changes)
    if status == ACCEPTED:
        _insert_rows(con, submission_id, plan_id, validated, rows)
        if previous is not None:
            _supersede_others(con, submission_id, plan_id, validated)
    return LoadOutcome(status, submission_id, version, changes, plan.regressions)


@dataclass
class Findings(IssueCounts):
    """What one upload's row records: its checks' findings and what it would undo in the record."""

    issues: list[Issue]


class HeldUploadGone(AptmonError, LookupError):
    """The held upload to confirm is not held any more (confirmed already) or is not this file's."""


def confirm_held(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedReturn,
    rows: Staged,
    upload: Upload,
    held_submission: int,
    confirm_changes: ConfirmChanges,
) -> LoadOutcome:
    """Confirm one held upload in place, in the caller's transaction: the log keeps one row per upload.

    Its row becomes the new version (its activities loaded under its id), or `unchanged` when the current version
    already says the same (another tab confirmed the same change first); either way it records when and by whom
    it was confirmed and keeps the findings it was held with. When the record changed meanwhile in ways the
    confirmation did not cover, it stays held as it was.
    """
    row = con.execute(
        "SELECT status, sha256, country, reporting_year FROM submissions WHERE submission_id = ?", [held_submission]
    ).fetchone()
    if row is None or row[0] != HELD or (row[1], row[2], row[3]) != (upload.sha256, validated.country, validated.year):
        raise HeldUploadGone("This file was already submitted or its check has expired; upload it again.")
    plan = plan_load(con, validated, rows, confirm_changes)
    previous = plan.previous
    confirmed = [upload.submitted_at, upload.submitted_by, held_submission]
    if plan.status == UNCHANGED:
        con.execute(
            "UPDATE submissions SET status = 'unchanged', version = ?, confirmed_at = ?, confirmed_by = ?, "
            f"{_COUNTS_KEPT} WHERE submission_id = ?",
            [previous[1], *confirmed],
        )
        return LoadOutcome(UNCHANGED, held_submission, previous[1], _no_changes(previous), plan.regressions)
    if plan.status != ACCEPTED:  # the record changed meanwhile beyond what was confirmed: still held
        version = _next_version(con, validated)
        changes = changes_since(con, previous, validated.activities)
        return LoadOutcome(plan.status, held_submission, version, changes, plan.regressions)
    version = _next_version(con, validated)
    changes = changes_since(con, previous, validated.activities)
    plan_id = con.execute("SELECT plan_id FROM submissions WHERE submission_id = ?", [held_submission]).fetchone()[0]
    con.execute(
        "UPDATE submissions SET status = 'accepted', version = ?, confirmed_at = ?, confirmed_by = ?, "
        f"{_COUNTS_KEPT} WHERE submission_id = ?",
        [version, *confirmed],
    )
    _insert_rows(con, held_submission, plan_id, validated, rows)
    if previous is not None:
        _supersede_others(con, held_submission, plan_id, validated)
    return LoadOutcome(ACCEPTED, held_submission, version, changes, plan.regressions)


# A confirmed row's counts are those of the findings it keeps: a row held before its counts included what it would
# undo (Findings) said Warnings 0 beside three, and is set right when it is confirmed.
_COUNTS_KEPT = (
    "errors = (SELECT count(*) FROM issues i WHERE i.submission_id = submissions.submission_id "
    "AND i.severity = 'error'), warnings = (SELECT count(*) FROM issues i "
    "WHERE i.submission_id = submissions.submission_id AND i.severity = 'warning')"
)


def _supersede_others(
    con: duckdb.DuckDBPyConnection, submission_id: int, plan_id: str, validated: ValidatedReturn
) -> None:
    """The accepted version `submission_id` now is supersedes the current one of its plan, country and year."""
    con.execute(
        "UPDATE submissions SET superseded_by = ? WHERE plan_id = ? AND country = ? AND reporting_year = ? "
        "AND status = 'accepted' AND superseded_by IS NULL AND submission_id <> ?",
        [submission_id, plan_id, validated.country, validated.year, submission_id],
    )


def _next_version(con: duckdb.DuckDBPyConnection, validated: ValidatedReturn) -> int:
    (latest,) = con.execute(
        "SELECT coalesce(max(version), 0) FROM submissions "
        "WHERE plan_id = ? AND country = ? AND reporting_year = ? AND status = 'accepted'",
        [validated.plan_id, validated.country, validated.year],
    ).fetchone()
    return latest + 1


def _no_changes(previous: tuple) -> dict:
    return {"previous_version": previous[1], "added": [], "removed": [], "status_changed": []}


def _insert_rows(
    con: duckdb.DuckDBPyConnection, submission_id: int, plan_id: str, validated: ValidatedReturn, rows: Staged
) -> None:
    # Bulk inserts straight from the checked columns: a 100 000-row return loads in one statement, not row by row.
    # On one thread: the rows are Python objects, read under the interpreter lock, and a second DuckDB thread
    # mostly waits for that lock. The commit after them runs on every thread again. On 100 000 rows the inserts
    # take 0.14 s instead of 0.23 s, the commit 0.06 s more: 0.04 s less in all.
    params = [submission_id, plan_id, validated.country]
    with one_thread(con):
        con.execute(
            "INSERT INTO activities (submission_id, plan_id, country, reporting_year, activity_id, title, status, "
            "start_date, end_date, lead_agency, partners, funding_source, budget_usd, description, source_sheet, "
            "source_row) SELECT ?, ?, ?, ?, activity_id, title, status, start_date, end_date, lead_agency, "
            f"partners, funding_source, budget_usd, description, source_sheet, source_row FROM ({rows.activities})",
            [*params, validated.year],
        )
        con.execute(
            "INSERT INTO activity_measures (submission_id, plan_id, country, activity_id, measure_id, sub_item) "
            f"SELECT ?, ?, ?, activity_id, measure_id, sub_item FROM ({rows.measures})",
            params,
        )


def _insert_issues(con: duckdb.DuckDBPyConnection, submission_id: int, issues: list[Issue]) -> None:
    if not issues:
        return
    records = [issue.to_dict() for issue in issues]
    rows = Rows(ISSUE_COLUMNS, {name: [r[name] for r in records] for name in ISSUE_COLUMNS})
    with rows.registered(con, "new_issues") as select:
        con.execute(
            'INSERT INTO issues (submission_id, severity, code, sheet, "row", "column", value, message) '
            f'SELECT ?, severity, code, sheet, "row", "column", value, message FROM ({select})',
            [submission_id],
        )
