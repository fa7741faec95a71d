"""Slow actions say they are under way: the downloads made on request, and the checking and loading of a return."""

from __future__ import annotations

import json

import pytest
from support.dash_requests import sign_in
from support.factories import add_return
from support.signing_in import add_test_users

from dashboard.download_progress import PROGRESS_COOKIE


@pytest.fixture
def app(warehouse_file):
    add_test_users(warehouse_file)
    add_return(warehouse_file, "KHM", 2015, [("A1", "ongoing", ["5.1"])])
    from dashboard.app import create_app

    return create_app(warehouse_file)


def test_a_download_acknowledges_the_token_its_link_sent_and_nothing_else(app):
    client = sign_in(app.server.test_client(), "evaluator")
    answer = client.get("/download/export?as_of=2015&format=csv&progress=k3x9a1b2")
    assert answer.status_code == 200
    cookie = client.get_cookie(PROGRESS_COOKIE)
    assert cookie is not None and cookie.value == "k3x9a1b2" and not cookie.http_only and cookie.same_site == "Strict"
    # Anything but a plain token is never echoed back into a cookie.
    client.delete_cookie(PROGRESS_COOKIE)
    assert client.get('/download/export?as_of=2015&format=csv&progress=a"b;c').status_code == 200
    assert client.get_cookie(PROGRESS_COOKIE) is None
    # Nor is it set by any other route.
    assert client.get("/_dash-layout?progress=k3x9a1b2").status_code == 200
    assert client.get_cookie(PROGRESS_COOKIE) is None


def test_the_upload_page_says_in_words_that_a_return_is_being_checked(app):
    client = sign_in(app.server.test_client(), "analyst")
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/upload"}).get_data(as_text=True)
    spinner = json.loads(layout)
    texts = _loading_messages(spinner)
    assert "Checking the returns against the template and the catalogue..." in texts


def _loading_messages(node) -> list[str]:
    """The words of every dcc.Loading's custom spinner that is a status region."""
    found = []
    if isinstance(node, list):
        for child in node:
            found += _loading_messages(child)
    elif isinstance(node, dict):
        props = node.get("props", {})
        spinner = props.get("custom_spinner") if node.get("type") == "Loading" else None
        if spinner and spinner["props"].get("role") == "status":
            found += [c for c in spinner["props"]["children"] if isinstance(c, str)]
        for value in props.values():
            if isinstance(value, dict | list):
                found += _loading_messages(value)
    return found


@pytest.mark.browser
def test_a_slow_download_says_it_is_being_made_and_then_that_it_arrived(live_app, signed_in_page, tmp_path):
    add_return(live_app.warehouse, "KHM", 2015, [("A1", "ongoing", ["5.1"])])
    page = signed_in_page("evaluator")
    page.goto(f"{live_app}/export")
    page.wait_for_selector("#export-status[role=status][aria-live=polite]", state="attached", timeout=15000)
    # Every text the status region shows, in order, whatever the timing of the download.
    page.evaluate(
        """() => { window.statusTexts = [];
                   new MutationObserver(() => window.statusTexts.push(document.getElementById('export-status')
                       .textContent)).observe(document.getElementById('export-status'),
                       {childList: true, characterData: true, subtree: true}); }"""
    )
    with page.expect_download() as tables:
        page.click("#export-tables-button")
    assert tables.value.suggested_filename.endswith(".xlsx")
    page.wait_for_function("() => document.getElementById('export-status').textContent.startsWith('Ready')")
    texts = page.evaluate("() => window.statusTexts")
    assert texts[0] == "Making the tables: this takes a few seconds."
    assert texts[-1] == "Ready: your browser has the file (see its downloads)."
    assert page.get_attribute("#export-tables-button", "aria-busy") is None
    assert page.console_errors == []
