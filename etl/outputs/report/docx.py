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
import re
from pathlib import Path

import plotly.graph_objects as go
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from etl.outputs.export import ExportError
from etl.outputs.palette import STATUS_COLOURS, TARGET_COLOUR, VERMILLION_TEXT, text_colour_on
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
# A section whose table cannot fit its columns' longest words across a portrait page is printed landscape.
LANDSCAPE_TEXT_WIDTH = Cm(26.7)
# Column widths are fitted to their text, measured with these average advances per point of font size: those of
# DejaVu Sans, the widest face the document meets (LibreOffice's stand-in for Calibri where neither Calibri nor its
# metric twin Carlito is installed), so a word estimated to fit does fit; in Calibri it has room to spare.
_ADVANCE = {"regular": 0.62, "bold": 0.72, "code": 0.62}
# Word's default cell margins, 0.19 cm each side, and a point of slack.
_CELL_PADDING_PT = 2 * 5.4 + 1
HEADER_SIZE = Pt(9)
CELL_SPACE_AFTER = Pt(1)
STATUS_SIZE = Pt(7.5)
# How far a matrix cell's fill is mixed towards white: a tint of the status colour, with black text on it.
CELL_TINT = 0.7
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

    landscape = False
    for part in content.sections:
        wide = any(_needs_landscape(block) for block in part.blocks if isinstance(block, Table))
        if wide != landscape:  # a new section, on a new page, turned to fit the section's widest table
            _turn_page(document, wide)
            landscape = wide
            heading = document.add_heading(part.title, level=1)
        else:
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
                _table(document, block, LANDSCAPE_TEXT_WIDTH if landscape else PAGE_TEXT_WIDTH)
    document.save(str(path))


def _turn_page(document, landscape: bool) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    short, long = Cm(21), Cm(29.7)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    # A landscape page is short: narrower margins keep the 13 countries and all of them on one page.
    margin = Cm(1.5) if landscape else Cm(2)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, margin)


def _headline(document, content: Content) -> None:
    block = Table(["Figure", "Value", ""], [[label, Strong(value), note] for label, value, note in content.headline])
    _table(document, block, PAGE_TEXT_WIDTH, body_size=Pt(10), space_after=False)
    paragraph = document.add_paragraph(f"Overall progress status as of {content.as_of_year}: ")
    _add_inline(paragraph, Status(content.overall_status))


def _paragraph(document, parts: list[Inline]) -> None:
    paragraph = document.add_paragraph()
    for part in parts:
        _add_inline(paragraph, part)


def _add_inline(paragraph, part: Inline) -> None:
    if isinstance(part, Status):
        # The status word on its colour, in black or white, whichever reads at 4.5:1 or more on it.
        _status_run(paragraph, part.name, STATUS_COLOURS.get(part.name, TARGET_COLOUR))
    elif isinstance(part, Code):
        run = paragraph.add_run(part.text)
        run.font.name = "Consolas"
    elif isinstance(part, Strong):
        paragraph.add_run(part.text).bold = True
    elif isinstance(part, Rated):
        # The figures, and the status word on a line of its own below them, never cut between the two.
        paragraph.add_run(part.text)
        paragraph.add_run().add_break()
        note = paragraph.add_run(part.status)
        note.bold = True
        note.font.size = STATUS_SIZE
    else:
        paragraph.add_run(part)


def _status_run(paragraph, text: str, fill: str) -> None:
    # No-break spaces: a little of the fill either side, and a status never split across two lines.
    run = paragraph.add_run(_unbroken(text))
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(text_colour_on(fill).lstrip("#"))
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill.lstrip("#"))
    run._r.get_or_add_rPr().append(shading)


