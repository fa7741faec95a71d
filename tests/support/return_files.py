"""Builders of real return files for the tests: openpyxl workbooks and CSV text, as analysts make them."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "Activity ID",
    "Measure IDs",
    "Title",
    "Status",
    "Start date",
    "End date",
    "Lead agency",
    "Partner countries",
    "Funding source",
    "Budget (USD)",
    "Description / outputs",
]

GOOD_ROWS = [
    ["KHM-001", "2.1.6", "Customs training", "Ongoing", date(2014, 3, 1), None, "Ministry of Commerce", "Japan; KOR"],
    ["KHM-002", "3.1.2(a); 3.1.2(b)", "Rural health pilot", "Completed", date(2014, 1, 15), date(2015, 6, 30)],
    ["KHM-003", "5.1, 5.2", "Connectivity study", "Planned", None, None, None, None, "APT Cooperation Fund", 25000],
]


def write_xlsx(
    path: Path,
    rows: list[list] | None = None,
    *,
    country: object = "Cambodia",
    year: object = 2015,
    header: list[str] | None = None,
    title_rows: int = 0,
    cover: bool = True,
    activities_sheet: str = "Activities",
) -> Path:
    """A return workbook: Cover (country, year) and an Activities table, optionally below title rows."""
    workbook = Workbook()
    sheet = workbook.active
    if cover:
        sheet.title = "Cover"
        sheet.append(["Country", country])
        sheet.append(["Reporting year", year])
        sheet.append(["Prepared by", "Test Officer"])
        sheet = workbook.create_sheet(activities_sheet)
    else:
        sheet.title = activities_sheet
    for index in range(title_rows):
        sheet.append([f"Activity return, title line {index + 1}"] if index == 0 else [])
    sheet.append(header or HEADER)
    for row in GOOD_ROWS if rows is None else rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", header: list[str] | None = None) -> Path:
    lines = [",".join(header or HEADER)]
    for row in rows:
        lines.append(",".join("" if v is None else f'"{v}"' if "," in str(v) else str(v) for v in row))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def convert_with_libreoffice(source: Path, target_format: str, out_dir: Path) -> Path:
    """Re-save a file with LibreOffice headless (a foreign writer, which also computes formula values)."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"  # a private profile, so parallel runs never share LibreOffice's lock
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target_format,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / f"{source.stem}.{target_format.split(':')[0]}"
