"""The admin's users page in Chromium: every action works, is recorded with who did it and when, and only an admin
may open the page or call its callback."""

from __future__ import annotations

import re

import pytest
from support.signing_in import TEST_USERS

from etl import accounts

pytestmark = pytest.mark.browser

STRONG = "quiet harbour lantern 47 violet"
OTHER_STRONG = "copper meadow whistle 83 falcon"


def _users_page(signed_in_page, live_app):
    page = signed_in_page("admin")
    page.goto(f"{live_app}/users")
    page.get_by_role("heading", name="Add a user").wait_for()
    return page


def _said(page, text: str) -> None:
    page.locator("#users-message").get_by_text(re.compile(re.escape(text))).wait_for(timeout=20000)


def _recorded(page, username: str, action: str) -> None:
    """The changes table shows this change, made by the admin."""
    row = page.locator("#users-changes .ag-row").filter(has_text=username).filter(has_text=action).first
    row.wait_for(timeout=20000)
    assert TEST_USERS["admin"][0] in row.inner_text()


def test_an_admin_adds_a_user_under_the_password_policy(signed_in_page, live_app):
    page = _users_page(signed_in_page, live_app)
    page.get_by_label("User name").fill("analyst-lao")
    page.get_by_label("Role", exact=True).select_option("analyst")
    page.get_by_label("Country (analysts only)").select_option("LAO")
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_role("button", name="Add user").click()
    _said(page, "The password is too easy to guess")
    assert accounts.get_user("analyst-lao", live_app.warehouse) is None

    page.get_by_label("Password", exact=True).fill(STRONG)
    page.get_by_role("button", name="Add user").click()
    _said(page, "analyst-lao was added as analyst for LAO.")
    added = accounts.get_user("analyst-lao", live_app.warehouse)
    assert (added.role, added.country) == ("analyst", "LAO")
    assert accounts.authenticate("analyst-lao", STRONG, live_app.warehouse).ok
    page.locator("#users-table .ag-row").filter(has_text="analyst-lao").first.wait_for()
    _recorded(page, "analyst-lao", "added")
    # The password typed is not sent back to the page.
    assert page.get_by_label("Password", exact=True).input_value() == ""


def test_an_admin_changes_a_role_resets_a_password_disables_and_enables(signed_in_page, live_app):
    page = _users_page(signed_in_page, live_app)
    evaluator = TEST_USERS["evaluator"][0]
    page.get_by_label("User", exact=True).select_option(evaluator)

    page.get_by_label("New role").select_option("analyst")
    page.get_by_label("New country").select_option("THA")
    page.get_by_role("button", name="Change role and country").click()
    _said(page, f"{evaluator} is now analyst for THA")
    changed = accounts.get_user(evaluator, live_app.warehouse)
    assert (changed.role, changed.country) == ("analyst", "THA")
    _recorded(page, evaluator, "role changed")

    page.get_by_label("New password").fill(OTHER_STRONG)
    page.get_by_role("button", name="Reset password").click()
    _said(page, f"{evaluator}'s password was reset")
    assert accounts.authenticate(evaluator, OTHER_STRONG, live_app.warehouse).ok
    assert not accounts.authenticate(evaluator, TEST_USERS["evaluator"][1], live_app.warehouse).ok
    _recorded(page, evaluator, "password reset")

    page.get_by_role("button", name="Disable").click()
    _said(page, f"{evaluator} is disabled")
    assert not accounts.authenticate(evaluator, OTHER_STRONG, live_app.warehouse).ok
    page.locator("#users-table .ag-row").filter(has_text=evaluator).filter(has_text="disabled").first.wait_for()
    _recorded(page, evaluator, "disabled")

    page.get_by_role("button", name="Enable").click()
    _said(page, f"{evaluator} is enabled again")
    assert accounts.authenticate(evaluator, OTHER_STRONG, live_app.warehouse).ok
    _recorded(page, evaluator, "enabled")

    # An admin cannot lock themselves out.
    page.get_by_label("User", exact=True).select_option(TEST_USERS["admin"][0])
    page.get_by_role("button", name="Disable").click()
    _said(page, "You cannot change your own role or disable yourself")
    assert not accounts.get_user(TEST_USERS["admin"][0], live_app.warehouse).disabled


def test_ending_a_users_sessions_signs_them_out_and_disabling_keeps_them_out(signed_in_page, live_app, browser):
    viewer_page = signed_in_page("viewer")
    viewer_page.goto(f"{live_app}/measures")
    assert "/login" not in viewer_page.url
    page = _users_page(signed_in_page, live_app)
    viewer = TEST_USERS["viewer"][0]
    page.get_by_label("User", exact=True).select_option(viewer)
    page.get_by_role("button", name="End sessions").click()
    _said(page, f"Every session of {viewer} has ended")
    _recorded(page, viewer, "sessions ended")
    viewer_page.goto(f"{live_app}/measures")
    viewer_page.wait_for_url(re.compile(r"/login"))

    page.get_by_role("button", name="Disable").click()
    _said(page, f"{viewer} is disabled")
    context = browser.new_context()
    try:
        again = context.new_page()
        again.goto(f"{live_app}/login")
        again.fill("#username", viewer)
        again.fill("#password", TEST_USERS["viewer"][1])
        again.click("#login-form button[type=submit]")
        again.wait_for_load_state("load")
        assert "/login" in again.url  # refused like a wrong password
    finally:
        context.close()


@pytest.mark.parametrize("role", ["viewer", "analyst", "evaluator"])
def test_only_an_admin_opens_the_users_page(signed_in_page, live_app, role):
    page = signed_in_page(role)
    page.goto(f"{live_app}/users")
    page.get_by_text("Your role does not allow you to manage users").wait_for()
    assert page.locator("#users-add").count() == 0


@pytest.mark.slow  # starts the app
@pytest.mark.parametrize("role", ["viewer", "analyst", "evaluator"])
def test_the_users_callback_refuses_every_other_role(warehouse_file, role):
    from support.dash_requests import call_callback
    from support.dash_requests import sign_in as sign_in_client
    from support.signing_in import add_test_users

    from dashboard.app import create_app

    add_test_users(warehouse_file)
    app = create_app(warehouse_file)
    client = sign_in_client(app.server.test_client(), role)
    answer = call_callback(client, app, "change_users", [0, 0, 0, 0, 1, 0],
                           [None, "viewer", "", None, "admin", "viewer", "", ""], changed=4)  # fmt: skip
    assert answer.status_code == 403
    assert not accounts.get_user("admin", warehouse_file).disabled
    assert [c.action for c in accounts.user_changes(warehouse_file)] == ["added"] * len(TEST_USERS)