def _table(document, block: Table, text_width: int, body_size: Pt | None = None, space_after: bool = True) -> None:
    """A Word table whose columns are as wide as their text needs (never cutting a word), fixed so Word and
    LibreOffice lay it out the same, its header row repeated on every page and no row split across two."""
    small = body_size or (Pt(8) if len(block.headers) > 5 or block.css == "definitions" else Pt(9))
    header_size = Pt(8) if len(block.headers) > 5 else HEADER_SIZE
    # The matrix's long pillar headers wrap rather than take the width its cells need: with the countries named,
    # not coded, they left the cells too narrow for their figures and the 14 rows ran onto a second page.
    widths = column_widths(block, small.pt, header_size.pt, text_width / Pt(1), headers_wrap=block.css == "matrix")
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.autofit = False  # w:tblLayout fixed: Word and LibreOffice keep the widths given, not equal columns
    _header_row(table, block.headers, header_size)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, part in zip(cells, row, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = CELL_SPACE_AFTER  # the last line clear of the cell's foot
            _add_inline(paragraph, part)
            for run in paragraph.runs:
                run.font.size = run.font.size or small
            if isinstance(part, Rated):
                _shade(cell, STATUS_COLOURS.get(part.status, TARGET_COLOUR))
    for row in table.rows:
        row._tr.get_or_add_trPr().append(_on(OxmlElement("w:cantSplit")))
    for index, width in enumerate(widths):
        table.columns[index].width = Pt(width)
        for cell in table.columns[index].cells:
            cell.width = Pt(width)
    if space_after:
        document.add_paragraph()


def column_widths(
    block: Table, body_pt: float, header_pt: float, available_pt: float, headers_wrap: bool = False
) -> list[float]:
    """Each column's width in points, as a browser lays out an automatic table: at least its longest word (so no
    word is ever broken), then what is left shared out in proportion to how much longer its longest line is (its
    cells' only, when `headers_wrap`: a header then takes as many lines as its cells leave it)."""
    columns = list(zip(block.headers, *block.rows, strict=True))
    least, most = [], []
    for header, *cells in columns:
        heading = [(header, header_pt, "bold")]
        body = [piece for cell in cells for piece in _pieces(cell, body_pt)]
        least.append(max(_width(word, size, face) for text, size, face in heading + body for word in _words(text)))
        most.append(max(_width(text, size, face) for text, size, face in (body if headers_wrap else heading + body)))
    room = available_pt - sum(least)
    if room <= 0:  # too narrow whatever is done: each column gets its longest word and the table runs wider
        return least
    extra = [m - low for m, low in zip(most, least, strict=True)]
    if sum(extra) <= room:  # every line fits on one: the spare width in proportion to the text
        return [m + (room - sum(extra)) * m / sum(most) for m in most]
    return [low + room * e / sum(extra) for low, e in zip(least, extra, strict=True)]


def _needs_landscape(block: Table) -> bool:
    small = 8 if len(block.headers) > 5 or block.css == "definitions" else 9
    header = 8 if len(block.headers) > 5 else HEADER_SIZE.pt
    widths = column_widths(block, small, header, PAGE_TEXT_WIDTH / Pt(1))
    return sum(widths) > PAGE_TEXT_WIDTH / Pt(1) + 0.5


def _pieces(part: Inline, size: float) -> list[tuple[str, float, str]]:
    """The runs of text a cell shows, each with its size and face, as _add_inline writes them."""
    if isinstance(part, Rated):
        return [(part.text, size, "regular"), (part.status, STATUS_SIZE.pt, "bold")]
    if isinstance(part, Code):
        return [(part.text, size, "code")]
    if isinstance(part, Status):  # one unbreakable word, padded, as _status_run writes it
        return [(_unbroken(part.name), size, "bold")]
    if isinstance(part, Strong):
        return [(part.text, size, "bold")]
    return [(str(part), size, "regular")]


def _words(text: str) -> list[str]:
    # A line may break at a space or after a hyphen ("Socio-|Cultural"), nowhere else: not at a no-break space.
    return [word for word in re.split(r"[ \t\n]+|(?<=-)", text) if word] or [""]


def _unbroken(text: str) -> str:
    return "\u00a0" + text.replace(" ", "\u00a0") + "\u00a0"


def _width(text: str, size: float, face: str) -> float:
    return len(text) * size * _ADVANCE[face] + _CELL_PADDING_PT


def _on(element):
    element.set(qn("w:val"), "true")
    return element


def _header_row(table, headers: list[str], size: Pt = HEADER_SIZE) -> None:
    row = table.rows[0]
    for cell, header in zip(row.cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        run.font.size = size
    # Word repeats a header row at the top of every page the table runs onto.
    row._tr.get_or_add_trPr().append(_on(OxmlElement("w:tblHeader")))


def _shade(cell, colour: str) -> None:
    """A light tint of the status colour behind a matrix cell (the HTML's coloured bar); its text stays black,
    which reads at 15:1 or more on every tint."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), _tint(colour, CELL_TINT).lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shading)


def _tint(colour: str, towards_white: float) -> str:
    """`colour` mixed with white: 0 leaves it as it is, 1 makes it white."""
    channels = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return "#" + "".join(f"{round(c + (255 - c) * towards_white):02X}" for c in channels)
