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
from etl.plan.definitions import AS_OF_YEARS, GLOSSARY, PLAN_FIRST_YEAR, PLAN_LAST_YEAR, PROGRESS_BANDS, SETTINGS
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


def latest_year_with_data(con: duckdb.DuckDBPyConnection) -> int:
    """The latest reporting year with a current return, or the plan's first year when none has arrived."""
    year = con.execute("SELECT max(reporting_year) FROM current_submissions").fetchone()[0]
    return int(year) if year is not None else PLAN_FIRST_YEAR


def resolve_as_of(con: duckdb.DuckDBPyConnection, as_of: int | None) -> int:
    """The as-of year asked for, checked against the plan, or the latest year with data."""
    if as_of is None:
        return latest_year_with_data(con)
    if as_of not in AS_OF_YEARS:
        raise ExportError(
            f"--as-of {as_of} is outside the plan; choose a year from {PLAN_FIRST_YEAR} to {PLAN_LAST_YEAR}."
        )
    return as_of


def data_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """sha256 over what the numbers come from: the plan text, the settings, each current return and the current
    schedule version (none while the default schedule is used).

    Two exports with the same fingerprint were computed from the same data and definitions.
    """
    lines = [
        f"plan {plan_id} {sha}"
        for plan_id, sha in con.execute("SELECT plan_id, source_sha256 FROM plans ORDER BY plan_id").fetchall()
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
            ORDER BY r.country, r.reporting_year
            """
        ).fetchall()
    ]
    lines += [
        f"schedule {plan_id} {version} {sha}"
        for plan_id, version, sha in con.execute(
            "SELECT plan_id, version, sha256 FROM current_schedule ORDER BY plan_id"
        ).fetchall()
    ]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def table_query(
    con: duckdb.DuckDBPyConnection, table: str, as_of_year: int, current: bool | None = None
) -> tuple[str, list]:
    """The SQL (and parameters) of one exported table: the views' rows for the as-of year where it has years."""
    if table in warehouse.METRIC_VIEWS:
        # The views and their snapshots keep their rows in plan order; filtering keeps that order.
        return f"SELECT * FROM {metrics.metric_source(con, table, current)} WHERE as_of_year = ?", [as_of_year]
    if table == "funding":
        return "SELECT * FROM funding WHERE as_of_year = ?", [as_of_year]
    if table == "activities":
        return (
            "SELECT a.* FROM activities_as_of a JOIN countries c ON c.iso3 = a.country"
            " WHERE a.as_of_year = ? ORDER BY a.plan_id, c.ordinal, a.activity_id",
            [as_of_year],
        )
    if table == "catalogue":
        return "SELECT * FROM catalogue ORDER BY plan_id, measure_ordinal, letter", []
    if table == "schedule":
        return f"SELECT plan_id, {', '.join(SHOW_COLUMNS)} FROM measure_schedule ORDER BY plan_id, ordinal", []
    raise ExportError(f"Unknown table {table!r}; the export has {', '.join(TABLES)}.")


def read_table(
    con: duckdb.DuckDBPyConnection, table: str, as_of_year: int, current: bool | None = None
) -> pd.DataFrame:
    """One exported table as a data frame."""
    sql, params = table_query(con, table, as_of_year, current)
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
) -> ExportResult:
    """Write every table of the export for one as-of year (default: the latest year with data)."""
    if output_format not in FORMATS:
        raise ExportError(f"Unknown format {output_format!r}; choose one of {', '.join(FORMATS)}.")
    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        as_of_year = resolve_as_of(con, as_of)
        result = ExportResult(
            path=path,
            output_format=output_format,
            as_of_year=as_of_year,
            exported_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            fingerprint=data_fingerprint(con),
        )
        version = schedule_version(con)
        result.schedule, result.schedule_version = version.label, version.version
        current = metrics.snapshots_current(con)
        if output_format == "xlsx":
            _write_workbook(con, path, as_of_year, current, result)
        else:
            frames = ((table, read_table(con, table, as_of_year, current)) for table in TABLES)
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
        yield [title]
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

    pillar_names = _pillar_names(con)
    with StreamingWorkbook(path) as workbook:
        for table in TABLES:
            sql, params = table_query(con, table, as_of_year, current)
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


def _pillar_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Pillar number (as the metric views hold it) -> its name, e.g. '2' -> 'Economic and Financial Cooperation'."""
    names = {
        str(pillar): " ".join(w.lower() if i and w in _MINOR_WORDS else w for i, w in enumerate(title.title().split()))
        for pillar, title in con.execute("SELECT DISTINCT pillar, title FROM pillars ORDER BY pillar").fetchall()
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
