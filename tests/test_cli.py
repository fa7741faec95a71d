"""The aptmon command line, run as a user runs it: the installed console script in a subprocess."""

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

APTMON = str(Path(sys.executable).with_name("aptmon"))


def run(*args, warehouse_file=None):
    extra = ["--warehouse", str(warehouse_file)] if warehouse_file else []
    return subprocess.run([APTMON, *args, *extra], capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # aptmon in a subprocess
def test_init_then_catalogue_csv_lists_every_measure_once(tmp_path):
    db = tmp_path / "w.duckdb"
    first = run("init", warehouse_file=db)
    assert first.returncode == 0, first.stderr
    assert "183 measures, 13 sub-items" in first.stdout
    second = run("init", warehouse_file=db)
    assert "already up to date" in second.stdout

    result = run("catalogue", "--format", "csv", warehouse_file=db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    measures = [r for r in rows if r["level"] == "measure"]
    assert len(measures) == 183 and len({r["id"] for r in measures}) == 183
    assert {"pillar", "pillar_title", "section_id", "section_title", "text"} <= set(rows[0])
    # sub-items follow their measure directly
    ids = [r["id"] for r in rows]
    start = ids.index("3.1.2")
    assert ids[start + 1 : start + 11] == [f"3.1.2({c})" for c in "abcdefghi"] + ["3.1.3"]
    energy = next(r for r in rows if r["id"] == "2.7.10")
    assert energy["section_title"] == "Enhancing Energy Cooperation" and energy["pillar"] == "2"


@pytest.mark.slow  # aptmon in a subprocess
def test_catalogue_json_and_table(warehouse_file):
    as_json = json.loads(run("catalogue", "--format", "json", warehouse_file=warehouse_file).stdout)
    assert len(as_json) == 196 and as_json[0]["id"] == "1.1.1"
    table = run("catalogue", warehouse_file=warehouse_file).stdout
    assert "Pillar 5: CONNECTIVITY COOPERATION" in table and "2.7.10" in table


@pytest.mark.slow  # aptmon in a subprocess
def test_bad_format_flag_exits_2_with_a_clear_message(warehouse_file):
    result = run("catalogue", "--format", "pdf", warehouse_file=warehouse_file)
    assert result.returncode == 2
    assert "'pdf' is not one of 'table', 'csv', 'json'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # aptmon in a subprocess
def test_catalogue_before_init_exits_2_and_says_what_to_do(tmp_path):
    result = run("catalogue", warehouse_file=tmp_path / "missing.duckdb")
    assert result.returncode == 2
    assert "Run `aptmon init` first" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # aptmon in a subprocess
@pytest.mark.parametrize("command", ["init", "catalogue", "serve", "reviews add", "reviews list"])
def test_every_command_has_help_with_an_example(command):
    result = run(*command.split(), "--help")
    assert result.returncode == 0 and "Example:" in result.stdout and "--warehouse" in result.stdout


@pytest.mark.slow  # aptmon in a subprocess
@pytest.mark.parametrize("output_format", ["table", "csv", "json"])
def test_catalogue_into_a_pipe_that_closes_early_ends_quietly(warehouse_file, output_format):
    # `aptmon catalogue | head -3`: head reads three lines and goes; the command stops without a word on stderr.
    reader = subprocess.Popen(["head", "-3"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.run(
        [APTMON, "catalogue", "--format", output_format, "--warehouse", str(warehouse_file)],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    reader.stdin.close()
    first_lines = reader.stdout.read().decode()
    reader.wait(timeout=30)
    assert first_lines.strip() != ""
    assert writer.stderr == ""
    assert writer.returncode in (0, 1)


def test_counted_words_take_their_number():
    from etl.wording import plural

    assert [plural(1, "error"), plural(0, "error"), plural(2, "warning")] == ["1 error", "0 errors", "2 warnings"]
    assert [plural(1, "activity"), plural(3, "activity"), plural(1, "sub-item")] == [
        "1 activity",
        "3 activities",
        "1 sub-item",
    ]
    assert [plural(1000, "activity"), plural(100_000, "error")] == ["1,000 activities", "100,000 errors"]


@pytest.mark.slow  # aptmon in a subprocess
@pytest.mark.parametrize("command", [["ingest", "--dry-run"], ["schedule", "load", "--dry-run"]])
def test_a_load_from_the_command_line_gives_way_to_the_dashboards_readers(warehouse_file, tmp_path, command):
    # The command runs in a child process that reports its own CPU priority after the command has run.
    probe = (
        "import os, sys\n"
        "from click.testing import CliRunner\n"
        "from etl.cli import cli\n"
        "before = os.nice(0)\n"
        "CliRunner().invoke(cli, sys.argv[1:])\n"
        "print(before, os.nice(0))\n"
    )
    missing = tmp_path / "nothing.xlsx"
    missing.write_bytes(b"not a workbook")
    run = subprocess.run(
        [sys.executable, "-c", probe, *command, str(missing), "--warehouse", str(warehouse_file)],
        capture_output=True,
        text=True,
        timeout=120,
        # From normal priority where allowed (root may raise it back): earlier in-process commands of this test run
        # lowered the test process's own, which the child would inherit.
        preexec_fn=_normal_priority,
    )
    before, after = map(int, run.stdout.strip().splitlines()[-1].split())
    assert after == min(19, before + 10) and after >= 10, run.stderr[-2000:]


def _normal_priority() -> None:
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, 0)


def test_the_command_line_starts_no_blas_threads_unless_told_to():
    # Importing NumPy (a large return's load) starts OpenBLAS's thread pool, whose idle threads spin on the cores.
    probe = (
        "import os, sys\n"
        "from etl.cli import main\n"
        "sys.argv = ['aptmon', '--version']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    import numpy\n"
        "    print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))\n"
    )

    def threads(**given: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | given
        run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env)
        return run.stdout.splitlines()[-1].split()

    assert threads() == ["1", "1"]  # the main thread alone
    setting, count = threads(OPENBLAS_NUM_THREADS="2")  # an admin's own setting is kept
    assert setting == "2" and int(count) == 2
