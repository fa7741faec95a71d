"""The export page's downloads: the same tables as `aptmon export`, for evaluators and admins only."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from support.dash_requests import call_callback, sign_in
from support.return_files import write_xlsx
from support.signing_in import add_test_users

from etl.outputs.export import TABLES, export
from etl.outputs.report.write import write_report
from etl.plan.plans import SEED_PLAN
from etl.returns.ingest import ingest_file


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from dashboard.app import create_app
    from etl import warehouse

    folder = tmp_path_factory.mktemp("export-page")
    path = folder / "warehouse.duckdb"
    warehouse.initialise(path)
    add_test_users(path)
    for year in (2014, 2015):
        ingest_file(write_xlsx(folder / f"khm-{year}.xlsx", year=year), warehouse_file=path, store=False)
    return create_app(path), path


@pytest.fixture
def served(app, monkeypatch):
    """The module's app, serving its warehouse (the environment names it; other apps created since may not)."""
    monkeypatch.setenv("APTMON_WAREHOUSE", str(app[1]))
    return app


def test_evaluator_downloads_the_workbook_of_the_cli_export(served, tmp_path):
    dash_app, path = served
    client = sign_in(dash_app.server.test_client(), "evaluator")
    response = client.get("/download/export?as_of=2015&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("filename=apt-monitor-metrics-as-of-2015.xlsx")
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert set(TABLES) | {"Definitions"} <= set(workbook.sheetnames)

    cli_result = export(tmp_path / "cli.xlsx", warehouse_file=path, as_of=2015, output_format="xlsx")
    cli_book = load_workbook(cli_result.path, read_only=True)
    for table in TABLES:
        assert without_timestamp(workbook[table].values) == without_timestamp(cli_book[table].values), table


def without_timestamp(rows) -> list[tuple]:
    """A sheet's rows less the line saying when it was exported."""
    return [row for row in rows if not row or row[0] != "Exported"]


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_folder_formats_arrive_as_one_zip_equal_to_the_cli_files(served, tmp_path, output_format):
    dash_app, path = served
    client = sign_in(dash_app.server.test_client(), "admin")
    response = client.get(f"/download/export?as_of=2014&format={output_format}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    prefix = "apt-monitor-metrics-as-of-2014"
    names = set(archive.namelist())
    assert {f"{prefix}/{table}.{output_format}" for table in TABLES} <= names
    cli_folder = tmp_path / "cli"
    export(cli_folder, warehouse_file=path, as_of=2014, output_format=output_format)
    for table in TABLES:
        data = archive.read(f"{prefix}/{table}.{output_format}")
        cli = (cli_folder / f"{table}.{output_format}").read_bytes()
        if output_format == "csv":
            assert data == cli, table
        else:
            pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(data)), pd.read_parquet(io.BytesIO(cli)))


def test_bad_arguments_are_refused_with_400(served):
    client = sign_in(served[0].server.test_client(), "evaluator")
    assert client.get("/download/export?as_of=2030&format=xlsx").status_code == 400
    assert client.get("/download/export?format=../../etc").status_code == 400


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("analyst", 403), ("evaluator", 200), ("admin", 200)])
def test_export_routes_and_links_follow_the_role(served, role, status):
    dash_app, _ = served
    client = sign_in(dash_app.server.test_client(), role)
    assert client.get("/download/export?as_of=2015&format=csv").status_code == status
    links = call_callback(client, dash_app, "export_links", [2014, "parquet"], [SEED_PLAN.plan_id])
    assert links.status_code == status
    if status == 200:
        hrefs = links.get_json()["response"]
        assert hrefs["export-tables-button"]["href"] == (
            f"/download/export?as_of=2014&format=parquet&plan={SEED_PLAN.plan_id}"
        )


