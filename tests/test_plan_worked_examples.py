"""Worked examples on plans of their own timeframes, every number pinned, through the real path: `aptmon plan add`,
the return template of the plan, ingest (the plan told by the template's Cover), the views. Beside them the seed
plan's worked example of docs/metrics.md still holds, and one plan's data leaves another plan's export as it was."""

from __future__ import annotations

import filecmp
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from support import worked_example as seed_example
from test_metrics_worked_example import _row

from etl import warehouse
from etl.cli import cli
from etl.outputs.export import export
from etl.returns.ingest import ingest_file
from etl.returns.template import template_catalogue, write_template
from etl.warehouse import metrics
from etl.warehouse.continuity import activity_history

PLAN_TEXTS = Path(__file__).parent / "plan_texts"
FIVE_YEARS, TWO_YEARS = "ex-2018-2022", "ex-2020-2021"
COLUMNS = seed_example.COLUMNS

# The 2018-2022 example plan's pillar III has four measures: 3.1 and 3.2 directly under it, 3.3.1 and 3.3.2.
FIVE_YEAR_RETURNS = {
    ("THA", 2018): [("T1", "ongoing", ["3.3.2"])],
    ("KHM", 2019): [("K1", "ongoing", ["3.1"]), ("K2", "completed", ["3.2", "3.3.1"]), ("K3", "planned", ["3.3.2"])],
    ("KHM", 2020): [("K1", "completed", ["3.1"]), ("K3", "cancelled", ["3.3.2"])],
    ("JPN", 2020): [("J1", "ongoing", ["3.2"])],
}
# (as_of_year, country) for pillar 3 -> COLUMNS: time elapsed is (Y - 2018 + 1) / 5.
FIVE_YEAR_PILLAR_3 = {
    (2018, "ALL"): (1, 0.25, 0, 0, 1, 4, 0, 0, 0.2, 0, 1, 0, 0.0769, "insufficient data"),
    (2019, "KHM"): (3, 0.75, 2, 0.5, 4, 4, 2, 0.5, 0.4, 1.25, 3, 1, 0.5, "on track"),
    (2020, "KHM"): (3, 0.75, 3, 0.75, 3, 3, 3, 1.0, 0.6, 1.6667, 2, 2, 0.6667, "on track"),
    (2020, "JPN"): (1, 0.25, 0, 0, 1, 1, 0, 0, 0.6, 0, 1, 0, 0.3333, "insufficient data"),
    (2020, "THA"): (1, 0.25, 0, 0, 1, 1, 0, 0, 0.6, 0, 1, 0, 0.3333, "insufficient data"),
    (2020, "ALL"): (4, 1.0, 3, 0.75, 4, 4, 3, 0.75, 0.6, 1.25, 4, 2, 0.1026, "insufficient data"),
    (2022, "ALL"): (4, 1.0, 3, 0.75, 4, 4, 3, 0.75, 1.0, 0.75, 4, 2, 0.0615, "insufficient data"),
}
# The two-year plan's pillar I: 1.1, 1.2 and 1.3, directly under it; time elapsed 0.5 in 2020, 1.0 in 2021.
TWO_YEAR_RETURNS = {
    ("VNM", 2020): [("V1", "completed", ["1.1"]), ("V2", "ongoing", ["1.2"])],
    ("VNM", 2021): [("V2", "completed", ["1.2"]), ("V3", "planned", ["1.3"])],
}
TWO_YEAR_PILLAR_1 = {
    (2020, "VNM"): (2, 0.6667, 1, 0.3333, 2, 2, 1, 0.5, 0.5, 1.0, 2, 1, 1.0, "on track"),
    (2021, "VNM"): (2, 0.6667, 2, 0.6667, 3, 3, 2, 0.6667, 1.0, 0.6667, 3, 2, 1.0, "acceleration needed"),
    (2021, "ALL"): (2, 0.6667, 2, 0.6667, 3, 3, 2, 0.6667, 1.0, 0.6667, 3, 2, 0.0769, "insufficient data"),
}


