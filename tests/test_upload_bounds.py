"""Bounded work per upload: findings past a code's cap are counted, not built; a CSV has a workbook's row cap."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.return_files import HEADER

from etl.plan.catalogue import load_catalogue
from etl.returns import issue_log
from etl.returns.guard.sheet_limits import MAX_SHEET_ROWS
from etl.returns.issue_log import MAX_ISSUES_PER_CODE
from etl.returns.read import read_return
from etl.returns.validate import validate_return


def _one_character_lines(path: Path, lines: int) -> Path:
    """The worst small CSV of finding 4: the header, then one-character lines (each row a duplicate ID, no title,
    no status, no measure)."""
    path.write_text(",".join(HEADER) + "\n" + "a\n" * lines, encoding="utf-8")
    return path


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """The code of every finding validation builds (issue_log.make_issue), in order."""
    codes: list[str] = []
    make_issue = issue_log.make_issue

    def counted(code: str, **fields):
        codes.append(code)
        return make_issue(code, **fields)

    monkeypatch.setattr(issue_log, "make_issue", counted)
    return codes


def test_findings_past_a_codes_cap_are_counted_without_being_built(tmp_path, built):
    rows = 3 * MAX_ISSUES_PER_CODE
    raw = read_return(_one_character_lines(tmp_path / "flood.csv", rows))
    result = validate_return(raw, load_catalogue(), country="KHM", year=2015)

    # At most the cap of each code was ever made, plus one summary per code that overflowed.
    assert built.count("missing-value") == MAX_ISSUES_PER_CODE
    assert built.count("duplicate-activity") == MAX_ISSUES_PER_CODE
    counts = {i.message.split('"')[1]: int(i.value) for i in result.issues if i.code == "more-issues"}
    assert counts == {
        # Title, status and measures are missing on every row; every row after the first repeats the ID "a".
        "missing-value": 3 * rows - MAX_ISSUES_PER_CODE,
        "duplicate-activity": rows - 1 - MAX_ISSUES_PER_CODE,
    }
    assert len(result.issues) == 2 * MAX_ISSUES_PER_CODE + 2
    assert not result.accepted


def test_a_csv_has_the_same_row_cap_as_a_workbook(tmp_path):
    at_the_cap = read_return(_one_character_lines(tmp_path / "at-cap.csv", MAX_SHEET_ROWS - 1))
    assert len(at_the_cap.table) == MAX_SHEET_ROWS - 1 and not at_the_cap.issues

    past = read_return(_one_character_lines(tmp_path / "past-cap.csv", MAX_SHEET_ROWS))
    assert past.table is None
    assert [(i.code, i.sheet) for i in past.issues] == [("file-too-large", "Activities")]
    assert f"more than {MAX_SHEET_ROWS:,} rows" in past.issues[0].message


@pytest.mark.slow  # aptmon in a bounded child process
def test_the_worst_ten_megabyte_csv_is_refused_within_bounds(tmp_path, warehouse_file):
    """Finding 4: 5 million one-character lines (10 MB) took 221 s and 1.36 GB; now refused after the row cap."""
    from support.hostile.bounded_run import run_bounded
    from support.hostile.fixtures import APTMON

    flood = _one_character_lines(tmp_path / "flood.csv", 5_000_000 - 1)
    assert flood.stat().st_size >= 10_000_000
    command = [APTMON, "ingest", "--dry-run", "--country", "KHM", "--year", "2015", "--warehouse", str(warehouse_file)]
    run = run_bounded([*command, str(flood)], timeout=60)
    assert not run.timed_out and run.max_rss_mib < 512, (run.seconds, run.max_rss_mib)
    assert run.returncode == 1 and f"more than {MAX_SHEET_ROWS:,} rows" in run.output


def test_a_return_whose_every_cell_is_a_finding_builds_only_each_codes_cap(tmp_path, built):
    """The worst return of the upload benchmark, every cell wrong (two unknown partners in each): each code's first
    findings in reading order are built, the rest counted, whether a cell holds one finding or several."""
    rows = 2 * MAX_ISSUES_PER_CODE + 1
    bad_row = ["a", "9.9.99", "t", "zz", "32/13/2015", "x", "", "Atlantis; Narnia", "zz", "-", ""]
    path = tmp_path / "every-cell.csv"
    path.write_text(",".join(HEADER) + "\n" + (",".join(bad_row) + "\n") * rows, encoding="utf-8")
    result = validate_return(read_return(path), load_catalogue(), country="KHM", year=2015)

    totals = {
        "duplicate-activity": rows - 1,
        "unknown-measure": rows,
        "unknown-status": rows,
        "invalid-date": 2 * rows,  # start and end
        "unknown-partner": 2 * rows,
        "unknown-funding-source": rows,
        "invalid-budget": rows,
    }
    assert {code: built.count(code) for code in totals} == dict.fromkeys(totals, MAX_ISSUES_PER_CODE)
    counts = {i.message.split('"')[1]: int(i.value) for i in result.issues if i.code == "more-issues"}
    assert counts == {code: total - MAX_ISSUES_PER_CODE for code, total in totals.items()}
    partners = [(i.row, i.value) for i in result.issues if i.code == "unknown-partner"]
    assert partners[:3] == [(2, "Atlantis"), (2, "Narnia"), (3, "Atlantis")]
    assert partners[-1] == (MAX_ISSUES_PER_CODE // 2 + 1, "Narnia")
    starts = [i.row for i in result.issues if i.code == "invalid-date" and i.column == "Start date"]
    assert starts == list(range(2, MAX_ISSUES_PER_CODE + 2))  # the start dates come first, all kept
