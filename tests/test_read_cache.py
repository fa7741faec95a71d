"""The read path's cache: a repeated question is answered without the warehouse, never past a commit or a session."""

from __future__ import annotations

import json
import threading
import time

import pytest
from support.dash_requests import call_callback, csrf_header, sign_in
from support.factories import add_return
from support.signing_in import add_test_users

from dashboard import read_cache
from etl import warehouse


@pytest.fixture
def app(warehouse_file):
    add_test_users(warehouse_file)
    add_return(warehouse_file, "KHM", 2015, [("A1", "ongoing", ["5.1"])])
    warehouse.refresh_snapshots(warehouse_file)  # else the first read starts a background rebuild: a new version
    from dashboard.app import create_app

    app = create_app(warehouse_file)
    read_cache.clear()
    return app


def returns_received(response) -> str:
    """The 'Returns received' card's figure in the reporting callback's answer, e.g. "1 / 39"."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = json.dumps(response.get_json()["response"]["reporting-cards"])
    return text.split('"Returns received"', 1)[1].split('"children": "', 1)[1].split('"', 1)[0]


def reporting(client, app, year="2015", country="ALL"):
    return call_callback(client, app, "update_reporting", [year, country], state=[None])  # None: the default plan


def held_by_a_writer(path, seconds: float) -> threading.Event:
    """Hold the warehouse's writer lock on another thread for `seconds`; the event is set once it is held."""
    held = threading.Event()

    def write():
        with warehouse.write_connection(path):
            held.set()
            time.sleep(seconds)

    threading.Thread(target=write, daemon=True).start()
    assert held.wait(30)
    return held


@pytest.mark.slow  # times the answer against a 3 s writer
def test_a_repeated_question_is_answered_while_a_writer_holds_the_warehouse(app, warehouse_file):
    client = sign_in(app.server.test_client(), "viewer")
    first = reporting(client, app)
    assert returns_received(first) == "1 / 39"
    assert client.get("/_dash-layout").status_code == 200
    held_by_a_writer(warehouse_file, 3.0)
    started = time.perf_counter()
    again = reporting(client, app)
    layout = client.get("/_dash-layout")
    # A reader that opened DuckDB would wait the writer's 3 s out (the lock): a cached answer does not.
    assert time.perf_counter() - started < 1.5
    assert again.get_data() == first.get_data()
    assert layout.status_code == 200


def test_every_commit_makes_the_next_answer_new(app, warehouse_file):
    client = sign_in(app.server.test_client(), "viewer")
    assert returns_received(reporting(client, app)) == "1 / 39"
    before = warehouse.data_version(warehouse_file)
    add_return(warehouse_file, "JPN", 2015, [("J1", "completed", ["5.2"])])
    assert warehouse.data_version(warehouse_file) != before
    assert returns_received(reporting(client, app)) == "2 / 39"
    # A write whose transaction is rolled back still bumps the version: a spare recomputation, never a stale one.
    version = warehouse.data_version(warehouse_file)
    with pytest.raises(RuntimeError), warehouse.write_connection(warehouse_file):
        raise RuntimeError("abandoned")
    assert warehouse.data_version(warehouse_file) != version