def aptmon(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _submit(folder: Path, path: Path, plan_id: str, country: str, year: int, activities, **options):
    """A return written on the plan's own template (its Cover names the plan) and ingested as a country sends it."""
    rows = [_row(activity_id, status, measures, year) for activity_id, status, measures in activities]
    workbook = write_template(
        folder / f"{plan_id}-{country}-{year}.xlsx", country, year, template_catalogue(path, plan_id), rows
    )
    return ingest_file(workbook, warehouse_file=path, received_on=date(year + 1, 2, 15), store=False, **options)


def _add_plans(path: Path) -> None:
    for text, plan_id, years in (("example-2018-2022.txt", FIVE_YEARS, "2018-2022"),
                                 ("example-2020-2021.txt", TWO_YEARS, "2020-2021")):  # fmt: skip
        result = aptmon("plan", "add", PLAN_TEXTS / text, "--id", plan_id, "--years", years, "--warehouse", path)
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def plans_warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan-worked-examples")
    path = folder / "warehouse.duckdb"
    warehouse.initialise(path)
    _add_plans(path)
    for plan_id, returns in ((FIVE_YEARS, FIVE_YEAR_RETURNS), (TWO_YEARS, TWO_YEAR_RETURNS)):
        for (country, year), activities in returns.items():
            result = _submit(folder, path, plan_id, country, year, activities)
            assert (result.status, result.plan_id) == ("accepted", plan_id), result.issues
    return path


def test_the_template_names_the_plan_and_lists_its_measures(plans_warehouse, tmp_path):
    target = tmp_path / "KHM-2020.xlsx"
    result = aptmon("template", "--country", "KHM", "--year", 2020, "--plan", TWO_YEARS, "-o", target,
                    "--warehouse", plans_warehouse)  # fmt: skip
    assert result.exit_code == 0 and f"for plan {TWO_YEARS}" in result.output
    workbook = load_workbook(target)
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row[0]}
    assert cover["Work plan"] == TWO_YEARS
    assert workbook["Cover"]["A1"].value.startswith("Example Two-Year Plan 2020-2021 for the tests")
    assert workbook["Cover"]["A1"].value.endswith("not an official APT text): annual activity return")
    assert [row[0] for row in workbook["Measures"].iter_rows(min_row=2, values_only=True)] == [
        "1.1", "1.2", "1.3", "2.1.1", "2.1.2"
    ]  # fmt: skip


def test_a_template_for_a_year_two_plans_share_asks_which_plan(plans_warehouse, tmp_path):
    result = aptmon("template", "--country", "KHM", "--year", 2021, "-o", tmp_path / "x.xlsx",
                    "--warehouse", plans_warehouse)  # fmt: skip
    assert result.exit_code == 2
    assert "--year 2021 falls in more than one plan (ex-2018-2022 (2018-2022), ex-2020-2021 (2020-2021)); say " in (
        result.output
    )
    outside = aptmon("template", "--country", "KHM", "--year", 2019, "--plan", TWO_YEARS, "-o", tmp_path / "y.xlsx",
                     "--warehouse", plans_warehouse)  # fmt: skip
    assert outside.exit_code == 2 and "--year 2019 is outside the plan ex-2020-2021; its returns are for 2020-2021" in (
        outside.output
    )


def test_a_return_for_years_two_plans_share_is_asked_which_plan(plans_warehouse, tmp_path):
    rows = [_row("X1", "ongoing", ["1.1"], 2021)]
    workbook = write_template(tmp_path / "x.xlsx", "KHM", 2021, template_catalogue(plans_warehouse, TWO_YEARS), rows)
    book = load_workbook(workbook)
    cover = book["Cover"]
    for row in cover.iter_rows():
        if row[0].value == "Work plan":
            row[1].value = None  # a return that does not say which plan it reports on
    book.save(workbook)
    result = ingest_file(workbook, warehouse_file=plans_warehouse, dry_run=True, store=False)
    assert result.status == "rejected"
    ambiguous = [i for i in result.issues if i.code == "plan-ambiguous"]
    assert [i.message for i in ambiguous] == [
        "The return: the reporting year 2021 falls in more than one plan (ex-2018-2022 2018-2022, ex-2020-2021 "
        "2020-2021); say which plan the return reports on, in the Cover's Work plan or with --plan."
    ]
    # Told which, it is checked against that plan.
    told = ingest_file(workbook, warehouse_file=plans_warehouse, dry_run=True, store=False, plan=TWO_YEARS)
    assert (told.status, told.plan_id) == ("accepted", TWO_YEARS)


