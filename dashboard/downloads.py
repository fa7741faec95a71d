"""Role-checked file downloads: feedback workbooks, the template, returns as received, exports and the report."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

import flask

from dashboard import uploads
from dashboard.data import connection, plans, submission_log
from dashboard.security import roles
from etl.plan.countries import country_code

FEEDBACK_PATH = "/download/feedback/<token>"
TEMPLATE_PATH = "/download/template"
SUBMISSION_PATH = "/download/submission/<int:submission_id>"
EXPORT_PATH = "/download/export"
REPORT_PATH = "/download/report"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCHEDULE_PATH = "/download/schedule"
CROSSWALK_PATH = "/download/crosswalk"
ZIP_TYPE = "application/zip"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def feedback_href(token: str) -> str:
    return f"/download/feedback/{token}"


def template_href(year: int | None, country: str | None = None, plan_id: str | None = None) -> str:
    query = f"year={year}" if year else ""
    if country:
        query += f"&country={country}"
    if plan_id:
        query += f"&plan={quote(plan_id)}"
    return f"{TEMPLATE_PATH}?{query}"


def submission_href(submission_id: int) -> str:
    return f"/download/submission/{int(submission_id)}"


@roles.require_role(*roles.UPLOADERS)
def feedback(token: str):
    """The annotated workbook of a rejected upload, for the user who uploaded it (or an admin)."""
    user = roles.check_role(*roles.UPLOADERS)
    staged = uploads.load_staged(token)
    if staged is None or (staged.owner != user.username and user.role != roles.ADMIN):
        flask.abort(404)
    report = staged.report_file()
    if report is None:
        flask.abort(404)
    return flask.send_file(report, as_attachment=True, download_name=report.name, max_age=0)


@roles.require_role(*roles.UPLOADERS)
def template():
    """The return template for a year, prefilled from its current version or the country's open activities
    (analysts: their own country's)."""
    from etl.returns.template import write_return_template

    user = roles.check_role(*roles.UPLOADERS)
    plan = _plan()
    year = flask.request.args.get("year", type=int)
    if year not in plan.years:
        flask.abort(400, f"Choose a reporting year from {plan.first_year} to {plan.last_year}.")
    country = user.country if user.role == roles.ANALYST else country_code(flask.request.args.get("country"))
    if country is None:
        flask.abort(400, "Choose the country of the return.")
    name = f"apt-return-{country}-{year}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path, _ = write_return_template(
            Path(folder) / name, country, year, connection.warehouse_file(), prefill=True, plan_id=plan.plan_id
        )
        buffer = io.BytesIO(path.read_bytes())
    return flask.send_file(buffer, mimetype=XLSX_TYPE, as_attachment=True, download_name=name, max_age=0)


@roles.require_role(*roles.SUBMISSION_READERS)
def submission(submission_id: int):
    """A return file exactly as it was received; analysts get only their own country's."""
    user = roles.check_role(*roles.SUBMISSION_READERS)
    record = submission_log.submission_file(submission_id)
    if record is None:
        flask.abort(404)
    roles.check_country(user, record["country"])
    stored = _inside_returns(record["stored_path"])
    if stored is None:
        flask.abort(404)
    # The name the analyst gave, made safe for a header; the path comes from the warehouse, never the request.
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(record["file_name"]).name) or f"return{stored.suffix}"
    return flask.send_file(stored, as_attachment=True, download_name=name, max_age=0)


def schedule_href(plan_id: str | None = None) -> str:
    return f"{SCHEDULE_PATH}?plan={quote(plan_id)}" if plan_id else SCHEDULE_PATH


def crosswalk_href(from_plan: str, to_plan: str) -> str:
    return f"{CROSSWALK_PATH}?from={quote(from_plan)}&to={quote(to_plan)}"


def export_href(as_of: int | None, output_format: str, plan_id: str | None = None) -> str:
    year = f"as_of={int(as_of)}&" if as_of else ""
    plan = f"&plan={quote(plan_id)}" if plan_id else ""
    return f"{EXPORT_PATH}?{year}format={output_format}{plan}"


def report_href(as_of: int | None, output_format: str = "html", plan_id: str | None = None) -> str:
    query = [f"as_of={int(as_of)}"] if as_of else []
    query += [f"format={output_format}"] if output_format != "html" else []
    query += [f"plan={quote(plan_id)}"] if plan_id else []
    return f"{REPORT_PATH}?{'&'.join(query)}" if query else REPORT_PATH


