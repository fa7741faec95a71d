"""Role-checked file downloads: feedback workbooks, the return template, and returns as received."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import flask

from dashboard import auth, data, uploads
from etl.countries import country_code
from etl.definitions import AS_OF_YEARS

FEEDBACK_PATH = "/download/feedback/<token>"
TEMPLATE_PATH = "/download/template"
SUBMISSION_PATH = "/download/submission/<int:submission_id>"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def init_app(server: flask.Flask) -> None:
    """Add the download routes; each checks the signed-in user's role (and country) itself."""
    server.add_url_rule(FEEDBACK_PATH, "download_feedback", feedback)
    server.add_url_rule(TEMPLATE_PATH, "download_template", template)
    server.add_url_rule(SUBMISSION_PATH, "download_submission", submission)


def feedback_href(token: str) -> str:
    return f"/download/feedback/{token}"


def template_href(year: int | None, country: str | None = None) -> str:
    query = f"year={year}" if year else ""
    if country:
        query += f"&country={country}"
    return f"{TEMPLATE_PATH}?{query}"


def submission_href(submission_id: int) -> str:
    return f"/download/submission/{int(submission_id)}"


@auth.require_role(*auth.UPLOADERS)
def feedback(token: str):
    """The annotated workbook of a rejected upload, for the user who uploaded it (or an admin)."""
    user = auth.check_role(*auth.UPLOADERS)
    staged = uploads.load_staged(token)
    if staged is None or (staged.owner != user.username and user.role != auth.ADMIN):
        flask.abort(404)
    report = staged.report_file()
    if report is None:
        flask.abort(404)
    return flask.send_file(report, as_attachment=True, download_name=report.name, max_age=0)


@auth.require_role(*auth.UPLOADERS)
def template():
    """The return template for a year, prefilled with the country's open activities (analysts: their own)."""
    from etl import template as template_writer

    user = auth.check_role(*auth.UPLOADERS)
    year = flask.request.args.get("year", type=int)
    if year not in AS_OF_YEARS:
        flask.abort(400, f"Choose a reporting year from {AS_OF_YEARS[0]} to {AS_OF_YEARS[-1]}.")
    country = user.country if user.role == auth.ANALYST else country_code(flask.request.args.get("country"))
    if country is None:
        flask.abort(400, "Choose the country of the return.")
    name = f"apt-return-{country}-{year}.xlsx"
    warehouse_file = data.warehouse_file()
    activities = template_writer.prefill_activities(warehouse_file, country, year)
    with tempfile.TemporaryDirectory() as folder:
        path = template_writer.write_template(
            Path(folder) / name, country, year, template_writer.template_catalogue(warehouse_file), activities
        )
        buffer = io.BytesIO(path.read_bytes())
    return flask.send_file(buffer, mimetype=XLSX_TYPE, as_attachment=True, download_name=name, max_age=0)


@auth.require_role(*auth.SUBMISSION_READERS)
def submission(submission_id: int):
    """A return file exactly as it was received; analysts get only their own country's."""
    user = auth.check_role(*auth.SUBMISSION_READERS)
    record = data.submission_file(submission_id)
    if record is None:
        flask.abort(404)
    auth.check_country(user, record["country"])
    stored = _inside_returns(record["stored_path"])
    if stored is None:
        flask.abort(404)
    # The name the analyst gave, made safe for a header; the path comes from the warehouse, never the request.
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(record["file_name"]).name) or f"return{stored.suffix}"
    return flask.send_file(stored, as_attachment=True, download_name=name, max_age=0)


def _inside_returns(stored_path: str | None) -> Path | None:
    from etl.ingest import returns_dir

    if not stored_path:
        return None
    path = Path(stored_path).resolve()
    root = returns_dir().resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
