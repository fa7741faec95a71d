"""A plan as the warehouse holds it: countries, pillars, sections, measures and sub-items, and the metric settings."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection, plans


def thresholds() -> dict[str, float]:
    """The progress-status thresholds and other metric settings, as `aptmon init` wrote them."""
    frame = connection.query("SELECT name, value FROM settings")
    return dict(zip(frame.name, frame.value, strict=True))


def countries() -> pd.DataFrame:
    """The 13 countries in display order, with their group (ASEAN, Plus Three)."""
    return connection.query("SELECT iso3, name, country_group FROM countries ORDER BY ordinal")


def pillars(*, plan_id: str | None = None) -> pd.DataFrame:
    """The plan's pillars with their Roman numeral and title."""
    return connection.query(
        "SELECT CAST(pillar AS VARCHAR) AS pillar, roman, title FROM pillars WHERE plan_id = ? ORDER BY pillar",
        [plans.resolve(plan_id)],
    )


def measures(*, plan_id: str | None = None) -> pd.DataFrame:
    """Every measure of the plan with its pillar, section and their titles, in plan order."""
    return connection.query(
        "SELECT m.measure_id, CAST(m.pillar AS VARCHAR) AS pillar, m.section_id, s.title AS section_title, "
        "p.title AS pillar_title, m.text FROM measures m "
        "JOIN sections s ON s.plan_id = m.plan_id AND s.section_id = m.section_id "
        "JOIN pillars p ON p.plan_id = m.plan_id AND p.pillar = m.pillar WHERE m.plan_id = ? ORDER BY m.ordinal",
        [plans.resolve(plan_id)],
    )


def sections(*, plan_id: str | None = None) -> pd.DataFrame:
    """Every section of the plan (and each pillar's group of direct measures, '<pillar>.0') in plan order."""
    return connection.query(
        "SELECT section_id, CAST(pillar AS VARCHAR) AS pillar, title, is_direct_group FROM sections "
        "WHERE plan_id = ? ORDER BY pillar, ordinal",
        [plans.resolve(plan_id)],
    )


def catalogue(*, plan_id: str | None = None) -> pd.DataFrame:
    """Every measure and sub-item of the plan, in plan order."""
    return connection.query(
        "SELECT level, id, measure_id, pillar, pillar_title, section_id, section_title, text "
        "FROM catalogue WHERE plan_id = ? ORDER BY measure_ordinal, letter",
        [plans.resolve(plan_id)],
    )


def measure_text(measure_id: str, *, plan_id: str | None = None) -> pd.DataFrame:
    """One measure of the plan and its sub-items from the catalogue (empty when the id is not one of its measures)."""
    return connection.query(
        "SELECT level, id, pillar, pillar_title, section_id, section_title, text FROM catalogue "
        "WHERE plan_id = ? AND measure_id = ? ORDER BY letter",
        [plans.resolve(plan_id), measure_id],
    )