@roles.require_role(*roles.EXPORTERS)
def export_tables():
    """The metric tables of `aptmon export` for an as-of year: one workbook, or a zip of CSV or Parquet files."""
    from etl.outputs import export as exporter

    plan = _plan()
    as_of = _as_of_year(plan)
    output_format = flask.request.args.get("format", "xlsx")
    if output_format not in exporter.FORMATS:
        flask.abort(400, f"Choose a format from {', '.join(exporter.FORMATS)}.")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / ("tables.xlsx" if output_format == "xlsx" else "tables")
        try:
            result = exporter.export(
                target,
                warehouse_file=connection.warehouse_file(),
                as_of=as_of,
                output_format=output_format,
                plan_id=plan.plan_id,
            )
        except exporter.ExportError as exc:
            flask.abort(400, str(exc))
        name = f"apt-monitor-metrics-as-of-{result.as_of_year}"
        if output_format == "xlsx":
            payload, mimetype, name = io.BytesIO(target.read_bytes()), XLSX_TYPE, f"{name}.xlsx"
        else:
            payload, mimetype, name = _zip_folder(target, name), ZIP_TYPE, f"{name}-{output_format}.zip"
    return flask.send_file(payload, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@roles.require_role(*roles.EXPORTERS)
def progress_report():
    """The progress report of `aptmon report` for an as-of year: one self-contained HTML file, or a Word document."""
    from etl.outputs.export import ExportError
    from etl.outputs.report import write as report

    plan = _plan()
    as_of = _as_of_year(plan)
    output_format = flask.request.args.get("format", "html")
    if output_format not in report.FORMATS:
        flask.abort(400, f"Choose a report format from {', '.join(report.FORMATS)}.")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"report.{output_format}"
        try:
            result = report.write_report(
                target,
                warehouse_file=connection.warehouse_file(),
                as_of=as_of,
                output_format=output_format,
                plan_id=plan.plan_id,
            )
        except ExportError as exc:
            flask.abort(400, str(exc))
        payload = io.BytesIO(target.read_bytes())
    name = f"apt-progress-report-as-of-{result.as_of_year}.{output_format}"
    mimetype = DOCX_TYPE if output_format == "docx" else "text/html"
    return flask.send_file(payload, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def _plan() -> plans.PlanTimeframe:
    """The plan a download is for: ?plan= (the page's plan picker), else the default plan."""
    with connection.reading():
        return plans.timeframe(flask.request.args.get("plan"))


def _as_of_year(plan: plans.PlanTimeframe) -> int | None:
    as_of = flask.request.args.get("as_of", type=int)
    if as_of is not None and as_of not in plan.years:
        flask.abort(400, f"Choose an as-of year from {plan.first_year} to {plan.last_year}.")
    return as_of


def _zip_folder(folder: Path, name: str) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{name}/{file.name}")
    buffer.seek(0)
    return buffer


def _inside_returns(stored_path: str | None) -> Path | None:
    from etl.paths import returns_dir, stored_return_path

    if not stored_path:
        return None
    path = stored_return_path(stored_path).resolve()  # relative to the returns folder, wherever it now is
    root = returns_dir().resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@roles.require_role(roles.ADMIN)
def schedule_workbook():
    """The schedule workbook, filled with the current schedule (aptmon schedule template), for an admin."""
    from etl.schedule.template import write_schedule_template

    roles.check_role(roles.ADMIN)
    plan = _plan()
    with tempfile.TemporaryDirectory() as folder:
        path = write_schedule_template(Path(folder) / "apt-schedule.xlsx", connection.warehouse_file(), plan.plan_id)
        payload = io.BytesIO(path.read_bytes())
    return flask.send_file(payload, mimetype=XLSX_TYPE, as_attachment=True, download_name="apt-schedule.xlsx",
                           max_age=0)  # fmt: skip


@roles.require_role(roles.ADMIN)
def crosswalk_workbook():
    """The crosswalk workbook between two plans (aptmon plan crosswalk template), with its suggested matches."""
    from etl.crosswalk.check import CrosswalkRefused
    from etl.crosswalk.template import write_crosswalk_template

    roles.check_role(roles.ADMIN)
    from_plan, to_plan = flask.request.args.get("from", ""), flask.request.args.get("to", "")
    with connection.reading():
        known = {plan.plan_id for plan in plans.timeframes()}
    if from_plan not in known or to_plan not in known:
        flask.abort(400, "Choose two of the plans the monitor holds.")
    name = f"apt-crosswalk-{from_plan}-to-{to_plan}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        try:
            path, _ = write_crosswalk_template(Path(folder) / name, from_plan, to_plan, connection.warehouse_file())
        except CrosswalkRefused as exc:
            flask.abort(400, str(exc))
        payload = io.BytesIO(path.read_bytes())
    return flask.send_file(payload, mimetype=XLSX_TYPE, as_attachment=True, download_name=name, max_age=0)


# (path, endpoint, view) of every download; dashboard.app registers them. Each view checks the role (and country).
ROUTES = (
    (FEEDBACK_PATH, "download_feedback", feedback),
    (TEMPLATE_PATH, "download_template", template),
    (SUBMISSION_PATH, "download_submission", submission),
    (EXPORT_PATH, "download_export", export_tables),
    (REPORT_PATH, "download_report", progress_report),
    (SCHEDULE_PATH, "download_schedule", schedule_workbook),
    (CROSSWALK_PATH, "download_crosswalk", crosswalk_workbook),
)
