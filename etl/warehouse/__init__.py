"""The warehouse's public API: callers write `from etl import warehouse` and use the names re-exported here.

The modules of this package hold them by concept: location (where the file lives), locks and connection (sharing
it safely across processes), published (the readers' copies and the data version), schema (tables, views,
catalogue), snapshots and snapshot_refresh (the materialised metric views). Readers of the metric views use
etl.warehouse.metrics.
"""

from etl.warehouse.connection import ensure_readers_copy, read_connection, write_connection
from etl.warehouse.errors import DiskFull, WarehouseBusy, WarehouseError
from etl.warehouse.location import warehouse_path
from etl.warehouse.published import COPY_INFIX, data_version
from etl.warehouse.schema import SQL_DIR, initialise
from etl.warehouse.snapshot_refresh import refresh_snapshots
from etl.warehouse.snapshots import METRIC_VIEWS, refresh_metrics

__all__ = [
    "COPY_INFIX",
    "DiskFull",
    "METRIC_VIEWS",
    "SQL_DIR",
    "WarehouseBusy",
    "WarehouseError",
    "data_version",
    "ensure_readers_copy",
    "initialise",
    "read_connection",
    "refresh_metrics",
    "refresh_snapshots",
    "warehouse_path",
    "write_connection",
]
