"""Plans from their text: the parser's hazards, `aptmon plan add` and its refusals, `aptmon plan list`, the default
plan, and a warehouse made before there were several plans."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl import warehouse
from etl.cli import cli
from etl.plan.catalogue import CatalogueError, parse_catalogue
from etl.plan.plans import SEED_PLAN, default_plan_id, list_plans

PLAN_TEXTS = Path(__file__).parent / "plan_texts"
EXAMPLE = PLAN_TEXTS / "example-2018-2022.txt"
TWO_YEAR = PLAN_TEXTS / "example-2020-2021.txt"


def aptmon(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _fingerprint(path: Path) -> str:
    """Every row of the plan tables, hashed: proof that a refused command changed nothing."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = [
            con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("plans", "pillars", "sections", "measures", "sub_items", "crosswalk_loads")
        ]
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_parser_copes_with_a_copied_text():
    catalogue = parse_catalogue(EXAMPLE.read_text(encoding="utf-8"), "ex")
    measures = {m.measure_id: m for m in catalogue.measures}
    assert list(measures) == [
        "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2.1", "2.1.1", "2.1.2", "3.1", "3.2", "3.3.1", "3.3.2"
    ]  # fmt: skip
    # 1.1.2. has a trailing dot and 1.1.3 ran into it on one line, after a footnote marker (dropped)
    assert measures["1.1.2"].text.endswith("political and security areas;")
    assert measures["1.1.3"].text.startswith("Cooperate to promote good governance")
    # the word broken by a hyphen at the line's end is mended; the page header and "Page 1 of 3" are gone
    assert measures["1.1.4"].text == (
        "Intensify cooperation to combat corruption, including denying a safe haven to those guilty of public "
        "corruption; and"
    )
    # lettered sub-items, two of them run together on one line; the footnote marker [2] removed
    assert measures["1.2.1"].text == "Strengthen cooperation in the field of border management, including:"
    assert [(s.sub_item_id, s.text) for s in measures["1.2.1"].sub_items] == [
        ("1.2.1(a)", "information sharing on forged identification and travel documents;"),
        ("1.2.1(b)", "joint training of border officials;"),
        ("1.2.1(c)", "exchanges on detection technologies."),
    ]
    # a wrapped line joins its measure; "- 2 -" and the running header do not
    assert measures["2.1.2"].text.endswith("through business matching, training and the sharing of best practices.")
    # measures directly under pillar III form its group 3.0; the footnotes' own lines are not text
    assert (measures["3.1"].section_id, measures["3.2"].section_id) == ("3.0", "3.0")
    assert measures["3.3.2"].text.endswith("climate change and natural disasters.")
    assert [p.title for p in catalogue.pillars][1] == "ECONOMIC AND FINANCIAL COOPERATION"
    assert [s.section_id for s in catalogue.sections] == ["1.1", "1.2", "2.1", "3.0", "3.3"]


def test_the_seed_plan_still_parses_as_before():
    catalogue = parse_catalogue(SEED_PLAN.source.read_text(encoding="utf-8"))
    assert (len(catalogue.pillars), len(catalogue.measures), len(catalogue.sub_items)) == (6, 183, 13)
    assert catalogue.measure("2.7.10").section_id == "2.7"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Title\nI.\nX\n1.1 First measure;\n1.2 Other;\n1.1 Again;\n", "line 6: 1.1 repeats (first on line 4)"),
        ("Title\nI.\nX\n1.1 Section\n1.1.1 A;\n1.1.1. B;\n", "line 6: 1.1.1 repeats (first on line 5)"),
        ("Title\nI.\nX\n1.1 A;\n(a) x;\n(a) y;\n", "line 6: 1.1(a) repeats"),
        ("Title\nI.\nX\n2.1 A;\n", "line 4: item 2.1 appears under pillar I"),
        ("just prose\nand more prose\n", "no numbered measures found in 2 lines"),
    ],
)
def test_a_text_the_parser_refuses_names_the_line(text, message):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, "x")
    assert message in str(caught.value)


def test_plan_add_loads_the_catalogue_and_prints_the_counts(warehouse_file):
    result = aptmon(
        "plan", "add", EXAMPLE, "--id", "ex-2018-2022", "--years", "2018-2022", "--warehouse", warehouse_file
    )
    assert result.exit_code == 0, result.output
    assert "Added plan ex-2018-2022 (2018-2022)" in result.output
    assert "3 pillars, 4 sections, 11 measures, 3 sub-items." in result.output
    with warehouse.read_connection(warehouse_file) as con:
        plans = list_plans(con).set_index("plan_id")
        assert con.execute("SELECT count(*) FROM measures WHERE plan_id = 'ex-2018-2022'").fetchone()[0] == 11
    assert plans.loc["ex-2018-2022", ["start_year", "end_year", "measures", "sub_items", "returns"]].tolist() == [
        2018, 2022, 11, 3, 0
    ]  # fmt: skip
    assert plans.loc["apt-2013-2017", ["measures", "sections", "pillars"]].tolist() == [183, 27, 6]
    assert not plans.loc["ex-2018-2022", "is_example"]


