"""The metric snapshots: every metric view kept materialised as <view>_snapshot, rebuilt when its data changes."""

from __future__ import annotations

import contextlib
import logging

import duckdb

from etl.warehouse.threads import one_thread

# The metric views the dashboard, exports and report read; each is also kept materialised as
# <view>_snapshot, so a query for one year and scope stays fast on a large warehouse.
METRIC_VIEWS = ("measure_progress", "metrics_pillar_country", "metrics_section_country", "metrics_reporting")
SNAPSHOT_SUFFIX = "_snapshot"
# Views the metric views share, in the order they build on one another (see refresh_metrics).
_SHARED_VIEWS = ("activity_link_spans", "measure_progress", "metrics_reporting", "metrics_group_country")
# Listing views kept the same way (same fingerprint), so the dashboard's listings of a measure and a plan's
# carried-over measures stay quick.
LISTING_VIEWS = ("measure_link_spans", "carried_over")
# What each plan's snapshot rows were built from (view metrics_source_by_plan), for rebuilding only the plans a
# write changed; metrics_snapshot_state keeps the fingerprint readers compare and the shared part.
_PLAN_PARTS = "metrics_snapshot_plans"


def refresh_metrics(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Materialise every metric view as <view>_snapshot when the data changed since the last refresh (or force).

    The views stay the only definition: a snapshot holds exactly the rows of `SELECT * FROM <view>`, in its order,
    stamped with the fingerprint (view metrics_source_state) of the data it was built from; readers
    (etl.warehouse.metrics) use it only while that still matches. Every metric is per plan, so when the snapshots
    were built before and only some plans' inputs changed (view metrics_source_by_plan: a return, a schedule, a held
    upload confirmed), only those plans' rows are computed again; the other plans' rows are kept as they are.
    Runs in the caller's transaction. Returns whether it rebuilt.
    """
    names = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if "metrics_source_state" not in names or not set(METRIC_VIEWS) <= names:
        return False  # a warehouse whose views are not created yet
    if not force and not snapshots_stale(con):
        return False  # checked first: every write closes with this call, and most change no metric input
    fingerprint = con.execute("SELECT fingerprint FROM metrics_source_state").fetchone()[0]
    listings = [view for view in LISTING_VIEWS if view in names]
    database = '"{}".main'.format(con.execute("SELECT current_database()").fetchone()[0].replace('"', '""'))
    parts = "metrics_source_by_plan" in names and "metrics_source_shared" in names
    changed = None if force or not parts else _changed_plans(con, listings)
    if changed is None:
        _rebuild_all(con, database, listings)
    else:
        _rebuild_plans(con, database, listings, *changed)
    con.execute(
        "CREATE OR REPLACE TABLE metrics_snapshot_state AS "
        "SELECT ?::UBIGINT AS fingerprint, ?::UBIGINT AS shared_part, now() AS refreshed_at",
        [fingerprint, con.execute("SELECT shared_part FROM metrics_source_shared").fetchone()[0] if parts else None],
    )
    if parts:
        con.execute(
            f"CREATE OR REPLACE TABLE {_PLAN_PARTS} AS SELECT plan_id, plan_part, crosswalk_part "
            "FROM metrics_source_by_plan"
        )
    return True


def _rebuild_all(con: duckdb.DuckDBPyConnection, database: str, listings: list[str]) -> None:
    """Every snapshot built again from its view."""
    # The pillar and section views both read metrics_group_country, which reads measure_progress, which reads
    # activity_link_spans (as the measure listing does): evaluated view by view, each is computed up to three
    # times, and metrics_reporting twice (alone and in metrics_group_country). A temporary table of the
    # same name (this connection alone, this transaction's data) shadows the view while the snapshots are built,
    # so each is computed once and the snapshots are still exactly `SELECT * FROM <view>`.
    # Names are qualified with the database: a bare `main.x` would find the temporary table too.
    for view in _SHARED_VIEWS:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM {database}.{view}")
    for view in (*METRIC_VIEWS, *listings):
        con.execute(f"CREATE OR REPLACE TABLE {database}.{view}{SNAPSHOT_SUFFIX} AS SELECT * FROM {view}")
    for view in _SHARED_VIEWS:  # on failure the caller's rollback drops them with everything else
        con.execute(f"DROP TABLE temp.main.{view}")


def _changed_plans(con: duckdb.DuckDBPyConnection, listings: list[str]) -> tuple[set[str], set[str]] | None:
    """The plans whose metric rows, and those whose carried-over rows, must be computed again; None when every
    snapshot must be (built before plans were recorded, settings or view definitions changed, or every plan)."""
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    needed = {_PLAN_PARTS, "metrics_snapshot_state", *(view + SNAPSHOT_SUFFIX for view in (*METRIC_VIEWS, *listings))}
    if not needed <= tables:
        return None  # never built, or its state dropped (to force a rebuild): all of it
    columns = {name for (name,) in con.execute("SELECT column_name FROM (DESCRIBE metrics_snapshot_state)").fetchall()}
    if "shared_part" not in columns:
        return None
    # Settings and view definitions reach every plan's rows: all of them are built again.
    (shared_changed,) = con.execute(
        "SELECT (SELECT shared_part FROM metrics_snapshot_state) IS DISTINCT FROM "
        "(SELECT shared_part FROM metrics_source_shared)"
    ).fetchone()
    if shared_changed:
        return None
    now = {
        plan: (part, crosswalks, set(predecessors))
        for plan, part, crosswalks, predecessors in con.execute(
            "SELECT plan_id, plan_part, crosswalk_part, predecessors FROM metrics_source_by_plan"
        ).fetchall()
    }
    built = {
        plan: (part, crosswalks)
        for plan, part, crosswalks in con.execute(
            f"SELECT plan_id, plan_part, crosswalk_part FROM {_PLAN_PARTS}"
        ).fetchall()
    }
    # A plan added, gone, or with an upload, schedule version or deadline passed since: its own rows.
    changed = {plan for plan in now.keys() | built.keys() if now.get(plan, (None,))[0] != built.get(plan, (None,))[0]}
    if now and set(now) <= changed:
        return None  # every plan's rows: the full rebuild computes each shared view once for them all
    # A plan's carried-over listing reads its predecessors' measure progress as well as its own, so it is built
    # again when a crosswalk into it was loaded or a plan it continues changed: a write to one plan can change the
    # listing of another.
    carried = {
        plan
        for plan, (_, crosswalks, predecessors) in now.items()
        if plan in changed or crosswalks != built.get(plan, (None, None))[1] or predecessors & changed
    }
    return changed, carried


def _rebuild_plans(
    con: duckdb.DuckDBPyConnection, database: str, listings: list[str], changed: set[str], carried: set[str]
) -> None:
    """Compute again the rows of the changed plans (and the carried-over rows of `carried`), keeping every other
    plan's rows as they are: each is exactly what its view gives for that plan, as the full rebuild would write it."""
    order = [plan for (plan,) in con.execute("SELECT plan_id FROM plans ORDER BY plan_id").fetchall()]
    fresh = [plan for plan in order if plan in changed]  # `changed` may also name a plan that is gone
    if changed:
        # The shared views' rows of these plans only (see _rebuild_all); every metric view's rows of a plan are
        # computed from the shared views' rows of the same plan, and the plan filter reaches the tables below them.
        only = f"plan_id IN ({', '.join('?' for _ in fresh)})" if fresh else "false"
        for view in _SHARED_VIEWS:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM {database}.{view} WHERE {only}", fresh)
        for view in METRIC_VIEWS:
            _replace_plan_rows(con, database, view, order, changed)
        if "measure_link_spans" in listings:
            # Written in measure order so a measure's rows sit in one or two row groups; rewriting the whole table
            # to keep one order would cost as much as computing it. The changed plans' rows, appended in measure
            # order, add one run of row groups of their own, and a measure's rows are still found in a few.
            # A row's plan is its upload's: the rows kept are those whose upload belongs to a plan that did not
            # change (its uploads are as they were), so a row of an upload since removed goes too.
            snapshot = f"{database}.measure_link_spans{SNAPSHOT_SUFFIX}"
            changed_marks = ", ".join("?" for _ in changed)
            unchanged = f"SELECT submission_id FROM submissions WHERE plan_id NOT IN ({changed_marks})"
            con.execute(f"DELETE FROM {snapshot} WHERE submission_id NOT IN ({unchanged})", sorted(changed))
            of_fresh = f"SELECT submission_id FROM submissions WHERE {only}"
            con.execute(
                f"INSERT INTO {snapshot} SELECT * FROM measure_link_spans WHERE submission_id IN ({of_fresh})", fresh
            )
        for view in _SHARED_VIEWS:
            con.execute(f"DROP TABLE temp.main.{view}")
    gone = set(changed).difference(order)
    if "carried_over" in listings and (carried or gone):
        # carried_over reads measure_progress of the plan and of its predecessors: every plan's rows are now in
        # measure_progress_snapshot, exactly the view's, so they shadow the view instead of computing it again.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE measure_progress AS SELECT * FROM {database}.measure_progress_snapshot"
        )
        _replace_plan_rows(con, database, "carried_over", order, carried)
        con.execute("DROP TABLE temp.main.measure_progress")


