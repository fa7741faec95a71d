"""Running a piece of DuckDB work on one thread: for statements too small, or too bound to Python, to gain from more."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb


@contextmanager
def one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block's statements on one DuckDB thread, and every thread again after it (for the connection's commit and
    its close's checkpoint). In a transaction the block aborted, DuckDB refuses the reset until the rollback: the
    setting then stays until the connection closes, and the block's own error is the one raised."""
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            con.execute("RESET threads")
