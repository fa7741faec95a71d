"""The headers on every response: a content security policy Dash's pages pass, HSTS over HTTPS, no caching of data."""

from __future__ import annotations

import dash
import flask

# Two years, every subdomain: once a browser has seen the site over HTTPS it never tries plain HTTP again.
HSTS = "max-age=63072000; includeSubDomains"
# Paths whose files are the same for every user (the stylesheet, Dash's and plotly's scripts): cacheable.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")


def init_app(app: dash.Dash) -> None:
    app.server.after_request(lambda response: _add_headers(app, response))


def content_security_policy(app: dash.Dash) -> str:
    """Scripts only from this site, plus the inline scripts Dash writes into its page, each allowed by its hash."""
    # Hashed on each call: a page's clientside callback registered after start-up is counted too (a few hashes).
    scripts = " ".join(["'self'", *app.csp_hashes()])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # plotly.js and React set styles on elements at run time; no script can come in through a style.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _add_headers(app: dash.Dash, response: flask.Response) -> flask.Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", content_security_policy(app))
    if flask.request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not flask.request.path.startswith(STATIC_PREFIXES):
        # Pages, callbacks and downloads carry other governments' data: no shared or browser cache keeps them.
        headers["Cache-Control"] = "no-store"
    return response
