"""Progress for slow downloads: a link says what is being made while it is made, and when it has arrived.

The tables, the progress report and the Word report are made on request (up to several seconds for the Word
report). A link marked with `progress_link_attributes` gets a token in its address when clicked
(assets/30-download-progress.js); the status region beside it says the file is being made, and the download's
answer sets a short-lived cookie carrying that token, which the script sees and says the file has arrived.
"""

from __future__ import annotations

import re

import flask

PROGRESS_PARAMETER = "progress"
PROGRESS_COOKIE = "aptmon_download"
# The token the script makes: a few lower-case letters and digits, never anything that could carry markup.
_TOKEN = re.compile(r"[a-z0-9]{4,40}")
_COOKIE_SECONDS = 120


def progress_link_attributes(status_id: str, making: str) -> dict[str, str]:
    """The attributes of a download link whose progress is said in the element `status_id` (an aria-live region)."""
    return {"data-progress": making, "data-progress-status": status_id}


def init_app(server: flask.Flask, endpoints: set[str]) -> None:
    """Have the answers of `endpoints` (the download routes) acknowledge the token a progress link sent."""

    @server.after_request
    def acknowledge(response: flask.Response) -> flask.Response:
        token = flask.request.args.get(PROGRESS_PARAMETER, "")
        if flask.request.endpoint in endpoints and _TOKEN.fullmatch(token):
            # Readable by the page's script (not HttpOnly), sent to this site alone, gone in two minutes.
            response.set_cookie(
                PROGRESS_COOKIE,
                token,
                max_age=_COOKIE_SECONDS,
                httponly=False,
                samesite="Strict",
                secure=flask.current_app.session_interface.get_cookie_secure(flask.current_app),
            )
        return response