def test_a_reporting_year_outside_the_plan_is_refused(plans_warehouse, tmp_path):
    result = _submit(tmp_path, plans_warehouse, TWO_YEARS, "KHM", 2022, [("Z1", "ongoing", ["1.1"])], dry_run=True)
    assert result.status == "rejected"
    assert [(i.code, i.message) for i in result.issues if i.code == "year-outside-plan"] == [
        ("year-outside-plan", "Row 4, Reporting year: the reporting year 2022 is outside the years of plan "
         "ex-2020-2021, 2020-2021; returns for it are for 2020 to 2021.")
    ]  # fmt: skip


def test_five_year_plan_pillar_3_every_row_and_column(plans_warehouse):
    with warehouse.read_connection(plans_warehouse) as con:
        got = seed_example.pillar_5_rows(con, FIVE_YEAR_PILLAR_3, COLUMNS, plan_id=FIVE_YEARS, pillar="3")
        total = con.execute(
            "SELECT DISTINCT measures_total FROM metrics_pillar_country WHERE plan_id = ? AND pillar = '3'",
            [FIVE_YEARS],
        ).fetchall()
    assert total == [(4,)]
    assert got == FIVE_YEAR_PILLAR_3


def test_five_year_plan_measure_and_reporting(plans_warehouse):
    with warehouse.read_connection(plans_warehouse) as con:
        row = metrics.read_metric(
            con, "measure_progress", plan_id=FIVE_YEARS, as_of_year=2020, measure_id="3.2", country="ALL"
        ).iloc[0]
        reporting = con.execute(
            "SELECT as_of_year, country, returns_expected, returns_received FROM metrics_reporting "
            "WHERE plan_id = ? AND country IN ('KHM', 'ALL') AND as_of_year IN (2018, 2022) ORDER BY ALL",
            [FIVE_YEARS],
        ).fetchall()
        years = con.execute(
            "SELECT min(as_of_year), max(as_of_year), count(DISTINCT as_of_year) FROM metrics_pillar_country "
            "WHERE plan_id = ?",
            [FIVE_YEARS],
        ).fetchone()
    assert (row.activities_total, row.activities_implemented, row.activities_completed,
            row.countries_implementing, row.expected_share) == (2, 2, 1, 2, 0.6)  # fmt: skip
    assert reporting == [(2018, "ALL", 13, 1), (2018, "KHM", 1, 0), (2022, "ALL", 65, 4), (2022, "KHM", 5, 2)]
    assert years == (2018, 2022, 5)


def test_two_year_plan_pillar_1_every_row_and_column(plans_warehouse):
    with warehouse.read_connection(plans_warehouse) as con:
        got = seed_example.pillar_5_rows(con, TWO_YEAR_PILLAR_1, COLUMNS, plan_id=TWO_YEARS, pillar="1")
        elapsed = con.execute(
            "SELECT as_of_year, time_elapsed FROM metrics_pillar_country WHERE plan_id = ? AND pillar = 'ALL' "
            "AND country = 'ALL' ORDER BY as_of_year",
            [TWO_YEARS],
        ).fetchall()
    assert got == TWO_YEAR_PILLAR_1
    assert elapsed == [(2020, 0.5), (2021, 1.0)]


