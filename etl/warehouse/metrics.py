"""Reading the metric views: the one accessor every reader uses (dashboard, export, report, notebook).

The views in etl/warehouse/sql/ define every metric. On a large warehouse computing them per query is too slow
for a dashboard, so `<view>_snapshot` tables keep their rows (every write rebuilds them before readers see its
data: warehouse.write_connection). A reader takes the snapshot while its
fingerprint matches the data, and the view itself otherwise, so a reader never sees numbers that
differ from the definition.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.errors import AptmonError
from etl.warehouse.snapshots import METRIC_VIEWS, SNAPSHOT_SUFFIX

_SNAPSHOT_TABLES = ", ".join(f"'{view}{SNAPSHOT_SUFFIX}'" for view in METRIC_VIEWS)
_FRESHNESS = (
    "SELECT count(*) = "
    f"{len(METRIC_VIEWS) + 1} FROM duckdb_tables() WHERE table_name IN ({_SNAPSHOT_TABLES}, 'metrics_snapshot_state')"
)
_MATCHES = "SELECT (SELECT fingerprint FROM metrics_snapshot_state) = (SELECT fingerprint FROM metrics_source_state)"


class UnknownMetric(AptmonError, ValueError):
    """A name that is not one of the metric views."""


def snapshots_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the metric snapshots were built from the data now in the warehouse."""
    if not con.execute(_FRESHNESS).fetchone()[0]:
        return False
    return bool(con.execute(_MATCHES).fetchone()[0])


def metric_source(con: duckdb.DuckDBPyConnection, view: str, current: bool | None = None) -> str:
    """The relation to read a metric view from: its snapshot while current, else the view itself.

    Pass `current` (from snapshots_current) when reading several views on one connection.
    """
    if view not in METRIC_VIEWS:
        raise UnknownMetric(f"{view!r} is not a metric view; choose one of {', '.join(METRIC_VIEWS)}.")
    if current is None:
        current = snapshots_current(con)
    return view + SNAPSHOT_SUFFIX if current else view


def read_metric(
    con: duckdb.DuckDBPyConnection,
    view: str,
    *,
    current: bool | None = None,
    order_by: str | None = None,
    **equals: object,
) -> pd.DataFrame:
    """Rows of one metric view, filtered on columns equal to values (a list or tuple means IN).

    Example: read_metric(con, "metrics_pillar_country", as_of_year=2015, country="ALL")
    """
    source = metric_source(con, view, current)
    # The snapshot has the view's columns, and describing a table is cheaper than binding the view.
    columns = {name for (name,) in con.execute(f"SELECT column_name FROM (DESCRIBE {source})").fetchall()}
    clauses, params = [], []
    for column, value in equals.items():
        if column not in columns:
            raise UnknownMetric(f"{view} has no column {column!r}.")
        if isinstance(value, list | tuple | set):
            values = list(value)
            clauses.append(f'"{column}" IN ({", ".join("?" for _ in values)})' if values else "false")
            params.extend(values)
        else:
            clauses.append(f'"{column}" = ?')
            params.append(value)
    sql = f"SELECT * FROM {source}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    if order_by:
        wanted = [part.strip().split()[0].strip('"') for part in order_by.split(",")]
        if not set(wanted) <= columns:
            raise UnknownMetric(f"{view} cannot be ordered by {order_by!r}.")
        sql += f" ORDER BY {order_by}"
    return con.execute(sql, params).df()
