"""The only dashboard module that queries the warehouse: every number shown comes through here.

Metric numbers come from the warehouse views as they are (never recomputed here); listings of
activities, returns and issues read the tables. Each query asks for one as-of year and one scope,
and its result is cached until the warehouse file changes, so a chart redraw rarely touches disk.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import date

import pandas as pd

from dashboard import snapshots
from etl import warehouse
from etl.plan.definitions import PLAN_LAST_YEAR
from etl.warehouse import metrics

ALL = "ALL"
LISTING_LIMIT = 500


def warehouse_file() -> str:
    """The warehouse the app serves, fixed by create_app through $APTMON_WAREHOUSE."""
    return str(warehouse.warehouse_path(os.environ.get("APTMON_WAREHOUSE")))


def warehouse_version(path: str | None = None) -> tuple:
    """Changes with every commit to the warehouse (etl.warehouse.data_version): the key of every cache here."""
    return warehouse.data_version(path or warehouse_file())


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
def _measure_links_current(path: str, _version: tuple) -> bool:
    # The measure listing's snapshot is built with the metric snapshots; a warehouse refreshed before it existed
    # has current metric snapshots and no listing snapshot yet.
    if not _snapshots_current(path, _version):
        return False
    found = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'measure_link_spans_snapshot'"
    return bool(_run(path, lambda con: con.execute(found).fetchone()[0]))


# Caches of what per_version functions built from this module's answers; clear_cache empties them too.
_built_caches: list = []


def per_version(function: Callable) -> Callable:
    """Keep what a function builds from this module's answers (a page's first draw, say) until the data version
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
        _measure_links_current.cache_clear()


# ---- the state of the data -------------------------------------------------------------------------------


def data_state() -> dict:
    """Whether any return is loaded, whether any of it is synthetic demo data, and the latest reported year."""
    row = query(
        "SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted, "
        "coalesce(bool_or(is_synthetic), false) AS synthetic, "
        "max(reporting_year) FILTER (WHERE status = 'accepted') AS latest_year FROM submissions"
    ).iloc[0]
    latest = row.latest_year
    return {
        "has_returns": int(row.accepted) > 0,
        "synthetic": bool(row.synthetic),
        "latest_year": int(latest) if pd.notna(latest) else PLAN_LAST_YEAR,
    }


def thresholds() -> dict[str, float]:
    """The progress-status thresholds and other metric settings, as `aptmon init` wrote them."""
    frame = query("SELECT name, value FROM settings")
    return dict(zip(frame.name, frame.value, strict=True))


def countries() -> pd.DataFrame:
    """The 13 countries in display order, with their group (ASEAN, Plus Three)."""
    return query("SELECT iso3, name, country_group FROM countries ORDER BY ordinal")


def pillars() -> pd.DataFrame:
    """The six pillars with their Roman numeral and title."""
    return query("SELECT CAST(pillar AS VARCHAR) AS pillar, roman, title FROM pillars ORDER BY pillar")


def measures() -> pd.DataFrame:
    """Every measure with its pillar, section and their titles, in plan order."""
    return query(
        "SELECT m.measure_id, CAST(m.pillar AS VARCHAR) AS pillar, m.section_id, s.title AS section_title, "
        "p.title AS pillar_title, m.text FROM measures m "
        "JOIN sections s ON s.plan_id = m.plan_id AND s.section_id = m.section_id "
        "JOIN pillars p ON p.plan_id = m.plan_id AND p.pillar = m.pillar ORDER BY m.ordinal"
    )


def sections() -> pd.DataFrame:
    """Every section (and each pillar's group of direct measures, '<pillar>.0') in plan order."""
    return query(
        "SELECT section_id, CAST(pillar AS VARCHAR) AS pillar, title, is_direct_group FROM sections "
        "ORDER BY pillar, ordinal"
    )


# ---- metric views -----------------------------------------------------------------------------------------


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


def pillar_metrics(year: int, country: str = ALL) -> pd.DataFrame:
    """metrics_pillar_country for one as-of year and one country scope: the six pillars and 'ALL'."""
    return metric("metrics_pillar_country", order_by="pillar", as_of_year=year, country=country)


def pillar_metrics_by_country(year: int) -> pd.DataFrame:
    """metrics_pillar_country for one as-of year, every pillar x every country scope (the heatmap)."""
    return metric("metrics_pillar_country", as_of_year=year)


