"""aptmon report --format docx: the HTML report's content as a Word document, read back with python-docx."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from docx import Document

from etl import warehouse
from etl.cli import cli
from etl.outputs.report.content import build_content
from etl.outputs.report.content import read_report_data as _read
from etl.outputs.report.write import write_report
from etl.plan.definitions import GLOSSARY


@pytest.fixture(scope="module")
def reports(demo_warehouse, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-docx")
    result = write_report(folder / "progress.docx", warehouse_file=demo_warehouse, as_of=2016, output_format="docx")
    write_report(folder / "progress.html", warehouse_file=demo_warehouse, as_of=2016)
    return result, Document(str(result.path)), (folder / "progress.html").read_text(encoding="utf-8")


def _view(path, sql: str) -> list[tuple]:
    with warehouse.read_connection(path) as con:
        return con.execute(sql).fetchall()


def _table_with(document, header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == header)


@pytest.mark.slow  # kaleido draws the charts in Chromium
def test_the_document_has_the_html_reports_headings_as_word_headings(reports):
    result, document, page = reports
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Title", "Heading"))]
    assert headings[0] == ("Title", "2013-2017 ASEAN Plus Three Cooperation Work Plan: progress report as of 2016")
    sections = [text for style, text in headings if style == "Heading 1"]
    assert sections == [re.sub("<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", page)]
    assert ("Heading 2", "Thresholds and settings") in headings
    assert result.as_of_year == 2016 and result.charts == 3
    text = "\n".join(p.text for p in document.paragraphs)
    assert result.fingerprint in text and "SYNTHETIC DEMO DATA" in text
    assert "Progress is judged against the implementation schedule" in text


@pytest.mark.slow  # kaleido draws the charts in Chromium
def test_headline_figures_and_tables_hold_the_views_numbers(reports, demo_warehouse):
    _, document, page = reports
    covered, total, status, overdue_count = _view(
        demo_warehouse,
        "SELECT measures_covered, measures_total, progress_status, measures_overdue FROM metrics_pillar_country"
        " WHERE as_of_year = 2016 AND pillar = 'ALL' AND country = 'ALL'",
    )[0]
    headline = {row.cells[0].text: row.cells[1].text for row in _table_with(document, "Figure").rows[1:]}
    assert headline["Measures covered"] == f"{covered} of {total}"
    assert headline["Overdue"] == str(overdue_count)
    assert all(f'<div class="value">{value}</div>' in page for value in headline.values())  # as in the HTML
    # The status word sits on its colour, padded with no-break spaces.
    said = {" ".join(p.text.replace("\u00a0", " ").split()) for p in document.paragraphs}
    assert f"Overall progress status as of 2016: {status}" in said

    reporting = _table_with(document, "Country")  # the first: the pillar x country matrix
    assert [c.text for c in reporting.rows[0].cells][:3] == ["Country", "I Political & Security",
                                                             "II Economic & Financial"]  # fmt: skip
    khm = next(row for row in reporting.rows if row.cells[0].text == "Cambodia")  # named as in the ranking
    delivered, in_scope, cell_status = _view(
        demo_warehouse,
        "SELECT measures_delivered, measures_in_scope, progress_status FROM metrics_pillar_country"
        " WHERE as_of_year = 2016 AND pillar = '1' AND country = 'KHM'",
    )[0]
    # The judgement first: delivered of the measures Cambodia took up or leads, its status on its own line.
    assert khm.cells[1].text == f"{delivered} of {in_scope} delivered\n{cell_status}"
    assert len(reporting.rows) == 1 + 14  # the header, 13 countries and all of them

    returns = next(t for t in document.tables if t.rows[0].cells[1].text == "Returns received / expected")
    received, expected, on_time = _view(
        demo_warehouse,
        "SELECT returns_received, returns_expected, on_time_rate FROM metrics_reporting"
        " WHERE as_of_year = 2016 AND country = 'KHM'",
    )[0]
    cambodia = next(row for row in returns.rows if row.cells[0].text == "Cambodia")
    assert (cambodia.cells[1].text, cambodia.cells[4].text) == (f"{received} / {expected}", f"{on_time:.0%}")

    overdue = _view(
        demo_warehouse,
        "SELECT measure_id FROM measure_progress WHERE as_of_year = 2016 AND country = 'ALL' AND overdue",
    )
    listed = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:3] == ["Measure", "Pillar", "Due"])
    assert sorted(row.cells[0].text for row in listed.rows[1:]) == sorted(m for (m,) in overdue)

    definitions = _table_with(document, "Term or column")
    assert [row.cells[0].text for row in definitions.rows[1:]] == [d.column for d in GLOSSARY]


@pytest.mark.slow  # kaleido draws the charts in Chromium
def test_tables_repeat_their_header_row_and_charts_are_pictures(reports):
    _, document, _ = reports
    for table in document.tables:
        assert table.rows[0]._tr.trPr.xpath("./w:tblHeader"), table.rows[0].cells[0].text
    assert len(document.inline_shapes) == 3
    images = [part for part in document.part.package.parts if part.partname.endswith(".png")]
    assert len(images) == 3 and all(image.blob.startswith(b"\x89PNG") for image in images)


def test_every_chart_of_the_report_names_its_pillars(demo_warehouse):
    with warehouse.read_connection(demo_warehouse) as con:
        content = build_content(_read(con, 2016))
    pillars = content.charts[0]
    for trace in pillars.data:
        assert list(trace.x)[:2] == ["I Political &<br>Security", "II Economic &<br>Financial"]
        assert "III Environment" in trace.x and not any(label.startswith("Pillar") for label in trace.x)


@pytest.mark.slow  # kaleido draws the charts in Chromium
def test_cli_takes_the_format_from_the_file_name(demo_warehouse, tmp_path):
    target = tmp_path / "progress.docx"
    outcome = CliRunner().invoke(cli, ["report", "-o", str(target), "--as-of", "2015", "--warehouse",
                                       str(demo_warehouse)])  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "progress report as of 2015" in Document(str(target)).paragraphs[0].text
    wrong = CliRunner().invoke(cli, ["report", "--format", "pdf", "-o", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2 and "pdf" in wrong.output


def test_without_chromium_the_cli_says_what_to_install(demo_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))  # where kaleido looks first
    target = tmp_path / "progress.docx"
    outcome = CliRunner().invoke(cli, ["report", "-o", str(target), "--warehouse", str(demo_warehouse)])
    assert outcome.exit_code == 2, outcome.output
    assert outcome.output.strip() == (
        "Error: The Word report draws its charts in Chromium, which is not installed on this machine: install the "
        "Debian package chromium (apt-get install chromium, as make run does), or take the HTML report."
    )
    assert not target.exists()
    # The HTML report needs no Chromium.
    assert CliRunner().invoke(cli, ["report", "-o", str(tmp_path / "p.html"), "--warehouse",
                                    str(demo_warehouse)]).exit_code == 0  # fmt: skip


@pytest.mark.slow  # kaleido draws the charts in Chromium
def test_the_report_ranks_the_countries_as_the_view_does(reports, demo_warehouse):
    _, document, page = reports
    ranking = _table_with(document, "Rank")
    expected = _view(
        demo_warehouse,
        "SELECT lag_rank, country_name, progress_status, measures_delivered, measures_in_scope FROM country_ranking"
        " WHERE plan_id = 'apt-2013-2017' AND as_of_year = 2016 AND pillar = 'ALL' ORDER BY lag_rank",
    )
    shown = [
        (int(row.cells[0].text), row.cells[1].text, " ".join(row.cells[2].text.replace("\u00a0", " ").split()),
         row.cells[3].text)
        for row in ranking.rows[1:]
    ]  # fmt: skip
    assert shown == [(rank, name, status, f"{done} of {scope} delivered" if scope else "none taken up")
                     for rank, name, status, done, scope in expected]  # fmt: skip
    assert len(shown) == 13 and "Which countries lag" in page
