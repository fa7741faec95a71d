"""The xlsx pre-scan's bound on the cells calamine lays out: ordinary sheets pass cheaply, odd ones placed exactly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from support.return_files import GOOD_ROWS, HEADER, write_xlsx

from etl.returns.guard.sheet_limits import MAX_SHEET_ROWS
from etl.returns.guard.xlsx import _quick_extent, _sheet_extent
from etl.returns.read import inspect_return, read_return

SHEET_PART = "xl/worksheets/sheet2.xml"  # Activities, after the Cover
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A1 = '<row r="1"><c r="A1"><v>1</v></c></row>'
QUICK_BOUND = (99_999, 26, False)  # an ordinary sheet: one-letter columns, at most five-digit rows


def _workbook(
    path: Path,
    sheet_data: str,
    root: str = f'<worksheet xmlns="{MAIN_NS}">',
    end: str = "</worksheet>",
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A return whose Activities sheet XML is replaced by `sheet_data` inside the given root element."""
    write_xlsx(path, [["KHM-001", "2.1.6", "Training", "Planned"]])
    with zipfile.ZipFile(path) as source:
        parts = {info: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w", compression) as target:
        for info, data in parts.items():
            if info.filename == SHEET_PART:
                data = f'<?xml version="1.0" encoding="UTF-8"?>\n{root}{sheet_data}{end}'.encode()
            target.writestr(info.filename, data)
    return path


def _extent(path: Path, exact: bool = False) -> tuple[int, int, bool]:
    with zipfile.ZipFile(path) as archive:
        return _sheet_extent(archive, archive.getinfo(SHEET_PART), exact=exact)


def _calamine_extent(path: Path) -> tuple[int, int]:
    """(rows, columns) up to calamine's last cell; only for small sheets (calamine lays every sheet out densely)."""
    workbook = CalamineWorkbook.from_path(str(path))
    end_row, end_column = workbook.get_sheet_by_index(workbook.sheet_names.index("Activities")).end
    return end_row + 1, end_column + 1


def test_an_ordinary_sheet_passes_on_the_quick_bound(tmp_path):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    with zipfile.ZipFile(path) as archive:
        sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")]
        assert all(_sheet_extent(archive, sheet, exact=False) == QUICK_BOUND for sheet in sheets)


def test_a_six_digit_row_is_read_on_the_quick_pass(tmp_path):
    rows = A1 + '<row r="100001"><c r="K100001" s="1" t="n"><v>5</v></c><c r="B100001" t="s"/></row>'
    assert _extent(_workbook(tmp_path / "deep.xlsx", f"<sheetData>{rows}</sheetData>")) == (100_001, 26, False)


def test_a_seven_digit_row_is_refused_without_reading_on(tmp_path):
    rows = A1 + '<row r="1048576"><c r="A1048576"><v>1</v></c></row><row r="5"><c><v>1</v></c></row>'
    rows_seen, _, _ = _extent(_workbook(tmp_path / "tall.xlsx", f"<sheetData>{rows}</sheetData>"))
    assert rows_seen == 1_048_576 > MAX_SHEET_ROWS


@pytest.mark.parametrize(
    ("far_row", "columns"),
    [
        ('<row r="1048576">' + "<c><v>1</v></c>" * 300 + "</row>", 300),  # cells placed by counting
        ('<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>', 16_384),  # r after another attribute
        (f'<x:row xmlns:x="{MAIN_NS}" r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', 16_384),
        ("<row r='1048576'><c r='xfd1048576'><v>1</v></c></row>", 16_384),  # single quotes, lower case
        ('<row r="1048576"><c r="A1" r="XFD1048576"><v>1</v></c></row>', 16_384),  # the last r counts
        ('<row r="1048576"><c\n r = "XFD1048576"><v>1</v></c></row>', 16_384),  # white space inside the tag
        ('<row r="1048576"><c t="n" x="a>b" r="XFD1048576"><v>1</v></c></row>', 16_384),  # ">" inside a value
        ('<row r="1048576"><c r="XFD00001048576"><v>1</v></c></row>', 16_384),  # leading zeros
        ('<row r="1048576"><c r="B1048576"><v>1</v></c><c><v>1</v></c><c><is><t>x</t></is></c></row>', 4),
    ],
    ids=[
        "counted",
        "r-second",
        "prefixed",
        "quotes-case",
        "repeated-r",
        "whitespace",
        "gt-in-value",
        "zeros",
        "counted-after-r",
    ],  # fmt: skip
)
def test_a_far_cell_the_old_pre_scan_missed_is_found(tmp_path, far_row, columns):
    path = _workbook(tmp_path / "far.xlsx", f"<sheetData>{A1}{far_row}</sheetData>")
    assert _extent(path)[0] == 1_048_576 > MAX_SHEET_ROWS  # refused
    assert _extent(path, exact=True) == (1_048_576, columns, True)


def test_a_sheet_stored_without_compression_is_scanned_alike(tmp_path):
    sheet_data = f'<sheetData>{A1}<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row></sheetData>'
    path = _workbook(tmp_path / "stored.xlsx", sheet_data, compression=zipfile.ZIP_STORED)
    assert _extent(path) == (1_048_576, 16_384, True)


def test_rows_without_r_are_counted(tmp_path):
    rows = "<row/>" * 250_000 + "<row><c><v>1</v></c></row>"
    assert _extent(_workbook(tmp_path / "rows.xlsx", f"<sheetData>{rows}</sheetData>")) == (250_001, 1, True)


@pytest.mark.parametrize(
    "sheet_data",
    [
        # no r anywhere: rows follow one another, cells go left to right
        "<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row/><row><c/><c/><c><v>3</v></c></row></sheetData>",
        # r after s, then cells placed right of it; a row without r after row 4
        '<sheetData><row r="2"><c s="0" r="C2"><v>1</v></c><c><v>2</v></c></row>'
        '<row r="4"><c t="n" s="0" r="B4"><v>3</v></c></row><row><c><v>4</v></c></row></sheetData>',
        # a row's start does not reset the column; a cell with r keeps its own row
        '<sheetData><row r="1"><c r="C1"><v>1</v></c><row r="3"><c><v>2</v></c></row></row>'
        '<row r="2"><c r="B6"><v>3</v></c><c><v>4</v></c></row></sheetData>',
        # cells outside a row, values with markup inside, a formula, an inline string with rich text
        '<sheetData><row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">1+1</f><v>2</v></c>'
        '<c t="inlineStr"><is><r><rPr><b/></rPr><t>bold</t></r></is></c></row><c><v>5</v></c></sheetData>',
    ],
    ids=["no-r", "r-second", "nested-row", "rich"],
)
def test_the_exact_pass_finds_the_extent_calamine_lays_out(tmp_path, sheet_data):
    path = _workbook(tmp_path / "odd.xlsx", sheet_data)
    rows, columns, exact = _extent(path)
    assert exact and (rows, columns) == _calamine_extent(path)


def test_a_sheet_under_a_namespace_prefix_is_read_like_any_other(tmp_path):
    """The .NET OpenXML SDK writes <x:worksheet><x:sheetData><x:row><x:c>: the exact pass, and not refused."""
    header = "".join(f'<x:c r="{chr(65 + i)}1" t="inlineStr"><x:is><x:t>{h}</x:t></x:is></x:c>' for i, h in
                     enumerate(HEADER))  # fmt: skip
    row = "".join(f'<x:c r="{chr(65 + i)}2" t="inlineStr"><x:is><x:t>{v}</x:t></x:is></x:c>' for i, v in
                  enumerate(["KHM-001", "2.1.6", "Customs training", "Planned"]))  # fmt: skip
    sheet_data = f'<x:sheetData><x:row r="1">{header}</x:row><x:row r="2">{row}</x:row></x:sheetData>'
    path = _workbook(tmp_path / "sdk.xlsx", sheet_data, root=f'<x:worksheet xmlns:x="{MAIN_NS}">', end="</x:worksheet>")
    assert _extent(path) == (2, len(HEADER), True)
    raw = read_return(path)
    assert raw.issues == [] and raw.table.rows == [2]


def test_a_comment_or_cdata_takes_the_coarse_bound(tmp_path):
    """Comments and CDATA are not lexed: the bound adds a row per row tag and a column per cell tag."""
    sheet_data = f'<sheetData><!-- <row r="9"> -->{A1}<row r="3"><c><v><![CDATA[1]]></v></c></row></sheetData>'
    assert _extent(_workbook(tmp_path / "comment.xlsx", sheet_data)) == (9 + 5 + 1, 1 + 2 + 1, True)


def test_content_that_does_not_nest_takes_the_coarse_bound(tmp_path):
    """calamine skips a value up to its own end tag, whatever closes in between: no placement can be trusted."""
    sheet_data = f'<sheetData>{A1}<row r="2"><c><v>1</c></row><c r="A9"><v>2</v></c></v></c></row></sheetData>'
    assert _extent(_workbook(tmp_path / "tangled.xlsx", sheet_data)) == (9 + 5 + 1, 1 + 3 + 1, True)


@pytest.mark.parametrize("cut", [1, 3, 9, 14])
def test_a_deep_cell_cut_by_a_piece_boundary_is_read_whole(tmp_path, cut):
    """The pre-scan reads a sheet in 1 MiB pieces (exactly 1 MiB when the part is stored): a cell tag that
    starts `cut` bytes before the end of a piece and ends in the next is still read, by its row and its error."""
    deep = '<c r="C150000" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    prologue = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}">'
    head = f'<sheetData>{A1}<row r="150000">'
    spaces = " " * ((1 << 20) - cut - len(prologue) - len(head))
    path = _workbook(tmp_path / "cut.xlsx", f"{head}{spaces}{deep}</row></sheetData>", compression=zipfile.ZIP_STORED)
    errors: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        assert archive.read(SHEET_PART).index(deep.encode()) == (1 << 20) - cut
        bound = _sheet_extent(archive, archive.getinfo(SHEET_PART), exact=False, errors_seen=errors)
    assert bound == (150_000, 26, False)
    assert errors == {SHEET_PART}


def _quick(path: Path) -> tuple[int, int, bool, int]:
    with zipfile.ZipFile(path) as archive:
        return _quick_extent(archive, archive.getinfo(SHEET_PART))


def test_a_narrow_sheet_down_to_the_row_cap_is_vouched_for_by_its_widest_column(tmp_path):
    """200 000 rows by 26 columns would pass the cell limit; by the widest letter a cell names (K) they do not, so
    the quick pass vouches for the sheet and no second, exact pass reads it (which would mark it for error values)."""
    rows = A1 + '<row r="200000"><c r="B200000" t="s"><v>0</v></c><c r="K200000"><v>5</v></c></row>'
    path = _workbook(tmp_path / "narrow.xlsx", f"<sheetData>{rows}</sheetData>")
    assert _quick(path) == (MAX_SHEET_ROWS, 26, False, 11)
    inspected = inspect_return(path)
    assert not inspected.refused and inspected.error_value_parts == frozenset()


def test_a_sheet_as_wide_as_z_down_to_the_row_cap_is_placed_exactly_and_refused(tmp_path):
    rows = A1 + '<row r="200000"><c r="Z200000"><v>5</v></c></row>'
    path = _workbook(tmp_path / "wide.xlsx", f"<sheetData>{rows}</sheetData>")
    assert _quick(path) == (MAX_SHEET_ROWS, 26, False, 26)
    inspected = inspect_return(path)
    assert inspected.refused
    [issue] = inspected.raw.issues
    assert issue.code == "file-too-large" and issue.sheet == "Activities"
    assert "200,000 rows by 26 columns on sheet Activities (at most 4,000,000 cells)" in issue.message


def test_the_first_cell_past_the_row_cap_is_the_one_named(tmp_path):
    """Deep rows are read a piece at a time, all at once: the refusal still names the first cell past the cap."""
    rows = A1 + '<row r="150000"><c r="C150000"><v>1</v></c><c r="D0300000"><v>1</v></c></row>'
    rows += '<row r="1048576"><c r="A1048576"><v>1</v></c></row><row r="250000"><c r="A250000"><v>1</v></c></row>'
    path = _workbook(tmp_path / "deep.xlsx", f"<sheetData>{rows}</sheetData>")
    assert _quick(path) == (300_000, 26, False, 26)
    [issue] = inspect_return(path).raw.issues
    assert issue.code == "file-too-large" and "values down to row 300,000" in issue.message


def test_a_far_cell_after_an_unusual_one_is_left_to_the_exact_pass(tmp_path):
    """Reading stops at the first cell the quick pass cannot vouch for: what follows is placed exactly."""
    rows = A1 + '<row r="3"><c><v>1</v></c></row><row r="300000"><c r="B300000"><v>1</v></c></row>'
    path = _workbook(tmp_path / "unusual.xlsx", f"<sheetData>{rows}</sheetData>")
    assert _quick(path) == (300_000, 2, True, 26)


@pytest.mark.parametrize(
    ("late_cell", "bound", "errors"),
    [
        ('<c r="M11000"><v>1</v></c>', (99_999, 26, False, 13), False),  # right of every cell before it
        ('<c r="B11000" t="e"><v>#N/A</v></c>', (99_999, 26, False, 11), True),
        ('<c r="B150000"><v>1</v></c>', (150_000, 26, False, 11), False),
        ('<c r="B250000"><v>1</v></c>', (250_000, 26, False, 26), False),
        ('<c r="B11000" x="1"><v>1</v></c>', (11_999, 11, True, 26), False),  # unusual: placed exactly
    ],
    ids=["a wider column", "an error value", "a deep row", "a row past the cap", "an unusual cell"],
)
def test_a_cell_after_pieces_of_ordinary_cells_is_still_read(tmp_path, late_cell, bound, errors):
    """A piece whose cells are all listed, within the widest column so far, above row 100 000 and not of type e
    takes one search; a cell in a later piece that is none of these is read as the full searches read it."""
    ordinary = "".join(f'<c r="{letter}{{row}}" t="n"><v>1</v></c>' for letter in "ABCDEFGHIJK")
    rows = [f'<row r="{row}">{ordinary.format(row=row)}</row>' for row in range(1, 12_000)]  # about 3 MiB
    rows[10_999] = rows[10_999].replace("</row>", f"{late_cell}</row>")
    path = _workbook(tmp_path / "late.xlsx", f"<sheetData>{''.join(rows)}</sheetData>")
    seen: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET_PART).file_size > 3 << 20
        assert _quick_extent(archive, archive.getinfo(SHEET_PART), errors_seen=seen) == bound
    assert seen == ({SHEET_PART} if errors else set())
