"""Refusal pages in the app's own layout: a forbidden or missing download says why, under the app's navigation."""

from __future__ import annotations

from html import escape

import dash
import flask
from werkzeug.exceptions import HTTPException

from dashboard.security import auth

# The refusals a page (a download link, an address typed by hand) can meet, each with a heading and what to do.
REFUSALS = {
    400: ("This download needs another choice", None),
    401: ("Sign in first", "Sign in, then follow the link again."),
    403: (
        "Not available to your account",
        "Your role does not open this file (an analyst's files are their own country's). Sign in with an account "
        "that does, or ask the ASEAN Secretariat's administrator.",
    ),
    404: (
        "Nothing to download here",
        "The file is not here: a checked upload's workbook is kept for a day, and an address typed by hand may be "
        "wrong. Go back to the page you came from and follow its link again.",
    ),
    405: ("This address cannot be used that way", "Follow a link on one of the monitor's pages instead."),
    413: ("The request is too large", "Upload a smaller file, or split the return."),
}  # 429 is the sign-in throttle's own (dashboard/security/auth.py): it answers with the sign-in form
# Dash's own requests (callbacks, its layout and scripts) and static files keep the answers their callers read.
_NOT_PAGES = ("/_dash-", "/_reload-hash", "/_favicon")


def init_app(server: flask.Flask) -> None:
    """Answer every refusal a browser navigates to with a page of the app, keeping its status code."""
    for code in REFUSALS:
        if code not in server.error_handler_spec.get(None, {}):  # a handler of its own (another module's) stays
            server.register_error_handler(code, refusal)


def refusal(error: HTTPException):
    """The refusal as a page of the app when a browser asked for a page; the plain answer to anything else."""
    request = flask.request
    wants_page = (
        request.method == "GET"
        and not request.path.startswith(_NOT_PAGES + auth.PUBLIC_PREFIXES)
        and request.accept_mimetypes.accept_html
    )
    if not wants_page:
        return error
    heading, advice = REFUSALS[error.code]
    # A 400's description is the monitor's own message ("Choose a reporting year from 2013 to 2017."), never the
    # framework's; the others get the advice above.
    detail = error.description if error.code == 400 and error.description else advice
    response = flask.make_response(_page(heading, detail or ""), error.code)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def _page(heading: str, detail: str) -> str:
    app = dash.get_app()
    styles = "".join(
        f'<link rel="stylesheet" href="{escape(app.get_asset_url(name))}">'
        for name in ("00-bootstrap.min.css", "10-dashboard.css")
    )
    links = "".join(
        f'<li class="nav-item"><a class="nav-link" href="{escape(page["relative_path"])}">{escape(page["name"])}</a>'
        "</li>"
        for page in dash.page_registry.values()
        if auth.may_see_page(page) and not page.get("path_template")
    )
    user = auth.signed_in_user()
    account = (
        f'<span class="navbar-text">{escape(user.username)}</span>'
        if user is not None
        else f'<a class="nav-link" href="{escape(auth.LOGIN_PATH)}">Sign in</a>'
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)} - APT Work Plan Monitor</title>{styles}</head><body>"
        '<a class="visually-hidden-focusable" href="#main-content">Skip to the main content</a>'
        '<nav class="navbar navbar-expand-lg navbar-dark bg-primary" aria-label="Pages">'
        '<div class="container-xxl"><a class="navbar-brand" href="/">APT Work Plan Monitor</a>'
        f'<ul class="navbar-nav me-auto">{links}</ul>{account}</div></nav>'
        '<main id="main-content" tabindex="-1"><div class="container-xxl py-3">'
        f'<h1 class="h2">{escape(heading)}</h1><p class="refusal-detail">{escape(detail)}</p>'
        '<p><a href="/">Go to the overview</a></p></div></main></body></html>'
    )
