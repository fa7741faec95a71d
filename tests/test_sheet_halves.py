"""A large activity sheet parsed in two halves at once reads exactly as the whole sheet does, or is read whole."""

from __future__ import annotations

import errno
import os
import tempfile
import threading
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.return_files import HEADER, write_xlsx

from etl.returns import read, sheet_halves
from etl.returns.read import read_return

SHEET_PART = "xl/worksheets/sheet2.xml"  # Activities, after the Cover
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def read_both_ways(path: Path, monkeypatch) -> tuple[read.RawReturn, read.RawReturn, list[bool]]:
    """(the file read whole, read with every activity sheet counted as large, whether the halves were used)."""
    whole = read_return(path)
    monkeypatch.setattr(sheet_halves, "MIN_SPLIT_BYTES", 0)
    used = watch_halves(monkeypatch)
    return whole, read_return(path), used


def watch_halves(monkeypatch) -> list[bool]:
    """A list that records, for each sheet read in halves, whether the halves gave its rows."""
    used: list[bool] = []
    parse = sheet_halves.SheetHalves.parse

    def watched(self, sheet_name):
        halves = parse(self, sheet_name)
        used.append(halves is not None)
        return halves

    monkeypatch.setattr(sheet_halves.SheetHalves, "parse", watched)
    return used


def same_reading(one: read.RawReturn, other: read.RawReturn) -> None:
    assert one.table.rows == other.table.rows
    assert one.table.values == other.table.values
    assert one.issues == other.issues
    assert one.cover == other.cover


def activity_rows(count: int) -> list[list]:
    return [
        [f"KHM-{i:04d}", "2.1.6; 3.1.2(a)" if i % 3 else "5.1", f"Activity {i}", "Completed" if i % 2 else "Planned",
         datetime(2014, 1 + i % 12, 1 + i % 28), datetime(2015, 6, 30) if i % 2 else None, "Ministry of Trade",
         "Japan; KOR" if i % 5 else None, "APT Cooperation Fund", float(i * 10) if i % 7 else None, ""]
        for i in range(count)
    ]  # fmt: skip


