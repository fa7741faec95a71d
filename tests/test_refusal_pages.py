"""A refused download answers with a page of the app (its navigation, a heading, what to do), keeping its status."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_forbidden_download_shows_the_apps_page_not_the_frameworks(live_app, page):
    # The viewer of the page fixture may not download a return template.
    response = page.goto(f"{live_app}/download/template?year=2015")
    assert response.status == 403
    assert page.title() == "Not available to your account - APT Work Plan Monitor"
    assert page.inner_text("h1") == "Not available to your account"
    assert "Forbidden" not in page.inner_text("body")
    assert "Your role does not open this file" in page.inner_text("main")
    # The app's navigation, styled by its own stylesheet, with the pages a viewer may open.
    navigation = page.locator("nav.navbar")
    assert navigation.locator(".navbar-brand").inner_text() == "APT Work Plan Monitor"
    assert navigation.get_by_role("link", name="Overview").count() == 1
    assert navigation.get_by_role("link", name="Upload").count() == 0
    background = page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.get_attribute("html", "lang") == "en"
    # Chromium logs the 403 itself; nothing else may go wrong on the page.
    assert [error for error in page.console_errors if "status of 403" not in error] == []


def test_a_missing_file_and_a_bad_choice_say_what_to_do(live_app, signed_in_page):
    analyst = signed_in_page("analyst")
    missing = analyst.goto(f"{live_app}/download/feedback/{'0' * 32}")
    assert missing.status == 404
    assert analyst.inner_text("h1") == "Nothing to download here"
    wrong = analyst.goto(f"{live_app}/download/template?year=1999")
    assert wrong.status == 400
    assert analyst.inner_text(".refusal-detail").startswith("Choose a reporting year from 2013 to 2017")


def test_a_callback_refusal_stays_a_plain_answer(live_app, page):
    # Dash's own requests are not pages: a refused callback keeps its bare answer for the renderer.
    response = page.request.post(f"{live_app}/_dash-update-component", data="{}")
    assert response.status in (400, 403) and "<nav" not in response.text()
