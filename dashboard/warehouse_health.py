"""Whether the dashboard can read its warehouse; when it cannot, every page says so and what the admin should do."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import duckdb
import flask

from dashboard.data import connection
from etl import warehouse
from etl.warehouse import integrity
from etl.warehouse.upgrade import SchemaRefused, recorded_version

log = logging.getLogger(__name__)

UNREADABLE = "The monitor's data cannot be read just now."
NEWER = "The monitor's data was written by a newer release of the monitor than this one."
# What a visitor is told to pass on; never the file's path nor DuckDB's words (they are for the server's log).
ADVICE = {
    UNREADABLE: (
        "If you administer the monitor: on the server, run `aptmon check` to see what is damaged, then put the "
        "latest backup back with `aptmon restore FOLDER --replace` (stop the server first) and start it again."
    ),
    NEWER: (
        "If you administer the monitor: install the release that wrote the data (or a later one), or put back a "
        "backup made by this release with `aptmon restore FOLDER --replace`."
    ),
}
PUBLIC_PREFIXES = ("/assets/",)
_KEPT_VERSIONS = 4
# Data version -> what is wrong with it ("" when it reads): each worker probes a version once.
_found: dict[tuple, str] = {}
_found_lock = threading.Lock()


def problem() -> str | None:
    """What keeps the warehouse from being read, as a sentence for visitors, or None when it reads."""
    path = connection.warehouse_file()
    version = connection.warehouse_version(path)
    with _found_lock:
        known = _found.get(version)
    if known is not None:
        return known or None
    damaged_at_start = os.environ.get(integrity.DAMAGED_VERSION_ENV)
    found = UNREADABLE if damaged_at_start == json.dumps(list(version)) else _probe(path)
    with _found_lock:
        _found[version] = found or ""
        while len(_found) > _KEPT_VERSIONS:
            _found.pop(next(iter(_found)))
    return found


def mark_unreadable(exc: BaseException) -> None:
    """Record that the current version of the warehouse failed a read: pages say so from the next request on."""
    log.error("The warehouse cannot be read: %s", exc)
    version = connection.warehouse_version()
    with _found_lock:
        _found[version] = UNREADABLE


def _probe(path: str) -> str | None:
    """Open the warehouse and read back the tables every page and the sign-in read (small ones, so it is quick);
    the metric tables are read by pages, and a damaged block there is caught where it is met (init_app)."""
    if not Path(path).exists():
        return None  # no warehouse yet: the pages say to run `aptmon init`, as before
    try:
        with warehouse.read_connection(path) as con:
            recorded_version(con, Path(path))
            findings = integrity.read_back(con, integrity.FIRST_READ_TABLES)
    except SchemaRefused as exc:
        log.error("%s", exc)
        return NEWER
    except warehouse.WarehouseBusy:
        return None  # busy is not broken: a page waits or says so itself
    except warehouse.WarehouseError as exc:
        if exc.__cause__ is not None and integrity.is_damage(exc.__cause__):
            log.error("The warehouse cannot be opened: %s", exc)
            return UNREADABLE
        return None
    except duckdb.Error as exc:
        if integrity.is_damage(exc):
            log.error("The warehouse cannot be read: %s", exc)
            return UNREADABLE
        raise
    if findings:
        log.error("The warehouse cannot be read: %s", "; ".join(map(str, findings)))
        return UNREADABLE
    return None


def init_app(server: flask.Flask) -> None:
    """Answer every request but the stylesheets with the page below while the warehouse cannot be read, and turn a
    damaged block met by any page into that page (never a traceback), before sign-in reads the users table."""
    server.before_request_funcs.setdefault(None, []).insert(0, _gate)
    server.register_error_handler(duckdb.Error, _on_duckdb_error)


def _gate():
    if flask.request.path.startswith(PUBLIC_PREFIXES):
        return None
    found = problem()
    return None if found is None else answer(found)


def _on_duckdb_error(exc: duckdb.Error):
    if integrity.is_damage(exc):
        mark_unreadable(exc)
        return answer(UNREADABLE)
    log.exception("A query failed", exc_info=exc)
    return flask.Response(
        "Something went wrong on the server; it is logged. Try again, or tell the administrator.",
        status=500,
        mimetype="text/plain",
    )


def answer(message: str) -> flask.Response:
    """The 503 answer: plain text to Dash's callbacks and other requests, the page to a browser asking for HTML."""
    text = f"{message} {ADVICE[message]}"
    if flask.request.path.startswith("/_dash-") or not flask.request.accept_mimetypes.accept_html:
        response = flask.Response(text, status=503, mimetype="text/plain")
    else:
        html = flask.render_template_string(_PAGE, message=message, advice=ADVICE[message])
        response = flask.Response(html, status=503, mimetype="text/html")
    response.headers["Retry-After"] = "300"
    return response


_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Data cannot be read - APT Work Plan Monitor</title>
  <link rel="stylesheet" href="/assets/00-bootstrap.min.css">
</head>
<body class="bg-light">
  <nav class="navbar navbar-dark bg-primary" aria-label="Site"><div class="container">
    <span class="navbar-brand">APT Work Plan Monitor</span>
  </div></nav>
  <main class="container py-5" style="max-width: 40rem">
    <h1 class="h3 mb-3">The data cannot be read</h1>
    <div class="alert alert-danger" role="alert" id="data-unreadable">{{ message }}</div>
    <p>No page of the monitor can be shown until an administrator puts it right. Please tell the ASEAN
      Secretariat.</p>
    <p>{{ advice }}</p>
  </main>
</body>
</html>
"""