def with_sheet_xml(path: Path, rows_xml: str, after_rows: str = "") -> Path:
    """The workbook at `path` with its Activities sheet replaced by these rows (cells written by hand)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[SHEET_PART] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData>{rows_xml}</sheetData>'
        f"{after_rows}</worksheet>"
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def header_xml() -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER))
    return f'<row r="1">{cells}</row>'


def row_xml(number: int, first_column: str = "A") -> str:
    values = [f"KHM-{number:04d}", "2.1.6", f"Activity {number}", "Ongoing"]
    columns = "ABCD" if first_column == "A" else "BCDE"
    cells = "".join(
        f'<c r="{c}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in zip(columns, values, strict=True)
    )
    return f'<row r="{number}">{cells}</row>'


def test_an_ordinary_sheet_reads_the_same_in_halves(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "return.xlsx", activity_rows(400))
    workbook = load_workbook(path)
    workbook["Activities"].merge_cells("K3:K4")  # in the first half: its warning must still be given
    workbook.save(path)
    whole, halves, used = read_both_ways(path, monkeypatch)
    assert used == [True]
    assert len(halves.table.rows) == 400 and halves.table.rows[-1] == 401
    assert [i.code for i in halves.issues] == ["merged-cells"]
    same_reading(whole, halves)


def test_an_error_value_in_the_first_half_is_still_named(tmp_path, monkeypatch):
    rows = [header_xml(), '<row r="2"><c r="A2" t="inlineStr"><is><t>KHM-0002</t></is></c>'
            '<c r="B2" t="e"><f>#REF!+1</f><v>#REF!</v></c></row>']  # fmt: skip
    rows += [row_xml(n) for n in range(3, 300)]
    path = with_sheet_xml(write_xlsx(tmp_path / "return.xlsx"), "".join(rows))
    whole, halves, used = read_both_ways(path, monkeypatch)
    assert used == [True]
    assert halves.table.values["measure_ids"][0] == "#REF!"
    same_reading(whole, halves)


def test_the_halves_leave_no_file_open_or_behind(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "return.xlsx", activity_rows(400))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the halves' temporary files go
    monkeypatch.setattr(sheet_halves, "MIN_SPLIT_BYTES", 0)
    parse, kept = sheet_halves.SheetHalves.parse, []
    monkeypatch.setattr(sheet_halves.SheetHalves, "parse", lambda self, name: kept.append(self) or parse(self, name))
    open_before = set(os.listdir("/proc/self/fd"))
    halves = read_return(path)
    assert len(kept) == 1 and len(halves.table.rows) == 400
    # Closed once parsed, though the cut sheet is still in memory.
    assert set(os.listdir("/proc/self/fd")) <= open_before
    assert list(scratch.iterdir()) == []


def test_halves_that_cannot_be_written_leave_the_sheet_to_be_read_whole(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "return.xlsx", activity_rows(400))

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", disk_full)
    whole, halves, used = read_both_ways(path, monkeypatch)
    assert used == [False]
    assert len(halves.table.rows) == 400 and halves.issues == []
    same_reading(whole, halves)


@pytest.mark.parametrize(
    "rows",
    [
        [header_xml(), *(row_xml(n) for n in range(3, 300)), row_xml(2)],  # row 2 written last
        [header_xml(), *(row_xml(n) for n in range(2, 150)), *(row_xml(n, "B") for n in range(150, 300))],
        [header_xml(), *(row_xml(n) for n in range(2, 300))][:1],  # nothing to cut
    ],
    ids=["a row out of order", "the second half without column A", "a header alone"],
)
def test_a_sheet_the_halves_cannot_reproduce_is_read_whole(tmp_path, monkeypatch, rows):
    path = with_sheet_xml(write_xlsx(tmp_path / "return.xlsx"), "".join(rows))
    whole, halves, used = read_both_ways(path, monkeypatch)
    assert used == [False]
    same_reading(whole, halves)


def test_only_a_large_sheet_is_cut(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "return.xlsx", activity_rows(50))
    used = watch_halves(monkeypatch)
    read_return(path)
    assert used == []  # a few KiB of sheet: calamine reads it whole
    assert sheet_halves.worth_splitting(sheet_halves.MIN_SPLIT_BYTES) is True


def test_a_damaged_styles_part_is_reported_as_the_whole_file_would_be(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "return.xlsx", activity_rows(100))
    with zipfile.ZipFile(path) as archive:
        styles = archive.getinfo("xl/styles.xml")
    data = bytearray(path.read_bytes())
    name_length, extra_length = int.from_bytes(data[styles.header_offset + 26 : styles.header_offset + 28], "little"), \
        int.from_bytes(data[styles.header_offset + 28 : styles.header_offset + 30], "little")  # fmt: skip
    middle = styles.header_offset + 30 + name_length + extra_length + styles.compress_size // 2
    data[middle] ^= 0xFF
    path.write_bytes(bytes(data))
    whole, halves, used = read_both_ways(path, monkeypatch)
    assert used == []  # calamine refuses the workbook before any sheet is parsed
    assert [i.code for i in halves.issues] == ["corrupt-file"]
    assert halves.issues == whole.issues and halves.table is None


@pytest.mark.parametrize(("far_row", "halves_parsed"), [(5, []), (11_990, [True])], ids=["before the cut", "after it"])
def test_a_far_cell_is_refused_before_calamine_lays_it_out(tmp_path, monkeypatch, far_row, halves_parsed):
    """A cell at XFD1048576 would make calamine lay out 17 billion cells. It is refused wherever the scan meets it:
    before the cut nothing is parsed; after it, only the first half, all of which the scan had already checked."""
    rows = [header_xml(), *(row_xml(n) for n in range(2, 12_000))]  # about 3 MiB: the scan reads it in pieces
    rows[far_row] = rows[far_row].replace("</row>", '<c r="XFD1048576"><v>1</v></c></row>')
    path = with_sheet_xml(write_xlsx(tmp_path / "return.xlsx"), "".join(rows))
    parsed: list[bool] = []  # from_a1 of each half parsed: True for the first
    parse = sheet_halves._parse

    def watched_parse(*args, **kwargs):
        parsed.append(kwargs["from_a1"])
        return parse(*args, **kwargs)

    monkeypatch.setattr(sheet_halves, "_parse", watched_parse)
    whole, halves, used = read_both_ways(path, monkeypatch)
    for thread in threading.enumerate():  # a first half's parse runs on its own thread
        if thread.name.startswith("first-half"):
            thread.join()
    assert parsed == halves_parsed and used == []
    assert [i.code for i in halves.issues] == ["file-too-large"] and halves.table is None
    assert halves.issues == whole.issues
