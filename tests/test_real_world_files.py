"""Files as real returns arrive (old formats, encryption, packages laid out another way, errors, other scripts),
each read or refused for the right reason through `aptmon ingest --dry-run --json`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import msoffcrypto
import pytest
from openpyxl import Workbook
from support.real_world_files import add_macro_sheet, biff_worksheet, encrypt_xls, relocate_workbook
from support.return_files import GOOD_ROWS, HEADER, convert_with_libreoffice, write_xlsx

pytestmark = pytest.mark.slow  # every test runs aptmon ingest in a subprocess

APTMON = str(Path(sys.executable).with_name("aptmon"))
# What no message or JSON line may carry from a file: control characters and bidirectional or invisible marks.
UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def dry_run(path: Path, warehouse_file: Path) -> dict:
    """The one JSON line `aptmon ingest --dry-run --json` prints for the file."""
    result = subprocess.run(
        [APTMON, "ingest", "--dry-run", "--json", str(path), "--warehouse", str(warehouse_file)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()  # splits on U+0085 and U+2028 too, as line readers do
    assert len(lines) == 1, result.stdout
    record = json.loads(lines[0])
    for issue in record["issues"]:
        for key in ("sheet", "column", "value", "message"):
            assert not UNSHOWABLE.search(issue[key] or ""), (key, issue)
    return record


def codes(record: dict) -> list[str]:
    return [issue["code"] for issue in record["issues"]]


@pytest.fixture(scope="module")
def errors_written_by_libreoffice(tmp_path_factory) -> dict[str, Path]:
    """One return whose cells show #REF!, #DIV/0! and #N/A, as LibreOffice saves it in xlsx, xls and ods."""
    folder = tmp_path_factory.mktemp("errors")
    rows = [
        ["KHM-001", "=#REF!", "Customs training", "Planned"],
        ["KHM-002", "2.1.6", "=1/0", "Planned"],
        ["KHM-003", "2.1.6", "Port survey", "=NA()"],
    ]
    source = write_xlsx(folder / "errors.xlsx", rows)
    return {kind: convert_with_libreoffice(source, kind, folder / kind) for kind in ("xlsx", "xls", "ods")}


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_spreadsheet_error_gets_the_same_finding_from_every_format(errors_written_by_libreoffice, kind,
                                                                      warehouse_file):  # fmt: skip
    record = dry_run(errors_written_by_libreoffice[kind], warehouse_file)
    found = [(i["code"], i["row"], i["column"], i["value"]) for i in record["issues"]]
    assert found == [
        ("cell-error", 2, "Measure IDs", "#REF!"),
        ("cell-error", 3, "Title", "#DIV/0!"),
        ("cell-error", 4, "Status", "#N/A"),
    ]
    assert record["status"] == "rejected"


def test_an_encrypted_xls_is_refused_before_its_records_are_read(errors_written_by_libreoffice, tmp_path,
                                                                   warehouse_file):  # fmt: skip
    locked = encrypt_xls(errors_written_by_libreoffice["xls"], tmp_path / "locked.xls")
    with open(locked, "rb") as handle:
        assert msoffcrypto.OfficeFile(handle).is_encrypted()  # a foreign reader takes it for an encrypted workbook
    locked_xlsx = tmp_path / "locked.xlsx"
    with open(write_xlsx(tmp_path / "plain.xlsx"), "rb") as source, open(locked_xlsx, "wb") as target:
        msoffcrypto.OfficeFile(source).encrypt("secret", target)
    xls, xlsx = dry_run(locked, warehouse_file), dry_run(locked_xlsx, warehouse_file)
    assert codes(xls) == codes(xlsx) == ["password-protected"]
    assert xls["issues"][0]["message"] == xlsx["issues"][0]["message"]
    assert xls["issues"][0]["sheet"] is None  # no sheet name read from ciphertext


@pytest.mark.parametrize(("version", "named"), [(2, "Excel 2.x"), (3, "Excel 3.0"), (4, "Excel 4.0")])
def test_an_excel_2_to_4_worksheet_is_a_spreadsheet_too_old_to_read(tmp_path, warehouse_file, version, named):
    record = dry_run(biff_worksheet(tmp_path / f"old-{version}.xls", version), warehouse_file)
    assert codes(record) == ["old-excel-format"]
    message = record["issues"][0]["message"]
    assert f"an {named} worksheet, a format too old to read" in message and "save it as .xlsx" in message


def test_a_workbook_part_found_through_the_package_relationships_is_read(tmp_path, warehouse_file):
    moved = relocate_workbook(write_xlsx(tmp_path / "plain.xlsx"), tmp_path / "moved.xlsx")
    with zipfile.ZipFile(moved) as archive:
        assert "xl/workbook.xml" not in archive.namelist() and "book/workbook.xml" in archive.namelist()
    record = dry_run(moved, warehouse_file)
    assert (record["status"], record["country"], record["year"], record["activities"]) == (
        "accepted", "KHM", 2015, len(GOOD_ROWS))  # fmt: skip


def test_the_size_guard_follows_a_relocated_workbook_to_its_sheets(tmp_path, warehouse_file):
    far = tmp_path / "far.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    sheet.append(HEADER)
    sheet["A1000000"] = "far"
    workbook.save(far)
    record = dry_run(relocate_workbook(far, tmp_path / "far-moved.xlsx", folder="x/y"), warehouse_file)
    assert codes(record) == ["file-too-large"] and "values down to row 1,000,000" in record["issues"][0]["message"]


