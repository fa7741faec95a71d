"""What the progress report says: the metric views' rows for an as-of year, read into the report's content model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from etl.outputs.export import data_fingerprint, resolve_as_of
from etl.outputs.pace import pace_figure
from etl.outputs.report.charts import pillar_chart, reporting_chart, trend_chart
from etl.outputs.report.model import (
    Block,
    Chart,
    Code,
    Content,
    Heading,
    Inline,
    Paragraph,
    Rated,
    Section,
    Status,
    Strong,
    Table,
)
from etl.plan.countries import COUNTRIES
from etl.plan.definitions import GLOSSARY, PROGRESS_BANDS, SETTINGS
from etl.plan.labels import pillar_label
from etl.plan.plans import PlanTimeframe, plan_timeframe
from etl.schedule.load import ScheduleVersion, schedule_version
from etl.warehouse import metrics
from etl.wording import plural


@dataclass
class ReportData:
    """The views' rows one report is built from, read in one connection."""

    as_of_year: int
    fingerprint: str
    synthetic: bool
    pillars: pd.DataFrame  # metrics_pillar_country, as of Y, every pillar and country scope
    trend: pd.DataFrame  # metrics_pillar_country, pillar ALL, country ALL, every year up to Y
    reporting: pd.DataFrame  # metrics_reporting, as of Y
    idle_measures: pd.DataFrame  # measure_progress ALL with no activity, with catalogue text
    pillar_titles: dict[str, str]
    schedule: ScheduleVersion  # the schedule the numbers judge against
    overdue_measures: pd.DataFrame  # measure_progress ALL overdue as of Y, with catalogue text
    ranking: pd.DataFrame  # country_ranking for the whole plan as of Y, furthest behind first
    plan: PlanTimeframe  # the plan reported on: its id, title and years


def read_report_data(con: duckdb.DuckDBPyConnection, as_of: int | None, plan_id: str | None = None) -> ReportData:
    """The rows for one plan's report (default: docs/cli.md, the plan in force today) as of a year (default: the
    plan's latest year with data)."""
    plan = plan_timeframe(con, plan_id)
    plan_id = plan.plan_id
    year = resolve_as_of(con, as_of, plan_id)
    current = metrics.snapshots_current(con)
    every = metrics.read_metric(
        con, "measure_progress", current=current, plan_id=plan_id, as_of_year=year, country="ALL"
    )
    texts = con.execute(
        "SELECT measure_id, text, measure_ordinal FROM catalogue WHERE level = 'measure' AND plan_id = ?", [plan_id]
    ).df()
    every = every.merge(texts, on="measure_id").sort_values("measure_ordinal")
    idle = every[every["activities_total"] == 0]
    overdue = every[every["overdue"]]
    synthetic = con.execute(
        "SELECT count(*) > 0 FROM current_submissions WHERE is_synthetic AND reporting_year <= ? AND plan_id = ?",
        [year, plan_id],
    ).fetchone()[0]
    return ReportData(
        as_of_year=year,
        fingerprint=data_fingerprint(con, plan_id),
        synthetic=bool(synthetic),
        pillars=metrics.read_metric(con, "metrics_pillar_country", current=current, plan_id=plan_id, as_of_year=year),
        trend=metrics.read_metric(
            con,
            "metrics_pillar_country",
            current=current,
            plan_id=plan_id,
            pillar="ALL",
            country="ALL",
            as_of_year=list(range(plan.first_year, year + 1)),
            order_by="as_of_year",
        ),
        reporting=metrics.read_metric(con, "metrics_reporting", current=current, plan_id=plan_id, as_of_year=year),
        idle_measures=idle,
        pillar_titles={
            str(p): t
            for p, t in con.execute(
                "SELECT pillar, title FROM pillars WHERE plan_id = ? ORDER BY pillar", [plan_id]
            ).fetchall()
        },
        schedule=schedule_version(con, plan_id),
        overdue_measures=overdue,
        ranking=con.execute(
            "SELECT * FROM country_lag_ranking(pillar_metrics := ?) WHERE plan_id = ? AND as_of_year = ? "
            "AND pillar = 'ALL' ORDER BY lag_rank",
            [metrics.metric_source(con, "metrics_pillar_country", current), plan_id, year],
        ).df(),
        plan=plan,
    )


