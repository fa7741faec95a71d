"""The Dash application factory: create_app() for tests, create_server() for gunicorn."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs

import dash
import dash_bootstrap_components as dbc
import duckdb
import flask
from dash import ALL, Input, Output, State, dcc, html
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import (
    bundles,
    download_progress,
    downloads,
    first_page,
    ids,
    navigation,
    read_cache,
    refusals,
    start_up,
    uploads,
    warehouse_health,
)
from dashboard.components import plan_picker, tables
from dashboard.data import implementation_schedule, loaded, plans
from dashboard.environment import env_flag
from dashboard.security import auth, sessions, throttling
from dashboard.security import headers as security_headers
from etl import accounts, private_files, warehouse
from etl.warehouse import integrity

HERE = Path(__file__).resolve().parent
_SETTLING_ASSET = "10-dashboard.css"


def create_app(warehouse_file: str | os.PathLike | None = None) -> dash.Dash:
    """Build the app over one warehouse file; every asset is served locally (no CDN)."""
    os.environ["APTMON_WAREHOUSE"] = str(warehouse.warehouse_path(warehouse_file))
    app = dash.Dash(
        # The package name, so Dash imports each page as dashboard.pages.<page>: the same module a direct
        # import gives, never a second copy that would register the page and its callbacks twice.
        "dashboard",
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        title="APT Work Plan Monitor",
        # The tab keeps naming the page while a callback runs: "Updating..." would be read out instead of it.
        update_title=None,
        suppress_callback_exceptions=True,
        # plotly.js and the graph's chunk load with the other bundles instead of after the first chart's
        # callback, and under fingerprinted names the browser keeps (first load 5.1 s instead of 8.5 s on a
        # loaded machine: one round of fetches fewer before the chart can draw).
        eager_loading=True,
    )
    bundles.load_only_what_pages_draw()
    # Screen readers pick the pronunciation from the page's language (WCAG 3.1.1).
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    # A function, so the navigation shows each signed-in user only the pages their role opens.
    app.layout = _layout
    app.clientside_callback(
        _SYNC_URL,
        Output(ids.URL_SYNC, "data"),
        Input({"type": ids.FILTER, "name": ALL}, "value"),
        State({"type": ids.FILTER, "name": ALL}, "id"),
    )
    tables.add_grid_callbacks(app)
    navigation.add_callbacks(app)
    plan_picker.add_callbacks(app)
    first_page.add_callbacks(app)
    first_page.preload_layout(app)
    server = app.server
    if env_flag("APTMON_PROXY_FIX"):
        # Behind one reverse proxy that terminates HTTPS: trust its X-Forwarded-For/-Proto/-Host, no further. The
        # client's address (for the sign-in throttle) and the scheme (Secure cookies, HSTS) are then the proxy's word.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)
    sessions.init_app(server)
    warehouse_health.init_app(server)  # before sign-in's gate, which reads the users table
    auth.init_app(server)
    security_headers.init_app(app)
    _add_routes(server, throttling.init_app(server))
    read_cache.init_app(app)  # after auth: the sign-in check runs before any cached answer is given
    return app


def _add_routes(server: flask.Flask, limiter) -> None:
    """Every route beside Dash's own, in one place: sign-in (throttled), sign-out (a POST form), the downloads."""
    server.add_url_rule(
        auth.LOGIN_PATH, "login", throttling.limit_sign_in(limiter, auth.login), methods=["GET", "POST"]
    )
    server.add_url_rule(auth.LOGOUT_PATH, "logout", auth.logout, methods=["POST"])
    for path, endpoint, view in downloads.ROUTES:
        server.add_url_rule(path, endpoint, view)
    download_progress.init_app(server, {endpoint for _, endpoint, _ in downloads.ROUTES})
    refusals.init_app(server)  # a forbidden or missing download answers with a page of the app, not the bare one
    # Dash answers any path it does not know with its page shell (its own 404 page draws in the browser).
    # Under /assets/ that would hand its version numbers to anyone: there, only real files are served.
    catch_all = next(rule.endpoint for rule in server.url_map.iter_rules() if rule.rule == "/<path:path>")
    pages = server.view_functions[catch_all]

    def page_or_404(*args, **kwargs):
        if flask.request.path.startswith(auth.PUBLIC_PREFIXES):
            flask.abort(404)
        return pages(*args, **kwargs)

    server.view_functions[catch_all] = page_or_404


def _layout() -> html.Div:
    return html.Div(
        [
            navigation.skip_link(),
            navigation.navbar(_plan_picker()),
            html.Main(
                dbc.Container([_demo_banner(), first_page.page_container()], fluid="xxl", className="py-3"),
                id=ids.MAIN,
                tabIndex="-1",  # the skip link's target takes the focus, so the next Tab goes on into the page
            ),
            dcc.Location(id=ids.NAVIGATE, refresh="callback-nav"),
            dcc.Store(id=ids.URL_SYNC),
            dcc.Store(id=ids.FOCUS_SINK),
        ]
    )


