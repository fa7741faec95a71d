"""No formula leaves the product: stored text comes back as text in the template, the feedback workbook, every export,
every grid's CSV download and the Word report, and LibreOffice evaluates none of it, whatever the list separator."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.hostile.corpus import COVER
from support.hostile.xlsx_parts import sheet_xml_chunks, write_workbook
from support.return_files import HEADER, convert_with_libreoffice, write_xlsx

from etl.returns.ingest import ingest_file
from etl.spreadsheet_text import neutralise_csv

# Each starts a formula somewhere a spreadsheet looks: at the start, or after a `;` or `,` that a spreadsheet with
# that list separator splits on (finding 3: Excel in Indonesia or Viet Nam), a tab or a line break.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/x","click")',
    "=cmd|' /C calc'!A0",
    "=2+2",
    "+3+3",
    "-4+4",
    "@SUM(5+5)",
    "Seminar;=6+6;end",
    "Seminar,=7+7,end",
    'Forum; "=8+8"',
    "Tab;\t=9+9",
    "Return\r=10+10",
]
# As stored: cells are trimmed on reading, and XML reads a carriage return in a cell as a line feed.
STORED = [p.strip().replace("\r", "\n") for p in PAYLOADS]
# The one-character starts of a cell that a spreadsheet reads as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_neutralise_csv_quotes_every_part_that_starts_a_formula():
    assert neutralise_csv("=2+2") == "'=2+2"
    assert neutralise_csv("Seminar;=1+1;end") == "Seminar;'=1+1;end"
    assert neutralise_csv("a,-b;+c") == "a,'-b;'+c"
    assert neutralise_csv('Forum; "=8+8"') == 'Forum;\' "=8+8"'
    # After a tab or a line break too: read with the other separator a field's quotes no longer pair up, and a line
    # break inside it ends the row.
    assert neutralise_csv("Tab;\t=9") == "Tab;'\t'=9"
    assert neutralise_csv("\r=1") == "'\r'=1"
    assert neutralise_csv("Return\n=10+10") == "Return\n'=10+10"
    # Ordinary text, dates, lists and addresses are left alone.
    for text in ("Customs training", "2015-03-01", "KHM; THA", "2.1.6; 3.1.2(a)", "a@b.org", "5 - 10", "x=y"):
        assert neutralise_csv(text) == text


@pytest.fixture
def loaded(warehouse_file, tmp_path, monkeypatch) -> Path:
    """A Cambodia 2015 return whose title, lead agency and description cells carry the payloads, accepted."""
    monkeypatch.setenv("APTMON_RETURNS_DIR", str(tmp_path / "returns"))
    rows = [[f"KHM-{i:02}", "2.1.6", p, "Planned", None, None, p, None, None, None, p] for i, p in enumerate(PAYLOADS)]
    # Written as text cells, as a spreadsheet saves what an analyst typed with a leading quote.
    path = write_workbook(tmp_path / "khm.xlsx", [("Cover", sheet_xml_chunks(COVER)),
                                                  ("Activities", sheet_xml_chunks([HEADER, *rows]))])  # fmt: skip
    result = ingest_file(path, warehouse_file=warehouse_file)
    assert (result.status, result.activities) == ("accepted", len(PAYLOADS)), result.issues
    return warehouse_file


def _stored_titles(warehouse_file: Path) -> list[str]:
    from etl import warehouse

    with warehouse.read_connection(warehouse_file) as con:
        return [r[0] for r in con.execute("SELECT title FROM activities ORDER BY activity_id").fetchall()]


def _formula_cells(path: Path) -> list[str]:
    """Every formula or error cell of a workbook (LibreOffice saves a boolean as =TRUE() or =FALSE(): not those)."""
    workbook = load_workbook(path)
    return [
        f"{ws.title}!{c.coordinate}={c.value}"
        for ws in workbook
        for row in ws.iter_rows()
        for c in row
        if c.data_type in ("f", "e") and c.value not in ("=TRUE()", "=FALSE()")
    ]


def test_the_prefilled_template_holds_stored_text_as_text_and_re_uploads_unchanged(loaded, tmp_path, monkeypatch):
    from etl.returns.template import write_return_template

    stored = _stored_titles(loaded)
    assert sorted(stored) == sorted(STORED)
    path, filled = write_return_template(tmp_path / "KHM-2015.xlsx", "KHM", 2015, loaded, prefill=True)
    assert len(filled) == len(PAYLOADS)
    assert _formula_cells(path) == []
    sheet = load_workbook(path)["Activities"]
    titles = [sheet.cell(row=r, column=3).value for r in range(2, 2 + len(PAYLOADS))]
    assert titles == stored
    # Re-uploaded as it was: the monitor finds it the very return it holds (every cell read back as stored).
    again = ingest_file(path, warehouse_file=loaded)
    assert again.status == "unchanged", again.issues
    from etl.plan.catalogue import load_catalogue
    from etl.returns.read import read_return
    from etl.returns.validate import validate_return

    checked = validate_return(read_return(path), load_catalogue())
    assert checked.accepted and checked.activities.column("title") == stored


def test_the_feedback_workbook_writes_the_analysts_values_as_text(tmp_path):
    from etl.returns.feedback import write_feedback
    from etl.returns.issue_codes import Issue

    issues = [Issue("error", "bad-status", f"{p} is not a status", "Activities", 2 + i, "Status", p)
              for i, p in enumerate(PAYLOADS)]  # fmt: skip
    for source, name in ((write_xlsx(tmp_path / "khm.xlsx"), "khm.xlsx"), (tmp_path / "khm.csv", "khm.csv")):
        report = write_feedback(source, source.suffix[1:] if source.exists() else "csv", issues, tmp_path / "fb", name)
        assert _formula_cells(report) == []
        values = [c.value for row in load_workbook(report)["Issues"].iter_rows(min_row=2) for c in row]
        assert set(PAYLOADS) <= set(values)


def _export(loaded: Path, tmp_path: Path) -> tuple[Path, Path]:
    from etl.outputs.export import export

    export(tmp_path / "csv", warehouse_file=loaded, as_of=2015, output_format="csv")
    export(tmp_path / "export.xlsx", warehouse_file=loaded, as_of=2015, output_format="xlsx")
    return tmp_path / "csv" / "activities.csv", tmp_path / "export.xlsx"


def test_exports_neutralise_every_part_that_starts_a_formula(loaded, tmp_path):
    activities_csv, workbook = _export(loaded, tmp_path)
    with open(activities_csv, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["country"] == "KHM"]
    assert sorted(r["title"] for r in rows) == sorted(neutralise_csv(p) for p in STORED)
    for row in rows:
        for cell in row.values():
            for part in cell.replace(",", ";").split(";"):
                assert not part.lstrip(' "').startswith(TRIGGERS) or _number(part), cell
    assert _formula_cells(workbook) == []


@pytest.mark.slow  # LibreOffice
@pytest.mark.parametrize("separator", [",", ";"])
def test_libreoffice_evaluates_nothing_in_the_csv_export(loaded, tmp_path, separator):
    activities_csv, _ = _export(loaded, tmp_path)
    cells = _libreoffice_cells(activities_csv, separator, tmp_path / "lo")
    assert [c for c in cells if c[2] == "f"] == []
    values = {str(c[1]) for c in cells}
    assert "click" not in values  # the evaluated HYPERLINK would show its label
    # Read with `;` the title's middle part is a cell of its own, as text; read with `,` the whole title is one cell.
    assert ("'=6+6" in values) if separator == ";" else {"'=2+2", "Seminar;'=6+6;end"} <= values


@pytest.mark.slow  # LibreOffice
def test_the_unneutralised_payload_would_have_been_a_formula(tmp_path):
    """The LibreOffice check above can see a formula: the same CSV without neutralising gives formula cells."""
    raw = tmp_path / "raw.csv"
    raw.write_text('id,title\nKHM-1,"Seminar;=6+6;end"\n=2+2,x\n', encoding="utf-8")
    cells = _libreoffice_cells(raw, ";", tmp_path / "lo")
    assert {c[1] for c in cells if c[2] == "f"} == {"=6+6", "=2+2,x"}


@pytest.mark.slow  # LibreOffice
def test_libreoffice_evaluates_nothing_in_the_workbooks(loaded, tmp_path):
    from etl.returns.template import write_return_template

    _, workbook = _export(loaded, tmp_path)
    template, _ = write_return_template(tmp_path / "KHM-2015.xlsx", "KHM", 2015, loaded, prefill=True)
    for source in (workbook, template):
        converted = convert_with_libreoffice(source, "xlsx", tmp_path / f"lo-{source.stem}")
        assert _formula_cells(converted) == []
        values = {str(c.value) for ws in load_workbook(converted) for row in ws.iter_rows() for c in row}
        assert "click" not in values and ("=2+2" in values or "'=2+2" in values)
    resaved = load_workbook(tmp_path / "lo-KHM-2015" / "KHM-2015.xlsx")["Activities"]
    titles = [c.value for c in resaved["C"][1 : 1 + len(PAYLOADS)]]
    assert titles == _stored_titles(loaded)


def _libreoffice_cells(source: Path, separator: str, out_dir: Path) -> list[tuple[str, object, str]]:
    """The cells of a CSV file as LibreOffice reads it with this list separator (its CSV import evaluates
    formulas), converted to a workbook: (coordinate, value, openpyxl data type)."""
    import subprocess

    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{out_dir.resolve()}/profile", "--headless",
         f"--infilter=CSV:{ord(separator)},34,76,1", "--convert-to", "xlsx", "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    workbook = load_workbook(out_dir / f"{source.stem}.xlsx")
    return [(c.coordinate, c.value, c.data_type) for row in workbook.active.iter_rows() for c in row if c.value]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.browser
def test_every_grids_download_csv_is_neutralised(loaded, browser, tmp_path):
    """The measure page's activity grid, downloaded with its "Download CSV" button in Chromium."""
    import threading

    from support.signing_in import TEST_USERS, add_test_users, sign_in
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    add_test_users(loaded)
    server = make_server("127.0.0.1", 0, create_app(loaded).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        username, password, _ = TEST_USERS["viewer"]
        sign_in(page, base, username, password)
        # The browser's copy of the rule gives what the server's gives, for every payload.
        page.goto(f"{base}/measure/2.1.6")
        page.wait_for_function("() => window.dashAgGridFunctions && window.dashAgGridFunctions.neutraliseCsvCell")
        in_browser = page.evaluate(
            "(values) => values.map(v => window.dashAgGridFunctions.neutraliseCsvCell({value: v}))", PAYLOADS
        )
        assert in_browser == [neutralise_csv(p) for p in PAYLOADS]
        grid = page.locator(".data-grid").filter(has=page.locator(".ag-row")).first
        grid.locator(".ag-row").first.wait_for()
        with page.expect_download() as download:
            grid.get_by_role("button", name="Download CSV").click()
        target = tmp_path / "grid.csv"
        download.value.save_as(target)
    finally:
        context.close()
        server.shutdown()
    with open(target, encoding="utf-8", newline="") as handle:
        cells = {cell for row in csv.reader(handle) for cell in row}
    # Every title, as the server would have written it (the grid shows the stored, trimmed text).
    assert {neutralise_csv(p) for p in STORED} <= cells, sorted(cells)[:40]
    for separator in (",", ";"):
        found = _libreoffice_cells(target, separator, tmp_path / f"lo{ord(separator)}")
        assert [c for c in found if c[2] == "f"] == []


@pytest.mark.slow  # Chromium draws the charts
def test_the_word_report_holds_no_field_a_text_could_become(loaded, tmp_path):
    """Stored text reaches the Word report only as runs of text: the document holds no field (no formula, no DDE)."""
    from etl.outputs.report.write import write_report

    write_report(tmp_path / "progress.docx", warehouse_file=loaded, as_of=2015, output_format="docx")
    with zipfile.ZipFile(tmp_path / "progress.docx") as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "<w:fldSimple" not in body and "<w:instrText" not in body and "<w:fldChar" not in body
    assert "Cambodia" in body
