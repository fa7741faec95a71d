"""Metric views on the 1 000 000-activity warehouse: one as-of year and one scope per query, and the full export.

Each query takes its own read connection, as the dashboard and the notebook do (a cursor on the process's open
connection to the published copy of the warehouse, see etl.warehouse), and reads through
etl.warehouse.metrics (the snapshot while it matches the data). The median is the figure: a 2-core machine shared
with other work shows scheduler spikes in the slowest runs, which the note gives. The live views are timed
too, for reference, and so is the snapshot refresh that every load ends with, and the one after a schedule load
(a second schedule of 60 measures, then the first again). The XLSX export runs in a
child process so that its peak memory is its own.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate_warehouse import SCHEDULED_MEASURES, benchmark_warehouse, load_benchmark_schedule
from benchmarks.results import Figure, record_results
from etl import warehouse
from etl.plan.plans import SEED_PLAN
from etl.warehouse import metrics

APTMON = str(Path(sys.executable).with_name("aptmon"))  # the installed console script, beside the interpreter
VIEW_TARGET_MS = 100
EXPORT_TARGET_S = 30
# The scope each view is asked for: the dashboard's typical filters.
SCOPES = {
    "measure_progress": {"country": "KHM"},
    "metrics_pillar_country": {"country": "ALL"},
    "metrics_section_country": {"country": "JPN"},
    "metrics_reporting": {"country": "ALL"},
}


def _time_view(path: Path, view: str, year: int, **scope) -> tuple[float, int]:
    started = time.perf_counter()
    with warehouse.read_connection(path) as con:
        rows = len(metrics.read_metric(con, view, as_of_year=year, **scope))
    return (time.perf_counter() - started) * 1000, rows


def _time_live_view(path: Path, view: str, year: int, **scope) -> float:
    where = " AND ".join(f"{column} = ?" for column in ("as_of_year", *scope))
    started = time.perf_counter()
    with warehouse.read_connection(path) as con:
        con.execute(f"SELECT * FROM {view} WHERE {where}", [year, *scope.values()]).fetchall()
    return (time.perf_counter() - started) * 1000


def _export_in_child(path: Path, output: Path) -> tuple[float, float]:
    """Seconds and peak resident MiB of `aptmon export` run as its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [APTMON, "export", "--warehouse", str(path), "--format", "xlsx", "-o", str(output)],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    path = benchmark_warehouse()
    with warehouse.read_connection(path) as con:
        activities = con.execute("SELECT count(*) FROM activities").fetchone()[0]
        assert metrics.snapshots_current(con), "the benchmark warehouse's snapshots should match its data"
    figures = []
    for view, scope in SCOPES.items():
        _time_view(path, view, SEED_PLAN.years[-1], **scope)  # first touch of the file's pages
        timings = []
        for year in SEED_PLAN.years:
            for _ in range(3):
                elapsed, rows = _time_view(path, view, year, **scope)
                timings.append(elapsed)
        median = statistics.median(timings)
        label = ", ".join(f"{k}={v}" for k, v in scope.items())
        figures.append(
            Figure(f"{view} for one as-of year ({label}), median of {len(timings)}", median, "ms",
                   f"< {VIEW_TARGET_MS} ms", median < VIEW_TARGET_MS,
                   f"p90 {statistics.quantiles(timings, n=10)[-1]:.1f} ms, slowest {max(timings):.1f} ms; {rows} rows; "
                   f"{activities:,} activity rows; a read connection per query, on the process's open published copy")
        )  # fmt: skip
        live = _time_live_view(path, view, SEED_PLAN.years[-1], **scope)
        figures.append(Figure(f"{view} computed live from the view (reference)", live, "ms", "none", True,
                              "what a reader pays when the snapshot is stale"))  # fmt: skip
    with warehouse.write_connection(path) as con:
        con.execute("DROP TABLE IF EXISTS metrics_snapshot_state")  # forces a rebuild
        started = time.perf_counter()
        con.execute("BEGIN")
        warehouse.refresh_metrics(con)
        con.execute("COMMIT")
        refresh = time.perf_counter() - started
    figures.append(Figure("snapshot refresh after a load (all four views)", refresh, "s", "none", True,
                          "paid once per accepted upload, inside the writer's lock"))  # fmt: skip
    # A schedule load changes the fingerprint like an upload: the snapshots are rebuilt from the views.
    started = time.perf_counter()
    loaded = load_benchmark_schedule(path, variant=1)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    assert warehouse.refresh_snapshots(path)
    schedule_refresh = time.perf_counter() - started
    with warehouse.read_connection(path) as con:
        assert metrics.snapshots_current(con)
    changed = f"version {loaded.version}, {len(loaded.changed)} measures changed"
    figures.append(Figure(f"schedule load ({SCHEDULED_MEASURES} measures, aptmon schedule load's path)",
                          load_seconds, "s", "none", True, changed))  # fmt: skip
    figures.append(Figure("snapshot refresh after a schedule load (all four views)", schedule_refresh, "s",
                          "none", True, "refresh_snapshots, as the server runs it on seeing them stale"))  # fmt: skip
    load_benchmark_schedule(path, variant=0)  # the cached warehouse keeps its first schedule
    warehouse.refresh_snapshots(path)
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "export.xlsx"
        seconds, peak = _export_in_child(path, output)
        size = output.stat().st_size / 2**20
    figures.append(Figure("full XLSX export (aptmon export, latest year)", seconds, "s", f"< {EXPORT_TARGET_S} s",
                          seconds < EXPORT_TARGET_S, f"{size:.0f} MiB workbook"))  # fmt: skip
    figures.append(Figure("full XLSX export peak memory (its own process)", peak, "MiB", "none", True))
    record_results("views", figures)


if __name__ == "__main__":
    main()
