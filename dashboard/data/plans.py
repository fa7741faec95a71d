"""The work plans the warehouse holds: which one a page shows, its name and years, and how plans continue each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.data import connection


@dataclass(frozen=True)
class PlanInfo:
    """One plan as a page names it: id, title, timeframe, and whether it is an example (not an official text)."""

    plan_id: str
    title: str
    start_year: int
    end_year: int
    is_example: bool

    @property
    def years(self) -> tuple[int, ...]:
        """The plan's as-of years, first to last."""
        return tuple(range(self.start_year, self.end_year + 1))

    @property
    def timeframe(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def name(self) -> str:
        """The title a page heads with; an example plan says so in its name, wherever it shows."""
        return f"{self.title} (example)" if self.is_example else self.title


def plans() -> pd.DataFrame:
    """Every plan (id, title, first and last year, is_example), the latest-starting first."""
    # is_example arrives with the plans' own command (aptmon plan add); a warehouse from before it has none.
    columns = set(connection.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'plans'").column_name)
    example = "is_example" if "is_example" in columns else "false AS is_example"
    return connection.query(
        f"SELECT plan_id, title, start_year, end_year, {example} FROM plans ORDER BY start_year DESC, plan_id"
    )


def plan_summary() -> pd.DataFrame:
    """The plan_summary view: each plan with its timeframe and the counts of its catalogue and returns."""
    return connection.query("SELECT * FROM plan_summary ORDER BY start_year DESC, plan_id")


def default_plan_id(today: date | None = None) -> str:
    """The plan a page shows when the address names none: the one in force today, as the command line picks it."""
    return _default_plan_id(today or date.today())


def _default_plan_id(today: date) -> str:
    # The rule of docs/cli.md: the plan whose timeframe holds today's year (the latest-starting if several do),
    # else the one with the latest last year. The plan list comes first by start year, so the first holding today
    # is the latest-starting.
    listed = plans()
    if listed.empty:
        return ""
    in_force = listed[(listed.start_year <= today.year) & (listed.end_year >= today.year)]
    if not in_force.empty:
        return str(in_force.plan_id.iloc[0])
    return str(listed.sort_values(["end_year", "start_year"], ascending=False).plan_id.iloc[0])


def resolve(raw: object) -> str:
    """The plan an address asks for (its id, case-insensitive), or the default plan when it names none we hold."""
    text = str(raw or "").strip().lower()
    known = {str(p).lower(): str(p) for p in plans().plan_id}
    return known.get(text) or default_plan_id()


def plan_info(plan_id: str) -> PlanInfo:
    """One plan's title, years and example flag (the default plan's when plan_id is not one we hold)."""
    listed = plans().set_index("plan_id")
    if plan_id not in listed.index:
        plan_id = default_plan_id()
    row = listed.loc[plan_id]
    return PlanInfo(plan_id, str(row.title), int(row.start_year), int(row.end_year), bool(row.is_example))


def continued_from(plan_id: str, measure_id: str) -> pd.DataFrame:
    """The measures of earlier plans this measure continues (measure_continuity), with the plan's title and years."""
    return connection.query(
        "SELECT c.from_plan_id AS plan_id, c.from_measure_id AS measure_id, p.title, p.start_year, p.end_year, "
        "m.text FROM measure_continuity c JOIN plans p ON p.plan_id = c.from_plan_id "
        "JOIN measures m ON m.plan_id = c.from_plan_id AND m.measure_id = c.from_measure_id "
        "WHERE c.to_plan_id = ? AND c.to_measure_id = ? ORDER BY p.start_year, m.ordinal",
        [plan_id, measure_id],
    )


def continued_by(plan_id: str, measure_id: str) -> pd.DataFrame:
    """The measures of later plans that continue this measure (measure_continuity), with the plan's title and years."""
    return connection.query(
        "SELECT c.to_plan_id AS plan_id, c.to_measure_id AS measure_id, p.title, p.start_year, p.end_year, "
        "m.text FROM measure_continuity c JOIN plans p ON p.plan_id = c.to_plan_id "
        "JOIN measures m ON m.plan_id = c.to_plan_id AND m.measure_id = c.to_measure_id "
        "WHERE c.from_plan_id = ? AND c.from_measure_id = ? ORDER BY p.start_year, m.ordinal",
        [plan_id, measure_id],
    )


def carried_over(plan_id: str) -> pd.DataFrame:
    """The carried_over view for one plan: its predecessor's undelivered measures and what became of them."""
    return connection.query("SELECT * FROM carried_over WHERE plan_id = ?", [plan_id])


def crosswalks() -> pd.DataFrame:
    """Every crosswalk version loaded (crosswalk_loads), the newest first."""
    return connection.query("SELECT * FROM crosswalk_loads ORDER BY loaded_at DESC")
