"""What each worker does before it serves: upgrade an earlier release's warehouse, clear a crashed submit's debris."""

from __future__ import annotations

import logging

import duckdb

from dashboard import uploads, warehouse_health
from dashboard.data import connection
from etl import warehouse
from etl.warehouse import debris, integrity
from etl.warehouse.schema import bring_up_to_date
from etl.warehouse.upgrade import SchemaRefused

log = logging.getLogger(__name__)


def prepare_warehouse() -> bool:
    """Upgrade the warehouse if an earlier release made it, then remove what a worker killed mid-submit left (the
    stored copy without its row, the staged file's claim). False when the data cannot be used; every page then
    says so (dashboard.warehouse_health) and the worker still starts, so the site answers."""
    path = connection.warehouse_file()
    try:
        upgraded_from = bring_up_to_date(path)
        if upgraded_from is not None:
            log.warning("Upgraded the warehouse from schema %s.", upgraded_from)
        removed = debris.remove_orphan_returns(path)
        if removed:
            log.warning("Removed %d stored file(s) a crash left without a log entry: %s", len(removed), removed)
    except SchemaRefused as exc:
        log.error("%s", exc)
        return False
    except warehouse.WarehouseError as exc:
        log.error("The warehouse could not be prepared: %s", exc)
        return False
    except duckdb.Error as exc:
        if not integrity.is_damage(exc):
            raise
        warehouse_health.mark_unreadable(exc)
        return False
    finally:
        # Whatever the warehouse's state: a claim whose worker died never holds its file back.
        released = uploads.release_abandoned_claims()
        if released:
            log.warning("Released %d staged upload(s) a crash left claimed.", released)
    return warehouse_health.problem() is None
