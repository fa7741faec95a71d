"""Every hostile file through the dashboard's upload check: a clear answer on the page, never an internal error.

The upload page refuses some files before reading them (type, signature, size, a CSV that is not UTF-8); those
are not uploads and are not recorded. Every other file goes through the same ingest as the command line, and its
rejection is recorded. Either way the exported tables stay as they were.
"""

from __future__ import annotations

import base64
import time

import pytest
from support.dash_requests import call_callback, sign_in
from support.hostile.corpus import CASES, Case
from support.hostile.fixtures import exported_tables, query
from support.signing_in import add_test_users

pytest_plugins = ["support.hostile.fixtures"]

INTERNAL_ERROR = "internal error"
REFUSED_BEFORE_READING = ("are not accepted", "the content is not a", "must be UTF-8 text", "the file is empty")
TIME_LIMIT_S = 20.0  # the page reads a rejected file twice (check, then record) and writes its feedback workbook


@pytest.fixture(scope="module")
def upload_app(template_warehouse, tmp_path_factory):
    """The dashboard over a private copy of the template warehouse, and an admin signed in to it."""
    import shutil

    from dashboard.app import create_app

    db = tmp_path_factory.mktemp("hostile-uploads") / "warehouse.duckdb"
    shutil.copyfile(template_warehouse, db)
    add_test_users(db)
    app = create_app(db)
    return app, sign_in(app.server.test_client(), "admin"), db


@pytest.fixture(autouse=True)
def _returns_dir(returns_dir):
    return returns_dir


@pytest.mark.slow  # times each check; some files come from LibreOffice
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_upload_page_answers_every_hostile_file_clearly(case: Case, hostile_dir, upload_app):
    app, client, db = upload_app
    path = case.build(hostile_dir)
    country = case.args[case.args.index("--country") + 1] if "--country" in case.args else None
    year = int(case.args[case.args.index("--year") + 1]) if "--year" in case.args else None
    content = "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()
    before = query(db, "SELECT count(*) FROM submissions")[0][0]

    started = time.monotonic()
    response = call_callback(client, app, "check_uploads", [[content]], [[path.name], country, year, None])
    seconds = time.monotonic() - started

    text = response.get_data(as_text=True)
    assert response.status_code == 200 and seconds < TIME_LIMIT_S, (response.status_code, seconds, text[:300])
    assert INTERNAL_ERROR not in text and "Traceback" not in text, text[:500]
    assert path.name in text
    recorded = query(db, "SELECT file_name, status FROM submissions ORDER BY submission_id")[before:]
    if any(phrase in text for phrase in REFUSED_BEFORE_READING):
        assert case.status == "rejected" or case.name == ".xls renamed .xlsx", text[:500]
        assert recorded == []  # refused by the page before reading: not an upload
    elif case.status == "rejected":
        assert recorded == [(path.name, "rejected")]
        message = query(db, "SELECT message FROM issues i JOIN submissions s USING (submission_id) "
                            "WHERE s.file_name = ? AND i.code = ?", [path.name, case.code])  # fmt: skip
        assert message and message[0][0] in _strings(response.get_json())  # shown as recorded
    else:
        assert recorded == [(path.name, "unchanged")], text[:500]


def test_the_exported_tables_are_unchanged_after_every_upload_check(upload_app, baseline_export, tmp_path):
    _app, _client, db = upload_app
    assert exported_tables(db, tmp_path / "export") == baseline_export


def _strings(node) -> set[str]:
    """Every text in a callback's JSON answer (Dash escapes characters such as / in the raw body)."""
    if isinstance(node, str):
        return {node}
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return set().union(*(_strings(value) for value in values)) if values else set()
