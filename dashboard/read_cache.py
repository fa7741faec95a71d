"""The read path's caches: a callback answer is kept per warehouse data version, request and the reader's scope.

Every answer a reader gets is a function of the warehouse's data version (etl.warehouse.data_version, bumped
by every commit), the callback's inputs (the request body) and the user's role and country; so a callback
asked the same question again within one version is served from here without running (no DuckDB, no plotly,
no JSON encoding). This wraps Dash's one callback endpoint, so every callback of every page is covered
without a decorator of its own, except:

- callbacks fired by an action (a click, an upload, a submit): they are meant to do something each time;
- callbacks marked with @read_cache.uncached (put it under @callback);
- answers that are not 200/204, that set a cookie, or that changed the session.

The layout (`/_dash-layout`: the navigation, the demo banner, the page opened) is kept the same way, per session
and page address. Each answer that may be kept says in its X-Aptmon-Cache header whether it came from here ("hit")
or was computed ("miss"), whatever Accept-Encoding the client sent.

Sign-in, session and role checks are never cached: the sign-in check runs before the endpoint on every
request, and a callback's declared roles (auth.require_role) are checked again before a cached answer is
given. Responses are compressed by Flask-Compress; a cached answer's compressed bytes are kept too.
Static bundles (Dash's, plotly.js, the assets) carry fingerprinted names and are sent with a one-year
immutable Cache-Control, so a browser's second visit asks the server for none of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Callable
from datetime import date

import dash
import flask
from flask_caching import Cache
from flask_compress import Compress

from dashboard.data import connection

# Dash properties a user's action sets: a callback they fire must run every time.
ACTION_PROPERTIES = frozenset(
    {
        "n_clicks", "n_clicks_timestamp", "n_submit", "n_submit_timestamp", "n_blur", "n_blur_timestamp",
        "n_dblclick", "contents", "filename", "last_modified", "submit_n_clicks", "cancel_n_clicks", "n_intervals",
    }
)  # fmt: skip
# Enough for every page's callbacks over every filter a session tries; cleared whenever the data version moves.
MAX_ANSWERS = 2000
ONE_YEAR_S = 31_536_000
ONE_DAY_S = 86_400
_NOT_CACHED = "-"
# Says whether an answer came from the cache ("hit") or was computed ("miss"); absent where no cache applies.
CACHE_HEADER = "X-Aptmon-Cache"

_cache = Cache()
_last_version: list = [None]  # the data version the cached answers belong to (one per process)
# Each answer being computed: its lock and how many threads hold or wait for it (see _cached_response).
_turns: dict[str, tuple[threading.Lock, int]] = {}
_turns_lock = threading.Lock()


def uncached(function: Callable) -> Callable:
    """Mark a callback whose answer must be computed on every call (put it under @callback)."""
    function.uncached = True
    return function


def init_app(app: dash.Dash) -> None:
    """Cache the app's callback answers and compress its responses; call after auth.init_app."""
    server = app.server
    _cache.init_app(
        server, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": MAX_ANSWERS, "CACHE_DEFAULT_TIMEOUT": 0}
    )
    server.config.update(
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript", "application/json"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_CACHE_BACKEND=_CompressedAnswers,
        COMPRESS_CACHE_KEY=_compressed_key,
    )
    Compress(server)
    # Registered after Flask-Compress, so it runs before it (Flask runs after-request hooks in reverse).
    server.after_request(_asset_in_memory)
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    server.view_functions[endpoint] = _answering_from_cache(app, server.view_functions[endpoint])
    endpoint = app.config.routes_pathname_prefix + "_dash-layout"
    server.view_functions[endpoint] = _layout_from_cache(server.view_functions[endpoint])
    # Last of the after-request hooks (Flask runs them in reverse), so its Cache-Control is the one sent.
    server.after_request_funcs.setdefault(None, []).insert(0, _long_lived_static)
    server.wsgi_app = _static_without_cookie_vary(server.wsgi_app)