def test_progress_report_is_the_aptmon_report_page(served, tmp_path):
    dash_app, path = served
    client = sign_in(dash_app.server.test_client(), "evaluator")
    response = client.get("/download/report?as_of=2015")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("filename=apt-progress-report-as-of-2015.html")
    cli = write_report(tmp_path / "report.html", warehouse_file=path, as_of=2015)
    served = response.get_data(as_text=True)
    assert served.lower().startswith("<!doctype html>")
    # The same page as `aptmon report` (it names the data it was computed from), give or take when it was made.
    assert cli.fingerprint in served
    assert len(served) == pytest.approx(len(cli.path.read_text(encoding="utf-8")), abs=40)
    assert sign_in(dash_app.server.test_client(), "viewer").get("/download/report").status_code == 403
    assert client.get("/download/report?as_of=1999").status_code == 400
    word = client.get("/download/report?as_of=2015&format=docx")
    assert word.status_code == 200 and word.get_data()[:2] == b"PK"  # a Word document is a zip package
    assert word.headers["Content-Disposition"].endswith("filename=apt-progress-report-as-of-2015.docx")
    assert client.get("/download/report?format=pdf").status_code == 400


def test_without_chromium_the_page_and_the_route_say_what_to_install(served, tmp_path, monkeypatch):
    import sys

    import dash
    from flask_login import login_user

    from dashboard.security.sessions import SignedInUser
    from etl.accounts import User
    from etl.outputs.report.docx import CHROMIUM_MISSING

    dash_app, _ = served
    export_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/export")]

    def layout() -> dict:
        with dash_app.server.test_request_context():
            login_user(SignedInUser(User("an-evaluator", "evaluator", None, "fingerprint")))
            return export_page.layout().to_plotly_json()

    assert "export-word-missing" not in json.dumps(layout(), default=lambda c: c.to_plotly_json())
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))  # where kaleido looks first
    shown = json.dumps(layout(), default=lambda c: c.to_plotly_json())
    assert f'"children": "{CHROMIUM_MISSING}"' in shown and '"id": "export-word-missing"' in shown
    assert '"className": "btn btn-outline-primary disabled"' in shown and '"aria-disabled": "true"' in shown
    client = sign_in(dash_app.server.test_client(), "evaluator")
    word = client.get("/download/report?as_of=2015&format=docx")
    assert word.status_code == 400 and CHROMIUM_MISSING in word.get_data(as_text=True)
    assert "Traceback" not in word.get_data(as_text=True)
    assert client.get("/download/report?as_of=2015").status_code == 200  # the HTML report needs no Chromium


@pytest.mark.browser
def test_evaluator_downloads_tables_and_report_from_the_page(live_app, signed_in_page, tmp_path):
    page = signed_in_page("evaluator")
    page.goto(f"{live_app}/export")
    page.wait_for_selector("#export-tables-button", timeout=15000)
    page.get_by_label("CSV files (zip)").check()
    page.wait_for_function(
        "() => document.querySelector('#export-tables-button').getAttribute('href').includes('format=csv')"
    )
    with page.expect_download() as tables:
        page.click("#export-tables-button")
    assert tables.value.suggested_filename == "apt-monitor-metrics-as-of-2017-csv.zip"
    tables.value.save_as(tmp_path / "tables.zip")
    assert (
        "apt-monitor-metrics-as-of-2017/metrics_pillar_country.csv"
        in zipfile.ZipFile(tmp_path / "tables.zip").namelist()
    )
    with page.expect_download() as report:
        page.click("#export-report-button")
    assert report.value.suggested_filename == "apt-progress-report-as-of-2017.html"
    assert page.get_attribute("#export-report-docx-button", "href") == (
        f"/download/report?as_of=2017&format=docx&plan={SEED_PLAN.plan_id}"
    )
    assert page.get_by_role("link", name="Export").is_visible()
    assert page.console_errors == []


def test_the_page_lists_every_table_the_export_holds(served):
    import sys

    import dash
    from flask_login import login_user

    from dashboard.security.sessions import SignedInUser
    from etl.accounts import User

    dash_app, _ = served
    export_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/export")]
    with dash_app.server.test_request_context():
        login_user(SignedInUser(User("an-evaluator", "evaluator", None, "fingerprint")))
        shown = json.dumps(export_page.layout().to_plotly_json(), default=lambda c: c.to_plotly_json())
    listed = re.findall(r'\{"props": \{"children": "(\w+)"\}, "type": "Code"', shown)
    assert listed == list(TABLES) and "schedule" in listed