def test_the_seed_worked_example_holds_with_other_plans_beside_it(tmp_path):
    """docs/metrics.md's table, exactly, in a warehouse where a plan overlapping 2013-2017 has returns too."""
    folder = tmp_path
    path = folder / "warehouse.duckdb"
    warehouse.initialise(path)
    overlapping = aptmon("plan", "add", PLAN_TEXTS / "example-2018-2022.txt", "--id", "ex-2015-2019",
                         "--years", "2015-2019", "--warehouse", path)  # fmt: skip
    assert overlapping.exit_code == 0
    # Under the other plan, the same countries and years, and activity ids that the seed's returns use too.
    result = _submit(folder, path, "ex-2015-2019", "KHM", 2015, [("A1", "completed", ["3.1"]), ("Q1", "ongoing",
                     ["3.2"])])  # fmt: skip
    assert (result.status, result.plan_id) == ("accepted", "ex-2015-2019"), result.issues
    for (country, year), activities in seed_example.RETURNS.items():
        result = _submit(folder, path, "apt-2013-2017", country, year, activities)
        assert (result.status, result.plan_id, result.version) == ("accepted", "apt-2013-2017", 1), result.issues
    with warehouse.read_connection(path) as con:
        assert seed_example.pillar_5_rows(con) == seed_example.PILLAR_5
        # A1 under both plans: its whole history, each plan's own measures and statuses, the earliest plan first.
        history = activity_history(con, "KHM", "A1")
        assert history[["plan_id", "reporting_year", "status"]].values.tolist() == [
            ["apt-2013-2017", 2014, "ongoing"],
            ["apt-2013-2017", 2015, "completed"],
            ["ex-2015-2019", 2015, "completed"],
        ]
        assert [list(ids) for ids in history["measure_ids"]] == [["5.1"], ["5.1"], ["3.1"]]
        reporting = con.execute(
            "SELECT plan_id, country, returns_received FROM metrics_reporting WHERE as_of_year = 2015 "
            "AND country = 'KHM' ORDER BY plan_id"
        ).fetchall()
    assert reporting == [("apt-2013-2017", "KHM", 2), ("ex-2015-2019", "KHM", 1)]


def _export(path: Path, target: Path, plan_id: str, as_of: int) -> Path:
    export(target, warehouse_file=path, as_of=as_of, output_format="csv", plan_id=plan_id)
    return target


def _fingerprint(folder: Path) -> str:
    return json.loads((folder / "export.json").read_text(encoding="utf-8"))["data_fingerprint_sha256"]


def _same_tables(first: Path, second: Path) -> bool:
    """Every table and the definitions byte for byte (export.json carries the time of the export)."""
    names = sorted(p.name for p in first.glob("*.csv"))
    assert names == sorted(p.name for p in second.glob("*.csv")) and len(names) == 9
    match, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    return not mismatch and not errors


def test_one_plans_data_leaves_the_other_plans_exports_byte_identical(plans_warehouse, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(plans_warehouse, path)
    before = {
        "apt-2013-2017": _export(path, tmp_path / "seed-before", "apt-2013-2017", 2017),
        FIVE_YEARS: _export(path, tmp_path / "five-before", FIVE_YEARS, 2021),
    }
    # A plan, a crosswalk and a return, each for another plan than the ones exported.
    added = aptmon("plan", "add", PLAN_TEXTS / "example-2020-2021.txt", "--id", "ex-2021-2022", "--years",
                   "2021-2022", "--warehouse", path)  # fmt: skip
    assert added.exit_code == 0
    crosswalk = tmp_path / "crosswalk.xlsx"
    assert aptmon("plan", "crosswalk", "template", "--from", TWO_YEARS, "--to", "ex-2021-2022", "-o", crosswalk,
                  "--warehouse", path).exit_code == 0  # fmt: skip
    assert aptmon("plan", "crosswalk", "load", crosswalk, "--warehouse", path).exit_code == 0
    result = _submit(tmp_path, path, TWO_YEARS, "KOR", 2021, [("R1", "completed", ["1.3"])])
    assert result.status == "accepted"
    after_seed = _export(path, tmp_path / "seed-after", "apt-2013-2017", 2017)
    after_five = _export(path, tmp_path / "five-after", FIVE_YEARS, 2021)
    assert _same_tables(before["apt-2013-2017"], after_seed)
    assert _same_tables(before[FIVE_YEARS], after_five)
    assert _fingerprint(after_five) == _fingerprint(before[FIVE_YEARS])
    # The two-year plan's own export did change: the return is in it.
    two = _export(path, tmp_path / "two-after", TWO_YEARS, 2021)
    assert "KOR,R1" in (two / "activities.csv").read_text().replace('"', "")
