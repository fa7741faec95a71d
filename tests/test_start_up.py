"""Start-up: the gunicorn master loads the dashboard's libraries once, before it forks, and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CHECK = """
import json, sys, threading
from dashboard import gunicorn_hooks
gunicorn_hooks.on_starting(None)
print(json.dumps({
    "threads": threading.active_count(),
    "modules": sorted(m for m in sys.modules if m.startswith(("dashboard", "dash", "pandas", "duckdb", "plotly"))),
}))
"""


@pytest.mark.slow  # a subprocess: the master's imports must be tested in a fresh interpreter
def test_the_master_imports_the_libraries_but_starts_no_thread_and_builds_no_app(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, cwd=tmp_path,
                          env={"PYTHONPATH": ":".join(sys.path), "APTMON_INSTANCE_DIR": str(tmp_path)})  # fmt: skip
    found = json.loads(done.stdout.splitlines()[-1])
    # A thread would not survive the fork (a DuckDB database, the upload sweeper): there is none.
    assert found["threads"] == 1
    modules = set(found["modules"])
    assert {"dash", "pandas", "duckdb", "plotly.graph_objects", "dashboard.app", "dashboard.data.overview"} <= modules
    assert "dashboard.components.heatmap" in modules
    # The pages register themselves with an app: each worker's create_app imports them.
    assert not [m for m in modules if m.startswith("dashboard.pages.")]
    assert not (tmp_path / "secret_key").exists()  # no app, so no session key made in the master
