"""The funding view on a worked case: budgets by source per pillar and country, the Fund's share, no budget."""

from __future__ import annotations

import pytest
from support.factories import add_return

from etl import warehouse


def _fund(warehouse_file, submission_id: int, funding: dict[str, tuple[str | None, float | None]]) -> None:
    with warehouse.write_connection(warehouse_file) as con:
        for activity_id, (source, budget) in funding.items():
            con.execute(
                "UPDATE activities SET funding_source = ?, budget_usd = ? WHERE submission_id = ? AND activity_id = ?",
                [source, budget, submission_id, activity_id],
            )


def _rows(warehouse_file, year: int) -> dict[tuple[str, str], dict]:
    with warehouse.read_connection(warehouse_file) as con:
        frame = con.execute("SELECT * FROM funding WHERE as_of_year = ?", [year]).df()
    return {(r["pillar"], r["country"]): r for r in frame.to_dict("records")}


def test_budgets_by_source_pillar_and_country(warehouse_file):
    khm = add_return(warehouse_file, "KHM", 2014, [
        ("K1", "ongoing", ["2.1.6"]),               # pillar 2, the Fund
        ("K2", "completed", ["2.7.10", "4.3.1"]),   # pillars 2 and 4, national budget
        ("K3", "planned", ["2.1.6"]),               # no budget given
        ("K4", "cancelled", ["2.1.6"]),             # left out
    ])  # fmt: skip
    _fund(warehouse_file, khm, {"K1": ("APT Cooperation Fund", 30_000.0), "K2": ("National budget", 90_000.0),
                                "K3": ("Other", None), "K4": ("APT Cooperation Fund", 1_000_000.0)})  # fmt: skip
    jpn = add_return(warehouse_file, "JPN", 2015, [("J1", "ongoing", ["2.1.6"])])
    _fund(warehouse_file, jpn, {"J1": ("Plus Three partner", 80_000.0)})

    rows = _rows(warehouse_file, 2015)  # KHM's 2014 listings still speak for 2015
    assert len(rows) == 7 * 14  # every pillar and ALL, every country and ALL
    khm2 = rows[("2", "KHM")]
    assert (khm2["activities_total"], khm2["activities_budgeted"], khm2["activities_without_budget"]) == (3, 2, 1)
    assert (khm2["budget_total_usd"], khm2["budget_apt_fund_usd"], khm2["budget_national_usd"]) == (120_000, 30_000,
                                                                                                    90_000)  # fmt: skip
    assert khm2["apt_fund_share"] == pytest.approx(0.25) and khm2["activities_apt_fund"] == 1
    # K2 serves two pillars: in full under each, once under ALL.
    assert rows[("4", "KHM")]["budget_total_usd"] == 90_000 and rows[("4", "KHM")]["apt_fund_share"] == 0
    assert rows[("ALL", "KHM")]["budget_total_usd"] == 120_000
    everyone = rows[("2", "ALL")]
    assert (everyone["activities_total"], everyone["budget_total_usd"], everyone["budget_plus_three_usd"]) == (
        4, 200_000, 80_000)  # fmt: skip
    assert everyone["apt_fund_share"] == pytest.approx(30_000 / 200_000)
    # Nothing reported: zeros, and no share (a share of nothing is not 0%).
    nothing = rows[("5", "KHM")]
    assert nothing["activities_total"] == 0 and nothing["budget_total_usd"] == 0
    assert nothing["apt_fund_share"] is None or nothing["apt_fund_share"] != nothing["apt_fund_share"]
    # Before Japan's return, Japan has nothing.
    assert _rows(warehouse_file, 2014)[("2", "JPN")]["activities_total"] == 0


def test_a_new_version_replaces_the_budgets_it_restates(warehouse_file):
    first = add_return(warehouse_file, "THA", 2015, [("T1", "ongoing", ["3.1.1"])])
    _fund(warehouse_file, first, {"T1": ("APT Cooperation Fund", 50_000.0)})
    second = add_return(warehouse_file, "THA", 2015, [("T1", "ongoing", ["3.1.1"])])
    _fund(warehouse_file, second, {"T1": ("National budget", 70_000.0)})
    row = _rows(warehouse_file, 2015)[("3", "THA")]
    assert (row["budget_total_usd"], row["budget_apt_fund_usd"], row["budget_national_usd"]) == (70_000, 0, 70_000)
