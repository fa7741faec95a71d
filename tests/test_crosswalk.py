"""Crosswalks between plans: the suggested matches, the workbook checked like any other (nothing changes on an
error), every version kept, and the continuity and carried-over views over the newest one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from etl import warehouse
from etl.cli import cli
from etl.crosswalk.layout import COLUMNS, CROSSWALK_SHEET
from etl.crosswalk.suggest import suggest
from etl.plan.catalogue import load_catalogue, parse_catalogue
from etl.warehouse.continuity import carried_over, measure_continuity

PLAN_TEXTS = Path(__file__).parent / "plan_texts"
EXAMPLE = PLAN_TEXTS / "example-2018-2022.txt"
COLUMN = {c.field: i for i, c in enumerate(COLUMNS, start=1)}


def aptmon(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def two_plans(warehouse_file):
    result = aptmon(
        "plan", "add", EXAMPLE, "--id", "ex-2018-2022", "--years", "2018-2022", "--warehouse", warehouse_file
    )
    assert result.exit_code == 0, result.output
    return warehouse_file


def _template(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / "crosswalk.xlsx"
    result = aptmon("plan", "crosswalk", "template", "--from", "apt-2013-2017", "--to", "ex-2018-2022", "-o", target,
                    "--warehouse", path)  # fmt: skip
    assert result.exit_code == 0, result.output
    return target


def _answers(path: Path) -> dict[str, object]:
    sheet = load_workbook(path)[CROSSWALK_SHEET]
    return {row[0]: row[COLUMN["continues"] - 1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _fill(path: Path, answers: dict[str, str | None]) -> Path:
    workbook = load_workbook(path)
    sheet = workbook[CROSSWALK_SHEET]
    for row in range(2, sheet.max_row + 1):
        measure = sheet.cell(row=row, column=1).value
        if measure in answers:
            sheet.cell(row=row, column=COLUMN["continues"]).value = answers[measure]  # None clears it
    workbook.save(path)
    return path


def _crosswalk_rows(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = [
            con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("crosswalk_loads", "crosswalk_links")
        ]
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_suggestions_rank_the_earlier_measures_by_text_similarity():
    earlier = load_catalogue()
    later = parse_catalogue(EXAMPLE.read_text(encoding="utf-8"), "ex")
    ranked = suggest(earlier, later, 3)
    assert set(ranked) == {m.measure_id for m in later.measures}
    # "Continue to hold the APT Summit annually in conjunction with the ASEAN Summit" is the seed's 1.1.2, word
    # for word; a reworded measure still finds the one it continues first.
    assert ranked["1.1.1"][0].measure_id == "1.1.2" and ranked["1.1.1"][0].similarity == 100
    assert ranked["1.1.4"][0].measure_id == "1.1.6"
    assert ranked["3.3.1"][0].measure_id == "4.3.3"
    for suggestions in ranked.values():
        assert len(suggestions) == 3
        assert [s.similarity for s in suggestions] == sorted((s.similarity for s in suggestions), reverse=True)


def test_the_template_lists_the_later_plan_with_suggestions_and_close_matches_filled(two_plans, tmp_path):
    target = _template(two_plans, tmp_path)
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Cover", "Crosswalk", "Earlier plan", "How to fill"]
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert cover == {"From plan": "apt-2013-2017", "To plan": "ex-2018-2022"}
    sheet = workbook[CROSSWALK_SHEET]
    assert [c.value for c in sheet[1]][:4] == ["Measure ID", "Measure text", "Continues (earlier measure IDs)",
                                                "Suggestion 1"]  # fmt: skip
    answers = _answers(target)
    assert list(answers) == ["1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2.1", "2.1.1", "2.1.2", "3.1", "3.2", "3.3.1",
                             "3.3.2"]  # fmt: skip
    assert answers["1.1.1"] == "1.1.2" and answers["3.3.2"] == "4.3.6"
    assert answers["2.1.1"] is None and answers["2.1.2"] is None  # nothing close enough: left to the officer
    assert len(workbook["Earlier plan"]["A"]) == 184  # header and the 183 measures


def test_loading_a_crosswalk_keeps_every_version_and_the_views_use_the_newest(two_plans, tmp_path):
    target = _template(two_plans, tmp_path)
    first = aptmon("plan", "crosswalk", "load", target, "--warehouse", two_plans)
    assert first.exit_code == 0, first.output
    assert "crosswalk from apt-2013-2017 to ex-2018-2022 accepted, version 1; 11 measures listed, 9 links" in (
        first.output
    )
    # The officer corrects it: 2.1.1 continues two measures (many to one), 2.1.2 one that 2.1.1 continues too
    # (one to many), 1.1.4 continues none.
    _fill(target, {"2.1.1": "2.1.2; 2.9.6", "2.1.2": "2.9.6", "1.1.4": None})
    second = json.loads(aptmon("plan", "crosswalk", "load", target, "--json", "--warehouse", two_plans).output)
    assert (second["status"], second["version"], second["links"]) == ("accepted", 2, 11)
    with warehouse.read_connection(two_plans) as con:
        assert con.execute("SELECT version FROM crosswalk_loads ORDER BY load_id").fetchall() == [(1,), (2,)]
        assert con.execute("SELECT count(*) FROM crosswalk_links").fetchone()[0] == 9 + 11
        links = con.execute(
            "SELECT from_measure_id, to_measure_id FROM measure_continuity WHERE to_measure_id LIKE '2.%' ORDER BY ALL"
        ).fetchall()
        assert links == [("2.1.2", "2.1.1"), ("2.9.6", "2.1.1"), ("2.9.6", "2.1.2")]
        assert con.execute("SELECT count(*) FROM measure_continuity WHERE to_measure_id = '1.1.4'").fetchone()[0] == 0
        later = measure_continuity(con, "ex-2018-2022", "2.1.1")
        assert later[["direction", "plan_id", "measure_id"]].values.tolist() == [
            ["continues", "apt-2013-2017", "2.1.2"], ["continues", "apt-2013-2017", "2.9.6"]
        ]  # fmt: skip
        earlier = measure_continuity(con, "apt-2013-2017", "2.9.6")
        assert earlier[["direction", "plan_id", "measure_id"]].values.tolist() == [
            ["continued by", "ex-2018-2022", "2.1.1"], ["continued by", "ex-2018-2022", "2.1.2"]
        ]  # fmt: skip


def test_a_crosswalk_with_errors_is_refused_naming_row_and_column_and_changes_nothing(two_plans, tmp_path):
    target = _template(two_plans, tmp_path)
    aptmon("plan", "crosswalk", "load", target, "--warehouse", two_plans)
    before = _crosswalk_rows(two_plans)
    _fill(target, {"1.1.1": "9.9.9", "1.2.1": "3.1.2(a)", "3.1": "1.1.2, 4.1"})
    workbook = load_workbook(target)
    workbook[CROSSWALK_SHEET].cell(row=4, column=1).value = "1.1.1"  # 1.1.3's row now says 1.1.1 again
    workbook.save(target)
    result = aptmon("plan", "crosswalk", "load", target, "--json", "--report-dir", tmp_path / "feedback",
                    "--warehouse", two_plans)  # fmt: skip
    assert result.exit_code == 1
    record = json.loads(result.output)
    assert record["status"] == "rejected" and record["version"] is None
    found = [(i["code"], i["sheet"], i["row"], i["column"], i["value"]) for i in record["issues"]]
    assert ("unknown-measure", "Crosswalk", 2, "Continues (earlier measure IDs)", "9.9.9") in found
    assert ("crosswalk-sub-item", "Crosswalk", 6, "Continues (earlier measure IDs)", "3.1.2(a)") in found
    assert ("duplicate-crosswalk-measure", "Crosswalk", 4, "Measure ID", "1.1.1") in found
    assert any(i["code"] == "duplicate-crosswalk-measure" and "already listed in row 2" in i["message"]
               for i in record["issues"])  # fmt: skip
    assert Path(record["report"]).exists()
    assert _crosswalk_rows(two_plans) == before


@pytest.mark.parametrize(
    ("cover", "message"),
    [
        ({"B3": "apt-1999"}, 'there is no plan "apt-1999" in the monitor'),
        ({"B3": "ex-2018-2022", "B4": "apt-2013-2017"}, "starts after apt-2013-2017"),
        ({"B4": None}, "the Cover gives no To plan"),
    ],
)
def test_a_crosswalk_whose_plans_are_wrong_is_refused(two_plans, tmp_path, cover, message):
    target = _template(two_plans, tmp_path)
    workbook = load_workbook(target)
    for cell, value in cover.items():
        workbook["Cover"][cell] = value
    workbook.save(target)
    result = aptmon("plan", "crosswalk", "load", target, "--warehouse", two_plans)
    assert result.exit_code == 1 and message in result.output
    with warehouse.read_connection(two_plans) as con:
        assert con.execute("SELECT count(*) FROM crosswalk_loads").fetchone()[0] == 0


def test_the_template_refuses_plans_in_the_wrong_order(two_plans, tmp_path):
    result = aptmon("plan", "crosswalk", "template", "--from", "ex-2018-2022", "--to", "apt-2013-2017",
                    "-o", tmp_path / "x.xlsx", "--warehouse", two_plans)  # fmt: skip
    assert result.exit_code == 1 and "swap --from and --to" in result.output
    result = aptmon("plan", "crosswalk", "template", "--from", "apt-2013-2017", "--to", "nope",
                    "-o", tmp_path / "x.xlsx", "--warehouse", two_plans)  # fmt: skip
    assert result.exit_code == 2 and "No plan 'nope' in the warehouse" in result.output


def test_carried_over_lists_what_the_earlier_plan_left_undelivered(two_plans, tmp_path):
    target = _fill(_template(two_plans, tmp_path), {"2.1.1": None, "2.1.2": None})
    aptmon("plan", "crosswalk", "load", target, "--warehouse", two_plans)
    with warehouse.read_connection(two_plans) as con:
        rows = carried_over(con, "ex-2018-2022", 2019)
    # No return in either plan: all 183 measures of 2013-2017 are undelivered; 9 are continued, none delivered yet.
    assert len(rows) == 183
    assert rows["outcome"].value_counts().to_dict() == {"not continued": 174, "continued and not yet": 9}
    summit = rows.set_index("measure_id").loc["1.1.2"]
    assert (summit.predecessor_plan_id, list(summit.continued_by), summit.outcome) == (
        "apt-2013-2017", ["1.1.1"], "continued and not yet"
    )  # fmt: skip
