"""The page a browser opens is drawn in the first layout it asks for, not by a round trip to the pages router."""

from __future__ import annotations

from urllib.parse import urlsplit

import dash
import flask
from dash import Input, Output, State, dcc, html
from dash._pages import _parse_query_string, _path_to_page
from dash.dash import _ID_CONTENT, _ID_DUMMY, _ID_LOCATION, _ID_STORE

# Dash's pages router fills its container only once dcc.Location has mounted and reported the address: a second
# request and a second render before the page's own callbacks can start (about 0.1-0.2 s of the overview's first
# load). The renderer asks for /_dash-layout from the page it opened, so the request's Referer names that page;
# the layout then holds it, and a dcc.Location given the same pathname and search reports nothing that would
# fire the router. Navigating afterwards goes through the router as before.


def opened_location() -> tuple[str, str] | None:
    """(pathname, search) of the page whose layout is being asked for, from the Referer of /_dash-layout; None
    outside that request, or when the Referer is missing or names another site."""
    if not flask.has_request_context() or not flask.request.path.endswith("/_dash-layout"):
        return None
    referrer = urlsplit(flask.request.headers.get("Referer", ""))
    if not referrer.path or referrer.netloc != flask.request.host:
        return None
    return referrer.path, f"?{referrer.query}" if referrer.query else ""


def page_container() -> html.Div:
    """Dash's page container, holding the opened page when the request names one; else empty, for the router."""
    opened = opened_location()
    if opened is None:
        return dash.page_container
    pathname, search = opened
    page, path_variables = _path_to_page(dash.strip_relative_path(pathname))
    if not page:
        return dash.page_container  # the router draws the 404 page
    layout, title = page.get("layout", ""), page["title"]
    # The router's own call: the path's variables and the query's values as keyword arguments.
    if callable(layout):
        layout = layout(**{**(path_variables or {}), **_parse_query_string(search)})
    if callable(title):
        title = title(**(path_variables or {}))
    return html.Div(
        [
            # href and hash stay unset: the Location reports them when it mounts, and the router listens to neither.
            dcc.Location(id=_ID_LOCATION, refresh="callback-nav", pathname=pathname, search=search),
            html.Div(layout, id=_ID_CONTENT, disable_n_clicks=True),
            dcc.Store(id=_ID_STORE, data={"title": title}),
            html.Div(id=_ID_DUMMY, disable_n_clicks=True),
        ]
    )


def preload_layout(app: dash.Dash) -> None:
    """Have the page's HTML ask for the layout and the callbacks' graph at once, so they arrive while the bundles
    load: the renderer asks for them only once every bundle has run (about 0.45 s into a cold load), and then
    takes the preloaded answers. The preload is a same-origin fetch with the session cookie, and its Referer is
    the page, so the layout holds that page as it would for the renderer's own request."""
    prefix = app.config.requests_pathname_prefix
    links = "".join(
        f'<link rel="preload" href="{prefix}{name}" as="fetch" crossorigin>'
        for name in ("_dash-layout", "_dash-dependencies")
    )
    app.index_string = app.index_string.replace("<head>", "<head>\n        " + links, 1)


def add_callbacks(app: dash.Dash) -> None:
    """Should the address differ from the page the layout drew (a Referer cut short, a rewritten one), hand the
    address to the router: dcc.Location itself never reports a pathname it was given at mount."""
    app.clientside_callback(
        """
        function (href, pathname, search) {
            const noUpdate = window.dash_clientside.no_update;
            if (pathname === undefined || pathname === null) { return [noUpdate, noUpdate]; }
            if (pathname === window.location.pathname && (search || "") === window.location.search) {
                return [noUpdate, noUpdate];
            }
            return [window.location.pathname, window.location.search];
        }
        """,
        Output(_ID_LOCATION, "pathname"),
        Output(_ID_LOCATION, "search"),
        Input(_ID_LOCATION, "href"),
        State(_ID_LOCATION, "pathname"),
        State(_ID_LOCATION, "search"),
    )
