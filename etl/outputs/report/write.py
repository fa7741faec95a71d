"""Writing the progress report: read the views, build the content, and lay it out as HTML or as Word."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from etl import warehouse
from etl.outputs.export import ExportError
from etl.outputs.report.content import build_content, read_report_data
from etl.outputs.report.html import render_html

FORMATS = ("html", "docx")


@dataclass
class ReportResult:
    path: Path
    as_of_year: int
    fingerprint: str
    charts: int
    schedule: str = ""  # which schedule the report judged against (ScheduleVersion.label)


def write_report(
    path: str | os.PathLike,
    *,
    warehouse_file: str | os.PathLike | None = None,
    as_of: int | None = None,
    output_format: str = "html",
    plan_id: str | None = None,
) -> ReportResult:
    """Write the progress report of one plan (default: docs/cli.md) for one as-of year (default: the plan's latest
    year with data): HTML or Word (docx)."""
    if output_format not in FORMATS:
        raise ExportError(f"Unknown report format {output_format!r}; choose one of {', '.join(FORMATS)}.")
    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        data = read_report_data(con, as_of, plan_id)
    content = build_content(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    if output_format == "docx":
        from etl.outputs.report.docx import write_docx  # python-docx and the chart renderer load only when asked for

        write_docx(content, path)
    else:
        path.write_text(render_html(content), encoding="utf-8")
    return ReportResult(
        path=path, as_of_year=data.as_of_year, fingerprint=data.fingerprint, charts=len(content.charts),
        schedule=data.schedule.label,
    )  # fmt: skip