def build_content(data: ReportData) -> Content:
    """Everything the report says, from the views' rows; the renderers only lay it out."""
    charts = [
        pillar_chart(data.pillars, data.pillar_titles, data.as_of_year),
        trend_chart(data.trend, data.plan.first_year, data.plan.last_year),
        reporting_chart(_by_country(data.reporting), data.plan.first_year, data.as_of_year),
    ]
    whole = _whole(data)
    version = data.schedule
    sections = [
        Section("headline-figures", "Headline figures", []),
        Section("pillars", "Coverage and completion per pillar against the timeframe", [Chart(0), Chart(1)]),
        Section("pillar-country", "Pillars and countries", _pillar_country_blocks(data), page_break=True),
        Section("country-ranking", "Which countries lag", _ranking_blocks(data), page_break=True),
        # On a page of its own: after the ranking its table would leave a row or two on the next page.
        Section(
            "reporting", "Reporting completeness and timeliness", [Chart(2), _reporting_table(data)], page_break=True
        ),
        Section("overdue-measures", "Overdue measures", _overdue_blocks(data), page_break=True),
        Section("idle-measures", "Measures with no activity yet", _idle_blocks(data)),
        Section("definitions", "Definitions", _definition_blocks(), page_break=True),
    ]
    return Content(
        title=_title(data.plan, data.as_of_year),
        as_of_year=data.as_of_year,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        fingerprint=data.fingerprint,
        synthetic=data.synthetic,
        schedule_note=f"Progress is judged against the implementation schedule (Work Plan item 6.3): {version.label}.",
        schedule_is_example=version.is_example,
        headline=_headline_figures(data),
        overall_status=whole["progress_status"],
        sections=sections,
        charts=charts,
    )


def _pct(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.0%}"


def _whole(data: ReportData) -> pd.Series:
    return data.pillars[(data.pillars["pillar"] == "ALL") & (data.pillars["country"] == "ALL")].iloc[0]


def _headline_figures(data: ReportData) -> list[tuple[str, str, str]]:
    whole = _whole(data)
    reporting = data.reporting[data.reporting["country"] == "ALL"].iloc[0]
    return [
        ("Measures covered", f"{whole['measures_covered']} of {whole['measures_total']}", _pct(whole["coverage_rate"])),
        ("Measures completed", f"{whole['measures_completed']} of {whole['measures_total']}",
         _pct(whole["completion_rate"])),
        ("Activities", f"{whole['activities_total']}", f"{whole['activities_completed']} completed"),
        ("Delivered", f"{whole['measures_delivered']} of {whole['measures_in_scope']}",
         f"{_pct(whole['delivery_rate'])}; {_pct(whole['expected_rate'])} expected by the schedule"),
        ("Overdue", f"{whole['measures_overdue']}", "one-off measures due and not delivered"),
        ("Timeframe elapsed", _pct(whole["time_elapsed"]), f"pace index {pace_figure(whole['pace_index'])}"),
        ("Returns received", f"{reporting['returns_received']} of {reporting['returns_expected']}",
         f"{_pct(reporting['reporting_rate'])}, {_pct(reporting['on_time_rate'])} on time"),
    ]  # fmt: skip


def _pillar_country_blocks(data: ReportData) -> list[Block]:
    frame = data.pillars
    pillars = [*sorted(p for p in frame["pillar"].unique() if p != "ALL"), "ALL"]
    rows: list[list[Inline]] = []
    for _, group in _by_country(frame).groupby("country", sort=False):
        cells = {r["pillar"]: r for _, r in group.iterrows()}
        # Names, as "Which countries lag" and the reporting table give them, not ISO codes.
        row: list[Inline] = [Strong(_COUNTRY_NAMES[group["country"].iloc[0]])]
        for p in pillars:
            row.append(Rated(_delivered_of_scope(cells[p]), cells[p]["progress_status"]))
        rows.append(row)
    headers = ["Country"] + [pillar_label(p, data.pillar_titles.get(p, ""), limit=None) if p != "ALL" else "Whole plan"
                             for p in pillars]  # fmt: skip
    # The judgement leads: the status (the cell's colour and word) and the one denominator it is judged on, the
    # measures the country took up or leads; coverage and completion of the whole pillar are in the charts above.
    legend: list[Inline] = [
        "Each cell: the measures the country delivered of those it took up or leads in the pillar, and its "
        "progress status against the schedule (the cell's colour and word). "
    ]
    for name, _ in PROGRESS_BANDS:
        legend += [Status(name), " "]
    return [Paragraph(legend), Table(headers, rows, "matrix")]


def _delivered_of_scope(row: pd.Series) -> str:
    if not row["measures_in_scope"]:
        return "none taken up"
    return f"{row['measures_delivered']} of {row['measures_in_scope']} delivered"