def section_metrics_by_country(year: int, pillar: str | None = None) -> pd.DataFrame:
    """metrics_section_country for one as-of year, optionally one pillar's sections, every country scope."""
    if pillar and pillar != ALL:
        chosen = sections()
        return metric(
            "metrics_section_country", as_of_year=year, section_id=list(chosen.section_id[chosen.pillar == pillar])
        )
    return metric("metrics_section_country", as_of_year=year)


def pillar_trend(country: str = ALL) -> pd.DataFrame:
    """metrics_pillar_country for one country scope across every as-of year, every pillar and 'ALL'."""
    return metric("metrics_pillar_country", order_by="as_of_year, pillar", country=country)


def reporting(year: int) -> pd.DataFrame:
    """metrics_reporting for one as-of year: each country and 'ALL'."""
    return metric("metrics_reporting", as_of_year=year)


def reporting_for(country: str, years: list[int]) -> pd.DataFrame:
    """metrics_reporting for one scope over the given as-of years (a year and the one before)."""
    return metric("metrics_reporting", order_by="as_of_year", country=country, as_of_year=list(years))


def measure_progress(year: int, country: str = ALL) -> pd.DataFrame:
    """measure_progress for one as-of year and scope, beside each measure's text and section title, in plan order."""
    progress = metric("measure_progress", as_of_year=year, country=country).drop(columns=["pillar", "section_id"])
    return measures().merge(progress, on="measure_id", how="left")


def measure_by_country(year: int, measure_id: str) -> pd.DataFrame:
    """measure_progress of one measure for one as-of year, each country and 'ALL'."""
    return metric("measure_progress", as_of_year=year, measure_id=measure_id)


# ---- catalogue and listings ---------------------------------------------------------------------------------


def catalogue() -> pd.DataFrame:
    """Every measure and sub-item, in plan order."""
    return query(
        "SELECT level, id, measure_id, pillar, pillar_title, section_id, section_title, text "
        "FROM catalogue ORDER BY plan_id, measure_ordinal, letter"
    )


def measure_text(measure_id: str) -> pd.DataFrame:
    """One measure and its sub-items from the catalogue (empty when the id is not a measure)."""
    return query(
        "SELECT level, id, pillar, pillar_title, section_id, section_title, text FROM catalogue "
        "WHERE measure_id = ? ORDER BY letter",
        [measure_id],
    )


def measure_activities(year: int, measure_id: str, limit: int = LISTING_LIMIT) -> pd.DataFrame:
    """The activities linked to a measure as of a year: status history and where each was reported."""
    path = warehouse_file()
    if _measure_links_current(path, warehouse_version(path)):
        # The same rows as activity_listing, found through the measure's snapshot rows instead of every link.
        return query("SELECT * FROM measure_activity_listing(?, ?, ?)", [year, measure_id, limit])
    return query("SELECT * FROM activity_listing(?, NULL, ?, ?)", [year, measure_id, limit])


def country_activities(year: int, country: str, limit: int = LISTING_LIMIT) -> pd.DataFrame:
    """One country's activities as of a year, with their measures, status history and provenance."""
    return query(
        "SELECT * FROM activity_listing(?, ?, NULL, ?)",
        [year, country, limit],
    )


def return_matrix(year: int) -> pd.DataFrame:
    """Each country's return for each reporting year up to the as-of year: its state (a return whose deadline is
    after the end of that year is 'not yet due'), due date, versions, rejections."""
    return query(
        "SELECT * FROM return_status_as_of(?) ORDER BY country_ordinal, reporting_year",
        [year],
    )


def rejected_issues(year: int, country: str = ALL, limit: int = LISTING_LIMIT) -> pd.DataFrame:
    """The errors that rejected uploads for reporting years up to the as-of year, newest upload first."""
    sql = (
        'SELECT s.country, s.reporting_year, s.file_name, s.submitted_at, i.sheet, i."row", i."column", '
        "i.value, i.code, i.message FROM issues i JOIN submissions s USING (submission_id) "
        "WHERE s.status = 'rejected' AND i.severity = 'error' AND (s.reporting_year IS NULL OR s.reporting_year <= ?)"
    )
    params: list = [year]
    if country != ALL:
        sql += " AND s.country = ?"
        params.append(country)
    sql += ' ORDER BY s.submitted_at DESC, i.sheet, i."row" LIMIT ?'
    params.append(limit)
    return query(sql, params)


