"""Catching the metric snapshots up after a write made outside our own write connections."""

from __future__ import annotations

import logging
import os

import duckdb

from etl.warehouse.connection import read_connection, write_connection
from etl.warehouse.errors import WarehouseError
from etl.warehouse.location import warehouse_path
from etl.warehouse.snapshots import snapshots_stale


def refresh_snapshots(path: str | os.PathLike | None = None) -> bool:
    """Rebuild the metric snapshots if the data changed since they were built; False when that failed.

    Our own writes rebuild them as they close (write_connection); this catches up after a write made outside
    it (an admin's own DuckDB session, an older version of the tools). A failure is logged, never raised:
    readers keep reading the views, which give the same numbers.
    """
    log = logging.getLogger(__name__)
    if not warehouse_path(path).exists():  # never create an empty warehouse just to refresh it
        return False
    try:
        # Asked for by every server process that notices stale snapshots: the ones after the first find them
        # rebuilt with a read, and neither take the writer's lock nor move the data version (their caches stay).
        with read_connection(path) as con:
            if not snapshots_stale(con):
                return True
        with write_connection(path):
            pass  # a write rebuilds stale snapshots as it closes
        with read_connection(path) as con:
            return not snapshots_stale(con)
    except (duckdb.Error, WarehouseError) as exc:
        log.warning("Could not refresh the metric snapshots (readers use the views): %s", exc)
        return False
