"""gunicorn settings of `aptmon serve`: the libraries loaded once before the workers fork, and the ready box."""

from __future__ import annotations

import os
from pathlib import Path

from etl.paths import instance_dir

# Packages whose every module the master imports before it forks (see on_starting); the pages are left to each
# worker's app, as Dash registers a page only inside an app.
PRELOADED_PACKAGES = ("dashboard.components", "dashboard.data")
# Modules the pages and callbacks import besides those of dashboard.app and the packages above.
PRELOADED_MODULES = (
    "dashboard.app",
    "plotly.graph_objects",
    "etl.returns.ingest",
    "etl.outputs.export",
    "etl.schedule.load",
)


def on_starting(server) -> None:
    """Import the dashboard's libraries (Dash, pandas, plotly, DuckDB, the app's own modules) once, in the master,
    so every worker forks with them loaded instead of importing them itself: on 2 cores, 4 workers importing at
    once took most of the time from `aptmon serve` to the first chart (about 1.9 s of CPU each). The app itself is
    built by `--preload` just before this hook; no connection and no thread exists before the fork."""
    import gc
    import importlib
    import pkgutil

    for package in PRELOADED_PACKAGES:
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__, package + "."):
            importlib.import_module(module.name)
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    gc.freeze()  # the imported objects stay shared with the workers' pages, not copied by the collector touching them


def post_worker_init(worker) -> None:
    """Ready the worker before it takes a request (dashboard.app.start_worker: its warehouse, its cache), then print
    the box from the first worker only (age 1): the server then answers, and the box comes after gunicorn's
    start-up lines instead of scrolling away above them."""
    from dashboard.app import start_worker

    start_worker()
    if worker.age != 1:
        return
    url = os.environ.get("APTMON_SERVE_URL") or f"http://{worker.cfg.bind[0]}"
    print(ready_box(url), flush=True)


def ready_box(url: str, credentials_file: Path | None = None) -> str:
    """The lines `aptmon serve` prints in a box once it answers: where to go, and the demo sign-ins if any."""
    # Imported here, in the worker: gunicorn's master reads this file and has no use for the accounts' libraries.
    from etl.accounts import DEMO_CREDENTIALS_NAME

    credentials_file = Path(credentials_file or instance_dir() / DEMO_CREDENTIALS_NAME)
    lines = [f"The dashboard is ready: {url}"]
    sign_ins = []
    if credentials_file.exists():
        sign_ins = [
            line.rstrip()
            for line in credentials_file.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
    if sign_ins:
        lines += ["Sign in as one of the demo users (user, password, role):", *(f"  {line}" for line in sign_ins)]
        lines.append(f"(kept in {credentials_file})")
    else:
        lines.append("Sign in with a user made by `aptmon users add`.")
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line:<{width}} |" for line in lines), rule])
