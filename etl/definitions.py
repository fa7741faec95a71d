"""Metric thresholds, the plan timeframe and the reporting deadline: the one place they are set."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    value: float
    description: str


PLAN_FIRST_YEAR = 2013
PLAN_LAST_YEAR = 2017
AS_OF_YEARS = tuple(range(PLAN_FIRST_YEAR, PLAN_LAST_YEAR + 1))

SETTINGS: tuple[Setting, ...] = (
    Setting("plan_first_year", PLAN_FIRST_YEAR, "First year of the plan timeframe (2013-01-01)."),
    Setting("plan_last_year", PLAN_LAST_YEAR, "Last year of the plan timeframe (2017-12-31)."),
    Setting(
        "on_track_pace",
        0.95,
        "Pace index at or above which a scope is 'on track' (Open SDG progress methodology: 95% of required pace).",
    ),
    Setting(
        "acceleration_pace",
        0.60,
        "Pace index at or above which a scope needs 'acceleration'; below it, 'limited progress'.",
    ),
    Setting(
        "min_reporting_rate",
        0.5,
        "Reporting rate below which the status is withheld as 'insufficient data'.",
    ),
    Setting(
        "deadline_month",
        3,
        "Month of year R+1 by whose end the return for year R is due (with deadline_day).",
    ),
    Setting("deadline_day", 31, "Day of deadline_month by which the return for year R is due."),
)

SETTING_VALUES: dict[str, float] = {s.name: s.value for s in SETTINGS}
