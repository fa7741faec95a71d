"""Checking and loading several returns in a row, the next file read on another thread meanwhile."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from etl.returns.gc_pause import cycle_collection_paused
from etl.returns.read import RawReturn, inspect_return, read_return

if TYPE_CHECKING:
    from etl.returns.ingest import IngestResult


def ingest_files(
    paths: Sequence[str], warehouse_file: str | os.PathLike | None = None, **options: Any
) -> Iterator[IngestResult]:
    """Each file's result from etl.returns.ingest.ingest_file (given `options`), in order, as it is ready."""
    with cycle_collection_paused():  # for the read-ahead thread as well (see etl.returns.gc_pause)
        reads = read_ahead(paths)  # the first file is being read while etl.returns.ingest and the catalogue load
        from etl.returns.ingest import ingest_file, plans_and_catalogue  # imported here to overlap the first read

        plans, catalogue = plans_and_catalogue(warehouse_file)
        for path, raw in reads:
            result = ingest_file(
                path, raw=raw, warehouse_file=warehouse_file, catalogue=catalogue, plans=plans, **options
            )
            # The file's cells (a million objects for 100 000 rows) go now, not with this frame: still referenced as
            # the pause ends, the collector's first pass would walk every one of them (0.05 s).
            del raw
            yield result


def read_ahead(paths: Sequence[str]) -> Iterator[tuple[str, RawReturn]]:
    """Each file with what read_return made of it, the next file being read meanwhile on another thread.

    python-calamine lets go of the interpreter while it parses a workbook, so the next file is parsed while
    this one is checked and loaded. The first file's format and size checks run here, before the caller loads
    the rest of etl: those imports then overlap the parse, not the checks (both of which need the interpreter).
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
    pending = pool.submit(inspect_return(paths[0]).read)

    def in_order() -> Iterator[tuple[str, RawReturn]]:
        nonlocal pending
        try:
            for number, path in enumerate(paths, start=1):
                raw = pending.result()
                if number < len(paths):
                    pending = pool.submit(read_return, paths[number])
                yield path, raw
        finally:
            pool.shutdown(cancel_futures=True)

    return in_order()