def test_plan_add_takes_a_title_and_a_plan_with_no_sub_items(warehouse_file):
    result = aptmon(
        "plan", "add", TWO_YEAR, "--id", "ex-2020-2021", "--years", "2020-2021", "--title", "Two years",
        "--warehouse", warehouse_file,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Added plan ex-2020-2021 (2020-2021), Two years: 2 pillars, 1 section, 5 measures, 0 sub-items." in (
        result.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "apt-2013-2017", "--years", "2018-2022"], "--id apt-2013-2017: the warehouse already has a plan"),
        (["--id", "ex", "--years", "2022-2018"], "--years 2022-2018: the first year comes after the last"),
        (["--id", "ex", "--years", "1999-2003"], "a plan's years must fall within 2000-2100"),
        (["--id", "ex", "--years", "2098-2101"], "a plan's years must fall within 2000-2100"),
        (["--id", "ex", "--years", "2018"], "--years '2018' is not FIRST-LAST"),
        (["--id", "Bad Id", "--years", "2018-2022"], "a plan id is 2-40 lower-case letters"),
    ],
)
def test_plan_add_refuses_in_one_line_and_changes_nothing(warehouse_file, args, message):
    before = _fingerprint(warehouse_file)
    result = aptmon("plan", "add", EXAMPLE, *args, "--warehouse", warehouse_file)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert _fingerprint(warehouse_file) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A plan\n\nNothing numbered here.\n", "prose.txt: no numbered measures found"),
        ("A plan\nI.\nX\n1.1 A;\n1.2 B;\n1.2. B again;\n", "prose.txt: line 6: 1.2 repeats (first on line 5)"),
    ],
)
def test_plan_add_refuses_a_text_naming_the_line(warehouse_file, tmp_path, text, message):
    source = tmp_path / "prose.txt"
    source.write_text(text, encoding="utf-8")
    before = _fingerprint(warehouse_file)
    result = aptmon("plan", "add", source, "--id", "ex", "--years", "2018-2022", "--warehouse", warehouse_file)
    assert result.exit_code == 1 and message in result.output
    assert _fingerprint(warehouse_file) == before


def test_plan_list_in_every_format(warehouse_file):
    aptmon("plan", "add", TWO_YEAR, "--id", "ex-2020-2021", "--years", "2020-2021", "--warehouse", warehouse_file)
    table = aptmon("plan", "list", "--warehouse", warehouse_file).output
    assert "apt-2013-2017        2013-2017  2013-2017 ASEAN Plus Three Cooperation Work Plan" in table
    assert "6 pillars, 27 sections, 183 measures, 13 sub-items, 0 returns" in table
    csv_lines = aptmon("plan", "list", "--format", "csv", "--warehouse", warehouse_file).output.splitlines()
    assert csv_lines[0] == "plan_id,title,start_year,end_year,is_example,pillars,sections,measures,sub_items,returns"
    assert csv_lines[2].startswith("ex-2020-2021,") and csv_lines[2].endswith(",2020,2021,False,2,1,5,0,0")
    records = json.loads(aptmon("plan", "list", "--format", "json", "--warehouse", warehouse_file).output)
    assert [(r["plan_id"], r["start_year"], r["end_year"], r["measures"]) for r in records] == [
        ("apt-2013-2017", 2013, 2017, 183), ("ex-2020-2021", 2020, 2021, 5)
    ]  # fmt: skip


