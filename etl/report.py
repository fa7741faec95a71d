"""The concise progress report (Work Plan item 6.6): one self-contained, printable HTML file from the views."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from etl import metrics, warehouse
from etl.countries import COUNTRIES
from etl.definitions import GLOSSARY, PLAN_FIRST_YEAR, PLAN_LAST_YEAR, PROGRESS_BANDS, SETTINGS
from etl.export import data_fingerprint, resolve_as_of
from etl.schedule import ScheduleVersion, schedule_version

# The dashboard's colour-blind-safe palette (Okabe & Ito), so the report and the charts look alike.
COVERAGE_COLOUR = "#0072B2"
COMPLETION_COLOUR = "#009E73"
DELIVERED_COLOUR = "#CC79A7"
TARGET_COLOUR = "#999999"
STATUS_COLOURS = {
    "on track": "#009E73",
    "acceleration needed": "#E69F00",
    "limited progress": "#D55E00",
    "not yet due": "#56B4E9",
    "no commitments": "#CC79A7",
    "insufficient data": "#999999",
}
CHART_WIDTH = 680  # px: fits the A4 text width when printed
CHART_CONFIG = {"displayModeBar": False, "responsive": False, "staticPlot": False}


@dataclass
class ReportResult:
    path: Path
    as_of_year: int
    fingerprint: str
    charts: int
    schedule: str = ""  # which schedule the report judged against (ScheduleVersion.label)


@dataclass
class _Data:
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


def write_report(
    path: str | os.PathLike, *, warehouse_file: str | os.PathLike | None = None, as_of: int | None = None
) -> ReportResult:
    """Write the progress report for one as-of year (default: the latest year with data) to an HTML file."""
    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        data = _read(con, as_of)
    charts = [_pillar_chart(data), _trend_chart(data), _reporting_chart(data)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(data, charts), encoding="utf-8")
    return ReportResult(
        path=path, as_of_year=data.as_of_year, fingerprint=data.fingerprint, charts=len(charts),
        schedule=data.schedule.label,
    )  # fmt: skip


def _read(con: duckdb.DuckDBPyConnection, as_of: int | None) -> _Data:
    year = resolve_as_of(con, as_of)
    current = metrics.snapshots_current(con)
    every = metrics.read_metric(con, "measure_progress", current=current, as_of_year=year, country="ALL")
    texts = con.execute("SELECT measure_id, text, measure_ordinal FROM catalogue WHERE level = 'measure'").df()
    every = every.merge(texts, on="measure_id").sort_values("measure_ordinal")
    idle = every[every["activities_total"] == 0]
    overdue = every[every["overdue"]]
    synthetic = con.execute(
        "SELECT count(*) > 0 FROM current_submissions WHERE is_synthetic AND reporting_year <= ?", [year]
    ).fetchone()[0]
    return _Data(
        as_of_year=year,
        fingerprint=data_fingerprint(con),
        synthetic=bool(synthetic),
        pillars=metrics.read_metric(con, "metrics_pillar_country", current=current, as_of_year=year),
        trend=metrics.read_metric(
            con,
            "metrics_pillar_country",
            current=current,
            pillar="ALL",
            country="ALL",
            as_of_year=list(range(PLAN_FIRST_YEAR, year + 1)),
            order_by="as_of_year",
        ),
        reporting=metrics.read_metric(con, "metrics_reporting", current=current, as_of_year=year),
        idle_measures=idle,
        pillar_titles={
            str(p): t for p, t in con.execute("SELECT pillar, title FROM pillars ORDER BY pillar").fetchall()
        },
        schedule=schedule_version(con),
        overdue_measures=overdue,
    )


# --- charts (figures from the views' rows; nothing is computed here but labels) ---------------------------------


def _layout(fig: go.Figure, title: str, height: int = 330) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}},
        width=CHART_WIDTH,
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        template="plotly_white",
        font={"family": "Helvetica, Arial, sans-serif", "size": 11},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _pillar_chart(data: _Data) -> go.Figure:
    rows = data.pillars[(data.pillars["country"] == "ALL") & (data.pillars["pillar"] != "ALL")].sort_values("pillar")
    labels = [f"Pillar {p}" for p in rows["pillar"]]
    titles = [data.pillar_titles.get(p, "").title() for p in rows["pillar"]]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=rows["coverage_rate"],
        name="Coverage (measures with an implemented activity)",
        marker_color=COVERAGE_COLOUR,
        customdata=titles,
        hovertemplate="%{customdata}: %{y:.0%}",
    )
    fig.add_bar(
        x=labels,
        y=rows["completion_rate"],
        name="Completion (measures with a completed activity)",
        marker_color=COMPLETION_COLOUR,
        customdata=titles,
        hovertemplate="%{customdata}: %{y:.0%}",
    )
    fig.add_scatter(
        x=labels,
        y=rows["expected_rate"],
        mode="markers",
        name="Expected by the schedule",
        marker={
            "symbol": "line-ew-open",
            "size": 34,
            "color": TARGET_COLOUR,
            "line": {"width": 3, "color": TARGET_COLOUR},
        },
        customdata=titles,
        hovertemplate="%{customdata}: %{y:.0%} expected",
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.08])
    return _layout(fig, f"Coverage and completion per pillar, all countries, as of {data.as_of_year}")


def _trend_chart(data: _Data) -> go.Figure:
    trend = data.trend
    fig = go.Figure()
    fig.add_scatter(x=trend["as_of_year"], y=trend["coverage_rate"], mode="lines+markers", name="Coverage",
                    line={"color": COVERAGE_COLOUR})  # fmt: skip
    fig.add_scatter(x=trend["as_of_year"], y=trend["completion_rate"], mode="lines+markers", name="Completion",
                    line={"color": COMPLETION_COLOUR})  # fmt: skip
    fig.add_scatter(x=trend["as_of_year"], y=trend["delivery_rate"], mode="lines+markers", name="Delivered",
                    line={"color": DELIVERED_COLOUR})  # fmt: skip
    fig.add_scatter(x=trend["as_of_year"], y=trend["expected_rate"], mode="lines", name="Expected by the schedule",
                    line={"color": TARGET_COLOUR, "dash": "dash"})  # fmt: skip
    fig.update_xaxes(range=[PLAN_FIRST_YEAR - 0.3, PLAN_LAST_YEAR + 0.3], dtick=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return _layout(fig, "Whole plan against the implementation schedule", height=300)


def _reporting_chart(data: _Data) -> go.Figure:
    rows = _by_country(data.reporting)
    fig = go.Figure()
    fig.add_bar(x=rows["country"], y=rows["reporting_rate"], name="Reporting rate", marker_color=COVERAGE_COLOUR)
    fig.add_bar(x=rows["country"], y=rows["on_time_rate"], name="On-time rate", marker_color=COMPLETION_COLOUR)
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return _layout(fig, f"Returns received and on time, {PLAN_FIRST_YEAR}-{data.as_of_year}", height=300)


def _by_country(frame: pd.DataFrame) -> pd.DataFrame:
    order = {c.iso3: i for i, c in enumerate(COUNTRIES)} | {"ALL": len(COUNTRIES)}
    return frame.assign(_order=frame["country"].map(order)).sort_values("_order").drop(columns="_order")


# --- the page ------------------------------------------------------------------------------------------------------


def _pct(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.0%}"


def _num(value: object, digits: int = 2) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def _status(status: str) -> str:
    colour = STATUS_COLOURS.get(status, TARGET_COLOUR)
    return f'<span class="status" style="border-color:{colour};color:{colour}">{html.escape(status)}</span>'


def _table(headers: list[str], rows: list[list[str]], css: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _headline(data: _Data) -> str:
    whole = data.pillars[(data.pillars["pillar"] == "ALL") & (data.pillars["country"] == "ALL")].iloc[0]
    reporting = data.reporting[data.reporting["country"] == "ALL"].iloc[0]
    figures = [
        ("Measures covered", f"{whole['measures_covered']} of {whole['measures_total']}", _pct(whole["coverage_rate"])),
        ("Measures completed", f"{whole['measures_completed']} of {whole['measures_total']}",
         _pct(whole["completion_rate"])),
        ("Activities", f"{whole['activities_total']}", f"{whole['activities_completed']} completed"),
        ("Delivered", f"{whole['measures_delivered']} of {whole['measures_in_scope']}",
         f"{_pct(whole['delivery_rate'])}; {_pct(whole['expected_rate'])} expected by the schedule"),
        ("Overdue", f"{whole['measures_overdue']}", "one-off measures due and not delivered"),
        ("Timeframe elapsed", _pct(whole["time_elapsed"]), f"pace index {_num(whole['pace_index'])}"),
        ("Returns received", f"{reporting['returns_received']} of {reporting['returns_expected']}",
         f"{_pct(reporting['reporting_rate'])}, {_pct(reporting['on_time_rate'])} on time"),
    ]  # fmt: skip
    cards = "".join(
        f'<div class="card"><div class="label">{html.escape(label)}</div><div class="value">{html.escape(value)}</div>'
        f'<div class="note">{html.escape(note)}</div></div>'
        for label, value, note in figures
    )
    return (
        f'<div class="cards" id="headline">{cards}</div>'
        f'<p class="overall">Overall progress status as of {data.as_of_year}: {_status(whole["progress_status"])}</p>'
    )


def _pillar_country_table(data: _Data) -> str:
    frame = data.pillars
    pillars = [*sorted(p for p in frame["pillar"].unique() if p != "ALL"), "ALL"]
    rows = []
    for _, group in _by_country(frame).groupby("country", sort=False):
        cells = {r["pillar"]: r for _, r in group.iterrows()}
        country = group["country"].iloc[0]
        row = [f"<b>{country}</b>"]
        for p in pillars:
            r = cells[p]
            colour = STATUS_COLOURS.get(r["progress_status"], TARGET_COLOUR)
            row.append(
                f'<span class="cell" style="border-left-color:{colour}" title="{html.escape(r["progress_status"])}">'
                f"{_pct(r['coverage_rate'])} / {_pct(r['completion_rate'])}</span>"
            )
        rows.append(row)
    headers = ["Country"] + [f"Pillar {p}" if p != "ALL" else "Whole plan" for p in pillars]
    legend = " ".join(_status(name) for name, _ in PROGRESS_BANDS)
    return (
        "<p>Each cell: coverage / completion of the pillar's measures by the country's activities; the bar on the "
        f"left shows the progress status. {legend}</p>" + _table(headers, rows, "matrix")
    )


def _idle_measures(data: _Data) -> str:
    idle = data.idle_measures
    if idle.empty:
        return "<p>Every measure has at least one activity.</p>"
    rows = [
        [html.escape(r["measure_id"]), html.escape(str(r["pillar"])), html.escape(_shorten(r["text"]))]
        for _, r in idle.iterrows()
    ]
    return (
        f"<p>{len(idle)} of {_catalogue_size(data)} measures have "
        f"no activity in any country's returns as of {data.as_of_year}.</p>"
        + _table(["Measure", "Pillar", "Text"], rows)
    )


def _overdue_measures(data: _Data) -> str:
    overdue = data.overdue_measures
    if overdue.empty:
        return f"<p>No one-off measure due by {data.as_of_year} is undelivered.</p>"
    rows = [
        [
            html.escape(r["measure_id"]),
            html.escape(str(r["pillar"])),
            str(r["due_year"]),
            html.escape(r["lead_countries"] if isinstance(r["lead_countries"], str) else "–"),
            html.escape("no activity" if not r["engaged"] else f"{r['activities_total']} activities, none completed"),
            html.escape(_shorten(r["text"], 120)),
        ]
        for _, r in overdue.iterrows()
    ]
    return (
        f"<p>{len(overdue)} one-off measures were due by the end of {data.as_of_year} under the schedule and no "
        "country has completed an activity under them.</p>"
        + _table(["Measure", "Pillar", "Due", "Leads", "Activities", "Text"], rows)
    )


def _schedule_note(data: _Data) -> str:
    """Which schedule the report judged against, in words (an example one is said to be an example)."""
    version = data.schedule
    text = f"Progress is judged against the implementation schedule (Work Plan item 6.3): {version.label}."
    css = "schedule example" if version.is_example else "schedule"
    return f'<p class="{css}" id="schedule-used">{html.escape(text)}</p>'


def _catalogue_size(data: _Data) -> int:
    whole = data.pillars[(data.pillars["pillar"] == "ALL") & (data.pillars["country"] == "ALL")].iloc[0]
    return int(whole["measures_total"])


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _reporting_table(data: _Data) -> str:
    names = {c.iso3: c.name for c in COUNTRIES} | {"ALL": "All 13 countries"}
    rows = [
        [
            html.escape(names[r["country"]]),
            f"{r['returns_received']} / {r['returns_expected']}",
            _pct(r["reporting_rate"]),
            f"{r['returns_on_time']}",
            _pct(r["on_time_rate"]),
        ]
        for _, r in _by_country(data.reporting).iterrows()
    ]
    return _table(["Country", "Returns received / expected", "Reporting rate", "On time", "On-time rate"], rows)


def _definitions() -> str:
    rows = [
        [
            f"<code>{html.escape(d.column)}</code>",
            html.escape(d.text),
            f'<span class="tables">{html.escape(d.tables)}</span>',
        ]
        for d in GLOSSARY
    ]
    settings = [[f"<code>{html.escape(s.name)}</code>", f"{s.value:g}: {html.escape(s.description)}"] for s in SETTINGS]
    return (
        _table(["Term or column", "Definition"], rows, "definitions")
        + "<h3>Thresholds and settings</h3>"
        + _table(["Setting", "Value and meaning"], settings, "definitions")
    )


def _figure_html(fig: go.Figure, index: int) -> str:
    # plotly.js is embedded once, inline, with the first chart: the file works offline.
    return fig.to_html(full_html=False, include_plotlyjs=index == 0, config=CHART_CONFIG, div_id=f"chart-{index + 1}")


def _page(data: _Data, charts: list[go.Figure]) -> str:
    figures = [_figure_html(fig, i) for i, fig in enumerate(charts)]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    synthetic = (
        '<p class="synthetic">SYNTHETIC DEMO DATA: these returns were generated for demonstration and describe no '
        "real activity.</p>"
        if data.synthetic
        else ""
    )
    title = f"APT Cooperation Work Plan {PLAN_FIRST_YEAR}-{PLAN_LAST_YEAR}: progress report as of {data.as_of_year}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<p class="meta">Concise progress report for the ASEAN Plus Three Summit (Work Plan item 6.6). As of the end of
{data.as_of_year}; generated {generated}; data fingerprint <code>{data.fingerprint[:16]}</code>
(sha256 <span class="fp">{data.fingerprint}</span>).</p>
{synthetic}
{_schedule_note(data)}
</header>
<section id="headline-figures"><h2>Headline figures</h2>{_headline(data)}</section>
<section id="pillars"><h2>Coverage and completion per pillar against the timeframe</h2>
<div class="chart">{figures[0]}</div><div class="chart">{figures[1]}</div></section>
<section id="pillar-country" class="break"><h2>Pillars and countries</h2>{_pillar_country_table(data)}</section>
<section id="reporting"><h2>Reporting completeness and timeliness</h2>
<div class="chart">{figures[2]}</div>{_reporting_table(data)}</section>
<section id="overdue-measures" class="break"><h2>Overdue measures</h2>{_overdue_measures(data)}</section>
<section id="idle-measures"><h2>Measures with no activity yet</h2>{_idle_measures(data)}</section>
<section id="definitions" class="break"><h2>Definitions</h2>{_definitions()}</section>
</body>
</html>
"""


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; font-size: 11pt; color: #222; max-width: 190mm; margin: 12mm auto;
       line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; border-bottom: 1px solid #ccc; margin-top: 16pt; }
h3 { font-size: 11pt; }
.meta { color: #555; font-size: 9pt; } .fp { font-family: monospace; font-size: 7.5pt; word-break: break-all; }
.synthetic { border: 2px solid #D55E00; color: #D55E00; font-weight: bold; padding: 4pt 6pt; }
.schedule { font-size: 9pt; } .schedule.example { border: 1px dashed #CC79A7; padding: 3pt 6pt; }
.cards { display: flex; flex-wrap: wrap; gap: 6pt; }
.card { flex: 1 1 30mm; border: 1px solid #ccc; border-radius: 4pt; padding: 5pt 7pt; break-inside: avoid; }
.card .label { font-size: 8.5pt; color: #555; } .card .value { font-size: 15pt; font-weight: bold; }
.card .note { font-size: 8.5pt; color: #555; }
.status { border: 1px solid; border-radius: 8pt; padding: 0 5pt; font-size: 8.5pt; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 6pt 0; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } tr { break-inside: avoid; }
table.matrix td { white-space: nowrap; } .cell { border-left: 5px solid; padding-left: 4pt; }
.chart { break-inside: avoid; margin: 4pt 0; }
code { font-size: 8.5pt; } .tables { font-size: 7.5pt; color: #666; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section.break { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""
