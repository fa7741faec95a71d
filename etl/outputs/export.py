"""Exporting the metric tables as they are in the warehouse views: CSV or Parquet folders, or one XLSX workbook."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import warehouse
from etl.errors import AptmonError
from etl.outputs.xlsx_writer import AMOUNT, DECIMAL2, PERCENT, PLAIN, StreamingWorkbook
from etl.plan.definitions import GLOSSARY, PROGRESS_BANDS, SETTINGS
from etl.plan.plans import plan_timeframe
from etl.schedule.load import SHOW_COLUMNS, schedule_version
from etl.spreadsheet_text import neutralise_csv_value
from etl.warehouse import metrics

FORMATS = ("csv", "xlsx", "parquet")
# The exported tables, in sheet order: the metric views, then the activities and the catalogue behind them.
TABLES = (
    "metrics_pillar_country",
    "metrics_section_country",
    "measure_progress",
    "metrics_reporting",
    "funding",
    "activities",
    "catalogue",
    "schedule",
)
TITLES = {
    "metrics_pillar_country": "Coverage, completion and progress status per pillar and country",
    "metrics_section_country": "Coverage, completion and progress status per section and country",
    "measure_progress": "Activities and coverage per measure and country",
    "metrics_reporting": "Reporting completeness and timeliness per country",
    "funding": "Budgets by funding source per pillar and country, and the APT Cooperation Fund's share",
    "activities": "Activities with their status as of the year",
    "catalogue": "The Work Plan catalogue: pillars, sections, measures and sub-items",
    "schedule": "The implementation schedule the metrics judge against (Work Plan item 6.3)",
}


class ExportError(AptmonError, ValueError):
    """The export cannot be made as asked; the message says what to change."""


@dataclass
class ExportResult:
    path: Path
    output_format: str
    as_of_year: int
    exported_at: str
    fingerprint: str
    schedule: str = ""  # which schedule the numbers judge against (etl.schedule.load.ScheduleVersion.label)
    schedule_version: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    plan_id: str = ""
    plan: str = ""  # the plan's title and years, for the header block


def latest_year_with_data(con: duckdb.DuckDBPyConnection, plan_id: str | None = None) -> int:
    """The plan's latest reporting year with a current return (plan None: the default plan), or its first year when
    none has arrived."""
    plan = plan_timeframe(con, plan_id)
    year = con.execute(
        "SELECT max(reporting_year) FROM current_submissions WHERE plan_id = ?", [plan.plan_id]
    ).fetchone()[0]
    return int(year) if year is not None else plan.first_year


def resolve_as_of(con: duckdb.DuckDBPyConnection, as_of: int | None, plan_id: str | None = None) -> int:
    """The as-of year asked for, checked against the plan's years (plan None: the default plan), or the plan's
    latest year with data."""
    plan = plan_timeframe(con, plan_id)
    if as_of is None:
        return latest_year_with_data(con, plan.plan_id)
    if not plan.holds(as_of):
        raise ExportError(
            f"--as-of {as_of} is outside plan {plan.plan_id}; choose a year from {plan.first_year} to {plan.last_year}."
        )
    return as_of


def data_fingerprint(con: duckdb.DuckDBPyConnection, plan_id: str | None = None) -> str:
    """sha256 over what the numbers come from: the plan text, the settings, each current return and the current
    schedule version (none while the default schedule is used); of one plan, or of every plan with plan_id None.

    Two exports with the same fingerprint were computed from the same data and definitions: loading another plan's
    data leaves a plan's fingerprint as it was.
    """
    only = "" if plan_id is None else "WHERE plan_id = $plan"
    plan = {} if plan_id is None else {"plan": plan_id}
    lines = [
        f"plan {plan_id} {sha}"
        for plan_id, sha in con.execute(
            f"SELECT plan_id, source_sha256 FROM plans {only} ORDER BY plan_id", plan
        ).fetchall()
    ]
    lines += [
        f"setting {name}={value!r}"
        for name, value in con.execute("SELECT name, value FROM settings ORDER BY name").fetchall()
    ]
    lines += [
        f"return {country} {year} {submission_id} {sha} {first_received}"
        for country, year, submission_id, sha, first_received in con.execute(
            """
            SELECT r.country, r.reporting_year, r.current_submission_id, s.sha256, r.first_received_on
            FROM received_returns r JOIN submissions s ON s.submission_id = r.current_submission_id
            """
            + only.replace("plan_id", "r.plan_id")
            + " ORDER BY r.plan_id, r.country, r.reporting_year",
            plan,
        ).fetchall()
    ]
    lines += [
        f"schedule {plan_id} {version} {sha}"
        for plan_id, version, sha in con.execute(
            f"SELECT plan_id, version, sha256 FROM current_schedule {only} ORDER BY plan_id", plan
        ).fetchall()
    ]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def table_query(
    con: duckdb.DuckDBPyConnection, table: str, as_of_year: int, current: bool | None = None, plan_id: str | None = None
) -> tuple[str, list]:
    """The SQL (and parameters) of one exported table: the views' rows for the as-of year where it has years, of
    one plan (plan_id None: of every plan)."""
    # A plan's rows only: another plan's data never shows in (or changes) this plan's export.
    plan, params = ("", []) if plan_id is None else (" AND plan_id = ?", [plan_id])
    if table in warehouse.METRIC_VIEWS:
        # The views and their snapshots keep their rows in plan order; filtering keeps that order.
        source = metrics.metric_source(con, table, current)
        return f"SELECT * FROM {source} WHERE as_of_year = ?{plan}", [as_of_year, *params]
    if table == "funding":
        return f"SELECT * FROM funding WHERE as_of_year = ?{plan}", [as_of_year, *params]
    if table == "activities":
        return (
            "SELECT a.* FROM activities_as_of a JOIN countries c ON c.iso3 = a.country"
            f" WHERE a.as_of_year = ?{plan.replace('plan_id', 'a.plan_id')}"
            " ORDER BY a.plan_id, c.ordinal, a.activity_id",
            [as_of_year, *params],
        )
    if table == "catalogue":
        return f"SELECT * FROM catalogue WHERE true{plan} ORDER BY plan_id, measure_ordinal, letter", params
    if table == "schedule":
        columns = ", ".join(SHOW_COLUMNS)
        return f"SELECT plan_id, {columns} FROM measure_schedule WHERE true{plan} ORDER BY plan_id, ordinal", params
    raise ExportError(f"Unknown table {table!r}; the export has {', '.join(TABLES)}.")


def read_table(
    con: duckdb.DuckDBPyConnection, table: str, as_of_year: int, current: bool | None = None, plan_id: str | None = None
) -> pd.DataFrame:
    """One exported table as a data frame (of one plan, or every plan with plan_id None)."""
    sql, params = table_query(con, table, as_of_year, current, plan_id)
    return con.execute(sql, params).df()


def definitions_frame() -> pd.DataFrame:
    """The Definitions table: every metric column and term, the progress bands, then the settings."""
    rows = [("definition", d.tables, d.column, d.text) for d in GLOSSARY]
    rows += [("progress band", "metrics_pillar_country, metrics_section_country", name, rule) for name, rule in
             PROGRESS_BANDS]  # fmt: skip
    rows += [("setting", "settings", s.name, f"{s.value:g}: {s.description}") for s in SETTINGS]
    return pd.DataFrame(rows, columns=["kind", "tables", "name", "definition"])


def export(
    path: str | os.PathLike,
    *,
    warehouse_file: str | os.PathLike | None = None,
    as_of: int | None = None,
    output_format: str = "xlsx",
    plan_id: str | None = None,
) -> ExportResult:
    """Write every table of the export of one plan (default: docs/cli.md, the plan in force today) for one as-of
    year (default: the plan's latest year with data)."""
    if output_format not in FORMATS:
        raise ExportError(f"Unknown format {output_format!r}; choose one of {', '.join(FORMATS)}.")
    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        plan = plan_timeframe(con, plan_id)
        as_of_year = resolve_as_of(con, as_of, plan.plan_id)
        result = ExportResult(
            path=path,
            output_format=output_format,
            as_of_year=as_of_year,
            exported_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            fingerprint=data_fingerprint(con, plan.plan_id),
            plan_id=plan.plan_id,
            plan=f"{plan.title} ({plan.span})" + (", an example, not an official text" if plan.is_example else ""),
        )
        version = schedule_version(con, plan.plan_id)
        result.schedule, result.schedule_version = version.label, version.version
        current = metrics.snapshots_current(con)
        if output_format == "xlsx":
            _write_workbook(con, path, as_of_year, current, result)
        else:
            frames = ((table, read_table(con, table, as_of_year, current, plan.plan_id)) for table in TABLES)
            _write_folder(path, frames, result)
    return result


def _header_block(result: ExportResult) -> list[tuple[str, object]]:
    return [
        ("As of year", result.as_of_year),
        ("Exported", result.exported_at),
        ("Data fingerprint (sha256)", result.fingerprint),
        ("Schedule", result.schedule),
    ]


def _write_folder(path: Path, frames: Iterable[tuple[str, pd.DataFrame]], result: ExportResult) -> None:
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path} is a file; give a folder for --format {result.output_format}.")
    path.mkdir(parents=True, exist_ok=True)
    suffix = result.output_format
    for table, frame in [*frames, ("definitions", definitions_frame())]:
        target = path / f"{table}.{suffix}"
        if suffix == "csv":
            # RFC 4180 line ends, so a text holding a bare carriage return is quoted too.
            _neutralised(frame).to_csv(target, index=False, encoding="utf-8", lineterminator="\r\n")
        else:
            frame.to_parquet(target, index=False)
        if table != "definitions":
            result.rows[table] = len(frame)
    manifest = {
        "plan_id": result.plan_id,
        "plan": result.plan,
        "as_of_year": result.as_of_year,
        "exported_at": result.exported_at,
        "data_fingerprint_sha256": result.fingerprint,
        "schedule_version": result.schedule_version,
        "schedule": result.schedule,
        "tables": {table: f"{table}.{suffix}" for table in result.rows},
        "rows": result.rows,
        "definitions": f"definitions.{suffix}",
    }
    (path / "export.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell a CSV reader could take for a formula neutralised (see neutralise_csv)."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text_columns:
        return frame
    frame = frame.copy()
    for column in text_columns:
        frame[column] = frame[column].map(neutralise_csv_value)
    return frame


def _write_workbook(
    con: duckdb.DuckDBPyConnection, path: Path, as_of_year: int, current: bool, result: ExportResult
) -> None:
    """One sheet per table, streamed from the warehouse: a header block, then the column names and rows."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name ending in .xlsx for --format xlsx.")
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _header_block(result)
    first_row = len(header) + 3  # title, header block, a blank row, then the column names

    def sheet_rows(title: str, columns: list[str], rows: Iterable[Sequence]) -> Iterator[Sequence]:
        yield [f"{title}, plan {result.plan_id}: {result.plan}"]  # the title row names the plan
        yield from ([label, value] for label, value in header)
        yield []
        yield columns
        yield from rows

    def add(workbook: StreamingWorkbook, name: str, title: str, columns: list[str], rows: Iterable[Sequence]) -> int:
        written = workbook.add_sheet(
            name,
            sheet_rows(title, columns, rows),
            freeze_rows=first_row,
            bold_rows=(1, first_row),
            table_header=first_row,
            column_styles=[_column_style(column) for column in columns],
            fit_widths=True,
        )
        return written - first_row

    pillar_names = _pillar_names(con, result.plan_id)
    with StreamingWorkbook(path) as workbook:
        for table in TABLES:
            sql, params = table_query(con, table, as_of_year, current, result.plan_id)
            cursor = con.execute(sql, params)
            columns = [column[0] for column in cursor.description]
            rows: Iterable[Sequence] = _fetch(cursor)
            if "pillar" in columns and "pillar_title" not in columns:
                columns, rows = _with_pillar_names(columns, rows, pillar_names)
            result.rows[table] = add(workbook, table, TITLES[table], columns, rows)
        definitions = definitions_frame()
        add(workbook, "Definitions", "Definitions of the metrics, progress bands and settings",
            list(definitions.columns), definitions.itertuples(index=False, name=None))  # fmt: skip


def _column_style(column: str) -> int:
    """How a workbook shows a column's numbers: rates as percentages, a pace to two decimals, budgets in dollars."""
    if column.endswith("_rate") or column.endswith("_share") or column == "time_elapsed":
        return PERCENT
    if column == "pace_index":
        return DECIMAL2
    if column.endswith("_usd"):
        return AMOUNT
    return PLAIN


def _pillar_names(con: duckdb.DuckDBPyConnection, plan_id: str) -> dict[str, str]:
    """Pillar number (as the metric views hold it) -> its name in the plan, e.g. '2' -> 'Economic and Financial
    Cooperation'."""
    names = {
        str(pillar): " ".join(w.lower() if i and w in _MINOR_WORDS else w for i, w in enumerate(title.title().split()))
        for pillar, title in con.execute(
            "SELECT pillar, title FROM pillars WHERE plan_id = ? ORDER BY pillar", [plan_id]
        ).fetchall()
    }
    return names | {"ALL": "All pillars"}


_MINOR_WORDS = {"And", "Of", "In", "The", "For", "To", "On", "With", "At", "By", "Or", "A", "An"}


def _with_pillar_names(
    columns: list[str], rows: Iterable[Sequence], names: dict[str, str]
) -> tuple[list[str], Iterator[list]]:
    """The workbook's pillar column as a number (text in the views, for the 'ALL' row) with its name beside it."""
    at = columns.index("pillar")

    def rows_with_names() -> Iterator[list]:
        for row in rows:
            pillar = row[at]
            number = int(pillar) if isinstance(pillar, str) and pillar.isdigit() else pillar
            yield [*row[:at], number, names.get(str(pillar)), *row[at + 1 :]]

    return [*columns[: at + 1], "pillar_name", *columns[at + 1 :]], rows_with_names()


def _fetch(cursor: duckdb.DuckDBPyConnection, size: int = 10_000) -> Iterator[tuple]:
    while rows := cursor.fetchmany(size):
        yield from rows
