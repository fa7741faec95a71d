"""Catching the metric snapshots up from the server, in the background, after a write made outside our tools."""

from __future__ import annotations

import logging
import os
import threading

from etl import warehouse

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pending: set[tuple[int, str]] = set()


def refresh_soon(path: str) -> None:
    """Rebuild the metric snapshots of `path` on a background thread, at most one rebuild at a time per file.

    Our own writes rebuild them before they publish (etl.warehouse.write_connection); a warehouse changed
    another way (an admin's own DuckDB session) is caught up here. Until the rebuild commits, readers answer
    from the views, which give the same numbers, only slower on a large warehouse. Several server processes may
    each ask: the first one rebuilds, the others find the snapshots current and do nothing.
    """
    key = (os.getpid(), path)  # a forked worker starts with its parent's set but none of its threads
    with _lock:
        if key in _pending:
            return
        _pending.add(key)
    threading.Thread(target=_refresh, args=(key,), name="snapshot-refresh", daemon=True).start()


def _refresh(key: tuple[int, str]) -> None:
    try:
        warehouse.refresh_snapshots(key[1])
    except Exception:  # a thread's error would otherwise be printed to stderr and lost
        log.exception("Refreshing the metric snapshots of %s failed", key[1])
    finally:
        with _lock:
            _pending.discard(key)
