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