def test_what_saving_again_cannot_fix_is_named(errors_written_by_libreoffice, tmp_path, warehouse_file):
    macro = dry_run(add_macro_sheet(write_xlsx(tmp_path / "plain.xlsx"), tmp_path / "macro.xlsm"), warehouse_file)
    assert codes(macro) == ["unsupported-content"]
    assert "an Excel 4.0 macro sheet (Macro1)" in macro["issues"][0]["message"]
    assert "save it again" not in macro["issues"][0]["message"]

    import olefile
    from support.real_world_files import _records, _stream  # an .xls whose CODEPAGE record names no known character set

    odd = tmp_path / "codepage.xls"
    odd.write_bytes(errors_written_by_libreoffice["xls"].read_bytes())
    with olefile.OleFileIO(str(odd), write_mode=True) as ole:
        records = [(kind, b"\x7a\x7a" if kind == 0x0042 else body) for kind, body in
                   _records(ole.openstream("Workbook").read())]  # fmt: skip
        ole.write_stream("Workbook", _stream(records))
    record = dry_run(odd, warehouse_file)
    assert codes(record) == ["unsupported-content"] and "codepage 7A7A" in record["issues"][0]["message"]


@pytest.mark.parametrize("repeated", [["ID", "ID"], ["#NAME!", "#NAME?"], ["Title", "title", "TITLE"]])
def test_a_row_repeating_one_header_alias_is_not_the_header(tmp_path, warehouse_file, repeated):
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["Country", "Cambodia"])
    cover.append(["Reporting year", 2015])
    sheet = workbook.create_sheet("Activities")
    sheet.append(repeated)
    sheet.append(HEADER)
    for row in GOOD_ROWS:
        sheet.append(row)
    workbook.save(tmp_path / "r.xlsx")
    record = dry_run(tmp_path / "r.xlsx", warehouse_file)
    assert (record["status"], record["activities"]) == ("accepted", len(GOOD_ROWS))
    assert all(issue["row"] != 1 for issue in record["issues"])  # nothing read from the repeated row

    only = Workbook()
    only.active.title = "Activities"
    only.active.append(repeated)
    only.active.append(["KHM-001", "2.1.6"])
    only.save(tmp_path / "only.xlsx")
    assert codes(dry_run(tmp_path / "only.xlsx", warehouse_file)) == ["missing-header"]


def test_names_are_matched_in_any_script(tmp_path, warehouse_file):
    def wide(text: str) -> str:  # as a Japanese or Chinese input method types Latin letters
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)

    workbook = Workbook()
    cover = workbook.active
    cover.title = wide("Cover")
    cover.append([wide("Country"), "Cambodia"])
    cover.append([wide("Reporting year"), 2015])
    workbook.create_sheet("גיליון1").append(["ignored"])
    workbook.create_sheet("แผ่นงาน1").append(["ignored"])
    sheet = workbook.create_sheet(wide("Activities"))
    sheet.append([wide(h) for h in HEADER] + ["หมายเหตุ"])  # an extra column headed in Thai
    for row in GOOD_ROWS:
        sheet.append(row)
    workbook.save(tmp_path / "scripts.xlsx")
    record = dry_run(tmp_path / "scripts.xlsx", warehouse_file)
    assert (record["status"], record["country"], record["activities"]) == ("accepted", "KHM", len(GOOD_ROWS))
    [extra] = [i for i in record["issues"] if i["code"] == "extra-column"]
    assert extra["column"] == "หมายเหตุ" and "หมายเหตุ" in extra["message"]

    named = Workbook()
    named.active.title = "กิจกรรม"
    named.active.append(HEADER)
    named.create_sheet("פעילויות").append(HEADER)
    named.save(tmp_path / "named.xlsx")
    [issue] = dry_run(tmp_path / "named.xlsx", warehouse_file)["issues"]
    assert issue["code"] == "missing-sheet" and "กิจกรรม, פעילויות" in issue["message"]


def test_no_control_or_bidirectional_character_from_a_file_reaches_a_message(tmp_path, warehouse_file):
    workbook = Workbook()
    workbook.active.title = "Data\u202eSheet"
    workbook.active.append(["x"])
    workbook.create_sheet("Notes\u0085\u2028").append(["y"])
    workbook.save(tmp_path / "sheets.xlsx")
    [issue] = dry_run(tmp_path / "sheets.xlsx", warehouse_file)["issues"]
    assert issue["code"] == "missing-sheet" and "DataSheet, Notes" in issue["message"]

    # openpyxl refuses to write C0 controls; the XML escape _x001B_ is how Excel itself stores one in a cell.
    rows = [
        [*GOOD_ROWS[0][:3], "Almost\u202e\u0085\u200bthere"],
        [*GOOD_ROWS[1][:2], "Health\tpilot", "Soon_x001B_[31m"],
    ]
    record = dry_run(write_xlsx(tmp_path / "values.xlsx", rows), warehouse_file)
    values = sorted(i["value"] for i in record["issues"] if i["code"] == "unknown-status")
    assert values == ["Almost there", "Soon[31m"]
    assert all(unicodedata.category(c)[0] != "C" for i in record["issues"] for c in i["message"])
