"""Start-up: the gunicorn master builds the app once, before it forks, and opens no connection and no thread."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from etl import warehouse

# What `aptmon serve` has gunicorn do in the master, in its order: `--preload` builds the app, then on_starting runs,
# then the workers fork. DuckDB's connect is watched from before the first import.
CHECK = """
import json, sys, threading
import duckdb
opened = []
_connect = duckdb.connect
def watched(*args, **kwargs):
    opened.append(str(args[0]) if args else kwargs.get("database", ""))
    return _connect(*args, **kwargs)
duckdb.connect = watched
from dashboard import app, gunicorn_hooks
server = app.create_server()
gunicorn_hooks.on_starting(None)
print(json.dumps({
    "threads": threading.active_count(),
    "opened": opened,
    "compressed": sum(len(hook.__self__.cache._bundles) for hook in server.after_request_funcs[None]
                      if type(getattr(hook, "__self__", None)).__name__ == "Compress"),
    "modules": sorted(m for m in sys.modules if m.startswith(("dashboard", "dash", "pandas", "duckdb", "plotly"))),
}))
"""


@pytest.mark.slow  # a subprocess: the master's work must be tested in a fresh interpreter
def test_the_master_builds_the_app_but_opens_no_connection_and_starts_no_thread(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    warehouse.initialise(db)  # a readable warehouse, so any page data the master drew would open it
    env = {"PYTHONPATH": ":".join(sys.path), "APTMON_INSTANCE_DIR": str(tmp_path / "instance"),
           "APTMON_WAREHOUSE": str(db), "APTMON_RETURNS_DIR": str(tmp_path / "returns")}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, cwd=tmp_path,
                          env=env)  # fmt: skip
    found = json.loads(done.stdout.splitlines()[-1])
    # Neither a DuckDB database nor a thread (the upload sweeper) would survive the fork: each worker makes its own.
    assert found["opened"] == []
    assert found["threads"] == 1
    modules = set(found["modules"])
    assert {"dash", "pandas", "duckdb", "plotly.graph_objects", "dashboard.app", "dashboard.data.overview"} <= modules
    assert "dashboard.components.heatmap" in modules
    assert {"dashboard.pages.home", "dashboard.pages.heatmap"} <= modules  # registered with the app, once
    # The bundles are compressed once, for every worker; brotli and gzip of each script and stylesheet.
    assert found["compressed"] >= 20
