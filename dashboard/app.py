"""The Dash application factory: create_app() for tests, create_server() for gunicorn."""

from __future__ import annotations

import os
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import auth, ids
from etl import warehouse

HERE = Path(__file__).resolve().parent


def create_app(warehouse_file: str | os.PathLike | None = None) -> dash.Dash:
    """Build the app over one warehouse file; every asset is served locally (no CDN)."""
    os.environ["APTMON_WAREHOUSE"] = str(warehouse.warehouse_path(warehouse_file))
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        title="APT Work Plan Monitor",
        suppress_callback_exceptions=True,
    )
    # A function, so the navigation shows each signed-in user only the pages their role opens.
    app.layout = _layout
    auth.init_app(app)
    return app


def _layout() -> html.Div:
    return html.Div([_navbar(), dbc.Container(dash.page_container, fluid="lg", className="py-4")])


def create_server():
    """WSGI entry point for gunicorn: `gunicorn "dashboard.app:create_server()"`."""
    return create_app().server


def _navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in dash.page_registry.values()
        if auth.may_see_page(page)
    ]
    return dbc.Navbar(
        dbc.Container(
            [dbc.NavbarBrand("APT Work Plan Monitor", href="/"), dbc.Nav(links, navbar=True), auth.user_menu()]
        ),
        id=ids.NAVBAR,
        color="primary",
        dark=True,
    )
