"""The shared filter controls (as-of year, pillar, country, metric) and how a URL query string sets them."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import ids
from etl.plan.labels import pillar_label, section_label

ALL = "ALL"
METRIC_OPTIONS = [{"label": "Coverage", "value": "coverage"}, {"label": "Completion", "value": "completion"}]
ROWS_OPTIONS = [{"label": "Pillars", "value": "pillars"}, {"label": "Sections", "value": "sections"}]


def pick_year(raw: object, default: int, years: tuple[int, ...]) -> int:
    """The as-of year a URL asks for, or the default when it names none of the plan's years."""
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return default
    return year if year in years else default


def pick(raw: object, allowed: list[str], default: str) -> str:
    """A URL value when it is one of the allowed ones (case-insensitive), else the default."""
    text = str(raw or "").strip()
    by_key = {a.upper(): a for a in allowed}
    return by_key.get(text.upper(), default)


def dom_id(component_id: str | dict) -> str:
    """The id a component gets in the page: a pattern-matching id is rendered as its JSON, keys sorted."""
    if isinstance(component_id, str):
        return component_id
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def _labelled(label: str, control, width: dict) -> dbc.Col:
    # The visible label names its select for a screen reader too (WCAG 1.3.1, 4.1.2).
    text = dbc.Label(label, html_for=dom_id(control.id), className="filter-label mb-1")
    return dbc.Col([text, control], **width, className="mb-2")


def year_filter(value: int, years: tuple[int, ...]) -> dbc.Col:
    """The as-of year, one of the chosen plan's years."""
    options = [{"label": f"End of {y}", "value": str(y)} for y in years]
    control = dbc.Select(id=ids.YEAR, options=options, value=str(value), size="sm")
    return _labelled("As of", control, {"xs": 6, "md": 3, "lg": 2})


def pillar_filter(value: str, pillars: pd.DataFrame) -> dbc.Col:
    options = [{"label": "All pillars", "value": ALL}] + [
        {"label": pillar_label(p.pillar, p.title, 40), "value": p.pillar} for p in pillars.itertuples()
    ]
    control = dbc.Select(id=ids.PILLAR, options=options, value=value, size="sm")
    return _labelled("Pillar", control, {"xs": 6, "md": 4, "lg": 3})


def section_options(sections: pd.DataFrame, pillar: str = ALL) -> list[dict]:
    """'All sections' and each section (of one pillar, or of all), labelled by id and title."""
    shown = sections if pillar == ALL else sections[sections.pillar == pillar]
    return [{"label": "All sections", "value": ALL}] + [
        {"label": section_label(s.section_id, s.title, s.is_direct_group), "value": s.section_id}
        for s in shown.itertuples()
    ]


def section_filter(value: str, sections: pd.DataFrame, pillar: str = ALL) -> dbc.Col:
    control = dbc.Select(id=ids.SECTION, options=section_options(sections, pillar), value=value, size="sm")
    return _labelled("Section", control, {"xs": 6, "md": 4, "lg": 3})


def country_filter(value: str, countries: pd.DataFrame, allow_all: bool = True) -> dbc.Col:
    options = [{"label": "All 13 countries", "value": ALL}] if allow_all else []
    options += [{"label": f"{c.name} ({c.country_group})", "value": c.iso3} for c in countries.itertuples()]
    control = dbc.Select(id=ids.COUNTRY, options=options, value=value, size="sm")
    return _labelled("Country", control, {"xs": 6, "md": 4, "lg": 3})


def toggle(component_id: dict, label: str, options: list[dict], value: str) -> dbc.Col:
    control = dbc.RadioItems(
        id=component_id,
        options=options,
        value=value,
        inline=True,
        className="btn-group btn-group-sm",
        inputClassName="btn-check",
        labelClassName="btn btn-sm btn-outline-primary",
        labelCheckedClassName="active",
    )
    # A group of radio buttons has no one control a <label for> could name: the group is named by its label.
    label_id = f"{component_id['name']}-label"
    group = html.Div(control, role="radiogroup", **{"aria-labelledby": label_id})
    text = html.Div(label, id=label_id, className="filter-label form-label mb-1")
    return dbc.Col([text, group], xs=6, md="auto", className="mb-2")


def filter_bar(*controls: dbc.Col) -> dbc.Row:
    """The row of filters at the top of a page; the URL query string mirrors their values."""
    return dbc.Row(list(controls), className="filter-bar g-2 align-items-end mb-3")
