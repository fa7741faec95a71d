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


FORKSERVER = """
import os, sys, time
from dashboard import upload_checks
upload_checks.start_soon(0).join(60)
children = [pid for pid in os.listdir("/proc") if pid.isdigit() and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1]
            .split()[1] == str(os.getpid())]
print(sum(b"forkserver" in open(f"/proc/{pid}/cmdline", "rb").read() for pid in children))
"""


@pytest.mark.slow  # a subprocess that starts the forkserver
def test_a_worker_starts_its_upload_checks_forkserver_in_the_background(tmp_path):
    done = subprocess.run([sys.executable, "-c", FORKSERVER], capture_output=True, text=True, check=True, cwd=tmp_path,
                          env={"PYTHONPATH": ":".join(sys.path), "APTMON_INSTANCE_DIR": str(tmp_path)})  # fmt: skip
    assert done.stdout.split()[-1] == "1", done.stderr  # running before the first upload asks for it
