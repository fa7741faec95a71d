"""Writing a checked return into the warehouse: one transaction per upload, versions, and the changes it brings."""

from __future__ import annotations

import hashlib
import math
import sys
from array import array
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from operator import itemgetter, le

import duckdb

from etl import catalogue as cat
from etl.rows import ISSUE_COLUMNS, Rows
from etl.validate import ValidatedReturn

ACCEPTED, REJECTED, UNCHANGED = "accepted", "rejected", "unchanged"


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
    version: int | None
    changes: dict


def read_catalogue(con: duckdb.DuckDBPyConnection, plan_id: str = cat.DEFAULT_PLAN_ID) -> cat.Catalogue:
    """The catalogue as loaded in the warehouse, so a return is checked against exactly what metrics use."""
    title = con.execute("SELECT title FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
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
    return cat.Catalogue(plan_id, title[0], pillars, sections, list(measures.values()))


# Bump when the serialisation below changes: the hash of an identical return must never change otherwise.
CONTENT_HASH_SCHEME = "aptmon-content-v1"
_NOT_CONTENT = ("source_sheet", "source_row")  # where rows sit in the file, not what they say


def content_hash(validated: ValidatedReturn) -> str:
    """A sha256 of what the return says (not of the file): re-saving or re-ordering rows does not change it.

    The rows are put in a canonical order (activities by id, their measure links by activity and measure;
    both are unique in an accepted return) and each column is serialised by _column_bytes, whose bytes
    depend on the values alone, never on a library's hash function or number formatting.
    """
    digest = hashlib.sha256()
    digest.update(_text_bytes([CONTENT_HASH_SCHEME, validated.country, str(validated.year)]))
    activities, measures = validated.activities, validated.measures
    ids = activities.column("activity_id")
    order = None if all(map(le, ids, islice(ids, 1, None))) else sorted(range(len(ids)), key=ids.__getitem__)
    for name, sql_type in activities.types.items():
        if name not in _NOT_CONTENT:
            digest.update(_text_bytes([name, sql_type]))
            digest.update(_column_bytes(_ordered(activities.column(name), order), sql_type))
    pairs = zip(measures.column("activity_id"), measures.column("measure_id"), strict=True)
    # One string per link sorts faster than a tuple; a NUL inside an id would make two links look alike.
    links = list(pairs) if "\x00" in "".join(ids) else list(map("\x00".join, pairs))
    order = sorted(range(len(links)), key=links.__getitem__)
    for name, sql_type in measures.types.items():
        digest.update(_text_bytes([name, sql_type]))
        digest.update(_column_bytes(_ordered(measures.column(name), order), sql_type))
    return digest.hexdigest()


def _ordered(values: list, order: list[int] | None) -> list:
    if order is None:  # already in order
        return values
    return list(itemgetter(*order)(values)) if len(order) > 1 else [values[i] for i in order]


def _column_bytes(values: list, sql_type: str) -> bytes:
    """One column as bytes that only equal values give: fixed-width little-endian numbers, or text with lengths.

    Dates are day numbers and nulls -1 (no date has one); a budget null is NaN (never a valid amount);
    text is each value's length (-1 for null) followed by all values in UTF-8, so no separator is needed.
    """
    if sql_type == "DATE":
        days = {when: when.toordinal() for when in set(values) if when is not None}
        days[None] = -1
        return _little_endian(array("q", [days[when] for when in values]))
    if sql_type in ("DOUBLE", "INTEGER"):
        return _little_endian(array("d", [math.nan if v is None else float(v) for v in values]))
    if None not in values:  # most columns: lengths and text straight from the list, in C
        try:
            return _text_bytes(values)
        except TypeError:  # a value that is not text (join refuses it): the general path spells it
            pass
    return _text_bytes(["" if v is None else str(v) for v in values], nulls=values)


def _text_bytes(texts: list[str], nulls: list | None = None) -> bytes:
    if nulls is None:
        lengths = array("q", map(len, texts))
    else:
        lengths = array("q", [-1 if v is None else len(t) for v, t in zip(nulls, texts, strict=True)])
    return _little_endian(lengths) + "".join(texts).encode("utf-8", "surrogatepass")


def _little_endian(numbers: array) -> bytes:
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


def current_version(con: duckdb.DuckDBPyConnection, country: str, year: int) -> tuple[int, int, str] | None:
    """(submission_id, version, content hash) of the current accepted return for (country, year), if any."""
    return con.execute(
        "SELECT submission_id, version, content_sha256 FROM submissions "
        "WHERE country = ? AND reporting_year = ? AND status = 'accepted' AND superseded_by IS NULL "
        "ORDER BY version DESC LIMIT 1",
        [country, year],
    ).fetchone()


def changes_since(con: duckdb.DuckDBPyConnection, previous: tuple | None, activities: Rows) -> dict:
    """Activities added, removed and with a changed status against the previous version."""
    new = dict(zip(activities.column("activity_id"), activities.column("status"), strict=True))
    old: dict[str, str] = {}
    if previous is not None:
        old = dict(
            con.execute("SELECT activity_id, status FROM activities WHERE submission_id = ?", [previous[0]]).fetchall()
        )
    return {
        "previous_version": previous[1] if previous else None,
        # A first version adds every activity: sorting the ids in file order (often sorted already) beats a set.
        "added": sorted(new.keys() - old.keys()) if old else sorted(new),
        "removed": sorted(old.keys() - new.keys()),
        "status_changed": [
            {"activity_id": key, "from": old[key], "to": new[key]}
            for key in sorted(new.keys() & old.keys())
            if old[key] != new[key]
        ],
    }


def plan_load(con: duckdb.DuckDBPyConnection, validated: ValidatedReturn) -> tuple[str, tuple | None, str | None]:
    """What loading would do: (status, current version row, content hash), without writing anything."""
    if not validated.accepted:
        return REJECTED, None, None
    digest = content_hash(validated)
    previous = current_version(con, validated.country, validated.year)
    if previous is not None and previous[2] == digest:
        return UNCHANGED, previous, digest
    return ACCEPTED, previous, digest


def preview(con: duckdb.DuckDBPyConnection, validated: ValidatedReturn) -> LoadOutcome:
    """The outcome loading would have (a dry run), on a read-only connection."""
    status, previous, _ = plan_load(con, validated)
    if status == REJECTED:
        return LoadOutcome(status, None, None, {})
    if status == UNCHANGED:
        return LoadOutcome(status, None, previous[1], _no_changes(previous))
    version = _next_version(con, validated)
    return LoadOutcome(status, None, version, changes_since(con, previous, validated.activities))


def load_return(
    con: duckdb.DuckDBPyConnection,
    validated: ValidatedReturn,
    upload: Upload,
    *,
    is_synthetic: bool = False,
    plan_id: str = cat.DEFAULT_PLAN_ID,
) -> LoadOutcome:
    """Record the upload and, when accepted, its activities, as one transaction: all of it or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        outcome = _load(con, validated, upload, is_synthetic, plan_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def _load(
    con: duckdb.DuckDBPyConnection, validated: ValidatedReturn, upload: Upload, is_synthetic: bool, plan_id: str
) -> LoadOutcome:
    status, previous, digest = plan_load(con, validated)
    submission_id = con.execute("SELECT nextval('submission_seq')").fetchone()[0]
    changes: dict = {}
    if status == ACCEPTED:
        version = _next_version(con, validated)
        changes = changes_since(con, previous, validated.activities)
    elif status == UNCHANGED:
        version = previous[1]
        changes = _no_changes(previous)
    else:
        version = None
    activity_count = validated.activities.num_rows if status != REJECTED else 0
    con.execute(
        "INSERT INTO submissions (submission_id, plan_id, country, reporting_year, version, file_name, stored_path, "
        "file_format, sha256, content_sha256, submitted_by, submitted_at, received_on, status, activities, errors, "
        "warnings, is_synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            submission_id, plan_id, validated.country, validated.year, version, upload.file_name,
            upload.stored_path, upload.file_format, upload.sha256, digest, upload.submitted_by, upload.submitted_at,
            upload.received_on or upload.submitted_at.date(), status, activity_count, validated.errors,
            validated.warnings, is_synthetic,
        ],
    )  # fmt: skip
    if status == UNCHANGED:
        return LoadOutcome(status, submission_id, version, changes)
    if status == ACCEPTED:
        _insert_rows(con, submission_id, plan_id, validated)
        if previous is not None:
            con.execute(
                "UPDATE submissions SET superseded_by = ? WHERE country = ? AND reporting_year = ? "
                "AND status = 'accepted' AND superseded_by IS NULL AND submission_id <> ?",
                [submission_id, validated.country, validated.year, submission_id],
            )
    _insert_issues(con, submission_id, validated)
    return LoadOutcome(status, submission_id, version, changes)


def _next_version(con: duckdb.DuckDBPyConnection, validated: ValidatedReturn) -> int:
    (latest,) = con.execute(
        "SELECT coalesce(max(version), 0) FROM submissions "
        "WHERE country = ? AND reporting_year = ? AND status = 'accepted'",
        [validated.country, validated.year],
    ).fetchone()
    return latest + 1


def _no_changes(previous: tuple) -> dict:
    return {"previous_version": previous[1], "added": [], "removed": [], "status_changed": []}


def _insert_rows(con: duckdb.DuckDBPyConnection, submission_id: int, plan_id: str, validated: ValidatedReturn) -> None:
    # Bulk inserts straight from the checked columns: a 100 000-row return loads in one statement, not row by row.
    params = [submission_id, plan_id, validated.country]
    select = validated.activities.select_sql(con, "new_activities")
    try:
        con.execute(
            "INSERT INTO activities (submission_id, plan_id, country, reporting_year, activity_id, title, status, "
            "start_date, end_date, lead_agency, partners, funding_source, budget_usd, description, source_sheet, "
            "source_row) SELECT ?, ?, ?, ?, activity_id, title, status, start_date, end_date, lead_agency, partners, "
            f"funding_source, budget_usd, description, source_sheet, source_row FROM ({select})",
            [*params, validated.year],
        )
    finally:
        con.unregister("new_activities")
    select = validated.measures.select_sql(con, "new_activity_measures")
    try:
        con.execute(
            "INSERT INTO activity_measures (submission_id, plan_id, country, activity_id, measure_id, sub_item) "
            f"SELECT ?, ?, ?, activity_id, measure_id, sub_item FROM ({select})",
            params,
        )
    finally:
        con.unregister("new_activity_measures")


def _insert_issues(con: duckdb.DuckDBPyConnection, submission_id: int, validated: ValidatedReturn) -> None:
    if not validated.issues:
        return
    records = [issue.to_dict() for issue in validated.issues]
    rows = Rows(ISSUE_COLUMNS, {name: [r[name] for r in records] for name in ISSUE_COLUMNS})
    select = rows.select_sql(con, "new_issues")
    try:
        con.execute(
            'INSERT INTO issues (submission_id, severity, code, sheet, "row", "column", value, message) '
            f'SELECT ?, severity, code, sheet, "row", "column", value, message FROM ({select})',
            [submission_id],
        )
    finally:
        con.unregister("new_issues")
