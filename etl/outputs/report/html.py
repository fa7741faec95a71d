"""The report as one self-contained, printable HTML page: plotly.js inline, A4 print styles, nothing fetched."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from etl.outputs.palette import REDDISH_PURPLE, STATUS_COLOURS, STATUS_TEXT_COLOURS, TARGET_COLOUR, VERMILLION_TEXT
from etl.outputs.report.model import (
    SYNTHETIC_NOTE,
    Block,
    Code,
    Content,
    Heading,
    Inline,
    Paragraph,
    Rated,
    Status,
    Strong,
    Table,
)

CHART_CONFIG = {"displayModeBar": False, "responsive": False, "staticPlot": False}


def _status(status: str) -> str:
    colour = STATUS_COLOURS.get(status, TARGET_COLOUR)
    words = STATUS_TEXT_COLOURS.get(status, "#212529")  # the words at 4.5:1 on white; the border in the chart's colour
    return f'<span class="status" style="border-color:{colour};color:{words}">{html.escape(status)}</span>'


def _inline_html(part: Inline, in_table: bool = False) -> str:
    if isinstance(part, Status):
        return _status(part.name)
    if isinstance(part, Code):
        return f"<code>{html.escape(part.text)}</code>"
    if isinstance(part, Strong):
        return f"<b>{html.escape(part.text)}</b>"
    if isinstance(part, Rated):
        # The status in words under the figures, as the Word report prints it: the bar's colour is never the only
        # thing that tells the status (WCAG 1.4.1), and no tooltip is needed to read it.
        colour = STATUS_COLOURS.get(part.status, TARGET_COLOUR)
        words = STATUS_TEXT_COLOURS.get(part.status, "#212529")
        return (
            f'<span class="cell" style="border-left-color:{colour}">{html.escape(part.text)}'
            f'<span class="word" style="color:{words}">{html.escape(part.status)}</span></span>'
        )
    return html.escape(part)


def _table_html(table: Table, label: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join("<tr>" + "".join(f"<td>{_inline_html(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    # The tables fit the A4 text column; on a screen narrower than that a table scrolls inside its own labelled,
    # focusable region (so a keyboard can scroll it too) instead of running past the page.
    return (
        f'<div class="table-scroll" role="region" aria-label="{html.escape(label)}" tabindex="0">'
        f'<table class="{table.css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def _block_html(block: Block, figures: list[str], label: str = "") -> str:
    if isinstance(block, Paragraph):
        css = f' class="{block.css}"' if block.css else ""
        return f"<p{css}>{''.join(_inline_html(part) for part in block.parts)}</p>"
    if isinstance(block, Table):
        return _table_html(block, label)
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
        label = section.title  # a table's region is named by the heading above it
        for block in section.blocks:
            label = f"{section.title}: {block.text}" if isinstance(block, Heading) else label
            body += _block_html(block, figures, label)
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
    f".synthetic {{ border: 2px solid {VERMILLION_TEXT}; color: {VERMILLION_TEXT}; font-weight: bold; "
    "padding: 4pt 6pt; }\n"
    f".schedule {{ font-size: 9pt; }} .schedule.example {{ border: 1px dashed {REDDISH_PURPLE}; padding: 3pt 6pt; }}\n"
    """.cards { display: flex; flex-wrap: wrap; gap: 6pt; }
.card { flex: 1 1 30mm; border: 1px solid #ccc; border-radius: 4pt; padding: 5pt 7pt; break-inside: avoid; }
.card .label { font-size: 8.5pt; color: #555; } .card .value { font-size: 15pt; font-weight: bold; }
.card .note { font-size: 8.5pt; color: #555; }
.status { border: 1px solid; border-radius: 8pt; padding: 0 5pt; font-size: 8.5pt; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 6pt 0; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } tr { break-inside: avoid; }
.table-scroll { overflow-x: auto; } .table-scroll:focus-visible { outline: 2px solid #0A3A78; }
table.matrix th, table.matrix td { padding: 2pt 3pt; }
.cell { display: block; border-left: 5px solid; padding-left: 3pt; }
.cell .word { display: block; font-weight: bold; }
.chart { break-inside: avoid; margin: 4pt 0; }
code { font-size: 8.5pt; } .tables { font-size: 7.5pt; color: #666; }
@page { size: A4; margin: 12mm; }
/* The pillar x country table prints on a landscape page of its own, as in the Word report: across 273 mm each cell
   keeps its figures on one line and its status word on the next, and the 14 rows fit one page. */
@page wide { size: A4 landscape; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section.break { break-before: page; }
  a { color: inherit; text-decoration: none; }
  .table-scroll { overflow: visible; }
  section#pillar-country { page: wide; }
  table.matrix { table-layout: fixed; } table.matrix th:first-child { width: 12%; }
}
"""
)