def _demo_banner() -> html.Div:
    """A banner on every page while the warehouse holds synthetic demo returns."""
    if auth.signed_in_user() is None:
        # Only a signed-in user is shown a page. The layout drawn for no one (Dash checks it on the first request
        # a process serves, in gunicorn's master before any fork: create_server) reads nothing.
        return html.Div(id=ids.DEMO_BANNER)
    try:
        synthetic = loaded.data_state()["synthetic"]
        example_schedule = implementation_schedule.schedule_version().is_example
    except warehouse.WarehouseError:
        synthetic = example_schedule = False
    if not synthetic and not example_schedule:
        return html.Div(id=ids.DEMO_BANNER)
    returns = (
        ["The returns shown are synthetic, written by ", html.Code("aptmon demo"),
         " to show how the monitor reads; they are not any country's report. "]
        if synthetic
        else []
    )  # fmt: skip
    schedule = (
        ["Progress is judged against an example implementation schedule, not the Secretariat's: an admin "
         "replaces it on the Schedule page."]
        if example_schedule
        else []
    )  # fmt: skip
    return html.Div(
        dbc.Alert(
            [html.Strong("Demo data. "), *returns, *schedule],
            color="warning",
            className="py-2 mb-3",
        ),
        id=ids.DEMO_BANNER,
    )


# Mirrors every shared filter on the page into the URL query string, without reloading the page, so the
# view can be shared as a link and survives a reload (each page's layout() reads the query back). The skip link's
# #main-content goes once a filter changes the query: it was a jump within the page, not part of the view, and a
# link shared with it would open scrolled past the navigation.
_SYNC_URL = """
function (values, filterIds) {
    const params = new URLSearchParams(window.location.search);
    filterIds.forEach(function (id, i) {
        const value = values[i];
        if (value === null || value === undefined || value === "") { params.delete(id.name); }
        else { params.set(id.name, value); }
    });
    const search = params.toString();
    const before = window.location.pathname + window.location.search;
    const query = window.location.pathname + (search ? "?" + search : "");
    if (query !== before) {
        const hash = window.location.hash === "#SKIP_TARGET" ? "" : window.location.hash;
        window.history.replaceState(window.history.state, "", query + hash);
    }
    return search;
}
""".replace("SKIP_TARGET", ids.MAIN)


def create_server():
    """WSGI entry point for gunicorn: `gunicorn --preload "dashboard.app:create_server()"`.

    `aptmon serve` builds it once, in gunicorn's master, and the workers fork with it made: the pages, the routes and
    the compressed bundles are then built once instead of once per worker (4 workers on 2 cores spent about 1.5 s
    doing so side by side before the first could answer). Nothing here opens the warehouse or starts a thread, as
    neither survives a fork: each worker does that in start_worker()."""
    private_files.restrict_umask()  # the warehouse, stored returns, staged uploads, instance/: private
    app = create_app()
    server = app.server
    # Dash registers its bundles' paths and the pages' router on the first request a process serves; threads of a
    # worker that ask for bundles at once would race it and get a 500. One request here, before any worker takes one,
    # settles it: for a stylesheet, which no gate stops to read the warehouse.
    server.test_client().get(app.get_asset_url(_SETTLING_ASSET))
    read_cache.precompress_bundles(app)
    accounts.prepare_sign_in()
    return server


def start_worker() -> None:
    """What each worker does after the fork and before it serves: upgrade the warehouse or clear a crashed submit's
    debris (dashboard.start_up), draw the landing page once into its cache, and sweep expired staged uploads."""
    if start_up.prepare_warehouse():
        _warm_up_landing_page()
    uploads.start_sweeping()  # staged files go when they expire, whether or not anyone uploads again


def _warm_up_landing_page() -> None:
    from dashboard.pages import home

    try:
        home.warm_up()
    except warehouse.WarehouseError:
        pass  # unreadable: the page says so when it is opened
    except duckdb.Error as exc:
        if not integrity.is_damage(exc):
            raise
        warehouse_health.mark_unreadable(exc)  # damaged where the probe did not look: every page says so


def _plan_picker() -> html.Div | None:
    """The plan picker, set to the plan the opened address names; none while the warehouse cannot be read."""
    if auth.signed_in_user() is None:
        return None
    opened = first_page.opened_location()
    asked = parse_qs(opened[1].lstrip("?")).get(plan_picker.PARAMETER, [None])[0] if opened else None
    try:
        return plan_picker.plan_picker(plans.timeframes(), plans.resolve(asked), plans.default_plan_id())
    except warehouse.WarehouseError:
        return None