def _ranking_blocks(data: ReportData) -> list[Block]:
    """Which countries lag: the view country_ranking's order for the whole plan, furthest behind first."""
    ranking = data.ranking
    rows: list[list[Inline]] = [
        [
            str(r["lag_rank"]),
            r["country_name"],
            Status(r["progress_status"]),
            _delivered_of_scope(r),
            _pct(r["expected_rate"]),
            pace_figure(r["pace_index"]),
            str(r["measures_overdue"]),
        ]
        for _, r in ranking.iterrows()
    ]
    intro = (
        f"The 13 countries as of {data.as_of_year}, the one furthest behind its commitments first: by progress "
        "status, then pace (delivered against what the schedule expects of the measures each took up or leads)."
    )
    headers = ["Rank", "Country", "Status", "Delivered of its measures", "Expected", "Pace", "Overdue"]
    return [Paragraph([intro]), Table(headers, rows, "ranking")]


def _idle_blocks(data: ReportData) -> list[Block]:
    idle = data.idle_measures
    if idle.empty:
        return [Paragraph(["Every measure has at least one activity."])]
    rows = [[r["measure_id"], str(r["pillar"]), _shorten(r["text"])] for _, r in idle.iterrows()]
    return [
        Paragraph(
            [
                f"{len(idle)} of {_catalogue_size(data)} measures {'has' if len(idle) == 1 else 'have'} no activity "
                "in any country's returns as of "
                f"{data.as_of_year}."
            ]
        ),  # fmt: skip
        Table(["Measure", "Pillar", "Text"], rows),
    ]


def _overdue_blocks(data: ReportData) -> list[Block]:
    overdue = data.overdue_measures
    if overdue.empty:
        return [Paragraph([f"No one-off measure due by {data.as_of_year} is undelivered."])]
    rows = [
        [
            r["measure_id"],
            str(r["pillar"]),
            str(r["due_year"]),
            r["lead_countries"] if isinstance(r["lead_countries"], str) else "–",
            _activities_note(r["engaged"], int(r["activities_total"])),
            _shorten(r["text"], 120),
        ]
        for _, r in overdue.iterrows()
    ]
    return [
        Paragraph(
            [
                f"{plural(len(overdue), 'one-off measure')} {'was' if len(overdue) == 1 else 'were'} due by the end "
                f"of {data.as_of_year} under the schedule and "
                f"no country has completed an activity under {'it' if len(overdue) == 1 else 'them'}."
            ]
        ),  # fmt: skip
        Table(["Measure", "Pillar", "Due", "Leads", "Activities", "Text"], rows),
    ]


def _activities_note(engaged: bool, activities: int) -> str:
    if not engaged:
        return "no activity"
    return "1 activity, not completed" if activities == 1 else f"{plural(activities, 'activity')}, none completed"


def _catalogue_size(data: ReportData) -> int:
    return int(_whole(data)["measures_total"])


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


_COUNTRY_NAMES = {c.iso3: c.name for c in COUNTRIES} | {"ALL": "All 13 countries"}


def _reporting_table(data: ReportData) -> Table:
    rows = [
        [
            _COUNTRY_NAMES[r["country"]],
            f"{r['returns_received']} / {r['returns_expected']}",
            _pct(r["reporting_rate"]),
            f"{r['returns_on_time']}",
            _pct(r["on_time_rate"]),
        ]
        for _, r in _by_country(data.reporting).iterrows()
    ]
    return Table(["Country", "Returns received / expected", "Reporting rate", "On time", "On-time rate"], rows)


def _definition_blocks() -> list[Block]:
    rows = [[Code(d.column), d.text, d.tables] for d in GLOSSARY]
    settings = [[Code(s.name), f"{s.value:g}: {s.description}"] for s in SETTINGS]
    return [
        Table(["Term or column", "Definition", "In"], rows, "definitions"),
        Heading("Thresholds and settings"),
        Table(["Setting", "Value and meaning"], settings, "definitions"),
    ]


def _by_country(frame: pd.DataFrame) -> pd.DataFrame:
    order = {c.iso3: i for i, c in enumerate(COUNTRIES)} | {"ALL": len(COUNTRIES)}
    return frame.assign(_order=frame["country"].map(order)).sort_values("_order").drop(columns="_order")


def _title(plan: PlanTimeframe, as_of_year: int) -> str:
    """The report's title names the plan and its years (an example plan says it is one)."""
    name = plan.title if plan.span in plan.title else f"{plan.title} {plan.span}"
    example = " (an example plan, not an official text)" if plan.is_example else ""
    return f"{name}{example}: progress report as of {as_of_year}"