def test_the_default_plan_is_the_one_in_force_else_the_latest(warehouse_file):
    aptmon("plan", "add", EXAMPLE, "--id", "ex-2018-2022", "--years", "2018-2022", "--warehouse", warehouse_file)
    aptmon("plan", "add", TWO_YEAR, "--id", "ex-2020-2021", "--years", "2020-2021", "--warehouse", warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        assert default_plan_id(con, date(2015, 6, 1)) == "apt-2013-2017"
        assert default_plan_id(con, date(2019, 6, 1)) == "ex-2018-2022"
        assert default_plan_id(con, date(2020, 6, 1)) == "ex-2020-2021"  # both in force: the latest-starting
        assert default_plan_id(con, date(2030, 1, 1)) == "ex-2018-2022"  # none in force: the latest last year
        assert default_plan_id(con, date(2005, 1, 1)) == "ex-2018-2022"


def test_an_example_plan_is_the_default_only_when_no_official_plan_is(warehouse_file):
    con = duckdb.connect(str(warehouse_file))
    con.execute("UPDATE plans SET start_year = 2018, end_year = 2022, is_example = true")
    assert default_plan_id(con, date(2019, 1, 1)) == "apt-2013-2017"
    con.close()
    aptmon("plan", "add", TWO_YEAR, "--id", "ex-2020-2021", "--years", "2020-2021", "--warehouse", warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        assert default_plan_id(con, date(2019, 1, 1)) == "ex-2020-2021"


FIRST_RELEASE_SCHEMA = Path(__file__).parent / "fixtures" / "schemas" / "2026-11-28-f07d5da-first-release.sql"


def test_a_warehouse_made_before_plans_were_many_opens_with_every_row(tmp_path):
    """The plans table as the first release made it (no is_example): the upgrade adds the column, keeps the row."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute((FIRST_RELEASE_SCHEMA).read_text(encoding="utf-8"))
    con.execute("INSERT INTO plans VALUES ('old-plan', 'An old plan', 2013, 2017, 'old.txt', 'abc', now())")
    con.close()
    warehouse.initialise(path)
    with warehouse.read_connection(path) as con:
        rows = con.execute("SELECT plan_id, is_example FROM plans ORDER BY plan_id").fetchall()
        assert rows == [("apt-2013-2017", False), ("old-plan", False)]
        assert con.execute("SELECT count(*) FROM crosswalk_loads").fetchone()[0] == 0


def test_catalogue_and_review_meetings_are_per_plan(warehouse_file):
    aptmon("plan", "add", TWO_YEAR, "--id", "ex-2020-2021", "--years", "2020-2021", "--warehouse", warehouse_file)
    seed = aptmon("catalogue", "--format", "csv", "--plan", "apt-2013-2017", "--warehouse", warehouse_file).output
    two = aptmon("catalogue", "--format", "csv", "--plan", "ex-2020-2021", "--warehouse", warehouse_file).output
    assert len(seed.splitlines()) == 1 + 183 + 13 and seed.splitlines()[0].startswith("plan_id,level,id,")
    assert [line.split(",")[2] for line in two.splitlines()[1:]] == ["1.1", "1.2", "1.3", "2.1.1", "2.1.2"]
    early = aptmon("reviews", "add", "2019-06-01", "--plan", "ex-2020-2021", "--warehouse", warehouse_file)
    assert early.exit_code == 2 and "2019-06-01 is before the plan began (2020)" in early.output
    assert (
        aptmon("reviews", "add", "2020-06-01", "--plan", "ex-2020-2021", "--warehouse", warehouse_file).exit_code == 0
    )
    assert (
        aptmon("reviews", "add", "2016-06-01", "--plan", "apt-2013-2017", "--warehouse", warehouse_file).exit_code == 0
    )
    listed = aptmon("reviews", "list", "--plan", "ex-2020-2021", "--warehouse", warehouse_file).output
    assert "2020-06-01" in listed and "2016-06-01" not in listed


def test_adding_a_plan_adds_its_snapshot_rows_and_leaves_the_others_as_the_views_give_them(warehouse_file):
    from etl.warehouse import metrics
    from etl.warehouse.snapshots import METRIC_VIEWS, SNAPSHOT_SUFFIX

    aptmon("plan", "add", EXAMPLE, "--id", "ex-2018-2022", "--years", "2018-2022", "--warehouse", warehouse_file)
    with warehouse.read_connection(warehouse_file) as con:
        assert metrics.snapshots_current(con)
        for view in METRIC_VIEWS:
            # The snapshot is exactly the view, every plan's rows, in the view's order within each plan.
            for plan_id in ("apt-2013-2017", "ex-2018-2022"):
                snapshot = con.execute(f"SELECT * FROM {view}{SNAPSHOT_SUFFIX} WHERE plan_id = ?", [plan_id]).df()
                live = con.execute(f"SELECT * FROM {view} WHERE plan_id = ?", [plan_id]).df()
                assert len(snapshot) > 0 and snapshot.equals(live), (view, plan_id)


def test_plan_add_without_a_warehouse_says_to_run_init_and_creates_nothing(tmp_path):
    missing = tmp_path / "none" / "warehouse.duckdb"
    result = aptmon("plan", "add", TWO_YEAR, "--id", "ex", "--years", "2020-2021", "--warehouse", missing)
    assert result.exit_code == 2 and "Run `aptmon init` first." in result.output
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.slow  # aptmon in a subprocess
def test_the_installed_command_refuses_a_plan_in_one_line(warehouse_file):
    from test_cli import run

    added = run(
        "plan", "add", str(TWO_YEAR), "--id", "ex-2020-2021", "--years", "2020-2021", warehouse_file=warehouse_file
    )
    assert added.returncode == 0 and "5 measures, 0 sub-items" in added.stdout
    again = run(
        "plan", "add", str(TWO_YEAR), "--id", "ex-2020-2021", "--years", "2021-2020", warehouse_file=warehouse_file
    )
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.strip().splitlines() == [
        "Error: --years 2021-2020: the first year comes after the last; give them as 2020-2021."
    ]
    listed = run("plan", "list", "--format", "json", warehouse_file=warehouse_file)
    assert [p["plan_id"] for p in json.loads(listed.stdout)] == ["apt-2013-2017", "ex-2020-2021"]
