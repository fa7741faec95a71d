"""The metric snapshots: every metric view kept materialised as <view>_snapshot, rebuilt when its data changes."""

from __future__ import annotations

import contextlib
import logging

import duckdb

# The metric views the dashboard, exports and report read; each is also kept materialised as
# <view>_snapshot, so a query for one year and scope stays fast on a large warehouse.
METRIC_VIEWS = ("measure_progress", "metrics_pillar_country", "metrics_section_country", "metrics_reporting")
SNAPSHOT_SUFFIX = "_snapshot"
# Views the metric views share, in the order they build on one another (see refresh_metrics).
_SHARED_VIEWS = ("activity_measure_spans", "measure_progress", "metrics_group_country")
# Listing views kept the same way (same fingerprint), so the dashboard's listings of a measure and a plan's
# carried-over measures stay quick.
LISTING_VIEWS = ("measure_link_spans", "carried_over")


def refresh_metrics(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Materialise every metric view as <view>_snapshot when the data changed since the last refresh (or force).

    The views stay the only definition: a snapshot is `SELECT * FROM <view>`, stamped with the
    fingerprint (view metrics_source_state) of the data it was built from; readers (etl.warehouse.metrics) use
    it only while that still matches. Runs in the caller's transaction. Returns whether it rebuilt.
    """
    names = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if "metrics_source_state" not in names or not set(METRIC_VIEWS) <= names:
        return False  # a warehouse whose views are not created yet
    if not force and not snapshots_stale(con):
        return False  # checked first: every write closes with this call, and most change no metric input
    fingerprint = con.execute("SELECT fingerprint FROM metrics_source_state").fetchone()[0]
    listings = [view for view in LISTING_VIEWS if view in names]
    # The pillar and section views both read metrics_group_country, which reads measure_progress, which reads
    # activity_measure_spans: evaluated view by view, each is computed up to three times. A temporary table of the
    # same name (this connection alone, this transaction's data) shadows the view while the snapshots are built,
    # so each is computed once and the snapshots are still exactly `SELECT * FROM <view>`.
    # Names are qualified with the database: a bare `main.x` would find the temporary table too.
    database = '"{}".main'.format(con.execute("SELECT current_database()").fetchone()[0].replace('"', '""'))
    for view in _SHARED_VIEWS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM {database}.{view}")
    for view in (*METRIC_VIEWS, *listings):
        con.execute(f"CREATE OR REPLACE TABLE {database}.{view}{SNAPSHOT_SUFFIX} AS SELECT * FROM {view}")
    for view in _SHARED_VIEWS:  # on failure the caller's rollback drops them with everything else
        con.execute(f"DROP TABLE temp.main.{view}")
    con.execute(
        "CREATE OR REPLACE TABLE metrics_snapshot_state AS SELECT ?::UBIGINT AS fingerprint, now() AS refreshed_at",
        [fingerprint],
    )
    return True


def snapshots_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether refresh_metrics would rebuild: a snapshot is missing or was built from other data."""
    names = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if "metrics_source_state" not in names or not set(METRIC_VIEWS) <= names:
        return False  # a warehouse whose views are not created yet: nothing to build
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    snapshots = {view + SNAPSHOT_SUFFIX for view in (*METRIC_VIEWS, *(v for v in LISTING_VIEWS if v in names))}
    if "metrics_snapshot_state" not in tables or not snapshots <= tables:
        return True
    built_from = con.execute("SELECT fingerprint FROM metrics_snapshot_state").fetchone()
    fingerprint = con.execute("SELECT fingerprint FROM metrics_source_state").fetchone()[0]
    return built_from is None or built_from[0] != fingerprint


def rebuild_stale_snapshots(con: duckdb.DuckDBPyConnection) -> None:
    """A write's closing step (see write_connection); a failure is logged, never raised: the write itself has
    committed, and readers fall back to the views, which give the same numbers."""
    try:
        con.execute("BEGIN")
        try:
            refresh_metrics(con)
            con.execute("COMMIT")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    except duckdb.Error as exc:
        logging.getLogger(__name__).warning("Could not rebuild the metric snapshots (readers use the views): %s", exc)


def add_plan_rows(con: duckdb.DuckDBPyConnection, plan_id: str) -> None:
    """After a new plan's catalogue is written (no returns, schedule or crosswalk yet) into a warehouse whose
    snapshots were current (snapshots_stale False before the write; the caller checks), add the plan's rows: every
    metric is per plan, so no other plan's row changes, and the new plan's rows are computed alone instead of every
    plan's again. Runs in the caller's transaction.

    The snapshots stay exactly `SELECT * FROM <view>`: the new rows are the view's own rows for the plan."""
    database = '"{}".main'.format(con.execute("SELECT current_database()").fetchone()[0].replace('"', '""'))
    # A plan just added has no activity: its activity spans are none, and finding that by filtering the view would
    # scan every plan's activities (the filter does not reach below the view's window functions).
    (reported,) = con.execute(
        "SELECT (SELECT count(*) FROM activities WHERE plan_id = $plan) + "
        "(SELECT count(*) FROM activity_measures WHERE plan_id = $plan)",
        {"plan": plan_id},
    ).fetchone()
    for view in _SHARED_VIEWS:  # the new plan's rows of the shared views, computed once (see refresh_metrics)
        only = "false" if view == "activity_measure_spans" and not reported else "plan_id = ?"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM {database}.{view} WHERE {only}",
            [] if only == "false" else [plan_id],
        )
    for view in METRIC_VIEWS:
        con.execute(f"INSERT INTO {database}.{view}{SNAPSHOT_SUFFIX} SELECT * FROM {view} WHERE plan_id = ?", [plan_id])
    for view in _SHARED_VIEWS:
        con.execute(f"DROP TABLE temp.main.{view}")
    fingerprint = con.execute("SELECT fingerprint FROM metrics_source_state").fetchone()[0]
    con.execute("UPDATE metrics_snapshot_state SET fingerprint = ?::UBIGINT, refreshed_at = now()", [fingerprint])