def rejected_issue_counts(year: int, country: str = ALL, except_country: str | None = None) -> pd.DataFrame:
    """How many errors of each code rejected uploads had, by country and reporting year: no file, cell or value."""
    sql = (
        "SELECT s.country, s.reporting_year, i.code, count(*) AS errors, count(DISTINCT s.submission_id) AS uploads "
        "FROM issues i JOIN submissions s USING (submission_id) "
        "WHERE s.status = 'rejected' AND i.severity = 'error' AND (s.reporting_year IS NULL OR s.reporting_year <= ?)"
    )
    params: list = [year]
    if country != ALL:
        sql += " AND s.country = ?"
        params.append(country)
    if except_country is not None:
        sql += " AND s.country IS DISTINCT FROM ?"
        params.append(except_country)
    sql += " GROUP BY ALL ORDER BY s.country, s.reporting_year DESC, errors DESC, i.code"
    return query(sql, params)


# ---- the submissions log (upload and submissions pages; callers check the user's country) -----------------


def submissions(country: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """Every upload, newest first: who sent which file when, its outcome, version and hash; one country or all."""
    sql = (
        "SELECT s.submission_id, s.country, s.reporting_year, s.version, s.status, v.version_state, s.file_name, "
        "s.submitted_by, s.submitted_at, s.received_on, s.activities, s.errors, s.warnings, s.sha256, "
        "s.superseded_by, s.is_synthetic, s.stored_path IS NOT NULL AS has_file "
        "FROM submissions s JOIN submission_states v USING (submission_id)"
    )
    params: list = []
    if country is not None:
        sql += " WHERE s.country = ?"
        params.append(country)
    sql += " ORDER BY s.submitted_at DESC, s.submission_id DESC LIMIT ?"
    params.append(limit)
    return query(sql, params)


def country_versions(country: str, year: int, limit: int = 200) -> pd.DataFrame:
    """One country's uploads for reporting years up to `year`, with the state of each version, newest first."""
    return query(
        "SELECT s.reporting_year, s.version, v.version_state, s.file_name, s.submitted_at FROM submissions s "
        "JOIN submission_states v USING (submission_id) WHERE s.country = ? AND s.reporting_year <= ? "
        "ORDER BY s.reporting_year DESC, s.submitted_at DESC, s.submission_id DESC LIMIT ?",
        [country, year, limit],
    )


def submission_issues(submission_id: int) -> pd.DataFrame:
    """The errors and warnings found in one upload, in sheet and row order."""
    return query(
        'SELECT severity, code, sheet, "row", "column", value, message FROM issues WHERE submission_id = ? '
        'ORDER BY severity, sheet, "row"',
        [submission_id],
    )


def submission_file(submission_id: int) -> dict | None:
    """Where one upload's file is kept, with its country and the name it was sent under."""
    frame = query(
        "SELECT country, file_name, stored_path FROM submissions WHERE submission_id = ?", [int(submission_id)]
    )
    if frame.empty:
        return None
    row = frame.iloc[0]
    country = row.country if pd.notna(row.country) else None
    return {"country": country, "file_name": row.file_name, "stored_path": row.stored_path}


# ---- the review between two dates (item 6.5) -----------------------------------------------------------------


def review_meetings() -> pd.DataFrame:
    """The CPR Plus Three review meetings an admin recorded, the latest first."""
    return query("SELECT meeting_on, title FROM review_meetings ORDER BY meeting_on DESC")


def review_default_dates() -> tuple[date, date] | None:
    """The two dates a review compares by default: the last two meetings; with one meeting, it and the latest
    upload; with none, the last two days an accepted upload arrived. None before two such dates exist."""
    frame = query(
        "WITH meetings AS (SELECT meeting_on AS day FROM review_meetings ORDER BY day DESC LIMIT 2), "
        "uploads AS (SELECT DISTINCT received_on AS day FROM submissions WHERE status = 'accepted' "
        "ORDER BY day DESC LIMIT 2) "
        "SELECT (SELECT list(day ORDER BY day DESC) FROM meetings) AS meetings, "
        "(SELECT list(day ORDER BY day DESC) FROM uploads) AS uploads"
    ).iloc[0]
    meetings = list(frame.meetings) if pd.api.types.is_list_like(frame.meetings) else []
    uploads = list(frame.uploads) if pd.api.types.is_list_like(frame.uploads) else []
    if len(meetings) >= 2:
        chosen = (meetings[1], meetings[0])
    elif meetings and uploads and uploads[0] > meetings[0]:
        chosen = (meetings[0], uploads[0])
    elif len(uploads) >= 2:
        chosen = (uploads[1], uploads[0])
    else:
        return None
    return tuple(pd.Timestamp(day).date() for day in chosen)


def review_returns(from_date: date, to_date: date) -> pd.DataFrame:
    """The returns accepted after from_date and on or before to_date: first arrivals and new versions."""
    return query("SELECT * FROM review_returns(?, ?)", [from_date, to_date])


def review_activities(from_date: date, to_date: date) -> pd.DataFrame:
    """Activities added, completed, or whose status went back between the two dates."""
    return query("SELECT * FROM review_activities(?, ?)", [from_date, to_date])


def review_measures(from_date: date, to_date: date) -> pd.DataFrame:
    """Measures newly delivered or newly overdue, all 13 countries, between the years the two dates speak for."""
    return query(
        "SELECT * FROM review_measures(?, ?, progress := ?)",
        [from_date, to_date, _metric_relation("measure_progress")],
    )


def review_years(from_date: date, to_date: date) -> tuple[int | None, int | None]:
    """The as-of years the two dates speak for (the latest year whose returns were due by then)."""
    row = query("SELECT review_as_of_year(?) AS before, review_as_of_year(?) AS now", [from_date, to_date]).iloc[0]
    return (None if pd.isna(row.before) else int(row.before), None if pd.isna(row.now) else int(row.now))


# ---- where it lags (the overview's panel) --------------------------------------------------------------------


def _metric_relation(view: str) -> str:
    """The relation a macro should read a metric view from: its snapshot while current, else the view."""
    path = warehouse_file()
    return f"{view}_snapshot" if _snapshots_current(path, warehouse_version(path)) else view


def overdue_measures(year: int, country: str = ALL, pillar: str = ALL) -> pd.DataFrame:
    """The measures overdue in a scope as of a year (measure_progress.overdue), in plan order."""
    return query(
        "SELECT * FROM overdue_measures(?, ?, ?, progress := ?)",
        [year, country, None if pillar == ALL else pillar, _metric_relation("measure_progress")],
    )


def lagging_sections(year: int, country: str = ALL, pillar: str = ALL) -> pd.DataFrame:
    """The scope's sections behind their expected share (pace index below 1), the furthest behind first."""
    return query(
        "SELECT * FROM lagging_sections(?, ?, ?, section_metrics := ?)",
        [year, country, None if pillar == ALL else pillar, _metric_relation("metrics_section_country")],
    )


def measures_not_taken_up(year: int, pillar: str = ALL) -> tuple[int, int]:
    """How many measures (of the pillar, or all) no country has any activity under, and of how many."""
    row = query(
        "SELECT * FROM measures_not_taken_up(?, ?, progress := ?)",
        [year, None if pillar == ALL else pillar, _metric_relation("measure_progress")],
    ).iloc[0]
    return int(row.not_taken_up), int(row.measures_total)


# ---- the implementation schedule ------------------------------------------------------------------------------


def schedule() -> pd.DataFrame:
    """Every measure's effective schedule (kind, start and due year, leads, note, whether it is the default)."""
    return query(
        "SELECT ms.measure_id, ms.pillar, ms.section_id, ms.kind, ms.start_year, ms.due_year, ms.lead_countries, "
        "ms.note, ms.is_default, ms.schedule_version, m.text FROM measure_schedule ms "
        "JOIN measures m ON m.plan_id = ms.plan_id AND m.measure_id = ms.measure_id ORDER BY ms.ordinal"
    )


def schedule_version():
    """The schedule the metrics judge against (etl.schedule.load.ScheduleVersion): a loaded version, or the default."""
    from etl.schedule.load import ScheduleVersion

    frame = query(
        "SELECT version, file_name, sha256, loaded_by, loaded_at, is_example, "
        "(SELECT count(*) FROM measure_schedule WHERE NOT is_default) AS measures_set FROM current_schedule"
    )
    if frame.empty:
        return ScheduleVersion(0)
    row = frame.iloc[0]
    return ScheduleVersion(
        int(row.version), row.file_name, row.sha256, row.loaded_by, row.loaded_at.to_pydatetime(),
        bool(row.is_example), int(row.measures_set),
    )  # fmt: skip


def funding(year: int) -> pd.DataFrame:
    """The funding view for one as-of year: every pillar (and 'ALL') and country scope, with its budgets by source."""
    return query("SELECT * FROM funding WHERE as_of_year = ?", [year])
