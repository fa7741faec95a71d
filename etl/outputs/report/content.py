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

from etl import warehouse
from etl.outputs.export import ExportError, data_fingerprint, resolve_as_of
from etl.outputs.palette import (
    COMPLETION_COLOUR,
    COVERAGE_COLOUR,
    DELIVERED_COLOUR,
    REDDISH_PURPLE,
    STATUS_COLOURS,
    TARGET_COLOUR,
    VERMILLION,
)
from etl.plan.countries import COUNTRIES
from etl.plan.definitions import GLOSSARY, PLAN_FIRST_YEAR, PLAN_LAST_YEAR, PROGRESS_BANDS, SETTINGS
from etl.plan.labels import pillar_label, wrap
from etl.schedule.load import ScheduleVersion, schedule_version
from etl.warehouse import metrics

CHART_WIDTH = 680  # px: fits the A4 text width when printed
CHART_CONFIG = {"displayModeBar": False, "responsive": False, "staticPlot": False}
FORMATS = ("html", "docx")


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
    path: str | os.PathLike,
    *,
    warehouse_file: str | os.PathLike | None = None,
    as_of: int | None = None,
    output_format: str = "html",
) -> ReportResult:
    """Write the progress report for one as-of year (default: the latest year with data): HTML or Word (docx)."""
    if output_format not in FORMATS:
        raise ExportError(f"Unknown report format {output_format!r}; choose one of {', '.join(FORMATS)}.")
    path = Path(path)
    with warehouse.read_connection(warehouse_file) as con:
        data = _read(con, as_of)
    content = build_content(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    if output_format == "docx":
        from etl.outputs.report.docx import write_docx  # python-docx and the chart renderer load only when asked for

        write_docx(content, path)
    else:
        path.write_text(render_html(content), encoding="utf-8")
    return ReportResult(
        path=path, as_of_year=data.as_of_year, fingerprint=data.fingerprint, charts=len(content.charts),
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
    # An axis label goes by the pillar's first words when its name is long ('III Environment'), on two short
    # lines, so no label is cut.
    labels = [wrap(pillar_label(p, data.pillar_titles.get(p, ""), limit=24), 18) for p in rows["pillar"]]
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


# --- the content: one model of the report, rendered as HTML here and as Word by etl/outputs/report/docx.py -------


@dataclass(frozen=True)
class Status:
    """A progress status, shown in its band's colour."""

    name: str


@dataclass(frozen=True)
class Code:
    """A column or setting name, in a code font."""

    text: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Rated:
    """A matrix cell: its text, with the progress status that colours it."""

    text: str
    status: str


Inline = str | Status | Code | Strong | Rated


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Inline]]
    css: str = ""


@dataclass
class Paragraph:
    parts: list[Inline]
    css: str = ""


@dataclass
class Heading:
    text: str  # a heading inside a section (level 3)


@dataclass
class Chart:
    index: int  # into Content.charts


Block = Paragraph | Table | Chart | Heading


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block]
    page_break: bool = False


@dataclass
class Content:
    title: str
    as_of_year: int
    generated: str
    fingerprint: str
    synthetic: bool
    schedule_note: str
    schedule_is_example: bool
    headline: list[tuple[str, str, str]]  # (label, value, note) per figure
    overall_status: str
    sections: list[Section]
    charts: list[go.Figure]


