"""Continuity between plans on a page: the measures one continues and is continued by, activities across plans, and
the predecessor's measures a plan carried over."""

from __future__ import annotations

from urllib.parse import quote

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.tables import data_grid, records

ACROSS_PLANS_COLUMNS = [
    ("Country", "country"),
    ("Activity", "activity_id"),
    ("Title (latest return)", "title"),
    ("Status history in each plan (return years)", "history"),
]
CARRIED_OVER_COLUMNS = [
    ("Measure", "measure_id"),
    ("Pillar", "pillar"),
    ("Text", "text"),
    ("Continued by", "continued_by"),
    ("What became of it", "outcome"),
]
# The outcome's badge colours, from the status palette's meanings: done, under way, dropped.
OUTCOME_COLOURS = {
    "continued and delivered": "success",
    "continued and not yet": "warning",
    "not continued": "secondary",
}


def plan_span_name(start_year: int, end_year: int, is_example: bool) -> str:
    """'the 2013-2017 plan', with '(example)' for a plan that is not an official text."""
    return f"the {start_year}-{end_year} plan" + (" (example)" if is_example else "")


def measure_href(plan_id: str, measure_id: str) -> str:
    """The page of a measure in its own plan."""
    return f"/measure/{quote(measure_id)}?plan={quote(plan_id)}"


def standing_text(progress: pd.DataFrame, year: int) -> tuple[str, str]:
    """What one measure_progress row (all countries) says of a measure as of a year, and its badge colour."""
    if progress.empty:
        return f"no progress figures as of {year}", "secondary"
    row = progress.iloc[0]
    counts = f"{row.activities_total} activities, {row.countries_implementing} countries implementing"
    if row.delivered:
        return f"delivered as of {year} ({counts})", "success"
    if row.overdue:
        return f"overdue as of {year} ({counts})", "danger"
    if row.expected_share == 0:
        return f"not yet due as of {year} ({counts})", "info"
    return f"not delivered yet as of {year} ({counts})", "warning"


def continuity_panel(links: pd.DataFrame, standings: dict[tuple[str, str], tuple[str, str]], plan_name: str):
    """The measures of other plans this one continues and is continued by, each linked to its page with its
    progress in its own plan (standings: (plan_id, measure_id) -> (text, colour)). None when there are none."""
    if links.empty:
        return html.P(
            f"No crosswalk links this measure of {plan_name} to a measure of another plan.",
            className="text-muted small",
        )
    sections = []
    for direction, heading in (("continues", "Continues"), ("continued by", "Continued by")):
        rows = links[links.direction == direction]
        if rows.empty:
            continue
        items = []
        for link in rows.itertuples():
            text, colour = standings.get((link.plan_id, link.measure_id), ("", "secondary"))
            items.append(
                html.Li(
                    [
                        dcc.Link(f"Measure {link.measure_id}", href=measure_href(link.plan_id, link.measure_id)),
                        f" of {link.plan_title} ({link.start_year}-{link.end_year}): ",
                        html.Span(link.text, className="continuity-text"),
                        " ",
                        dbc.Badge(text, color=colour, text_color="dark" if colour in ("warning", "info") else None),
                    ],
                    className="mb-1",
                )
            )
        sections.append(html.Div([html.H3(heading, className="h6 mt-2"), html.Ul(items, className="mb-2")]))
    return html.Div(sections)


def across_plans_rows(frame: pd.DataFrame) -> list[dict]:
    """One row per activity from activities_across_plans' rows per activity and plan: its history in each plan."""
    if frame.empty:
        return []
    frame = frame.assign(
        history=[
            f"{plan_span_name(r.start_year, r.end_year, r.is_example)}: {r.status_history}" for r in frame.itertuples()
        ]
    )
    joined = (
        frame.groupby(["country", "activity_id"], sort=False)
        .agg(title=("title", "first"), history=("history", " | ".join))
        .reset_index()
    )
    return records(joined, [c for _, c in ACROSS_PLANS_COLUMNS])


def across_plans_section(name: str, frame: pd.DataFrame, what: str) -> html.Div:
    """The activities of the page that were reported under more than one plan, with their whole history."""
    rows = across_plans_rows(frame)
    note = (
        f"None of {what} was reported under another plan with the same activity id."
        if not rows
        else f"{len(rows)} of {what} reported under more than one plan with the same activity id; the history gives "
        "each plan's statuses with the years of its returns."
    )
    return html.Div(
        [
            html.H2("Across plans", className="h4 mt-3"),
            html.P(note, className="text-muted small"),
            data_grid(name, ACROSS_PLANS_COLUMNS, rows, 5, csv_name="across-plans") if rows else None,
        ],
        id=name + "-section",
    )


def carried_over_rows(frame: pd.DataFrame, plan_id: str) -> list[dict]:
    """carried_over's rows for the grid: the measures that continue each one, listed."""
    shown = frame.assign(
        continued_by=[", ".join(ids) if len(ids) else "none" for ids in frame.continued_by],
        pillar=frame.pillar.astype(str),
    )
    return records(shown, [c for _, c in CARRIED_OVER_COLUMNS])


def outcome_counts(frame: pd.DataFrame) -> html.Div:
    """How many carried-over measures came to each outcome, as badges."""
    counts = frame.outcome.value_counts()
    return html.Div(
        [
            dbc.Badge(
                f"{outcome}: {int(counts.get(outcome, 0))}",
                color=colour,
                text_color="dark" if colour == "warning" else None,
                className="me-2",
            )
            for outcome, colour in OUTCOME_COLOURS.items()
        ],
        className="mb-2",
    )
