"""The warehouse the dashboard reads and how: one read connection per callback, every answer cached per data version.

The query modules beside this one ask through `query` and `metric`; each query asks for one as-of year and one
scope, and its result is kept until the warehouse's data version moves, so a chart redraw rarely touches disk.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import date

import pandas as pd

from dashboard.data import snapshots
from etl import warehouse
from etl.warehouse import metrics

# The scope of every country (or every pillar) in a query's arguments.
ALL = "ALL"
# The most rows a listing of activities or issues returns.
LISTING_LIMIT = 500


def warehouse_file() -> str:
    """The warehouse the app serves, fixed by create_app through $APTMON_WAREHOUSE."""
    return str(warehouse.warehouse_path(os.environ.get("APTMON_WAREHOUSE")))


def warehouse_version(path: str | None = None) -> tuple:
    """Changes with every commit to the warehouse (etl.warehouse.data_version) and every day: the key of every cache
    here. The day is part of it because which returns are expected moves with it (view monitor_today), so a server
    running across a reporting deadline does not keep yesterday's answers."""
    return (*warehouse.data_version(path or warehouse_file()), date.today().isoformat())


# One read connection may serve every query of a callback (see `reading`); it is opened only on a cache miss.
_reader: ContextVar[_Reader | None] = ContextVar("dashboard_reader", default=None)


class _Reader:
    """A read connection opened on first use and closed when the callback returns."""

    def __init__(self, path: str):
        self.path = path
        self._stack: ExitStack | None = None
        self._con = None

    def connection(self):
        if self._con is None:
            self._stack = ExitStack()
            self._con = self._stack.enter_context(warehouse.read_connection(self.path))
        return self._con

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()


@contextmanager
def reading() -> Iterator[None]:
    """Let the queries inside share one short-lived read connection instead of opening one each."""
    if _reader.get() is not None:
        yield
        return
    reader = _Reader(warehouse_file())
    token = _reader.set(reader)
    try:
        yield
    finally:
        _reader.reset(token)
        reader.close()


def reads_warehouse(function: Callable) -> Callable:
    """Decorate a callback or layout so all its queries share one read connection."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with reading():
            return function(*args, **kwargs)

    return wrapper


def _run(path: str, work: Callable):
    reader = _reader.get()
    if reader is not None and reader.path == path:
        return work(reader.connection())
    with warehouse.read_connection(path) as con:
        return work(con)


def query(sql: str, params: list | tuple | None = None) -> pd.DataFrame:
    """Run one read-only query (on the callback's shared connection, else a short-lived one), cached.

    The frame is shared between callers through the cache: treat it as read-only.
    """
    path = warehouse_file()
    return _cached_query(path, warehouse_version(path), sql, tuple(params or ()))


@functools.lru_cache(maxsize=512)
def _cached_query(path: str, _version: tuple, sql: str, params: tuple) -> pd.DataFrame:
    return _run(path, lambda con: con.execute(sql, list(params)).df())


@functools.lru_cache(maxsize=8)
def _snapshots_current(path: str, _version: tuple) -> bool:
    # Checking the snapshots' fingerprint reads every upload: once per warehouse version is enough.
    current = _run(path, metrics.snapshots_current)
    if not current:
        snapshots.refresh_soon(path)  # this read uses the views; the ones after the rebuild, the snapshots
    return current


@functools.lru_cache(maxsize=8)
def measure_links_current(path: str, _version: tuple) -> bool:
    # The measure listing's snapshot is built with the metric snapshots; a warehouse refreshed before it existed
    # has current metric snapshots and no listing snapshot yet.
    if not _snapshots_current(path, _version):
        return False
    found = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'measure_link_spans_snapshot'"
    return bool(_run(path, lambda con: con.execute(found).fetchone()[0]))


# Caches of what per_version functions built from the data layer's answers; clear_cache empties them too.
_built_caches: list = []


def per_version(function: Callable) -> Callable:
    """Keep what a function builds from the data layer's answers (a page's first draw, say) until the data version
    moves, so every reader of one version shares it instead of building it again."""

    @functools.lru_cache(maxsize=64)
    def built(_path: str, _version: tuple, *args):
        return function(*args)

    _built_caches.append(built)

    @functools.wraps(function)
    def wrapper(*args):
        path = warehouse_file()
        return built(path, warehouse_version(path), *args)

    return wrapper


def clear_cache(results_only: bool = False) -> None:
    """Forget cached results (tests that rewrite a warehouse within one mtime tick, benchmarks); with
    results_only, keep the once-per-version check of the metric snapshots."""
    _cached_query.cache_clear()
    _cached_metric.cache_clear()
    for built in _built_caches:
        built.cache_clear()
    if not results_only:
        _snapshots_current.cache_clear()
        measure_links_current.cache_clear()


def metric(view: str, order_by: str | None = None, **equals) -> pd.DataFrame:
    """Rows of one metric view for the given column values, through etl.warehouse.metrics (its snapshot if current)."""
    path = warehouse_file()
    key = tuple(sorted((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in equals.items()))
    return _cached_metric(path, warehouse_version(path), view, order_by, key)


@functools.lru_cache(maxsize=512)
def _cached_metric(path: str, version: tuple, view: str, order_by: str | None, key: tuple) -> pd.DataFrame:
    equals = {k: list(v) if isinstance(v, tuple) else v for k, v in key}
    current = _snapshots_current(path, version)
    return _run(path, lambda con: metrics.read_metric(con, view, current=current, order_by=order_by, **equals))


def metric_relation(view: str) -> str:
    """The relation a macro should read a metric view from: its snapshot while current, else the view."""
    path = warehouse_file()
    return f"{view}_snapshot" if _snapshots_current(path, warehouse_version(path)) else view