def build_content(data: _Data) -> Content:
    """Everything the report says, from the views' rows; the renderers only lay it out."""
    charts = [_pillar_chart(data), _trend_chart(data), _reporting_chart(data)]
    whole = _whole(data)
    version = data.schedule
    sections = [
        Section("headline-figures", "Headline figures", []),
        Section("pillars", "Coverage and completion per pillar against the timeframe", [Chart(0), Chart(1)]),
        Section("pillar-country", "Pillars and countries", _pillar_country_blocks(data), page_break=True),
        Section("reporting", "Reporting completeness and timeliness", [Chart(2), _reporting_table(data)]),
        Section("overdue-measures", "Overdue measures", _overdue_blocks(data), page_break=True),
        Section("idle-measures", "Measures with no activity yet", _idle_blocks(data)),
        Section("definitions", "Definitions", _definition_blocks(), page_break=True),
    ]
    return Content(
        title=f"APT Cooperation Work Plan {PLAN_FIRST_YEAR}-{PLAN_LAST_YEAR}: progress report as of {data.as_of_year}",
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


SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA: these returns were generated for demonstration and describe no real activity."


def _pct(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.0%}"


def _num(value: object, digits: int = 2) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def _whole(data: _Data) -> pd.Series:
    return data.pillars[(data.pillars["pillar"] == "ALL") & (data.pillars["country"] == "ALL")].iloc[0]


def _headline_figures(data: _Data) -> list[tuple[str, str, str]]:
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
        ("Timeframe elapsed", _pct(whole["time_elapsed"]), f"pace index {_num(whole['pace_index'])}"),
        ("Returns received", f"{reporting['returns_received']} of {reporting['returns_expected']}",
         f"{_pct(reporting['reporting_rate'])}, {_pct(reporting['on_time_rate'])} on time"),
    ]  # fmt: skip


def _pillar_country_blocks(data: _Data) -> list[Block]:
    frame = data.pillars
    pillars = [*sorted(p for p in frame["pillar"].unique() if p != "ALL"), "ALL"]
    rows: list[list[Inline]] = []
    for _, group in _by_country(frame).groupby("country", sort=False):
        cells = {r["pillar"]: r for _, r in group.iterrows()}
        row: list[Inline] = [Strong(group["country"].iloc[0])]
        for p in pillars:
            r = cells[p]
            row.append(Rated(f"{_pct(r['coverage_rate'])} / {_pct(r['completion_rate'])}", r["progress_status"]))
        rows.append(row)
    headers = ["Country"] + [pillar_label(p, data.pillar_titles.get(p, ""), limit=None) if p != "ALL" else "Whole plan"
                             for p in pillars]  # fmt: skip
    legend: list[Inline] = [
        "Each cell: coverage / completion of the pillar's measures by the country's activities; the bar on the "
        "left shows the progress status. "
    ]
    for name, _ in PROGRESS_BANDS:
        legend += [Status(name), " "]
    return [Paragraph(legend), Table(headers, rows, "matrix")]


def _idle_blocks(data: _Data) -> list[Block]:
    idle = data.idle_measures
    if idle.empty:
        return [Paragraph(["Every measure has at least one activity."])]
    rows = [[r["measure_id"], str(r["pillar"]), _shorten(r["text"])] for _, r in idle.iterrows()]
    return [
        Paragraph(
            [
                f"{len(idle)} of {_catalogue_size(data)} measures have no activity in any country's returns as of "
                f"{data.as_of_year}."
            ]
        ),  # fmt: skip
        Table(["Measure", "Pillar", "Text"], rows),
    ]


def _overdue_blocks(data: _Data) -> list[Block]:
    overdue = data.overdue_measures
    if overdue.empty:
        return [Paragraph([f"No one-off measure due by {data.as_of_year} is undelivered."])]
    rows = [
        [
            r["measure_id"],
            str(r["pillar"]),
            str(r["due_year"]),
            r["lead_countries"] if isinstance(r["lead_countries"], str) else "–",
            "no activity" if not r["engaged"] else f"{r['activities_total']} activities, none completed",
            _shorten(r["text"], 120),
        ]
        for _, r in overdue.iterrows()
    ]
    return [
        Paragraph(
            [
                f"{len(overdue)} one-off measures were due by the end of {data.as_of_year} under the schedule and "
                "no country has completed an activity under them."
            ]
        ),  # fmt: skip
        Table(["Measure", "Pillar", "Due", "Leads", "Activities", "Text"], rows),
    ]