def _replace_plan_rows(
    con: duckdb.DuckDBPyConnection, database: str, view: str, order: list[str], fresh: set[str]
) -> None:
    """The snapshot of a view ordered by plan first, written again in plan order: the fresh plans' rows from the
    view, every other plan's from the snapshot as they are (so the table's order is the view's, as readers that
    read every plan expect)."""
    snapshot = f"{database}.{view}{SNAPSHOT_SUFFIX}"
    staging = f"{view}{SNAPSHOT_SUFFIX}_next"
    con.execute(f"CREATE OR REPLACE TABLE {database}.{staging} AS SELECT * FROM {snapshot} LIMIT 0")
    # Runs of consecutive plans from one source, each one statement: a relation filtered on plan ids keeps its order.
    runs: list[tuple[bool, list[str]]] = []
    for plan in order:
        if runs and runs[-1][0] == (plan in fresh):
            runs[-1][1].append(plan)
        else:
            runs.append((plan in fresh, [plan]))
    for is_fresh, plans in runs:
        source = view if is_fresh else snapshot
        marks = ", ".join("?" for _ in plans)
        con.execute(f"INSERT INTO {database}.{staging} SELECT * FROM {source} WHERE plan_id IN ({marks})", plans)
    con.execute(f"DROP TABLE {snapshot}")
    con.execute(f"ALTER TABLE {database}.{staging} RENAME TO {view}{SNAPSHOT_SUFFIX}")


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
    # On one DuckDB thread: the views' joins and groupings are too small to gain from more (spread over threads, they
    # spend more CPU partitioning and merging than they save). After a 100 000-row upload the rebuild, its commit
    # included, takes about 0.48 s of CPU instead of 0.57 s, in no more wall time.
    try:
        with one_thread(con):
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
