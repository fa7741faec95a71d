"""The Word report as LibreOffice prints it: pages, column widths fitted to their text, legible status colours."""

from __future__ import annotations

import re
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from etl.outputs.palette import contrast_ratio
from etl.outputs.report.write import write_report

pytestmark = pytest.mark.slow  # kaleido draws the charts in Chromium, LibreOffice prints the document


@pytest.fixture(scope="module")
def printed(demo_warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-print")
    result = write_report(folder / "progress.docx", warehouse_file=demo_warehouse, as_of=2017, output_format="docx")
    profile = folder / "lo-profile"  # a private profile, so parallel runs never share LibreOffice's lock
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(folder), str(result.path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = PdfReader(str(folder / "progress.pdf"))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    return Document(str(result.path)), pdf, text


def _text_width(document, table) -> int:
    """The text width (EMU) of the section the table sits in: the first section break after it closes it."""
    body = list(document.element.body.iterchildren())
    after = body[body.index(table._tbl) :]
    for element in after:
        properties = element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if properties is not None or element.tag == qn("w:sectPr"):
            break
    sections = {id(s._sectPr): s for s in document.sections}
    section = sections[id(properties if properties is not None else element)]
    return section.page_width - section.left_margin - section.right_margin


def test_the_printed_report_fits_its_tables_to_the_page(printed):
    document, pdf, text = printed
    # 14 pages before the widths were fitted (the overdue measures' Text column alone ran over about 4).
    assert 8 <= len(pdf.pages) <= 11
    for table in document.tables:
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(column.get(qn("w:w"))) for column in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        cells = [row.cells[i].width for row in table.rows for i in range(len(grid))]
        assert all(width is not None for width in cells)
        # Widths in twentieths of a point; the table spans no more than its page's text.
        assert sum(grid) * Pt(1) / 20 <= _text_width(document, table) + Pt(1)
    overdue = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:3] == ["Measure", "Pillar", "Due"])
    widths = [column.width for column in overdue.columns]
    assert widths[-1] == max(widths) and widths[2] < widths[-1] / 3  # "Due" is narrow, "Text" is the widest

    # The pillars x countries matrix is one landscape page, with its 13 countries and all of them.
    matrix = next(page for page in pdf.pages if "Pillars and countries" in page.extract_text())
    assert matrix.mediabox.width > matrix.mediabox.height
    names = " ".join(matrix.extract_text().split())  # the countries by name, as "Which countries lag" gives them
    assert all(name in names for name in ("Brunei Darussalam", "Republic of Korea", "All 13 countries"))


def test_no_header_or_status_breaks_inside_a_word(printed):
    document, _, text = printed
    flat = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    for table in document.tables:
        for header in (cell.text for cell in table.rows[0].cells):
            for word in re.split(r"\s+|(?<=-)", header):
                if len(word) > 3:  # "Environm ent" or "Measu re" would not be found whole
                    assert word in flat, (header, word)
    # A status on its colour is one unbreakable piece ("acceleration neede d" would not be found whole).
    statuses = {
        " ".join(run.text.replace("\u00a0", " ").split())
        for table in document.tables for row in table.rows[1:] for cell in row.cells
        for paragraph in cell.paragraphs for run in paragraph.runs
        if run._r.find(f"{qn('w:rPr')}/{qn('w:shd')}") is not None
    }  # fmt: skip
    assert "acceleration needed" in statuses
    assert all(status in flat for status in statuses), statuses


def test_every_coloured_text_reads_at_4_5_to_1(printed):
    document, _, _ = printed
    checked = 0
    for paragraph, fill in _paragraphs_with_fill(document):
        for run in paragraph.runs:
            if not run.text.strip():
                continue
            shading = run._r.find(f"{qn('w:rPr')}/{qn('w:shd')}")
            background = "#" + shading.get(qn("w:fill")) if shading is not None else fill
            colour = run.font.color.rgb
            foreground = f"#{colour}" if colour is not None else "#000000"
            assert contrast_ratio(foreground, background) >= 4.5, (run.text, foreground, background)
            checked += shading is not None or fill != "#FFFFFF"
    assert checked > 100  # the matrix's tinted cells and every status word on its colour


def test_counts_take_their_plural(printed):
    _, _, text = printed
    assert not re.search(r"\b1 (activities|measures|returns)\b", text)
    assert re.search(r"\b1 activity\b", text)


def _paragraphs_with_fill(document):
    """Every paragraph, with the fill behind it: its cell's shading, or the white page."""
    for paragraph in document.paragraphs:
        yield paragraph, "#FFFFFF"
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                shading = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
                fill = "#" + shading.get(qn("w:fill")) if shading is not None else "#FFFFFF"
                for paragraph in cell.paragraphs:
                    yield paragraph, fill
