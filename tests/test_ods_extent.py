"""The .ods pre-scan's sizes: plain rows taken whole agree with the tag-by-tag reading, and far cells are refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from etl.returns.guard.ods import _ods_extents, check_ods_extents
from etl.returns.guard.outcome import Refused

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)
VALUED = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
BLANK = "<table:table-cell/>"


def _ods(path: Path, tables: dict[str, str]) -> Path:
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES}><office:body>'
        f"<office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return path


def _row(*cells: str, attributes: str = "") -> str:
    return f"<table:table-row{attributes}>{''.join(cells)}</table:table-row>"


def test_plain_rows_span_their_last_valued_cell(tmp_path):
    """Blank cells right of the last value and blank rows below it widen and lengthen nothing."""
    rows = _row(VALUED, VALUED) + _row(BLANK, VALUED, VALUED, BLANK, BLANK) + _row(VALUED) + _row(BLANK, BLANK) * 3
    assert [e[:3] for e in _ods_extents(_ods(tmp_path / "plain.ods", {"Activities": rows}))] == [("Activities", 3, 3)]


def test_each_sheet_is_sized_on_its_own(tmp_path):
    path = _ods(tmp_path / "two.ods", {"Cover": _row(VALUED, VALUED) * 2, "Activities": _row(BLANK, BLANK, VALUED)})
    assert [e[:3] for e in _ods_extents(path)] == [("Cover", 2, 2), ("Activities", 1, 3)]


def test_repeats_and_merged_cells_among_plain_rows_are_counted(tmp_path):
    rows = (
        _row(VALUED)
        + _row(BLANK, attributes=' table:number-rows-repeated="1000"')
        + _row(VALUED, "<table:covered-table-cell/>", VALUED)
        + _row('<table:table-cell table:number-columns-repeated="40"/>', VALUED)
    )
    assert [e[:3] for e in _ods_extents(_ods(tmp_path / "mixed.ods", {"Activities": rows}))] == [
        ("Activities", 1003, 41)
    ]


def test_a_tag_hidden_in_an_attribute_value_is_not_a_cell(tmp_path):
    """A "<" inside a cell tag's value hides what follows it up to the next ">", as the tag-by-tag reading has it."""
    hiding = '<table:table-cell table:style-name="<table:table-cell "/>'
    rows = _row(VALUED) + _row(hiding, VALUED)
    assert [e[:3] for e in _ods_extents(_ods(tmp_path / "hidden.ods", {"Activities": rows}))] == [("Activities", 2, 2)]


def test_a_plain_row_wider_than_a_return_is_refused(tmp_path):
    rows = _row(VALUED) + _row(*[BLANK] * 300, VALUED)
    with pytest.raises(Refused) as refused:
        check_ods_extents(_ods(tmp_path / "wide.ods", {"Activities": rows}))
    assert "301 columns on sheet Activities (at most 256 columns)" in refused.value.issue.message


def test_rows_read_in_many_pieces_are_all_counted(tmp_path):
    """200 000 plain rows of text reach over many 1 MiB pieces, some cut inside a row: every row counts once."""
    rows = _row(VALUED, BLANK, VALUED) * 200_000 + _row(BLANK, VALUED, VALUED, VALUED, VALUED)
    assert [e[:3] for e in _ods_extents(_ods(tmp_path / "long.ods", {"Activities": rows}))] == [
        ("Activities", 200_001, 5)
    ]
    with pytest.raises(Refused) as refused:
        check_ods_extents(_ods(tmp_path / "long.ods", {"Activities": rows}))
    assert "more than 200,000 rows on sheet Activities (values down to row 200,001)" in refused.value.issue.message


def test_error_cells_among_plain_rows_are_named(tmp_path):
    error = (
        '<table:table-cell calcext:value-type="error" office:value-type="string"><text:p>#REF!</text:p>'
        "</table:table-cell>"
    )
    rows = _row(VALUED, VALUED) + _row(VALUED, error)
    [(_, rows_seen, columns, errors)] = _ods_extents(_ods(tmp_path / "errors.ods", {"Activities": rows}))
    assert (rows_seen, columns, errors) == (2, 2, {(2, 2): "#REF!"})
