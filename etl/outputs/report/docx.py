"""The progress report as a Word document: the same content as the HTML, with real headings, tables and images.

The ASEAN Coordinator edits it before the Summit, so every heading is a Word heading, every table a Word table
(its header row repeated on each page) and every chart a picture. The charts are the HTML report's plotly
figures drawn to PNG by kaleido in the system's headless Chromium, with MathJax turned off and plotly.js taken
from the plotly package, so nothing is fetched.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
from pathlib import Path

import plotly.graph_objects as go
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from etl.outputs.export import ExportError
from etl.outputs.palette import STATUS_COLOURS, STATUS_TEXT_COLOURS, TARGET_COLOUR, VERMILLION_TEXT
from etl.outputs.report.charts import CHART_WIDTH
from etl.outputs.report.model import (
    SYNTHETIC_NOTE,
    Chart,
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

CHART_SCALE = 2  # pixels per CSS pixel: sharp when printed
PAGE_TEXT_WIDTH = Cm(17)
CHROMIUM_MISSING = (
    "The Word report draws its charts in Chromium, which is not installed on this machine: install the Debian "
    "package chromium (apt-get install chromium, as make run does), or take the HTML report."
)


def chromium_installed() -> bool:
    """Whether kaleido finds a Chromium to draw in, looking where it looks (BROWSER_PATH, PATH, the usual places)."""
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=False)
    return bool(path) and Path(path).is_file()


def chart_images(charts: list[go.Figure]) -> list[bytes]:
    """Each figure as a PNG, drawn in one headless Chromium session."""
    import kaleido

    if not chromium_installed():
        raise ExportError(CHROMIUM_MISSING)

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=1, mathjax=False) as renderer:
            return [
                await renderer.calc_fig(
                    fig,
                    opts={
                        "format": "png",
                        "width": fig.layout.width or CHART_WIDTH,
                        "height": fig.layout.height,
                        "scale": CHART_SCALE,
                    },
                )  # fmt: skip
                for fig in charts
            ]

    try:
        # In a thread of its own: the caller may already run an event loop (a test's browser, an async server).
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, draw()).result()
    except Exception as exc:  # no Chromium, or one that would not start: say what to install, not a traceback
        raise ExportError(
            "The Word report draws its charts in headless Chromium, which could not be started "
            f"({exc.__class__.__name__}). Install it (Debian: apt-get install chromium), or take the HTML report."
        ) from exc


def write_docx(content: Content, path: Path) -> None:
    """Write the report's content to a .docx file."""
    images = chart_images(content.charts)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)

    document.core_properties.title = content.title
    document.add_heading(content.title, level=0)
    document.add_paragraph(
        "Concise progress report for the ASEAN Plus Three Summit (Work Plan item 6.6). As of the end of "
        f"{content.as_of_year}; generated {content.generated}; data fingerprint (sha256) {content.fingerprint}."
    )
    if content.synthetic:
        warning = document.add_paragraph().add_run(SYNTHETIC_NOTE)
        warning.bold = True
        warning.font.color.rgb = RGBColor.from_string(VERMILLION_TEXT.lstrip("#"))
    document.add_paragraph(content.schedule_note)

    for part in content.sections:
        heading = document.add_heading(part.title, level=1)
        if part.page_break:
            heading.paragraph_format.page_break_before = True
        if part.id == "headline-figures":
            _headline(document, content)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                _paragraph(document, block.parts)
            elif isinstance(block, Heading):
                document.add_heading(block.text, level=2)
            elif isinstance(block, Chart):
                document.add_picture(io.BytesIO(images[block.index]), width=PAGE_TEXT_WIDTH)
            elif isinstance(block, Table):
                _table(document, block)
    document.save(str(path))


def _headline(document, content: Content) -> None:
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    _header_row(table, ["Figure", "Value", ""])
    for label, value, note in content.headline:
        cells = table.add_row().cells
        cells[0].text = label
        run = cells[1].paragraphs[0].add_run(value)
        run.bold = True
        cells[2].text = note
    paragraph = document.add_paragraph(f"Overall progress status as of {content.as_of_year}: ")
    _add_inline(paragraph, Status(content.overall_status))


def _paragraph(document, parts: list[Inline]) -> None:
    paragraph = document.add_paragraph()
    for part in parts:
        _add_inline(paragraph, part)


def _add_inline(paragraph, part: Inline) -> None:
    if isinstance(part, Status):
        run = paragraph.add_run(part.name)
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(STATUS_TEXT_COLOURS.get(part.name, "#212529").lstrip("#"))
    elif isinstance(part, Code):
        run = paragraph.add_run(part.text)
        run.font.name = "Consolas"
    elif isinstance(part, Strong):
        paragraph.add_run(part.text).bold = True
    elif isinstance(part, Rated):
        paragraph.add_run(part.text)
        note = paragraph.add_run(f" {part.status}")
        note.font.size = Pt(7)
        note.font.color.rgb = RGBColor.from_string(STATUS_TEXT_COLOURS.get(part.status, "#212529").lstrip("#"))
    else:
        paragraph.add_run(part)


def _table(document, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    _header_row(table, block.headers)
    small = Pt(8) if len(block.headers) > 5 or block.css == "definitions" else Pt(9)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, part in zip(cells, row, strict=True):
            paragraph = cell.paragraphs[0]
            _add_inline(paragraph, part)
            for run in paragraph.runs:
                run.font.size = run.font.size or small
            if isinstance(part, Rated):
                _shade(cell, STATUS_COLOURS.get(part.status, TARGET_COLOUR))
    document.add_paragraph()


def _header_row(table, headers: list[str]) -> None:
    row = table.rows[0]
    for cell, header in zip(row.cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        run.font.size = Pt(9)
    # Word repeats a header row at the top of every page the table runs onto.
    properties = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def _shade(cell, colour: str) -> None:
    """A light tint of the status colour behind a matrix cell (the HTML's coloured bar)."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    tint = "".join(f"{round(c + (255 - c) * 0.75):02X}" for c in (red, green, blue))
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), tint)
    cell._tc.get_or_add_tcPr().append(shading)
