"""The upload page's server side: checks before reading (the Schedule page's too), dry run, submit, downloads."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.dash_requests import call_callback, csrf_header, sign_in
from support.real_world_files import biff_worksheet
from support.return_files import GOOD_ROWS, write_csv, write_xlsx
from support.signing_in import add_test_users

from dashboard.security.auth import secret_key
from etl import warehouse
from etl.plan.plans import SEED_PLAN

BAD_ROWS = [GOOD_ROWS[0], ["KHM-009", "9.9.9", "Unknown measure", "Weird status"]]


@pytest.fixture(autouse=True)
def returns_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "returns"
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(folder))
    return folder


@pytest.fixture
def app(warehouse_file):
    from dashboard.app import create_app

    add_test_users(warehouse_file)
    return create_app(warehouse_file)


def client_as(app, role: str):
    return sign_in(app.server.test_client(), role)


def data_url(path: Path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def check(client, app, files: list[Path], names=None, country=None, year=None, received_on=None):
    names = names or [f.name for f in files]
    response = call_callback(
        client, app, "check_uploads", [[data_url(f) for f in files]], [names, country, year, received_on]
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def submit(client, app, token: str, received_on=None):
    response = call_callback(client, app, "submit_upload", [1], [received_on], match={"token": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def tokens(text: str, kind: str) -> list[str]:
    """The staged-file tokens of Submit buttons ("submit") or feedback links ("feedback") in a callback answer."""
    payload = json.loads(text)
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            component = props.get("id")
            if kind == "submit" and isinstance(component, dict) and component.get("type") == "upload-submit":
                found.append(component["token"])
            if kind == "feedback" and str(props.get("href", "")).startswith("/download/feedback/"):
                found.append(props["href"].rsplit("/", 1)[1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def rows(db: Path, sql: str) -> list[tuple]:
    # Through the warehouse's lock: the app may be rebuilding the metric snapshots in the background.
    with warehouse.read_connection(db) as con:
        return con.execute(sql).fetchall()


def test_bad_return_is_rejected_recorded_kept_and_annotated(app, warehouse_file, tmp_path, returns_dir):
    client = client_as(app, "analyst")
    bad = write_xlsx(tmp_path / "cambodia 2015.xlsx", BAD_ROWS)
    text = check(client, app, [bad])
    assert "rejected" in text
    assert '\\"9.9.9\\" is not a measure' in text
    assert "Weird status" in text and '"row":3' in text
    assert tokens(text, "submit") == []
    # The rejection is in the log with its issues, and the file is kept under a generated name.
    logged = rows(warehouse_file, "SELECT status, country, reporting_year, submitted_by, stored_path FROM submissions")
    assert [row[:4] for row in logged] == [("rejected", "KHM", 2015, "analyst-khm")]
    stored = returns_dir / logged[0][4]  # recorded relative to the returns folder
    assert stored.parent == returns_dir / "KHM" / "2015" and "cambodia" not in stored.name
    assert stored.read_bytes() == bad.read_bytes()
    assert rows(warehouse_file, "SELECT count(*) FROM issues WHERE severity = 'error'") == [(2,)]
    assert rows(warehouse_file, "SELECT count(*) FROM activities") == [(0,)]

    [token] = tokens(text, "feedback")
    download = client.get(f"/download/feedback/{token}")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(download.data))
    assert "Issues" in workbook.sheetnames
    # Another user cannot fetch it: not a viewer, not an admin of another session's token guessed wrongly.
    assert client_as(app, "viewer").get(f"/download/feedback/{token}").status_code == 403
    signed_out = app.server.test_client().get(f"/download/feedback/{token}")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/login?next=")

    assert secret_key().encode() not in client.get("/download/feedback/..%2F..%2Fsecret_key").data
    assert client.get("/download/feedback/not-a-token").status_code == 404
    assert client.get("/download/feedback/" + "0" * 32).status_code == 404


def test_good_return_is_checked_then_submitted_once(app, warehouse_file, tmp_path):
    client = client_as(app, "analyst")
    good = write_xlsx(tmp_path / "return.xlsx")
    text = check(client, app, [good])
    assert "ready to submit" in text and "Submit as version 1" in text
    assert rows(warehouse_file, "SELECT count(*) FROM submissions") == [(0,)]  # a dry run writes nothing
    [token] = tokens(text, "submit")

    outcome = submit(client, app, token)
    assert "Submitted: KHM 2015 is now version 1." in outcome
    assert rows(warehouse_file, "SELECT status, version, activities, submitted_by FROM submissions") == [
        ("accepted", 1, 3, "analyst-khm")
    ]
    assert "already submitted" in submit(client, app, token)
    assert rows(warehouse_file, "SELECT count(*) FROM submissions") == [(1,)]

    changed = write_xlsx(tmp_path / "return v2.xlsx", [GOOD_ROWS[0], GOOD_ROWS[1]])
    text = check(client, app, [changed])
    assert "Against version 1: 0 added, 1 removed, 0 changed status." in text
    assert "Submitted: KHM 2015 is now version 2." in submit(client, app, tokens(text, "submit")[0])


def test_several_files_at_once_each_get_their_own_result(app, tmp_path):
    client = client_as(app, "analyst")
    good = write_xlsx(tmp_path / "a.xlsx", year=2014)
    bad = write_xlsx(tmp_path / "b.xlsx", BAD_ROWS, year=2015)
    text = check(client, app, [good, bad])
    assert text.count('"mb-3 upload-result"') == 2
    assert len(tokens(text, "submit")) == 1 and len(tokens(text, "feedback")) == 1


def test_analyst_cannot_upload_or_submit_for_another_country(app, warehouse_file, tmp_path):
    client = client_as(app, "analyst")
    thai = write_xlsx(tmp_path / "thai.xlsx", [["THA-001", "2.1.6", "Trade fair", "Planned"]], country="Thailand")
    # The form's country is ignored for analysts: the return is checked as Cambodia's, and contradicts it.
    text = check(client, app, [thai], country="THA")
    assert tokens(text, "submit") == []
    assert rows(warehouse_file, "SELECT status FROM submissions") == [("rejected",)]
    assert rows(warehouse_file, "SELECT count(*) FROM activities") == [(0,)]

    # An admin's staged file cannot be submitted by the analyst either.
    admin = client_as(app, "admin")
    [token] = tokens(check(admin, app, [thai], country="THA"), "submit")
    assert "already submitted or has expired" in submit(client, app, token)
    assert "Submitted: THA 2015 is now version 1." in submit(admin, app, token)


def test_admin_backfills_with_a_received_on_date_analyst_cannot(app, warehouse_file, tmp_path):
    admin = client_as(app, "admin")
    good = write_xlsx(tmp_path / "khm.xlsx")
    [token] = tokens(check(admin, app, [good]), "submit")
    submit(admin, app, token, received_on="2016-03-15")
    assert rows(warehouse_file, "SELECT received_on, submitted_by FROM submissions") == [(date(2016, 3, 15), "admin")]
    analyst = client_as(app, "analyst")
    later = write_xlsx(tmp_path / "khm2.xlsx", [GOOD_ROWS[0]])
    [token] = tokens(check(analyst, app, [later]), "submit")
    submit(analyst, app, token, received_on="2014-01-01")
    # The later file drops activities, so it was held when checked and its Submit confirmed the changes shown.
    received = rows(
        warehouse_file, "SELECT received_on FROM submissions WHERE submitted_by = 'analyst-khm' AND status = 'accepted'"
    )
    assert received == [(datetime.now(UTC).date(),)]  # the day it arrived


def test_csv_takes_the_year_from_the_form(app, warehouse_file, tmp_path):
    client = client_as(app, "analyst")
    csv = write_csv(tmp_path / "activities.csv", [["KHM-001", "2.1.6", "Customs training", "Planned"]])
    [token] = tokens(check(client, app, [csv], year=2016), "submit")
    assert "KHM 2016 is now version 1" in submit(client, app, token)


@pytest.mark.parametrize(("role", "pickers"), [("analyst", "Reporting year"), ("admin", "Country and Reporting year")])
def test_a_csv_without_its_year_chosen_is_sent_back_to_the_pickers(app, warehouse_file, tmp_path, role, pickers):
    # The Reporting year picker starts at "From the file's Cover sheet", which a .csv lacks: it was checked and
    # rejected with "does not say its reporting year", which named no picker.
    csv = write_csv(tmp_path / "activities.csv", [["KHM-001", "2.1.6", "Customs training", "Planned"]])
    text = check(client_as(app, role), app, [csv])
    assert (
        f"activities.csv: a .csv has no Cover sheet, so it cannot say its {pickers.lower()}. Choose its {pickers} "
        'above (left at \\"From the file\'s Cover sheet\\"), then upload the file again.'
    ) in text
    assert "does not say its reporting year" not in text and tokens(text, "submit") == []
    assert rows(warehouse_file, "SELECT count(*) FROM submissions") == [(0,)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("return.exe", b"MZ\x90\x00", "files of type .exe are not accepted"),
        ("return", b"PK\x03\x04", "files of type (none) are not accepted"),
        ("return.xlsx", b"<html>not a workbook</html>", "the content is not a .xlsx spreadsheet"),
        ("return.xls", b"PK\x03\x04zip", "the content is not a .xls spreadsheet"),
        ("return.csv", "Activity ID,Title\nKHM-1,Caf\u00e9\n".encode("cp1252"), "must be UTF-8 text"),
        ("return.csv", b"MZ\x00\x00\x00binary", "must be UTF-8 text"),
    ],
)
def test_files_of_the_wrong_type_are_refused_before_reading(app, warehouse_file, tmp_path, name, content, message):
    client = client_as(app, "analyst")
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    text = check(client, app, [path], names=[name])
    assert message in text
    assert rows(warehouse_file, "SELECT count(*) FROM submissions") == [(0,)]


@pytest.mark.parametrize(("page", "document"), [("upload", "return"), ("schedule", "schedule workbook")])
@pytest.mark.parametrize(
    ("name", "content", "refusal"),
    [
        ("file.exe", b"MZ", "files of type .exe are not accepted; upload the {} as .xlsx, .xlsm, .xls, .ods, .csv."),
        ("file.csv", b"MZ\x00", "a .csv {} must be UTF-8 text; save it again as 'CSV UTF-8'."),
    ],
)
def test_a_refusal_names_what_the_page_takes(app, warehouse_file, tmp_path, page, document, name, content, refusal):
    # The Upload and Schedule pages share the checks; each refusal speaks of the page's own document.
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    if page == "upload":
        text = check(client_as(app, "analyst"), app, [path], names=[name])
    else:
        response = call_callback(
            client_as(app, "admin"), app, "load_schedule", [data_url(path)], [name, False, SEED_PLAN.plan_id]
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        text = response.get_data(as_text=True)
    assert f"{name}: {refusal.format(document)}" in text
    assert page == "upload" or "return" not in text  # the Schedule page takes no return
    assert rows(warehouse_file, "SELECT count(*) FROM submissions") == [(0,)]
    assert rows(warehouse_file, "SELECT count(*) FROM schedule_loads") == [(0,)]


@pytest.mark.parametrize(("version", "named"), [(2, "Excel 2.x"), (4, "Excel 4.0")])
def test_an_excel_2_to_4_worksheet_gets_the_readers_answer_on_the_page(app, warehouse_file, tmp_path, version, named):
    # It has no OLE signature, yet it is a spreadsheet: the page hands it to the reader, which says it is too old.
    client = client_as(app, "analyst")
    text = check(client, app, [biff_worksheet(tmp_path / f"old-{version}.xls", version)])
    assert "old-excel-format" in text and f"an {named} worksheet, a format too old to read" in text
    assert "the content is not a .xls spreadsheet" not in text
    assert rows(warehouse_file, "SELECT count(*) FROM activities") == [(0,)]


def test_size_cap_is_enforced_on_the_decoded_file_and_the_request(warehouse_file, tmp_path, monkeypatch):
    from dashboard.app import create_app

    monkeypatch.setenv("APTMON_UPLOAD_MAX_MB", "0.01")  # about 10 kB
    add_test_users(warehouse_file)
    app = create_app(warehouse_file)
    assert app.server.config["MAX_CONTENT_LENGTH"] == -(-10485 // 3) * 4 + 1024 * 1024
    client = client_as(app, "analyst")
    big = tmp_path / "big.csv"
    big.write_bytes(b"Activity ID,Title\n" + b"KHM-1,x\n" * 2000)
    assert "larger than 0.01 MB" in check(client, app, [big])
    too_long = client.post(
        "/_dash-update-component",
        data=b"x" * (app.server.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="application/json",
        headers=csrf_header(client),
    )
    assert too_long.status_code == 413


def test_template_download_is_for_the_analysts_own_country(app, warehouse_file, tmp_path):
    analyst = client_as(app, "analyst")
    response = analyst.get("/download/template?year=2016&country=THA")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("apt-return-KHM-2016.xlsx")
    cover = load_workbook(io.BytesIO(response.data))["Cover"]
    values = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row[0]}
    assert "KHM" in str(values.get("Country")) or "Cambodia" in str(values.get("Country"))
    assert analyst.get("/download/template?year=1999").status_code == 400

    admin = client_as(app, "admin")
    assert (
        admin.get("/download/template?year=2016&country=THA")
        .headers["Content-Disposition"]
        .endswith("apt-return-THA-2016.xlsx")
    )
    assert client_as(app, "viewer").get("/download/template?year=2016").status_code == 403
    assert client_as(app, "evaluator").get("/download/template?year=2016").status_code == 403


def test_original_file_download_is_role_and_country_checked(app, warehouse_file, tmp_path):
    admin = client_as(app, "admin")
    khm = write_xlsx(tmp_path / "khm return.xlsx")
    tha = write_xlsx(tmp_path / "tha.xlsx", [["THA-001", "2.1.6", "Trade fair", "Planned"]], country="Thailand")
    for path in (khm, tha):
        submit(admin, app, tokens(check(admin, app, [path]), "submit")[0])
    ids = dict(rows(warehouse_file, "SELECT country, submission_id FROM submissions"))

    analyst = client_as(app, "analyst")
    own = analyst.get(f"/download/submission/{ids['KHM']}")
    assert own.status_code == 200 and own.data == khm.read_bytes()
    assert own.headers["Content-Disposition"].endswith('"khm return.xlsx"')
    assert analyst.get(f"/download/submission/{ids['THA']}").status_code == 403
    assert admin.get(f"/download/submission/{ids['THA']}").data == tha.read_bytes()
    assert client_as(app, "viewer").get(f"/download/submission/{ids['KHM']}").status_code == 403
    assert client_as(app, "evaluator").get(f"/download/submission/{ids['KHM']}").status_code == 403
    assert admin.get("/download/submission/999").status_code == 404


LOG_GRID = '{"grid":"submissions-table","type":"data-grid"}'  # the grid inside the log's listing, as a response key


def test_submissions_log_shows_analysts_only_their_country(app, warehouse_file, tmp_path):
    admin = client_as(app, "admin")
    khm_bad = write_xlsx(tmp_path / "khm.xlsx", BAD_ROWS)
    tha = write_xlsx(tmp_path / "tha.xlsx", [["THA-001", "2.1.6", "Trade fair", "Planned"]], country="Thailand")
    check(admin, app, [khm_bad])
    submit(admin, app, tokens(check(admin, app, [tha]), "submit")[0])
    ids = dict(rows(warehouse_file, "SELECT country, submission_id FROM submissions"))

    everything = call_callback(admin, app, "filter_submissions", ["ALL"]).get_json()
    logged = everything["response"][LOG_GRID]["rowData"]
    assert [(r["country"], r["status"], r["file_name"], r["submitted_by"]) for r in logged] == [
        ("THA", "accepted", "tha.xlsx", "admin"),
        ("KHM", "rejected", "khm.xlsx", "admin"),
    ]
    assert len(logged[0]["sha256"]) == 64 and logged[0]["version"] == 1
    assert logged[0]["download"] == f"/download/submission/{ids['THA']}"

    analyst = client_as(app, "analyst")
    own = call_callback(analyst, app, "filter_submissions", ["THA"]).get_json()["response"][LOG_GRID]["rowData"]
    assert [r["country"] for r in own] == ["KHM"]
    issues = call_callback(analyst, app, "show_submission", [[{"submission_id": ids["KHM"]}]]).get_data(as_text=True)
    assert "is not a measure" in issues
    forged = call_callback(analyst, app, "show_submission", [[{"submission_id": ids["THA"]}]])
    assert forged.status_code == 403


def test_the_changes_of_a_large_return_group_their_thousands(app):
    from types import SimpleNamespace

    from dashboard.pages.upload import _changes_text

    changes = {"previous_version": 2, "added": [], "removed": [f"KHM-{i}" for i in range(98_500)], "status_changed": []}
    text = _changes_text(SimpleNamespace(changes=changes, activities=1_500))
    assert text == "Against version 2: 0 added, 98,500 removed, 0 changed status."