def precompress_bundles(app: dash.Dash) -> None:
    """Compress every script and stylesheet the page links to now, before the worker takes a request: else the
    first browser to open a page on each worker waits while 5 MiB of bundles are compressed (about 0.2 s of CPU).
    The responses pass through the app's after-request hooks only, as no browser asked for them."""
    server = app.server
    with server.test_request_context("/"):
        page = app._generate_css_dist_html() + app._generate_scripts_html()
    for path in re.findall(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"', page):
        for encoding in ("br", "gzip"):
            with server.test_request_context(path, headers={"Accept-Encoding": encoding}):
                server.process_response(server.make_response(server.dispatch_request()))


def clear() -> None:
    """Forget every cached answer (tests and benchmarks that rewrite a warehouse in place)."""
    _cache.clear()


def _answering_from_cache(app: dash.Dash, dispatch: Callable) -> Callable:
    def answer():
        request = flask.request
        body = request.get_data(cache=True)
        callback = _callback_of(app, body)
        if callback is None:
            return dispatch()
        version = _current_version()
        key = _key(version, body)
        roles = getattr(callback, "required_roles", None)
        if roles:
            from dashboard.security import auth

            auth.check_role(*roles)  # the role decision is made for this request, never taken from the cache
        return _cached_response(key, dispatch)

    answer.__name__ = dispatch.__name__
    return answer


def _layout_from_cache(serve_layout: Callable) -> Callable:
    """The layout (navigation, demo banner and the page opened, dashboard.first_page) is the same for one session,
    page address and data version: kept per session, as it carries the user's name and the session's sign-out
    token, and per address, as it holds the page the address names with the filters its query sets."""

    def layout():
        from dashboard import first_page
        from dashboard.security import sessions

        version = _current_version()
        user = sessions.signed_in_user()
        session = (user.username, user.role, user.country, flask.session.get("csrf_token")) if user else None
        key = _key(version, repr(("layout", session, first_page.opened_location())).encode())
        return _cached_response(key, serve_layout)

    layout.__name__ = serve_layout.__name__
    return layout


def _cached_response(key: str, produce: Callable) -> flask.Response:
    """The answer kept under key, else produce's, which is kept when replaying it later is safe: a success that
    sets no cookie, changed no session and is not streamed.

    One thread of the worker computes a key at a time: after a commit every open page asks the same questions at
    once, and the other threads asking one wait for its answer instead of computing it beside it (under the outside
    replay during loads, 20 clients' callbacks were answered from the cache 63% of the time, p95 2.3 s)."""
    cached = _cache.get(key)
    if cached is None:
        with _computing(key):
            cached = _cache.get(key)  # the thread that computed it while this one waited kept it
            if cached is None:
                return _produced(key, produce)
    status, mimetype, content = cached
    flask.g.read_cache_key = key
    response = flask.Response(content, status=status, mimetype=mimetype)
    response.headers[CACHE_HEADER] = "hit"
    return response


@contextlib.contextmanager
def _computing(key: str):
    """Hold the key's turn: one thread at a time computes a given answer."""
    with _turns_lock:
        turn, waiting = _turns.get(key, (None, 0))
        turn = turn or threading.Lock()
        _turns[key] = (turn, waiting + 1)
    try:
        with turn:
            yield
    finally:
        with _turns_lock:
            turn, waiting = _turns[key]
            if waiting == 1:
                del _turns[key]  # the last one out: nothing kept per key once nobody asks
            else:
                _turns[key] = (turn, waiting - 1)


def _produced(key: str, produce: Callable) -> flask.Response:
    response = produce()
    if (
        response.status_code in (200, 204)
        and "Set-Cookie" not in response.headers
        and not flask.session.modified
        and not response.is_streamed
    ):
        _cache.set(key, (response.status_code, response.mimetype, response.get_data()))
        flask.g.read_cache_key = key
    response.headers[CACHE_HEADER] = "miss"
    return response


def _current_version() -> tuple:
    """The warehouse's data version; the cached answers of an older one are dropped as soon as it moves."""
    version = connection.warehouse_version()
    if _last_version[0] != version:
        _cache.clear()  # answers of an older version are never asked for again: free them at once
        _last_version[0] = version
    return version


def _callback_of(app: dash.Dash, body: bytes):
    """The callback function a request asks for, when its answer may be cached; else None."""
    try:
        request = json.loads(body)
        entry = app.callback_map[request["output"]]
    except (ValueError, KeyError, TypeError):
        return None  # Dash answers malformed requests itself
    callback = entry.get("callback")
    if callback is None or getattr(callback, "uncached", False) or entry.get("background"):
        return None
    if any(item.get("property") in ACTION_PROPERTIES for item in _flat(request.get("inputs", []))):
        return None
    return callback


def _flat(items: list) -> list[dict]:
    # A pattern-matching input (ALL, ALLSMALLER) arrives as a list of items.
    return [part for item in items for part in (item if isinstance(item, list) else [item])]


def _key(version: tuple, body: bytes) -> str:
    from dashboard.security import auth

    user = auth.signed_in_user()
    scope = (user.role, user.country) if user is not None else (None, None)
    # The date is part of the question: "not yet due" and "overdue" move with it.
    digest = hashlib.blake2b(body, digest_size=20)
    digest.update(repr((connection.warehouse_file(), version, scope, date.today().isoformat())).encode())
    return "answer:" + digest.hexdigest()


def _compressed_key(request: flask.Request) -> str:
    """The key under which a response's compressed bytes are kept, or "-" for a response compressed each time."""
    key = flask.g.get("read_cache_key")
    if key:
        return key
    if request.path.startswith(("/_dash-component-suites/", "/assets/")):
        return "suite:" + request.full_path  # a fingerprinted file: the same bytes for as long as the process
    return _NOT_CACHED


class _CompressedAnswers:
    """Flask-Compress's cache of compressed bytes: an answer's beside the answer (cleared with it when the data
    version moves), a bundle's for the life of the process (a few dozen files)."""

    def __init__(self):
        self._bundles: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        if key.endswith(";" + _NOT_CACHED):
            return None
        return self._bundles.get(key) if ";suite:" in key else _cache.get("compressed:" + key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";" + _NOT_CACHED):
            return
        if ";suite:" in key:
            self._bundles[key] = value
        else:
            _cache.set("compressed:" + key, value)


def _asset_in_memory(response: flask.Response) -> flask.Response:
    """A file under /assets/ is sent from memory, so Flask-Compress keeps its compressed bytes like a bundle's:
    sent as a stream, it would be compressed again on every request (plotly.js: 45 ms of a worker's CPU each)."""
    if response.status_code == 200 and response.direct_passthrough and flask.request.path.startswith("/assets/"):
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def _long_lived_static(response: flask.Response) -> flask.Response:
    """Static files under a fingerprinted name (Dash's `.v<version>m<mtime>`, an asset's `?m=<mtime>`, the
    favicon's `?v=`) never change: the browser keeps them a year. Dash's two bundles it fetches by a plain name
    (plotly.js, the graph's async chunk) are kept a day, after which the browser revalidates them by ETag."""
    request = flask.request
    if response.status_code != 200:
        return response
    name = request.path.rsplit("/", 1)[-1]
    suite = request.path.startswith("/_dash-component-suites/")
    if (
        (suite and ".v" in name)
        or (request.path.startswith("/assets/") and "m" in request.args)
        or (request.path == "/_favicon.ico" and "v" in request.args)
    ):
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR_S}, immutable"
    elif suite:
        response.headers["Cache-Control"] = f"public, max-age={ONE_DAY_S}"
    else:
        return response
    response.headers.pop("Expires", None)
    return response


def _static_without_cookie_vary(wsgi_app: Callable) -> Callable:
    """Drop "Vary: Cookie" from the static files _long_lived_static marked: they are the same bytes whoever asks,
    and Flask refreshes the session cookie on every response, so a browser's kept copy would never match the
    next request's cookie. (Flask adds the header after every hook, hence a WSGI wrapper.)"""

    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            cache_control = next((v for k, v in headers if k.lower() == "cache-control"), "")
            if cache_control.startswith("public, max-age="):
                headers = [(k, v) for k, v in headers if k.lower() != "vary"] + [
                    ("Vary", ", ".join(part for part in _vary(headers) if part.lower() != "cookie"))
                ]
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def _vary(headers: list[tuple[str, str]]) -> list[str]:
    return [part.strip() for k, v in headers if k.lower() == "vary" for part in v.split(",") if part.strip()]
