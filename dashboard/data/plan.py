"""The plan as the warehouse holds it: countries, pillars, sections, measures and sub-items, and the metric settings."""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection


def thresholds() -> dict[str, float]:
    """The progress-status thresholds and other metric settings, as `aptmon init` wrote them."""
    frame = connection.query("SELECT name, value FROM settings")
    return dict(zip(frame.name, frame.value, strict=True))


def countries() -> pd.DataFrame:
    """The 13 countries in display order, with their group (ASEAN, Plus Three)."""
    return connection.query("SELECT iso3, name, country_group FROM countries ORDER BY ordinal")


def pillars() -> pd.DataFrame:
    """The six pillars with their Roman numeral and title."""
    return connection.query("SELECT CAST(pillar AS VARCHAR) AS pillar, roman, title FROM pillars ORDER BY pillar")


def measures() -> pd.DataFrame:
    """Every measure with its pillar, section and their titles, in plan order."""
    return connection.query(
        "SELECT m.measure_id, CAST(m.pillar AS VARCHAR) AS pillar, m.section_id, s.title AS section_title, "
        "p.title AS pillar_title, m.text FROM measures m "
        "JOIN sections s ON s.plan_id = m.plan_id AND s.section_id = m.section_id "
        "JOIN pillars p ON p.plan_id = m.plan_id AND p.pillar = m.pillar ORDER BY m.ordinal"
    )


def sections() -> pd.DataFrame:
    """Every section (and each pillar's group of direct measures, '<pillar>.0') in plan order."""
    return connection.query(
        "SELECT section_id, CAST(pillar AS VARCHAR) AS pillar, title, is_direct_group FROM sections "
        "ORDER BY pillar, ordinal"
    )


def catalogue() -> pd.DataFrame:
    """Every measure and sub-item, in plan order."""
    return connection.query(
        "SELECT level, id, measure_id, pillar, pillar_title, section_id, section_title, text "
        "FROM catalogue ORDER BY plan_id, measure_ordinal, letter"
    )


def measure_text(measure_id: str) -> pd.DataFrame:
    """One measure and its sub-items from the catalogue (empty when the id is not a measure)."""
    return connection.query(
        "SELECT level, id, pillar, pillar_title, section_id, section_title, text FROM catalogue "
        "WHERE measure_id = ? ORDER BY letter",
        [measure_id],
    )