def test_one_question_asked_at_once_by_two_visitors_is_computed_once(app, monkeypatch):
    """After a commit every open page asks at once: the second asker of a question waits for the first's answer."""
    from dashboard.data import connection

    viewers = [sign_in(app.server.test_client(), "viewer") for _ in range(2)]
    real, reads = connection._run, []

    def slow_read(path, work):
        reads.append(threading.current_thread().name)
        time.sleep(0.2)  # long enough for the other visitor's request to arrive meanwhile
        return real(path, work)

    connection.clear_cache()
    monkeypatch.setattr(connection, "_run", slow_read)
    alone = reporting(viewers[0], app)
    reads_for_one = len(reads)
    assert reads_for_one > 0 and alone.headers[read_cache.CACHE_HEADER] == "miss"
    read_cache.clear()
    connection.clear_cache()
    reads.clear()
    start, answers = threading.Barrier(2), {}

    def ask(number):
        start.wait()
        answers[number] = reporting(viewers[number], app)

    threads = [threading.Thread(target=ask, args=(n,), name=f"visitor-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reads) == reads_for_one  # read once, by one of the two
    assert sorted(a.headers[read_cache.CACHE_HEADER] for a in answers.values()) == ["hit", "miss"]
    assert answers[0].get_data() == answers[1].get_data() == alone.get_data()
    assert read_cache._turns == {}  # nothing kept per question once answered


def test_answers_are_kept_per_role_and_country(app):
    viewer = sign_in(app.server.test_client(), "viewer")
    analyst = sign_in(app.server.test_client(), "analyst")
    for client in (viewer, analyst):
        call_callback(client, app, "update_reporting", ["2015", "KHM"], state=[None])
    keys = [key for key in read_cache._cache.cache._cache if key.startswith("answer:")]
    assert len(keys) == 2  # the same question from two scopes: two answers, neither served to the other


def test_a_signed_out_session_gets_no_cached_answer(app):
    client = sign_in(app.server.test_client(), "viewer")
    assert reporting(client, app).status_code == 200
    # The navigation's Sign out form posts the session's token.
    assert client.post("/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    refused = reporting(client, app)
    assert refused.status_code == 401


def test_a_role_refused_by_a_callback_is_refused_again_when_its_answer_is_cached(app):
    admin = sign_in(app.server.test_client(), "admin")
    viewer = sign_in(app.server.test_client(), "viewer")
    assert call_callback(admin, app, "filter_submissions", ["ALL"]).status_code == 200
    assert call_callback(viewer, app, "filter_submissions", ["ALL"]).status_code == 403


def test_an_action_is_never_answered_from_the_cache(app):
    from dashboard.read_cache import _callback_of

    sign_in(app.server.test_client(), "viewer").get("/_dash-layout")  # Dash adds its page callbacks on first use
    assert "upload-results.children" in app.callback_map
    body = {
        "output": "upload-results.children",
        "inputs": [{"id": "upload", "property": "contents", "value": ["data:,x"]}],
    }
    assert _callback_of(app, json.dumps(body).encode()) is None
    template = next(key for key in app.callback_map if key.startswith("template-link"))
    body = {"output": template, "inputs": [{"id": "template-year", "property": "value", "value": 2016}]}
    assert _callback_of(app, json.dumps(body).encode()) is not None


def _csrf(client) -> str:
    with client.session_transaction() as session:
        return session["csrf_token"]


def test_the_page_shell_is_kept_per_session_and_made_anew_after_a_commit(app, warehouse_file):
    viewer = sign_in(app.server.test_client(), "viewer")
    admin = sign_in(app.server.test_client(), "admin")
    first = viewer.get("/_dash-layout").get_data()
    assert viewer.get("/_dash-layout").get_data() == first
    # Each session's shell names its own user and carries its own sign-out token: never another session's.
    assert b'"viewer"' in first and _csrf(viewer).encode() in first
    shell = admin.get("/_dash-layout").get_data()
    assert b'"admin"' in shell and _csrf(admin).encode() in shell and _csrf(viewer).encode() not in shell
    assert b"Demo data" not in first
    with warehouse.write_connection(warehouse_file) as con:
        con.execute("UPDATE submissions SET is_synthetic = true")
    assert b"Demo data" in viewer.get("/_dash-layout").get_data()  # the banner follows the commit at once


# The six pages the read path is measured on (benchmarks/bench_outside_replay.py), and the callback that reads
# data on each, by the Python function Dash calls: each must be among the page's requests and served from cache.
PAGES_AND_THEIR_DATA_CALLBACKS = {
    "/": {"update_overview"},
    "/heatmap": {"update_heatmap"},
    "/measures": {"update_treemap", "update_table"},
    "/measure/5.1": {"update_measure", "update_measure_activities"},
    "/country?country=KHM": {"update_country", "update_country_activities"},
    "/reporting": {"update_reporting"},
}


def _function_name(app, body: dict) -> str:
    function = app.callback_map[body["output"]]["callback"]
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function.__name__


@pytest.mark.parametrize("path", list(PAGES_AND_THEIR_DATA_CALLBACKS))
def test_every_callback_a_page_sends_is_a_cache_hit_the_second_time_with_or_without_compression(app, path):
    from support.page_callbacks import initial_requests

    client = sign_in(app.server.test_client(), "viewer")
    # Those opening the page sends, and those a change of filter sends (a page drawn with its layout sends few).
    bodies = initial_requests(client, path, include_prevented=True)
    assert PAGES_AND_THEIR_DATA_CALLBACKS[path] <= {_function_name(app, body) for body in bodies}
    # A client that sends no Accept-Encoding (a script, a probe, a proxy that strips it) first, then a browser.
    for encoding in (None, "gzip, deflate, br"):
        read_cache.clear()
        headers = csrf_header(client) | ({"Accept-Encoding": encoding} if encoding else {})
        for body in bodies:
            name = (_function_name(app, body), encoding)
            first = client.post("/_dash-update-component", json=body, headers=headers)
            second = client.post("/_dash-update-component", json=body, headers=headers)
            assert first.status_code == 200, (name, first.get_data(as_text=True)[:300])
            assert first.headers[read_cache.CACHE_HEADER] == "miss", name
            assert second.status_code == 200 and second.headers[read_cache.CACHE_HEADER] == "hit", name
            # Compressed when asked for (an answer under Flask-Compress's 500 bytes is sent as it is), as the first.
            assert second.headers.get("Content-Encoding") in (("br", None) if encoding else (None,)), name
            assert second.headers.get("Content-Encoding") == first.headers.get("Content-Encoding"), name
            # The cached answer is the computed one, byte for byte once decoded.
            assert _decoded(second) == _decoded(first), name
            assert "response" in json.loads(_decoded(second)), name


def _decoded(response) -> bytes:
    import brotli

    data = response.get_data()
    return brotli.decompress(data) if response.headers.get("Content-Encoding") == "br" else data


def test_an_answer_computed_without_compression_is_served_compressed_from_the_cache_and_back(app):
    from support.page_callbacks import initial_requests

    client = sign_in(app.server.test_client(), "viewer")
    requests = initial_requests(client, "/heatmap", include_prevented=True)
    (body,) = [b for b in requests if _function_name(app, b) == "update_heatmap"]
    plain = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert plain.headers[read_cache.CACHE_HEADER] == "miss"
    for encoding, sent in (("gzip", "gzip"), ("br", "br"), (None, None)):
        again = client.post(
            "/_dash-update-component",
            json=body,
            headers=csrf_header(client) | ({"Accept-Encoding": encoding} if encoding else {}),
        )
        assert again.headers[read_cache.CACHE_HEADER] == "hit"
        assert again.headers.get("Content-Encoding") == sent


def test_an_action_carries_no_cache_header(app):
    client = sign_in(app.server.test_client(), "viewer")
    client.get("/_dash-layout")
    body = {
        "output": "upload-results.children",
        "outputs": {"id": "upload-results", "property": "children"},
        "inputs": [{"id": "upload", "property": "contents", "value": None}],
        "state": [],
        "changedPropIds": [],
    }
    answer = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert read_cache.CACHE_HEADER not in answer.headers
