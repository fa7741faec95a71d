"""The plans a warehouse holds: the seed plan's entry, listing the plans and choosing the one a command means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from etl.errors import AptmonError
from etl.paths import SEED_PLAN_FILE

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb
    import pandas as pd

# The range a plan's years must fall in: wide enough for every APT plan, narrow enough to catch a typing slip.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


@dataclass(frozen=True)
class PlanEntry:
    """What a plan is known by before its text is parsed: id, timeframe, and the file its catalogue comes from."""

    plan_id: str
    first_year: int
    last_year: int
    source: Path
    title: str | None = None  # None: the first line of the text

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))


# The seed plan, loaded by `aptmon init`: the only place its id and years are written down.
SEED_PLAN = PlanEntry("apt-2013-2017", 2013, 2017, SEED_PLAN_FILE)


class PlanChoiceError(AptmonError, ValueError):
    """A plan id the warehouse does not hold, or a warehouse with no plan at all."""


@dataclass(frozen=True)
class PlanTimeframe:
    """One loaded plan's id, title and years, as the `plans` table holds them."""

    plan_id: str
    title: str
    first_year: int
    last_year: int
    is_example: bool = False

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def span(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    def holds(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


def list_plans(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every plan with its timeframe and counts (view plan_summary), the earliest first."""
    return con.execute("SELECT * FROM plan_summary ORDER BY start_year, end_year, plan_id").df()


def plan_timeframes(con: duckdb.DuckDBPyConnection) -> list[PlanTimeframe]:
    """Every plan's id, title and years, the earliest first."""
    rows = con.execute(
        "SELECT plan_id, title, start_year, end_year, coalesce(is_example, false) FROM plans "
        "ORDER BY start_year, end_year, plan_id"
    ).fetchall()
    return [PlanTimeframe(*row) for row in rows]


def default_plan_id(con: duckdb.DuckDBPyConnection, today: date | None = None) -> str:
    """The plan a reader means when they name none: the one in force today (the latest-starting if several are),
    else the one with the latest last year; official plans first, an example plan only when there is no other."""
    return _default_plan(plan_timeframes(con), (today or date.today()).year).plan_id


def plan_timeframe(
    con: duckdb.DuckDBPyConnection, plan_id: str | None = None, today: date | None = None
) -> PlanTimeframe:
    """The named plan, or the default one (default_plan_id) when plan_id is None; a clear error for an unknown id."""
    plans = plan_timeframes(con)
    if not plans:
        raise PlanChoiceError("The warehouse holds no plan yet; run `aptmon init` first.")
    if plan_id is None:
        return _default_plan(plans, (today or date.today()).year)
    for plan in plans:
        if plan.plan_id == plan_id:
            return plan
    known = ", ".join(p.plan_id for p in plans)
    raise PlanChoiceError(f"No plan {plan_id!r} in the warehouse; the plans are {known}.")


def plans_holding(con: duckdb.DuckDBPyConnection, year: int) -> list[PlanTimeframe]:
    """The plans whose timeframe includes `year` (a return for that year may belong to any of them)."""
    return [plan for plan in plan_timeframes(con) if plan.holds(year)]


def _default_plan(plans: list[PlanTimeframe], year: int) -> PlanTimeframe:
    if not plans:
        raise PlanChoiceError("The warehouse holds no plan yet; run `aptmon init` first.")
    # An example plan (the demo's) is never chosen over an official one: it is there to be looked at, by name.
    plans = [plan for plan in plans if not plan.is_example] or plans
    in_force = [plan for plan in plans if plan.holds(year)]
    if in_force:
        return max(in_force, key=lambda plan: (plan.first_year, plan.last_year, plan.plan_id))
    return max(plans, key=lambda plan: (plan.last_year, plan.first_year, plan.plan_id))