def _catalogue_size(data: _Data) -> int:
    return int(_whole(data)["measures_total"])


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _reporting_table(data: _Data) -> Table:
    names = {c.iso3: c.name for c in COUNTRIES} | {"ALL": "All 13 countries"}
    rows = [
        [
            names[r["country"]],
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


# --- the HTML rendering ----------------------------------------------------------------------------------------------


def _status(status: str) -> str:
    colour = STATUS_COLOURS.get(status, TARGET_COLOUR)
    return f'<span class="status" style="border-color:{colour};color:{colour}">{html.escape(status)}</span>'


def _inline_html(part: Inline, in_table: bool = False) -> str:
    if isinstance(part, Status):
        return _status(part.name)
    if isinstance(part, Code):
        return f"<code>{html.escape(part.text)}</code>"
    if isinstance(part, Strong):
        return f"<b>{html.escape(part.text)}</b>"
    if isinstance(part, Rated):
        colour = STATUS_COLOURS.get(part.status, TARGET_COLOUR)
        return (
            f'<span class="cell" style="border-left-color:{colour}" title="{html.escape(part.status)}">'
            f"{html.escape(part.text)}</span>"
        )
    return html.escape(part)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join("<tr>" + "".join(f"<td>{_inline_html(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    return f'<table class="{table.css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _block_html(block: Block, figures: list[str]) -> str:
    if isinstance(block, Paragraph):
        css = f' class="{block.css}"' if block.css else ""
        return f"<p{css}>{''.join(_inline_html(part) for part in block.parts)}</p>"
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, Heading):
        return f"<h3>{html.escape(block.text)}</h3>"
    return f'<div class="chart">{figures[block.index]}</div>'


def _headline_html(content: Content) -> str:
    cards = "".join(
        f'<div class="card"><div class="label">{html.escape(label)}</div><div class="value">{html.escape(value)}</div>'
        f'<div class="note">{html.escape(note)}</div></div>'
        for label, value, note in content.headline
    )
    return (
        f'<div class="cards" id="headline">{cards}</div>'
        f'<p class="overall">Overall progress status as of {content.as_of_year}: {_status(content.overall_status)}</p>'
    )


def _figure_html(fig: go.Figure, index: int) -> str:
    # plotly.js is embedded once, inline, with the first chart: the file works offline.
    return fig.to_html(full_html=False, include_plotlyjs=index == 0, config=CHART_CONFIG, div_id=f"chart-{index + 1}")


def render_html(content: Content) -> str:
    """The report as one self-contained, printable HTML page."""
    figures = [_figure_html(fig, i) for i, fig in enumerate(content.charts)]
    synthetic = f'<p class="synthetic">{html.escape(SYNTHETIC_NOTE)}</p>' if content.synthetic else ""
    schedule_css = "schedule example" if content.schedule_is_example else "schedule"
    sections = []
    for section in content.sections:
        css = ' class="break"' if section.page_break else ""
        body = _headline_html(content) if section.id == "headline-figures" else ""
        body += "".join(_block_html(block, figures) for block in section.blocks)
        sections.append(f'<section id="{section.id}"{css}><h2>{html.escape(section.title)}</h2>{body}</section>')
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(content.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(content.title)}</h1>
<p class="meta">Concise progress report for the ASEAN Plus Three Summit (Work Plan item 6.6). As of the end of
{content.as_of_year}; generated {content.generated}; data fingerprint <code>{content.fingerprint[:16]}</code>
(sha256 <span class="fp">{content.fingerprint}</span>).</p>
{synthetic}
<p class="{schedule_css}" id="schedule-used">{html.escape(content.schedule_note)}</p>
</header>
{body}
</body>
</html>
"""


_CSS = (
    """
body { font-family: Helvetica, Arial, sans-serif; font-size: 11pt; color: #222; max-width: 190mm; margin: 12mm auto;
       line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; border-bottom: 1px solid #ccc; margin-top: 16pt; }
h3 { font-size: 11pt; }
.meta { color: #555; font-size: 9pt; } .fp { font-family: monospace; font-size: 7.5pt; word-break: break-all; }
"""
    f".synthetic {{ border: 2px solid {VERMILLION}; color: {VERMILLION}; font-weight: bold; padding: 4pt 6pt; }}\n"
    f".schedule {{ font-size: 9pt; }} .schedule.example {{ border: 1px dashed {REDDISH_PURPLE}; padding: 3pt 6pt; }}\n"
    """.cards { display: flex; flex-wrap: wrap; gap: 6pt; }
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
)
