"""Pillar and section metrics per scope and their trend (overview, heatmap), and where the plan lags."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plan, plans


def pillar_metrics(year: int, country: str = connection.ALL, *, plan_id: str | None = None) -> pd.DataFrame:
    """metrics_pillar_country for one plan, as-of year and country scope: the plan's pillars and 'ALL'."""
    return connection.metric(
        "metrics_pillar_country", order_by="pillar", plan_id=plans.resolve(plan_id), as_of_year=year, country=country
    )


def pillar_metrics_by_country(year: int, *, plan_id: str | None = None) -> pd.DataFrame:
    """metrics_pillar_country for one plan and as-of year, every pillar x every country scope (the heatmap)."""
    return connection.metric("metrics_pillar_country", plan_id=plans.resolve(plan_id), as_of_year=year)


def section_metrics_by_country(year: int, pillar: str | None = None, *, plan_id: str | None = None) -> pd.DataFrame:
    """metrics_section_country for one plan and as-of year, optionally one pillar's sections, every country scope."""
    plan_id = plans.resolve(plan_id)
    if pillar and pillar != connection.ALL:
        chosen = plan.sections(plan_id=plan_id)
        return connection.metric(
            "metrics_section_country",
            plan_id=plan_id,
            as_of_year=year,
            section_id=list(chosen.section_id[chosen.pillar == pillar]),
        )
    return connection.metric("metrics_section_country", plan_id=plan_id, as_of_year=year)


def pillar_trend(country: str = connection.ALL, *, plan_id: str | None = None) -> pd.DataFrame:
    """metrics_pillar_country for one plan and country scope across the plan's as-of years, every pillar and 'ALL'."""
    return connection.metric(
        "metrics_pillar_country", order_by="as_of_year, pillar", plan_id=plans.resolve(plan_id), country=country
    )


def overdue_measures(
    year: int, country: str = connection.ALL, pillar: str = connection.ALL, *, plan_id: str | None = None
) -> pd.DataFrame:
    """The measures of a plan overdue in a scope as of a year (measure_progress.overdue), in plan order."""
    return connection.query(
        "SELECT * FROM overdue_measures(?, ?, ?, ?, progress := ?)",
        [
            plans.resolve(plan_id),
            year,
            country,
            None if pillar == connection.ALL else pillar,
            connection.metric_relation("measure_progress"),
        ],
    )


def lagging_sections(
    year: int, country: str = connection.ALL, pillar: str = connection.ALL, *, plan_id: str | None = None
) -> pd.DataFrame:
    """The scope's sections of a plan behind their expected share (pace index below 1), the furthest behind first."""
    return connection.query(
        "SELECT * FROM lagging_sections(?, ?, ?, ?, section_metrics := ?)",
        [
            plans.resolve(plan_id),
            year,
            country,
            None if pillar == connection.ALL else pillar,
            connection.metric_relation("metrics_section_country"),
        ],
    )


def measures_not_taken_up(year: int, pillar: str = connection.ALL, *, plan_id: str | None = None) -> tuple[int, int]:
    """How many measures of a plan (of the pillar, or all) no country has any activity under, and of how many."""
    row = connection.query(
        "SELECT * FROM measures_not_taken_up(?, ?, ?, progress := ?)",
        [
            plans.resolve(plan_id),
            year,
            None if pillar == connection.ALL else pillar,
            connection.metric_relation("measure_progress"),
        ],
    ).iloc[0]
    return int(row.not_taken_up), int(row.measures_total)


def country_ranking(year: int, pillar: str = connection.ALL, *, plan_id: str | None = None) -> pd.DataFrame:
    """The 13 countries for one plan, as-of year and pillar ('ALL': every pillar), the furthest behind first
    (country_lag_ranking: by progress status, then pace, against what each took up or leads and the schedule)."""
    return connection.query(
        "SELECT * FROM country_lag_ranking(pillar_metrics := ?) WHERE plan_id = ? AND as_of_year = ? AND pillar = ? "
        "ORDER BY lag_rank",
        [connection.metric_relation("metrics_pillar_country"), plans.resolve(plan_id), year, pillar],
    )
