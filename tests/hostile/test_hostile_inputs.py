"""Every hostile input through `aptmon ingest`: a clear message, the right exit code, a record, nothing else changed.

What counts as an upload: every file that reaches ingest (the CLI, or the dashboard after its size and type checks)
is recorded in `submissions`, including files refused before any reading (not a spreadsheet, a zip bomb, a
password); a path that does not exist is a usage error (exit 2) and never an upload. Each run is a child process
held to 10 s and measured for peak memory (at most 1 GiB).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from support.hostile.bounded_run import MEMORY_LIMIT_MIB, TIME_LIMIT_S, run_bounded
from support.hostile.corpus import CASES, Case
from support.hostile.fixtures import APTMON, exported_tables, query, run_aptmon

from etl.returns.ingest import ingest_file

pytestmark = pytest.mark.slow  # every test runs aptmon as a child process

MAX_MESSAGE_CHARS = 400  # one clear line a person reads, whatever the file holds
FILE_LEVEL_CODES = ("not-a-spreadsheet", "corrupt-file", "password-protected", "file-too-large", "wrong-encoding",
                    "empty-workbook", "unsupported-format", "missing-sheet")  # fmt: skip

pytest_plugins = ["support.hostile.fixtures"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_a_clear_answer_and_changes_nothing(
    case: Case, hostile_dir, fresh_warehouse, returns_dir, new_records, baseline_export, tmp_path
):
    path = case.build(hostile_dir)
    feedback = tmp_path / "feedback"
    run = run_aptmon("ingest", str(path), "--warehouse", str(fresh_warehouse), "--report-dir", str(feedback),
                     *case.args, returns=returns_dir)  # fmt: skip

    assert not run.timed_out and run.seconds < TIME_LIMIT_S, f"took {run.seconds:.1f} s"
    assert run.max_rss_mib < MEMORY_LIMIT_MIB, f"peak memory {run.max_rss_mib:.0f} MiB"
    assert "Traceback" not in run.output and "unexpected failure" not in run.output, run.output
    assert run.returncode == case.exit_code, run.output
    assert path.name in run.stdout  # the summary names the file

    added = new_records()
    assert [(s["file_name"], s["status"]) for s in added["submissions"]] == [(path.name, case.status)], added
    assert added["activities"] == [] and added["activity_measures"] == []
    submission_id = added["submissions"][0]["submission_id"]
    issues = query(
        fresh_warehouse,
        'SELECT severity, code, sheet, "row", "column", message FROM issues WHERE submission_id = ? ORDER BY ALL',
        [submission_id],
    )
    if case.code is None:
        assert [i for i in issues if i[0] == "error"] == []
    else:
        matching = [i for i in issues if i[1] == case.code]
        assert matching, issues
        _severity, _code, sheet, row, column, message = matching[0]
        assert (sheet, row, column) == (case.sheet, case.row, case.column) or (
            case.code in FILE_LEVEL_CODES and case.sheet is None and case.row is None
        ), matching[0]
        assert case.sheet is None or sheet == case.sheet
        assert message in run.stdout  # the CLI shows the recorded message itself, under the file's name
        assert len(message) <= MAX_MESSAGE_CHARS, message
        assert case.shows is None or case.shows in message, message
        if case.row is not None:
            assert message.startswith(f"Row {case.row}") or case.code == "no-activities", message
    # The feedback workbook of a rejected file is written too (and is the analyst's to download).
    written = list(feedback.glob("*.xls*"))
    assert len(written) == (1 if case.status == "rejected" else 0)
    # No /etc/passwd, ever: not in the output, the issues, or the feedback workbook.
    assert "root:" not in run.output and not any("root:" in i[5] for i in issues)
    for workbook in written:
        with zipfile.ZipFile(workbook) as archive:
            assert not any(b"root:" in archive.read(name) for name in archive.namelist())
    assert exported_tables(fresh_warehouse, tmp_path / "export") == baseline_export


def test_the_corpus_covers_thirty_kinds_of_bad_input():
    assert len(CASES) >= 30 and len({c.name for c in CASES}) == len(CASES)


def test_a_missing_file_is_a_usage_error_and_no_upload(fresh_warehouse, returns_dir, new_records, tmp_path):
    run = run_aptmon("ingest", str(tmp_path / "nowhere.xlsx"), "--warehouse", str(fresh_warehouse), returns=returns_dir)
    assert run.returncode == 2 and "nowhere.xlsx" in run.stderr and "Traceback" not in run.output
    assert new_records()["submissions"] == []


@pytest.mark.parametrize(
    ("original_name", "recorded"),
    [
        ("../../etc/cron.d/evil.xlsx", "evil.xlsx"),
        ("..\\..\\Windows\\evil.xlsx", "evil.xlsx"),
        ("evil\x00.xlsx", "evil.xlsx"),
        ("report\u202eslx.exe", "reportslx.exe"),
        ("C:\\fakepath\\KHM 2015.xlsx", "KHM 2015.xlsx"),
    ],
)
def test_a_hostile_file_name_is_only_a_label(
    original_name, recorded, hostile_dir, fresh_warehouse, returns_dir, new_records
):
    notes = CASES[0].build(hostile_dir)  # renamed text: rejected, and still recorded and kept
    result = ingest_file(notes, warehouse_file=fresh_warehouse, original_name=original_name)
    assert (result.status, result.file) == ("rejected", recorded)
    stored = Path(result.stored_path).resolve()
    assert stored.is_relative_to(returns_dir.resolve()) and recorded not in stored.name
    assert [s["file_name"] for s in new_records()["submissions"]] == [recorded]
    assert {p.name for p in returns_dir.rglob("*") if p.is_file()} == {stored.name}


def test_a_path_with_dot_dot_and_a_name_with_control_characters_through_the_cli(
    hostile_dir, fresh_warehouse, returns_dir, new_records, tmp_path
):
    # A NUL cannot travel in a command-line argument (nor in a Linux file name); new lines and bidi overrides can.
    notes = CASES[0].build(hostile_dir)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    odd = tmp_path / "line\nbreak\u202eslx.exe.xlsx"
    odd.write_bytes(notes.read_bytes())
    relative = os.path.relpath(notes, deep)  # ../../../... up and back down to the corpus file
    run = run_aptmon("ingest", str(deep / relative), str(odd), "--warehouse", str(fresh_warehouse),
                     returns=returns_dir)  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.output
    assert sorted(s["file_name"] for s in new_records()["submissions"]) == sorted([notes.name, "linebreakslx.exe.xlsx"])
    assert all(p.resolve().is_relative_to(returns_dir.resolve()) for p in returns_dir.rglob("*"))


def test_every_rejected_file_in_one_run_leaves_the_cli_export_unchanged(
    hostile_dir, fresh_warehouse, returns_dir, new_records, tmp_path
):
    rejected = [c for c in CASES if c.status == "rejected" and not c.args]
    files = [str(c.build(hostile_dir)) for c in rejected]
    before = run_aptmon("export", "--format", "csv", "-o", str(tmp_path / "before"), "--warehouse",
                        str(fresh_warehouse), returns=returns_dir)  # fmt: skip
    assert before.returncode == 0, before.output
    env = {**os.environ, "APTMON_RETURNS_DIR": str(returns_dir)}
    command = [APTMON, "ingest", *files, "--json", "--warehouse", str(fresh_warehouse)]
    run = run_bounded(command, timeout=TIME_LIMIT_S * len(files), env=env)
    assert run.returncode == 1 and "Traceback" not in run.output, run.output[-2000:]
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(a["file"], a["status"]) for a in answers] == [(Path(f).name, "rejected") for f in files]
    assert sorted(s["status"] for s in new_records()["submissions"]) == ["rejected"] * len(files)
    after = run_aptmon("export", "--format", "csv", "-o", str(tmp_path / "after"), "--warehouse",
                       str(fresh_warehouse), returns=returns_dir)  # fmt: skip
    assert after.returncode == 0, after.output
    tables = sorted(p.name for p in (tmp_path / "before").glob("*.csv"))
    assert "metrics_pillar_country.csv" in tables and "measure_progress.csv" in tables
    for name in tables:
        assert (tmp_path / "after" / name).read_bytes() == (tmp_path / "before" / name).read_bytes(), name
