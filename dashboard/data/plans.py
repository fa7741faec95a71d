"""The work plans the warehouse holds: which one a page shows, its name and years, and how plans continue each other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from dashboard.data import connection
from etl import warehouse
from etl.plan import plans as plan_entries
from etl.plan.plans import PlanTimeframe
from etl.warehouse import continuity

__all__ = ["PlanTimeframe", "plan_name", "timeframes", "summary", "default_plan_id", "resolve", "timeframe"]


def _reading(work: Callable):
    """Run one etl reader on a short-lived read connection (the callers below keep its answer per data version)."""
    with warehouse.read_connection(connection.warehouse_file()) as con:
        return work(con)


@connection.per_version
def timeframes() -> tuple[PlanTimeframe, ...]:
    """Every plan's id, title and years (etl.plan.plans.plan_timeframes), the earliest first."""
    return tuple(_reading(plan_entries.plan_timeframes))


@connection.per_version
def summary() -> pd.DataFrame:
    """The plan_summary view: each plan with its timeframe and the counts of its catalogue and returns."""
    return _reading(plan_entries.list_plans)


@connection.per_version
def _default_on(today: date) -> str:
    return _reading(lambda con: plan_entries.default_plan_id(con, today))


def default_plan_id() -> str:
    """The plan a page shows when its address names none: the one in force today, as the command line picks it."""
    return _default_on(date.today())


def resolve(raw: object) -> str:
    """The plan an address asks for (its id, case-insensitive), or the default plan when it names none we hold."""
    text = str(raw or "").strip().lower()
    known = {plan.plan_id.lower(): plan.plan_id for plan in timeframes()}
    return known.get(text) or default_plan_id()


def timeframe(plan_id: object) -> PlanTimeframe:
    """One plan's title, years and example flag (the default plan's when plan_id names none we hold)."""
    chosen = resolve(plan_id)
    return next(plan for plan in timeframes() if plan.plan_id == chosen)


def plan_name(plan: PlanTimeframe) -> str:
    """The name a page gives a plan: its title, and '(example)' when it is not an official text."""
    return f"{plan.title} (example)" if plan.is_example else plan.title


@connection.per_version
def measure_continuity(plan_id: str, measure_id: str) -> pd.DataFrame:
    """The measures one measure continues and is continued by (etl.warehouse.continuity), with their plans."""
    return _reading(lambda con: continuity.measure_continuity(con, plan_id, measure_id))


@connection.per_version
def carried_over(plan_id: str, as_of_year: int) -> pd.DataFrame:
    """The carried_over view for a plan as of a year: its predecessors' undelivered measures and what became of
    them."""
    return _reading(lambda con: continuity.carried_over(con, plan_id, as_of_year))


def crosswalks() -> pd.DataFrame:
    """Every crosswalk version loaded, the newest first, with the number of links each holds."""
    return connection.query(
        "SELECT c.from_plan_id, c.to_plan_id, c.version, c.source_file, c.loaded_at, c.loaded_by, "
        "(SELECT count(*) FROM crosswalk_links l WHERE l.load_id = c.load_id) AS links, "
        "c.load_id IN (SELECT load_id FROM current_crosswalks) AS is_current "
        "FROM crosswalk_loads c ORDER BY c.loaded_at DESC, c.load_id DESC"
    )


# activity_history (each listing of an activity in a current return, with its plan), for the activities listed under
# more than one plan (a country keeps an activity's id when it reports it again under the next plan).
# $1 country or NULL, $2 measure id or NULL, $3 the plan, $4 the most activities listed.
_ACROSS_PLANS = """
WITH listed AS MATERIALIZED (
    SELECT plan_id, country, activity_id, reporting_year, status, title
    FROM activity_history
    WHERE ($1 IS NULL OR country = $1)
),
chosen AS (
    -- On a measure's page: the activities linked to the measure in any current return of its plan.
    SELECT DISTINCT am.country, am.activity_id
    FROM activity_measures am
    JOIN current_submissions s USING (submission_id)
    WHERE $2 IS NOT NULL AND s.plan_id = $3 AND am.measure_id = $2
    UNION ALL
    SELECT DISTINCT country, activity_id FROM listed WHERE $2 IS NULL AND plan_id = $3
),
spanning AS (
    SELECT country, activity_id
    FROM listed
    SEMI JOIN chosen USING (country, activity_id)
    GROUP BY ALL
    HAVING count(DISTINCT plan_id) > 1
    ORDER BY country, activity_id
    LIMIT $4
),
-- status_history groups by (country, activity_id): the plan goes into the first so each plan has its own history.
keyed AS (
    SELECT plan_id || chr(31) || country AS country, activity_id, reporting_year, status
    FROM listed
    SEMI JOIN spanning USING (country, activity_id)
)
SELECT
    split_part(h.country, chr(31), 2) AS country,
    h.activity_id,
    split_part(h.country, chr(31), 1) AS plan_id,
    p.start_year,
    p.end_year,
    coalesce(p.is_example, false) AS is_example,
    h.status_history,
    (SELECT arg_max(l.title, l.reporting_year) FROM listed l
     WHERE l.country = split_part(h.country, chr(31), 2) AND l.activity_id = h.activity_id) AS title
FROM status_history('keyed') h
JOIN plans p ON p.plan_id = split_part(h.country, chr(31), 1)
ORDER BY country, h.activity_id, p.start_year
"""


def activities_across_plans(
    plan_id: str, country: str | None = None, measure_id: str | None = None, limit: int = connection.LISTING_LIMIT
) -> pd.DataFrame:
    """The plan's activities (one country's, or those under one measure) that were reported under other plans too:
    one row per activity and plan, with its status history in that plan's returns, the earliest plan first."""
    return connection.query(_ACROSS_PLANS, [country, measure_id, resolve(plan_id), limit])


def measure_standing(plan_id: str, measure_id: str, year: int) -> pd.DataFrame:
    """measure_progress of one measure of a plan, all countries together, as of a year."""
    return connection.metric("measure_progress", plan_id=plan_id, as_of_year=year, measure_id=measure_id, country="ALL")
