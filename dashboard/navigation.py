"""The navigation bar, the skip link before it, and the focus moved to a page's heading after navigating."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from dash.dash import _ID_STORE

from dashboard import ids
from dashboard.security import auth


def skip_link() -> html.A:
    """The first tab stop: straight to the page, past the navigation's dozen links (WCAG 2.4.1)."""
    return html.A("Skip to main content", href=f"#{ids.MAIN}", id=ids.SKIP_LINK, className="skip-link")


def navbar(plan_picker=None) -> dbc.Navbar:
    """The brand, the pages the signed-in user's role opens, the plan picker (components/plan_picker.py) and the
    user menu; below the large breakpoint the links fold behind a labelled Menu button, so at 200% zoom the page
    starts on the first screen."""
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in dash.page_registry.values()
        if auth.may_see_page(page) and not page.get("path_template")
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("APT Work Plan Monitor", href="/"),
                dbc.NavbarToggler(
                    [html.Span(className="navbar-toggler-icon"), html.Span("Menu", className="ms-1")],
                    id=ids.NAVBAR_TOGGLER,
                    n_clicks=0,
                ),
                dbc.Collapse(
                    [dbc.Nav(links, navbar=True, className="me-auto"), plan_picker, auth.user_menu()],
                    id=ids.NAVBAR_COLLAPSE,
                    is_open=False,
                    navbar=True,
                    # What does not fit beside the links (the plan picker, the user menu) wraps under them.
                    className="flex-wrap",
                ),
            ],
            fluid="xxl",  # as wide as the page below it, so an admin's links fit on one line at 1366 px
        ),
        id=ids.NAVBAR,
        expand="lg",
        color="primary",
        dark=True,
    )


def add_callbacks(app: dash.Dash) -> None:
    """The Menu button opens and closes the folded navigation; after following a link inside the app, the focus
    goes to the new page's H1 (else it stays on the link, and a screen reader says nothing of the new page)."""
    app.clientside_callback(
        "function (clicks, open) { return clicks ? !open : open; }",
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        _FOCUS_HEADING,
        Output(ids.FOCUS_SINK, "data"),
        Input(_ID_STORE, "data"),  # the pages router writes it with each new page it draws
        prevent_initial_call=True,
    )


# The router's store changes in the same update as the page's content, which React renders a frame or two later:
# wait two frames, then keep trying for a second while the page has no heading yet.
_FOCUS_HEADING = """
function (data) {
    let tries = 0;
    const focus = function () {
        const heading = document.querySelector("#main-content h1");
        if (heading) {
            heading.setAttribute("tabindex", "-1");
            heading.focus();
        } else if (tries++ < 20) {
            setTimeout(focus, 50);
        }
    };
    requestAnimationFrame(function () { requestAnimationFrame(focus); });
    return (data || {}).title || null;
}
"""
